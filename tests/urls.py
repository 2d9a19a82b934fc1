"""Every URL pattern of the project, discovered from the resolver, with real arguments.

tests/test_authorization_matrix.py and tests/test_audit_coverage.py use this: a new URL whose
arguments are not known here makes both fail until it is covered.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from convenant.registry import KINDS

# URLs anyone may open without logging in; everything else must send an anonymous user to login.
PUBLIC = {"login", "health", "set_language", "portal_auth:login", "portal_auth:activate"}


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: dict[str, Any]

    @property
    def path(self) -> str:
        return reverse(self.name, kwargs=self.kwargs)

    def __str__(self) -> str:
        return f"{self.name}{self.kwargs or ''}"


def _patterns(resolvers: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def all_url_names() -> list[tuple[str, list[str]]]:
    """(name, argument names) of every pattern, in resolver order."""
    return [
        (name, sorted(pattern.pattern.regex.groupindex))
        for name, pattern in _patterns(get_resolver().url_patterns)
    ]


def _reference_rows(world: Any) -> Iterator[dict[str, Any]]:
    region_id = world.covenant.region_id
    for slug, kind in KINDS.items():
        row = kind.queryset(region_id).first()
        assert row is not None, f"the world has no row of {slug}; add one to cover its edit URL"
        yield {"kind": slug, "uuid": row.uuid}


def _case(w: Any) -> list[dict[str, Any]]:
    return [{"uuid": w.case.uuid}]


def _checklist_items(w: Any) -> list[dict[str, Any]]:
    from convenant.models import ChecklistItem

    item = ChecklistItem.objects.filter(consultation_type__isnull=True).first()
    return [{"uuid": w.case.uuid, "item": item.uuid}]


def _seats(w: Any) -> list[dict[str, Any]]:
    return [{"uuid": w.case.uuid, "participant": p.uuid} for p in w.participants.values()]


def _minutes_entries(w: Any) -> list[dict[str, Any]]:
    return [{"uuid": w.case.uuid, "entry": e.uuid} for e in w.meeting.minutes.entries.all()]


def _shared_items(w: Any) -> list[dict[str, Any]]:
    return [{"uuid": item.uuid} for item in w.shared.values()]


def _access_events(w: Any) -> list[dict[str, Any]]:
    """An event of the FG's organisation about the world's youth (leerplicht viewed the case)."""
    from audit.choices import Action
    from audit.services import record

    event = record(
        actor=w.users["leerplicht"],
        action=Action.CASE_VIEWED,
        target=w.case,
        youth=w.youth,
        case_uuid=w.case.uuid,
    )
    return [{"event_id": event.event_id}]


def _incidents(w: Any) -> list[dict[str, Any]]:
    """Breaches (issue 7): a report of the school that touches the municipality's data too, so
    the world's FG and beheerder (municipality) see it; its text names nobody. Made once."""
    from datetime import timedelta

    from django.utils import timezone

    from convenant.incidents import incident_report
    from convenant.models import Incident

    incident = Incident.objects.filter(region_id=w.covenant.region_id).first()
    if incident is None:
        incident = incident_report(
            actor=w.users["professional"],
            discovered_at=timezone.now() - timedelta(hours=30),
            description="Een e-mail met een verslag ging naar een verkeerd adres.",
            n_subjects=2,
            affected_parties=[w.school, w.municipality],
        )
    return [{"uuid": incident.uuid}]


def _signals(w: Any) -> list[dict[str, Any]]:
    from audit.signal_queries import SIGNALS

    return [{"slug": slug} for slug in SIGNALS]


# How to fill the arguments of each URL with objects of the test world.
ARGUMENTS: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
    "convenant:reference_list": lambda w: [{"kind": slug} for slug in KINDS],
    "convenant:reference_create": lambda w: [{"kind": slug} for slug in KINDS],
    "convenant:reference_edit": lambda w: list(_reference_rows(w)),
    "casusoverleg:case_detail": _case,
    "casusoverleg:case_edit": _case,
    "casusoverleg:case_advance": _case,
    "casusoverleg:case_handover": _case,
    "casusoverleg:checklist_toggle": _checklist_items,
    "casusoverleg:participant_add": _case,
    "casusoverleg:participant_family": _seats,
    "casusoverleg:participant_remove": _seats,
    "casusoverleg:meeting_schedule": _case,
    "casusoverleg:meeting_cancel": _case,
    "casusoverleg:invitations_send": _case,
    "casusoverleg:privacy_notice": _case,
    "casusoverleg:document_request": _case,
    "casusoverleg:document_status": lambda w: [{"uuid": w.document.uuid}],
    "casusoverleg:document_download": lambda w: [{"uuid": w.document.uuid}],
    "casusoverleg:invitation_detail": lambda w: [{"uuid": p.uuid} for p in w.participants.values()],
    "casusoverleg:invitation_respond": lambda w: [
        {"uuid": p.uuid} for p in w.participants.values()
    ],
    "casusoverleg:attendance": _case,
    "casusoverleg:hearing": _case,
    "casusoverleg:minutes": _case,
    "casusoverleg:minutes_entry_delete": _minutes_entries,
    "casusoverleg:action_add": _case,
    "casusoverleg:follow_up": _case,
    "casusoverleg:minutes_share": _case,
    "casusoverleg:action_complete": lambda w: [{"uuid": w.action.uuid}],
    "casusoverleg:shared_item_create": _case,
    "casusoverleg:shared_item_rectify": _shared_items,
    "casusoverleg:shared_item_delete": _shared_items,
    "casusoverleg:shared_item_withhold": _shared_items,
    "casusoverleg:shared_item_release": _shared_items,
    "audit:youth_timeline": lambda w: [{"uuid": w.youth.uuid}],
    "audit:user_timeline": lambda w: [{"uuid": w.users["leerplicht"].uuid}],
    "audit:event_detail": _access_events,
    "audit:signal_detail": _signals,
    "portal:case_detail": _case,
    "portal:respond": _case,
    "portal:statement": _case,
    # The portal's entrance (issue 6): an invitation link of the parent's, its token made up.
    "portal_auth:activate": lambda w: [
        {"uidb64": _invitation_uid(w.users["parent"]), "token": "cz0f2k-0123456789abcdef"}
    ],
    "casusoverleg:family_account_invite": _seats,
    # The portal's pages about one youth (issue 6): shared data, access log, consents, requests.
    "portal:youth_shared": lambda w: [{"youth": w.youth.uuid}],
    "portal:youth_access_log": lambda w: [{"youth": w.youth.uuid}],
    "portal:consent_list": lambda w: [{"youth": w.youth.uuid}],
    "portal:request_list": lambda w: [{"youth": w.youth.uuid}],
    "portal:request_create": lambda w: [{"youth": w.youth.uuid}],
    "portal:consent_detail": lambda w: [{"uuid": w.consent.uuid}],
    "portal:consent_decide": lambda w: [{"uuid": w.consent.uuid}],
    "portal:receipt_download": lambda w: [{"uuid": w.consent.receipts.first().uuid}],
    "portal:request_detail": lambda w: [{"uuid": w.rights_request.uuid}],
    "portal:request_document": lambda w: [{"uuid": w.rights_request.uuid}],
    # Consent and rights requests in the workplace (issue 6).
    "casusoverleg:consent_list": _case,
    "casusoverleg:consent_request": _case,
    "casusoverleg:incapacity": _case,
    "casusoverleg:consent_detail": lambda w: [{"uuid": w.consent.uuid}],
    "casusoverleg:consent_record": lambda w: [{"uuid": w.consent.uuid}],
    "casusoverleg:consent_form_download": lambda w: [
        {"uuid": d.uuid} for d in w.consent.decisions.all()
    ],
    "casusoverleg:consent_receipt_download": lambda w: [
        {"uuid": r.uuid} for r in w.consent.receipts.all()
    ],
    "casusoverleg:request_detail": lambda w: [{"uuid": w.rights_request.uuid}],
    "casusoverleg:request_extend": lambda w: [{"uuid": w.rights_request.uuid}],
    "casusoverleg:request_forward": lambda w: [{"uuid": w.rights_request.uuid}],
    "casusoverleg:request_close": lambda w: [{"uuid": w.rights_request.uuid}],
    "casusoverleg:request_inzage": lambda w: [{"uuid": w.rights_request.uuid}],
    # Breaches (issue 7): the register's pages and the revoke of a mis-shared item.
    "incidents:incident_detail": _incidents,
    "incidents:incident_assess": _incidents,
    "incidents:incident_ap": _incidents,
    "incidents:incident_subjects": _incidents,
    "incidents:incident_close": _incidents,
    "casusoverleg:shared_item_revoke": _shared_items,
    # Retention (issue 7): a past run and a legal hold on the world's case.
    "retention:run_detail": lambda w: [{"uuid": _retention_run(w).uuid}],
    "retention:hold_place": _case,
    "retention:hold_end": lambda w: [{"uuid": _legal_hold(w).uuid}],
    # Management figures and register extract (issue 7, decl): a party of the world's covenant.
    "dashboard:register_detail": lambda w: [{"uuid": w.school.uuid}],
    "dashboard:register_export": lambda w: [
        {"uuid": w.school.uuid, "fmt": fmt} for fmt in ("csv", "pdf")
    ],
    # Covenant governance (issue 7): every party row of the world's covenant, its DPIA.
    "governance:party_detail": lambda w: _governance_parties(w),
    "governance:accession_upload": lambda w: _governance_parties(w),
    "governance:accession_download": lambda w: _governance_parties(w),
    "governance:accession_approve": lambda w: _governance_parties(w),
    "governance:party_leave": lambda w: _governance_parties(w),
    "governance:dpia_endorse": lambda w: _governance_dpias(w),
    "governance:dpia_download": lambda w: _governance_dpias(w),
}


def _retention_run(w: Any) -> Any:
    from casusoverleg.retention import retention_apply

    return retention_apply()


def _legal_hold(w: Any) -> Any:
    from datetime import date, timedelta

    from casusoverleg.retention import legal_hold_place

    return legal_hold_place(
        actor=w.users["privacy_officer"],
        case=w.case,
        scope="case",
        reason="Klacht in behandeling",
        ends_on=date.today() + timedelta(days=30),  # noqa: DTZ011 - the services' local date
    )


def _governance_parties(w: Any) -> list[dict[str, Any]]:
    return [{"uuid": party.uuid} for party in w.covenant.parties.order_by("pk")]


def _governance_dpias(w: Any) -> list[dict[str, Any]]:
    from convenant.models import DPIARecord

    return [{"uuid": d.uuid} for d in DPIARecord.objects.filter(region=w.covenant.region)]


def _invitation_uid(user: Any) -> str:
    from parties.accounts import invitation_uid

    return invitation_uid(user)


def routes(world: Any) -> list[Route]:
    """Every URL of the project with real arguments; fails on a URL it cannot fill."""
    found = []
    for name, args in all_url_names():
        if not args:
            found.append(Route(name, {}))
            continue
        if name not in ARGUMENTS:
            raise AssertionError(
                f"URL '{name}' takes {args}; add it to tests/urls.py ARGUMENTS so the "
                "authorization matrix and the audit coverage test can request it"
            )
        found.extend(Route(name, kwargs) for kwargs in ARGUMENTS[name](world))
    return found
