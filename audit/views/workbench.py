"""The FG's workbench: home, search, youth lookup, timelines, exports and seals (issue 5).

Every page is for the FG only (`role_required`) and records its own access event in the same
transaction as the read (reading the log is itself logged, DESIGN invariant 2). The pages show
metadata: employees by name, youths and cases by pseudonym, never a youth's name.
"""

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit import selectors
from audit.choices import Action
from audit.decorators import role_required
from audit.display import pseudonym
from audit.filters import (
    DEFAULT_DAYS,
    MAX_DAYS_WITHOUT_SUBJECT,
    AccessEventFilter,
    MonthForm,
    YouthLookupForm,
)
from audit.models import AccessEvent, Stream
from audit.selectors import LOCAL_TZ, Cursor
from audit.services import record
from core.csv_export import SafeWriter
from core.pdf import render_pdf
from parties.choices import Role

RECENT = 20
CSV_MAX_ROWS = 10_000
# WeasyPrint lays out every row; a bounded PDF stays a request, not a background job.
PDF_MAX_ROWS = 200
# Recomputing a block reads its every event (10,000 by default): bound the work of one export.
SEAL_VERIFY_MAX_BLOCKS = 10
# A number from a link (a seal block) fits a bigint.
MAX_NUMBER_DIGITS = 18
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEN_7513_COLUMNS = [
    "EventID",
    "EventDateTime",
    "EventActionCode",
    "EventAction",
    "EventOutcomeIndicator",
    "UserID",
    "UserName",
    "RoleIDCode",
    "OrganisationID",
    "OrganisationName",
    "PurposeOfUse",
    "LegalBasis",
    "ParticipantObjectID",
    "ObjectType",
    "ObjectID",
    "CaseID",
    "NetworkAccessPointID",
    "UserAgent",
    "RequestID",
]


@dataclass(frozen=True)
class _Subject:
    """The youth an event is about, known by uuid only: `record` stores `youth.uuid`."""

    uuid: uuid.UUID


def _subject(value: uuid.UUID | None) -> _Subject | None:
    return _Subject(value) if value else None


def _cursor(request: HttpRequest) -> tuple[Cursor | None, bool]:
    """The `before` cursor of the request and whether it was unreadable (then: first page)."""
    value = request.GET.get("before", "")
    if not value:
        return None, False
    try:
        return Cursor.decode(value), False
    except ValueError:
        return None, True


def _describe(filters: dict[str, Any], cursor: Cursor | None = None) -> str:
    """The filters as the access event's reason: uuids, codes and dates, never a name."""
    parts = []
    for key, value in filters.items():
        if key == "actor":
            value = value.uuid
        parts.append(f"{key}={value}")
    if cursor is not None:
        parts.append(f"before={cursor.id}")
    return " ".join(parts) or "all"


def _filterset(request: HttpRequest) -> AccessEventFilter:
    """The search filters of the request; unbound (no filters) when none were given."""
    data = request.GET.copy()
    data.pop("before", None)
    return AccessEventFilter(data or None, user=request.user)


# --- Home ---------------------------------------------------------------------------------------


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The workbench home: counts of the last seven days (bounded), the newest events and the
    ways into the workbench; reading the log is itself recorded."""
    with transaction.atomic():
        events = selectors.label_events(
            selectors.access_event_list(user=request.user).select_related("actor")[:RECENT]
        )
        summary = selectors.access_event_summary(user=request.user)
        record(actor=request.user, action=Action.ACCESS_LOG_VIEWED, reason="dashboard")
    return render(request, "audit/dashboard.html", {"events": events, "summary": summary})


# --- Search -------------------------------------------------------------------------------------


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search the organisation's events by youth, employee, case, action, outcome and period.

    Keyset-paged ("Older events" carries the cursor); bad filter input is shown at the field
    and no events are shown until it is corrected.
    """
    filterset = _filterset(request)
    cursor, bad_cursor = _cursor(request)
    valid = not filterset.is_bound or filterset.form.is_valid()
    filters = filterset.cleaned_filters()
    page = None
    with transaction.atomic():
        if valid:
            page = selectors.access_event_search(request.user, filters=filters, before=cursor)
        record(
            actor=request.user,
            action=Action.AUDIT_SEARCHED,
            youth=_subject(filters.get("youth")),
            case_uuid=filters.get("case"),
            reason=_describe(filters, cursor) if valid else "invalid filters",
        )
    return render(
        request,
        "audit/workbench_search.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "defaulted_period": filterset.defaulted_period if valid else None,
            "default_days": DEFAULT_DAYS,
            "max_days": MAX_DAYS_WITHOUT_SUBJECT,
            "page": page,
            "bad_cursor": bad_cursor,
            "first_page": cursor is None,
            "export_query": _export_query(request),
        },
    )


def _export_query(request: HttpRequest) -> str:
    """The search's query string without the cursor: an export starts at the newest event."""
    data = request.GET.copy()
    data.pop("before", None)
    return f"?{data.urlencode()}" if data else ""


# --- Youth lookup and timelines -----------------------------------------------------------------


@role_required(Role.PRIVACY_OFFICER)
@require_http_methods(["GET", "POST"])
def youth_lookup(request: HttpRequest) -> HttpResponse:
    """Find a youth's timeline by name and birth date (POST: names stay out of URLs and logs).

    One match: straight to the timeline. Several: their pseudonyms. None: a neutral message
    that does not say whether the youth exists. The page never shows a name from the database.
    """
    form = YouthLookupForm(request.POST or None)
    matches: list[uuid.UUID] = []
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        with transaction.atomic():
            matches = selectors.youth_lookup(
                request.user,
                form.cleaned_data["given_name"],
                form.cleaned_data["family_name"],
                form.cleaned_data["date_of_birth"],
            )
            # One event per youth found; the typed names are not stored anywhere.
            for found in matches or [None]:
                record(
                    actor=request.user,
                    action=Action.AUDIT_SEARCHED,
                    youth=_subject(found),
                    reason=f"youth lookup: {len(matches)} found",
                )
        if len(matches) == 1:
            return redirect("audit:youth_timeline", uuid=matches[0])
        # Neither the names nor the birth date are echoed back.
        form = YouthLookupForm()
    return render(
        request,
        "audit/workbench_youth_lookup.html",
        {
            "form": form,
            "searched": searched,
            "matches": [{"uuid": m, "pseudonym": pseudonym(m)} for m in matches],
        },
    )


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def youth_timeline(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    """Everything the FG's organisation did with one youth's data, newest first.

    The youth appears by pseudonym; whether they exist is not checked (the log holds references,
    and an unknown uuid simply has no events).
    """
    cursor, bad_cursor = _cursor(request)
    with transaction.atomic():
        page = selectors.youth_timeline(request.user, youth_uuid=uuid, before=cursor)
        record(
            actor=request.user,
            action=Action.AUDIT_TIMELINE,
            youth=_Subject(uuid),
            reason=f"youth timeline{f' before={cursor.id}' if cursor else ''}",
        )
    return render(
        request,
        "audit/workbench_youth_timeline.html",
        {
            "youth_uuid": uuid,
            "youth_pseudonym": pseudonym(uuid),
            "page": page,
            "bad_cursor": bad_cursor,
            "first_page": cursor is None,
        },
    )


def _month(request: HttpRequest) -> tuple[MonthForm, date]:
    """The requested month (default: this month in the Netherlands) and its form."""
    this_month = timezone.localtime(timezone.now(), LOCAL_TZ).date().replace(day=1)
    if "month" not in request.GET:
        return MonthForm(initial={"month": this_month}), this_month
    form = MonthForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["month"].replace(day=1)
    return form, this_month


def _shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def user_timeline(request: HttpRequest, uuid: uuid.UUID) -> HttpResponse:
    """The employee-month view: all events of one employee for the organisation in one month.

    Only employees of the FG's organisation (now or before) have one; anyone else is a 404, so
    that the workbench names no one from outside it.
    """
    cursor, bad_cursor = _cursor(request)
    form, month = _month(request)
    employee = selectors.employee_get(user=request.user, uuid=uuid)
    if employee is None:
        # The middleware records the refusal (reason 404), as for any invisible object.
        raise Http404
    with transaction.atomic():
        page = selectors.user_timeline(request.user, employee, month, before=cursor)
        record(
            actor=request.user,
            action=Action.AUDIT_TIMELINE,
            target=employee,
            reason=f"employee month={month:%Y-%m}{f' before={cursor.id}' if cursor else ''}",
        )
    return render(
        request,
        "audit/workbench_user_timeline.html",
        {
            "employee": employee,
            "month": month,
            "month_form": form,
            "previous_month": f"{_shift_month(month, -1):%Y-%m}",
            "next_month": f"{_shift_month(month, 1):%Y-%m}",
            "page": page,
            "bad_cursor": bad_cursor,
            "first_page": cursor is None,
        },
    )


# --- Exports ------------------------------------------------------------------------------------


def _neutralise(value: Any) -> str:
    """The cell as text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _nen_row(event: AccessEvent) -> list[str]:
    """One event in the NEN 7513 shape of docs/audit-log.md §1."""
    actor = event.actor
    organisation = event.organisation
    cells = [
        event.event_id,
        timezone.localtime(event.occurred_at, LOCAL_TZ).isoformat(timespec="milliseconds"),
        event.action_code,
        event.action,
        event.outcome,
        actor.uuid if actor else "",
        event.actor_name,
        event.actor_role,
        organisation.uuid if organisation else "",
        event.organisation_name,
        event.purpose,
        event.legal_basis,
        event.youth_uuid or "",
        event.object_type,
        event.object_id,
        event.case_uuid or "",
        event.client_ip or "",
        event.user_agent,
        event.request_id,
    ]
    return [_neutralise(cell) for cell in cells]


@dataclass
class SealReport:
    """What the seal says about an exported slice: the covering blocks, whether the ones
    recomputed here verify, and which rows are not sealed yet."""

    blocks: list[Any]
    verified: list[Any]
    ok: bool
    problems: list[Any]
    events_checked: int
    unsealed: list[AccessEvent]
    latest_verification: AccessEvent | None

    @property
    def not_verified_here(self) -> list[Any]:
        """Covering blocks beyond the bound of one export; the periodic check covers them."""
        verified = {block.pk for block in self.verified}
        return [block for block in self.blocks if block.pk not in verified]


def _seal_report(user: Any, events: list[AccessEvent]) -> SealReport:
    """The blocks that cover `events`, the newest of them recomputed (audit.sealing).

    Recomputing a block reads all its events, also those not exported; a slice spread over
    years touches many blocks, so one export recomputes at most SEAL_VERIFY_MAX_BLOCKS (the
    newest: the older ones have been through the periodic `verify_audit` more often) and names
    the rest, with the outcome of the latest full check.
    """
    from audit.sealing import blocks_covering, verify_blocks

    blocks, unsealed_ids = blocks_covering([event.pk for event in events], stream=Stream.ACCESS)
    verified = blocks[-SEAL_VERIFY_MAX_BLOCKS:]
    report = verify_blocks(verified) if verified else None
    unsealed = set(unsealed_ids)
    return SealReport(
        blocks=blocks,
        verified=verified,
        ok=report.ok if report is not None else True,
        problems=list(report.problems) if report is not None else [],
        events_checked=report.events_checked if report is not None else 0,
        unsealed=[event for event in events if event.pk in unsealed],
        latest_verification=selectors.latest_verification(user=user),
    )


def _export(request: HttpRequest, fmt: str, limit: int) -> tuple[Any, ...] | HttpResponse:
    """Read, verify and record one export; a redirect to the search when the filters are bad."""
    filterset = _filterset(request)
    if filterset.is_bound and not filterset.form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("audit:search") + _export_query(request))
    filters = filterset.cleaned_filters()
    with transaction.atomic():
        events, truncated = selectors.access_event_export(
            request.user, filters=filters, limit=limit
        )
        seal = _seal_report(request.user, events)
        record(
            actor=request.user,
            action=Action.AUDIT_EXPORTED,
            youth=_subject(filters.get("youth")),
            case_uuid=filters.get("case"),
            reason=f"{fmt} rows={len(events)} {_describe(filters)}",
        )
    return filters, events, truncated, seal


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The export is personal-data metadata: no cache, no proxy, may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _now() -> datetime:
    return timezone.localtime(timezone.now(), LOCAL_TZ)


def _filename(extension: str) -> str:
    return f"toegangslog-{_now():%Y%m%d-%H%M%S}.{extension}"


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered slice (at most CSV_MAX_ROWS, newest first) as CSV in the NEN 7513 shape,
    followed by `#` lines with the seal blocks that cover it and the result of verifying them."""
    result = _export(request, "csv", CSV_MAX_ROWS)
    if isinstance(result, HttpResponse):
        return result
    filters, events, truncated, seal = result
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(NEN_7513_COLUMNS)
    writer.writerows(_nen_row(event) for event in events)
    for line in _trailer(filters, events, truncated, seal, CSV_MAX_ROWS):
        buffer.write(f"# {line}\r\n")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, _filename("csv"))


def _trailer(
    filters: dict[str, Any],
    events: list[AccessEvent],
    truncated: bool,
    seal: SealReport,
    limit: int,
) -> list[str]:
    """The CSV's closing lines: the slice, the seal and its verification (machine-readable)."""
    lines = [
        f"filters: {_describe(filters)}",
        f"rows: {len(events)}",
        f"exported at: {_now().isoformat(timespec='seconds')}",
    ]
    if truncated:
        lines.append(f"truncated: more events matched; only the newest {limit} are exported")
    lines.append(f"seal verification: {'passed' if seal.ok else 'FAILED'}")
    lines.append(f"seal events checked: {seal.events_checked}")
    verified = {block.pk for block in seal.verified}
    lines.extend(
        f"seal block: stream={block.stream} number={block.number} first_id={block.first_id} "
        f"last_id={block.last_id} events={block.event_count} "
        f"verified_here={'yes' if block.pk in verified else 'no'} hash={block.block_hash}"
        for block in seal.blocks
    )
    latest = seal.latest_verification
    if latest is not None:
        checked = timezone.localtime(latest.occurred_at, LOCAL_TZ).isoformat(timespec="seconds")
        lines.append(f"latest full verification: {checked} {latest.reason}")
    else:
        lines.append("latest full verification: none yet")
    lines.extend(
        f"seal problem: kind={problem.kind} block={problem.block_number} "
        f"row={problem.event_id} detail={problem.detail}"
        for problem in seal.problems
    )
    lines.append(f"not sealed yet: {len(seal.unsealed)} rows")
    lines.extend(f"not sealed yet: EventID={event.event_id}" for event in seal.unsealed)
    return [_neutralise_comment(line) for line in lines]


def _neutralise_comment(line: str) -> str:
    # A '#' line is text to every reader; line breaks in a problem's detail would end it.
    return " ".join(line.split())


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def export_pdf(request: HttpRequest) -> HttpResponse:
    """The filtered slice (at most PDF_MAX_ROWS) as a PDF report with a section on its seal.

    Rendered in the request: the rows are bounded, and the FG waits for one report.
    """
    result = _export(request, "pdf", PDF_MAX_ROWS)
    if isinstance(result, HttpResponse):
        return result
    filters, events, truncated, seal = result
    user = request.user
    professional = getattr(user, "professional", None)
    who = f"{user} ({professional.organisation})" if professional else str(user)
    now = timezone.localtime(timezone.now(), LOCAL_TZ)
    watermark = _("Made for %(who)s on %(when)s. Confidential: do not pass on.") % {
        "who": who,
        "when": now.strftime("%d-%m-%Y %H:%M"),
    }
    _html, pdf = render_pdf(
        "audit/workbench_export_pdf.html",
        {
            "title": _("Access log export"),
            "events": events,
            "truncated": truncated,
            "limit": PDF_MAX_ROWS,
            "filters_description": _describe(filters),
            "seal": seal,
            "organisation": professional.organisation if professional else None,
            "exported_at": now,
        },
        watermark=watermark,
    )
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), _filename("pdf"))


# --- Seals --------------------------------------------------------------------------------------


def _block_number(value: str) -> int | None:
    """A seal block number from a link; None (the first page) for anything but a plain number
    that a bigint holds. `str.isdigit` accepts "²" and "٣", which `int` refuses or reads: only
    ASCII digits count (DESIGN invariant 9: a crafted link never gives a 500)."""
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_NUMBER_DIGITS:
        return None
    return int(value)


@role_required(Role.PRIVACY_OFFICER)
@require_GET
def seals(request: HttpRequest) -> HttpResponse:
    """The seal blocks of one log, newest first (keyset-paged on the number), and the latest
    verification of the chain."""
    stream = request.GET.get("stream", Stream.ACCESS)
    if stream not in Stream.values:
        stream = Stream.ACCESS
    before = _block_number(request.GET.get("before", ""))
    with transaction.atomic():
        page = selectors.seal_block_list(user=request.user, stream=stream, before=before)
        verified = selectors.latest_verification(user=request.user)
        record(actor=request.user, action=Action.ACCESS_LOG_VIEWED, reason=f"seals {stream}")
    return render(
        request,
        "audit/workbench_seals.html",
        {
            "stream": stream,
            "streams": Stream.choices,
            "page": page,
            "verified": verified,
            # audit.verification.summary starts its line with "ok" or "FAILED".
            "verified_ok": verified is not None and verified.reason.startswith("ok"),
            "first_page": before is None,
        },
    )
