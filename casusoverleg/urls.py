"""The professional's workplace (/werkplek/). Every pattern is in the authorization matrix."""

from django.urls import path

from .views import (
    actions,
    calendar,
    cases,
    consents,
    dashboard,
    declaration,
    documents,
    invitations,
    meetings,
    minutes,
    participants,
    requests,
    sharing,
)

app_name = "casusoverleg"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # The yearly geheimhoudingsverklaring (issue 7, R-11-1): the one page of this namespace a
    # professional reaches before accepting it (casusoverleg.middleware).
    path("geheimhoudingsverklaring/", declaration.declaration, name="declaration"),
    path("agenda/", calendar.calendar_view, name="calendar"),
    path("casussen/nieuw/", cases.case_create, name="case_create"),
    path("casussen/<uuid:uuid>/", cases.case_detail, name="case_detail"),
    path("casussen/<uuid:uuid>/wijzigen/", cases.case_edit, name="case_edit"),
    path("casussen/<uuid:uuid>/volgende-stap/", cases.case_advance, name="case_advance"),
    path(
        "casussen/<uuid:uuid>/checklist/<uuid:item>/",
        cases.checklist_toggle,
        name="checklist_toggle",
    ),
    path("casussen/<uuid:uuid>/overdragen/", cases.case_handover, name="case_handover"),
    path(
        "casussen/<uuid:uuid>/deelnemers/nieuw/",
        participants.participant_add,
        name="participant_add",
    ),
    path(
        "casussen/<uuid:uuid>/deelnemers/<uuid:participant>/",
        participants.participant_family,
        name="participant_family",
    ),
    path(
        "casussen/<uuid:uuid>/deelnemers/<uuid:participant>/portaal/",
        participants.family_account_invite,
        name="family_account_invite",
    ),
    path(
        "casussen/<uuid:uuid>/deelnemers/<uuid:participant>/verwijderen/",
        participants.participant_remove,
        name="participant_remove",
    ),
    path("casussen/<uuid:uuid>/overleg/", meetings.meeting_schedule, name="meeting_schedule"),
    path("casussen/<uuid:uuid>/overleg/annuleren/", meetings.meeting_cancel, name="meeting_cancel"),
    path("casussen/<uuid:uuid>/uitnodigen/", meetings.invitations_send, name="invitations_send"),
    path("casussen/<uuid:uuid>/privacyverklaring/", meetings.privacy_notice, name="privacy_notice"),
    path("casussen/<uuid:uuid>/documenten/", documents.document_request, name="document_request"),
    path("documenten/<uuid:uuid>/", documents.document_status, name="document_status"),
    path("documenten/<uuid:uuid>/download/", documents.document_download, name="document_download"),
    path("uitnodigingen/<uuid:uuid>/", invitations.invitation_detail, name="invitation_detail"),
    path(
        "uitnodigingen/<uuid:uuid>/antwoord/",
        invitations.invitation_respond,
        name="invitation_respond",
    ),
    path("casussen/<uuid:uuid>/aanwezigheid/", minutes.attendance, name="attendance"),
    path("casussen/<uuid:uuid>/hoorrecht/", minutes.hearing, name="hearing"),
    path("casussen/<uuid:uuid>/verslag/", minutes.minutes, name="minutes"),
    path(
        "casussen/<uuid:uuid>/verslag/punten/<uuid:entry>/verwijderen/",
        minutes.minutes_entry_delete,
        name="minutes_entry_delete",
    ),
    path("casussen/<uuid:uuid>/verslag/acties/", minutes.action_add, name="action_add"),
    path("casussen/<uuid:uuid>/verslag/vervolgdatum/", minutes.follow_up, name="follow_up"),
    path("casussen/<uuid:uuid>/verslag/delen/", minutes.minutes_share, name="minutes_share"),
    path(
        "casussen/<uuid:uuid>/gegevens/nieuw/",
        sharing.shared_item_create,
        name="shared_item_create",
    ),
    path(
        "gegevens/<uuid:uuid>/corrigeren/",
        sharing.shared_item_rectify,
        name="shared_item_rectify",
    ),
    path(
        "gegevens/<uuid:uuid>/verwijderen/",
        sharing.shared_item_delete,
        name="shared_item_delete",
    ),
    path(
        "gegevens/<uuid:uuid>/niet-verstrekken/",
        sharing.shared_item_withhold,
        name="shared_item_withhold",
    ),
    path(
        "gegevens/<uuid:uuid>/verstrekken/",
        sharing.shared_item_release,
        name="shared_item_release",
    ),
    # Breaches (issue 7, R-BREACH-6): revoke a mis-shared item in one action.
    path(
        "gegevens/<uuid:uuid>/intrekken/",
        sharing.shared_item_revoke,
        name="shared_item_revoke",
    ),
    path("acties/", actions.action_list, name="action_list"),
    path("acties/<uuid:uuid>/gedaan/", actions.action_complete, name="action_complete"),
    # Consent (SPEC R-6-2, R-AGE-1) and rights requests (R-13-1..5, R-RIGHTS-1..3), issue 6.
    path("casussen/<uuid:uuid>/toestemmingen/", consents.consent_list, name="consent_list"),
    path(
        "casussen/<uuid:uuid>/toestemmingen/nieuw/",
        consents.consent_request,
        name="consent_request",
    ),
    path("casussen/<uuid:uuid>/wilsbekwaamheid/", consents.incapacity, name="incapacity"),
    path("toestemmingen/<uuid:uuid>/", consents.consent_detail, name="consent_detail"),
    path("toestemmingen/<uuid:uuid>/formulier/", consents.consent_record, name="consent_record"),
    path(
        "toestemmingen/besluiten/<uuid:uuid>/formulier/",
        consents.consent_form_download,
        name="consent_form_download",
    ),
    path(
        "ontvangstbewijzen/<uuid:uuid>/",
        consents.consent_receipt_download,
        name="consent_receipt_download",
    ),
    path("verzoeken/", requests.request_list, name="request_list"),
    path("verzoeken/<uuid:uuid>/", requests.request_detail, name="request_detail"),
    path("verzoeken/<uuid:uuid>/verlengen/", requests.request_extend, name="request_extend"),
    path("verzoeken/<uuid:uuid>/doorsturen/", requests.request_forward, name="request_forward"),
    path("verzoeken/<uuid:uuid>/afhandelen/", requests.request_close, name="request_close"),
    path("verzoeken/<uuid:uuid>/inzage.pdf", requests.request_inzage, name="request_inzage"),
]
