"""The parent and youth portal (/portaal/). Every pattern is in the authorization matrix."""

from django.urls import path

from .views import cases, consents, parent_access, requests, youth

app_name = "portal"
urlpatterns = [
    path("", cases.home, name="home"),
    path("casussen/<uuid:uuid>/", cases.case_detail, name="case_detail"),
    path("casussen/<uuid:uuid>/antwoord/", cases.respond, name="respond"),
    path("casussen/<uuid:uuid>/verklaring/", cases.statement, name="statement"),
    # Per youth: what is shared, who looked, consents and requests (issue 6).
    path("jongeren/<uuid:youth>/gedeeld/", youth.youth_shared, name="youth_shared"),
    path("jongeren/<uuid:youth>/bekeken/", youth.youth_access_log, name="youth_access_log"),
    path("jongeren/<uuid:youth>/toestemmingen/", consents.consent_list, name="consent_list"),
    path("jongeren/<uuid:youth>/verzoeken/", requests.request_list, name="request_list"),
    path("jongeren/<uuid:youth>/verzoeken/nieuw/", requests.request_create, name="request_create"),
    path("toestemmingen/<uuid:uuid>/", consents.consent_detail, name="consent_detail"),
    path("toestemmingen/<uuid:uuid>/besluit/", consents.consent_decide, name="consent_decide"),
    path("ontvangstbewijzen/<uuid:uuid>/", consents.receipt_download, name="receipt_download"),
    path("verzoeken/<uuid:uuid>/", requests.request_detail, name="request_detail"),
    path("verzoeken/<uuid:uuid>/inzage/", requests.request_document, name="request_document"),
    # The youth (16 or older) decides which parent may look along (R-AGE-5).
    path("meekijken/", parent_access.parent_access, name="parent_access"),
]
