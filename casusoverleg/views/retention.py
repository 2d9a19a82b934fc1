"""Retention pages (/bewaren/): what becomes due, past runs, legal holds (SPEC R-9-1, R-9-4).

For the beheerders and FGs of a region. They show counts and pseudonymous references only
(J-…, C-…, R-…), never content: the FG sees no case content without a logged reason (DESIGN),
and the beheerder never. Placing and ending a legal hold is for an FG of the region or the
case's procesregisseur. Every page writes its access event.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.apps import apps
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.decorators import role_required
from audit.display import CASE_PREFIX, YOUTH_PREFIX, pseudonym
from audit.services import record
from casusoverleg import retention
from casusoverleg.forms.retention import LegalHoldForm
from casusoverleg.models import Case, LegalHold, RetentionRun
from convenant.models import RetentionRule
from parties.choices import Role

from .common import call_service

overseers_only = role_required(Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)
holders_only = role_required(Role.PRIVACY_OFFICER, Role.COORDINATOR)

RECORD_PREFIX = "R"
RUNS_SHOWN = 30
REMOVALS_SHOWN = 500


def _region(request: HttpRequest) -> int:
    """The user's region; a beheerder or FG without an organisation has none to look at."""
    region_id = retention.region_of(request.user)
    if region_id is None:
        raise Http404
    return region_id


@dataclass(frozen=True)
class RefRow:
    """One due record as the page shows it: pseudonyms only."""

    record: str
    case: str
    youth: str
    case_uuid: Any


def _ref_rows(refs: list[retention.Ref]) -> list[RefRow]:
    return [
        RefRow(
            record=pseudonym(ref.uuid, RECORD_PREFIX),
            case=pseudonym(ref.case_uuid, CASE_PREFIX),
            youth=pseudonym(ref.youth_uuid, YOUTH_PREFIX),
            case_uuid=ref.case_uuid,
        )
        for ref in refs
    ]


def _holds(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "hold": hold,
            "case": pseudonym(hold.case.uuid, CASE_PREFIX) if hold.case_id else "",
            "youth": pseudonym(hold.youth.uuid, YOUTH_PREFIX) if hold.youth_id else "",
            "placed_by": hold.placed_by.get_full_name() or hold.placed_by.get_username(),
        }
        for hold in retention.hold_list(user=request.user)
    ]


@overseers_only
def overview(request: HttpRequest) -> HttpResponse:
    """The dry-run report: what becomes due within 14 days, per rule, with pseudonymous
    references; the legal holds in force; the rules; links to past runs (SPEC R-9-1)."""
    region_id = _region(request)
    day = retention.report_day()
    with transaction.atomic():
        preview = retention.retention_preview(region_id=region_id, on=day)
        record(actor=request.user, action=Action.RETENTION_VIEWED, purpose="retention")
    rules = {rule.code: rule for rule in RetentionRule.objects.filter(applies_in_app=True)}
    rows = [
        {
            "code": row.plan.code,
            "rule": rules.get(row.plan.code),
            "record_type": row.plan.subject.model._meta.verbose_name_plural,
            "action": row.plan.action,
            "count": row.count,
            "refs": _ref_rows(row.refs),
            "more": row.count - len(row.refs),
        }
        for row in preview
    ]
    return render(
        request,
        "casusoverleg/retention/overview.html",
        {
            "day": day,
            "rows": rows,
            "holds": _holds(request),
            "rules": sorted(rules.values(), key=lambda r: r.code),
            "destruction_code": retention.DESTRUCTION_CODE,
            "may_hold": request.user.role == Role.PRIVACY_OFFICER,
        },
    )


@overseers_only
def run_list(request: HttpRequest) -> HttpResponse:
    """Past removal runs, with how many records of this region each removed."""
    region_id = _region(request)
    with transaction.atomic():
        runs = retention.run_list(user=request.user, region_id=region_id, limit=RUNS_SHOWN)
        record(actor=request.user, action=Action.RETENTION_VIEWED, purpose="retention runs")
    return render(request, "casusoverleg/retention/run_list.html", {"runs": runs})


@overseers_only
def run_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One run: what it removed in this region, per record: rule, type, pseudonyms, when."""
    _region(request)
    try:
        run = retention.run_get(user=request.user, uuid=uuid)
    except RetentionRun.DoesNotExist as exc:
        raise Http404 from exc
    removals = retention.removal_list(user=request.user, run=run)
    with transaction.atomic():
        counts = list(
            removals.values("rule_code", "record_type", "action")
            .annotate(n=Count("pk"))
            .order_by("rule_code", "record_type")
        )
        shown = list(removals[:REMOVALS_SHOWN])
        record(actor=request.user, action=Action.RETENTION_VIEWED, target=run, purpose="retention")
    for count in counts:
        count["type_name"] = _type_name(count["record_type"])
    rows = [
        {
            "removal": r,
            "type_name": _type_name(r.record_type),
            "record": pseudonym(r.record_uuid, RECORD_PREFIX),
            "case": pseudonym(r.case_uuid, CASE_PREFIX),
            "youth": pseudonym(r.youth_uuid, YOUTH_PREFIX),
        }
        for r in shown
    ]
    total = sum(c["n"] for c in counts)
    return render(
        request,
        "casusoverleg/retention/run_detail.html",
        {"run": run, "counts": counts, "rows": rows, "more": total - len(rows)},
    )


def _type_name(label: str) -> str:
    """A record type's name in the reader's language ("casusoverleg.case" → "Casusoverleggen")."""
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural)
    except LookupError:
        return label


def _back(request: HttpRequest) -> str:
    """Where a hold page leads back to: the FG's retention page, the procesregisseur's work."""
    if request.user.role == Role.PRIVACY_OFFICER:
        return "retention:overview"
    return "casusoverleg:dashboard"


def _hold_case(request: HttpRequest, uuid: UUID) -> Case:
    try:
        return retention.hold_case_get(user=request.user, uuid=uuid)
    except Case.DoesNotExist as exc:
        raise Http404 from exc  # audit.middleware logs the refusal


@holders_only
def hold_place(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Place a legal hold on a case, or on everything about its youth (SPEC R-9-4)."""
    case = _hold_case(request, uuid)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            retention.legal_hold_place,
            actor=request.user,
            case=case,
            scope=data["scope"],
            reason=data["reason"],
            ends_on=data["ends_on"],
        )
        if done is not None:
            messages.success(request, _("The legal hold is in force."))
            if request.user.role == Role.PRIVACY_OFFICER:
                return redirect("retention:overview")
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    if request.method == "GET":
        with transaction.atomic():
            record(
                actor=request.user,
                action=Action.RETENTION_VIEWED,
                target=case,
                youth=case.youth,
                case_uuid=case.uuid,
                purpose="retention",
            )
    return render(
        request,
        "casusoverleg/retention/hold_form.html",
        {
            "case": case,
            "case_pseudonym": pseudonym(case.uuid, CASE_PREFIX),
            "form": form,
            "back": _back(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@holders_only
def hold_end(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """End a legal hold (a confirmation page, then POST)."""
    try:
        hold = retention.hold_get(user=request.user, uuid=uuid)
    except LegalHold.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        retention.legal_hold_end(actor=request.user, hold=hold)
        messages.success(request, _("The legal hold has ended."))
        if request.user.role == Role.PRIVACY_OFFICER:
            return redirect("retention:overview")
        return redirect("casusoverleg:dashboard")
    return render(
        request,
        "casusoverleg/retention/hold_end.html",
        {
            "hold": hold,
            "case": pseudonym(hold.case.uuid, CASE_PREFIX) if hold.case_id else "",
            "youth": pseudonym(hold.youth.uuid, YOUTH_PREFIX) if hold.youth_id else "",
            "back": _back(request),
        },
    )
