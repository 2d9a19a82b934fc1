"""Holding the meeting and writing the minutes (SPEC §5.3 'during' and 'after').

Attendance and hoorrecht (R-AGE-3) are the procesregisseur's; the minutes page keeps facts,
opinions and agreements apart (R-8-1), each owned by a party at the table (R-2-1), and shares the
adopted minutes with parents and youth (R-12-3). Participants who are not the procesregisseur
read the minutes. Each view: role gate → visible case (404, logged) → permission (403, logged)
→ form → service → redirect with a message, or the page again with the errors at the fields.
"""

from datetime import date
from typing import Any, NoReturn
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.choices import Action, Outcome
from audit.services import record
from casusoverleg import selectors, services
from casusoverleg.choices import CaseStatus, EntryKind, ParticipantKind
from casusoverleg.forms.minutes import (
    ActionForm,
    AttendanceForm,
    FollowUpForm,
    HearingForm,
    MinutesEntryForm,
    participant_label,
)
from casusoverleg.models import Case, Meeting, Minutes, Participant
from casusoverleg.permissions import CaseAction, can
from casusoverleg.rules import family_rules
from casusoverleg.selectors import minutes_entries, participant_list

from .common import call_service, non_field_errors, professional_required, visible_case
from .sharing import meeting_items

ENTRY_PREFIX = "entry"
ACTION_PREFIX = "action"
FOLLOW_UP_PREFIX = "follow_up"

SECTION_TITLES = {
    EntryKind.FACT: gettext_lazy("Facts"),
    EntryKind.OPINION: gettext_lazy("Opinions"),
    EntryKind.AGREEMENT: gettext_lazy("Agreements"),
}

# Attendance is recorded around the meeting: before it is marked held, or while writing minutes.
ATTENDANCE_STATUSES = (CaseStatus.SCHEDULED, CaseStatus.HELD)


def _deny(request: HttpRequest, case: Case) -> NoReturn:
    """Log a refused action on a case the user can see, then answer 403 (invariant 1).

    The denial names the case but not the youth: nothing of the youth was read.
    """
    record(
        actor=request.user,
        action=Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        target=case,
        case_uuid=case.uuid,
        reason="403",
    )
    raise PermissionDenied


def _directed_case(request: HttpRequest, uuid: UUID, *, log: bool) -> Case:
    """The case if visible (404) and directed by the user (403); both refusals are logged.

    With `log` the look is recorded as a view only once it is allowed: a refused request
    leaves the denial behind, not a 'viewed' event for a page that was never shown.
    """
    case = visible_case(request, uuid, log=False)
    if not can(request.user, CaseAction.DIRECT, case):
        _deny(request, case)
    if log:
        _log_view(request, case)
    return case


def _log_view(request: HttpRequest, case: Case) -> None:
    """Write the 'viewed' event of a page shown after a POST that was looked up unlogged."""
    visible_case(request, case.uuid)


def _invited_family_first(case: Case) -> list[Participant]:
    """Invited participants still at the table: parents, then the youth, then professionals."""
    participants = [p for p in participant_list(case=case) if p.is_active and p.is_invited]
    return sorted(participants, key=lambda p: (not p.is_family, p.kind != ParticipantKind.PARENT))


def _meeting_day(meeting: Meeting | None) -> date:
    """The date the age rules apply to: the meeting's, or today without a meeting (SPEC §6)."""
    return timezone.localtime(meeting.starts_at).date() if meeting else timezone.localdate()


# --- During the meeting: attendance and hoorrecht ----------------------------------------------


@professional_required
def attendance(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Record per invited participant present or absent, with the reason for an absence."""
    case = _directed_case(request, uuid, log=request.method != "POST")
    meeting = selectors.current_meeting(case)
    can_record = meeting is not None and case.status in ATTENDANCE_STATUSES
    participants = _invited_family_first(case)
    recorded = {a.participant_id: a for a in meeting.attendance.all()} if meeting else {}
    form = AttendanceForm(
        request.POST or None, participants=participants, case=case, recorded=recorded
    )
    if request.method == "POST":
        if not can_record:
            messages.error(request, _("Attendance is recorded for a scheduled or held meeting."))
            return redirect("casusoverleg:attendance", uuid=case.uuid)
        if form.is_valid():
            call_service(
                form,
                services.attendance_record,
                actor=request.user,
                meeting=meeting,
                entries=form.entries(),
            )
            if not form.errors:
                messages.success(request, _("Attendance has been saved."))
                return redirect("casusoverleg:case_detail", uuid=case.uuid)
        # The page names the people at the table again: that is a look at the case.
        _log_view(request, case)
    return render(
        request,
        "casusoverleg/attendance_form.html",
        {"case": case, "meeting": meeting, "form": form, "can_record": can_record},
    )


@professional_required
def hearing(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Record how a child under 12 was heard, or why that was not possible (SPEC R-AGE-3)."""
    case = _directed_case(request, uuid, log=request.method != "POST")
    if case.youth is None:
        # An anonymous consultation has no child to hear.
        raise Http404
    meeting = selectors.current_meeting(case)
    rules = family_rules(case.youth, _meeting_day(meeting))
    initial = {
        "hearing_note": case.hearing_note,
        "not_possible_reason": case.hearing_not_possible_reason,
    }
    form = HearingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            saved = call_service(
                form,
                services.case_record_hearing,
                actor=request.user,
                case=case,
                hearing_note=form.cleaned_data["hearing_note"],
                not_possible_reason=form.cleaned_data["not_possible_reason"],
            )
            if saved is not None:
                messages.success(request, _("How the child was heard has been saved."))
                return redirect("casusoverleg:case_detail", uuid=case.uuid)
        _log_view(request, case)
    return render(
        request,
        "casusoverleg/hearing_form.html",
        {"case": case, "form": form, "hearing_required": rules.hearing_required},
    )


# --- The minutes page ---------------------------------------------------------------------------


def _current_minutes(case: Case) -> tuple[Meeting | None, Minutes | None]:
    """The current meeting and its minutes, if written (a visible case's own rows)."""
    meeting = selectors.current_meeting(case)
    # The reverse one-to-one raises an AttributeError subclass when there are no minutes yet.
    minutes = getattr(meeting, "minutes", None) if meeting else None
    return meeting, minutes


def _editable(request: HttpRequest, case: Case) -> bool:
    """Minutes are written by the procesregisseur after the meeting and before adoption."""
    return can(request.user, CaseAction.DIRECT, case) and case.status == CaseStatus.HELD


def _forms(case: Case, participants: list[Participant], minutes: Minutes | None) -> dict[str, Any]:
    """Unbound versions of the three forms of the minutes page."""
    return {
        "entry_form": MinutesEntryForm(
            prefix=ENTRY_PREFIX, owners=services.minutes_owner_choices(case=case)
        ),
        "action_form": ActionForm(
            prefix=ACTION_PREFIX, assignees=_assignees(participants), case=case
        ),
        "follow_up_form": FollowUpForm(
            prefix=FOLLOW_UP_PREFIX,
            initial=FollowUpForm.initial_for(minutes.follow_up_on if minutes else None),
        ),
    }


def _assignees(participants: list[Participant]) -> list[Participant]:
    """Who can take an action: someone invited and at the table, with an account to log in with.

    A parent who is not invited (for example after a 16-year-old's objection) is not at the
    table and gets no actions in this case.
    """
    return [p for p in participants if p.is_active and p.is_invited and p.user_id is not None]


def _render_minutes(
    request: HttpRequest, case: Case, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    """The minutes page; `bound` replaces an unbound form with the one that has errors."""
    meeting, minutes = _current_minutes(case)
    participants = participant_list(case=case)
    by_pk = {p.pk: p for p in participants}
    editable = _editable(request, case)
    directs = can(request.user, CaseAction.DIRECT, case)
    # The read rule, not the minutes' own list: a party that left the covenant reads only its
    # own entries (R-19-1).
    entries = minutes_entries(user=request.user, minutes=minutes) if minutes else []
    sections = [
        {
            "kind": kind,
            "title": SECTION_TITLES[kind],
            "entries": [e for e in entries if e.kind == kind],
        }
        for kind in EntryKind.values
    ]
    today = timezone.localdate()
    actions = []
    if minutes:
        for action in minutes.actions.all():
            # Assignees are people of this case, already loaded: no query per action.
            assignee = by_pk.get(action.assignee_id)
            actions.append(
                {
                    "action": action,
                    "who": participant_label(assignee, case=case) if assignee else "",
                    "overdue": action.completed_at is None and action.due_on < today,
                    "can_complete": action.completed_at is None
                    and (directs or (assignee is not None and assignee.user_id == request.user.pk)),
                }
            )
    sharing: dict[str, Any] = {}
    if minutes and (case.status == CaseStatus.MINUTES_ADOPTED or minutes.shared_with_family_at):
        recipient_ids = {p.pk for p in services.minutes_family_recipients(case=case)}
        sharing = {
            "recipients": [
                participant_label(by_pk[pk], case=case) for pk in by_pk if pk in recipient_ids
            ],
            "can_share": directs
            and case.status == CaseStatus.MINUTES_ADOPTED
            and minutes.shared_with_family_at is None,
            "overdue": minutes.shared_with_family_at is None
            and minutes.family_due_on is not None
            and minutes.family_due_on < today,
            "statements": list(minutes.statements.select_related("author"))
            if minutes.shared_with_family_at
            else [],
        }
    context = {
        "case": case,
        "meeting": meeting,
        "minutes": minutes,
        "sections": sections,
        "actions": actions,
        "sharing": sharing,
        "shared_items": meeting_items(request, case, meeting),
        "editable": editable,
        "directs": directs,
        **(_forms(case, participants, minutes) if editable else {}),
        **(bound or {}),
    }
    return render(request, "casusoverleg/minutes_edit.html", context)


def _show_errors(request: HttpRequest, case: Case, name: str, form: Any) -> HttpResponse:
    """The minutes page again with `form`'s errors at its fields.

    Once the minutes are adopted the forms are gone from the page, so the service's refusal
    ('adopt first' and the like) is shown as a message instead of next to a hidden form.
    """
    if not _editable(request, case):
        for message in form.non_field_errors() or [_("Nothing was saved.")]:
            messages.error(request, message)
        return _back_to_minutes(case)
    _log_view(request, case)
    return _render_minutes(request, case, bound={name: form})


def _back_to_minutes(case: Case, anchor: str = "") -> HttpResponse:
    """PRG: back to the minutes page, at the section just changed."""
    url = reverse("casusoverleg:minutes", kwargs={"uuid": case.uuid})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _errors_as_messages(request: HttpRequest, error: ValidationError) -> None:
    """A refusal of a form-less button (delete, share) as messages at the top of the page."""
    for message in non_field_errors(error):
        messages.error(request, message)


@professional_required
def minutes(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The minutes: facts, opinions and agreements, actions, follow-up date and sharing.

    A POST adds an entry (procesregisseur only, while the minutes are open).
    """
    if request.method != "POST":
        case = visible_case(request, uuid)
        return _render_minutes(request, case)
    case = _directed_case(request, uuid, log=False)
    form = MinutesEntryForm(
        request.POST, prefix=ENTRY_PREFIX, owners=services.minutes_owner_choices(case=case)
    )
    if form.is_valid():
        entry = call_service(
            form,
            services.minutes_entry_add,
            actor=request.user,
            case=case,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            owner=form.cleaned_data["owner"],
        )
        if entry is not None:
            messages.success(
                request,
                _("Added to %(section)s.") % {"section": SECTION_TITLES[entry.kind]},
            )
            return _back_to_minutes(case, f"minutes-{entry.kind}")
    return _show_errors(request, case, "entry_form", form)


@require_POST
@professional_required
def minutes_entry_delete(request: HttpRequest, uuid: UUID, entry: UUID) -> HttpResponse:
    """Remove an entry from minutes that are not adopted yet (procesregisseur)."""
    case = _directed_case(request, uuid, log=False)
    _meeting, current = _current_minutes(case)
    found = current.entries.filter(uuid=entry).first() if current else None
    if found is None:
        raise Http404
    try:
        services.minutes_entry_delete(actor=request.user, entry=found)
    except ValidationError as error:
        _errors_as_messages(request, error)
        return _back_to_minutes(case)
    messages.success(request, _("The entry has been removed from the minutes."))
    return _back_to_minutes(case, f"minutes-{found.kind}")


@require_POST
@professional_required
def action_add(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Agree an action with someone at the table and a due date (procesregisseur)."""
    case = _directed_case(request, uuid, log=False)
    form = ActionForm(
        request.POST,
        prefix=ACTION_PREFIX,
        assignees=_assignees(participant_list(case=case)),
        case=case,
    )
    if form.is_valid():
        action = call_service(
            form,
            services.action_add,
            actor=request.user,
            case=case,
            description=form.cleaned_data["description"],
            assignee=form.cleaned_data["assignee"],
            due_on=form.cleaned_data["due_on"],
        )
        if action is not None:
            messages.success(request, _("The action has been added."))
            return _back_to_minutes(case, "actions")
    return _show_errors(request, case, "action_form", form)


@require_POST
@professional_required
def follow_up(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Set the follow-up or evaluation date (procesregisseur; SPEC §5.3 'after')."""
    case = _directed_case(request, uuid, log=False)
    form = FollowUpForm(request.POST, prefix=FOLLOW_UP_PREFIX)
    if form.is_valid():
        saved = call_service(
            form,
            services.minutes_set_follow_up,
            actor=request.user,
            case=case,
            follow_up_on=form.cleaned_data["follow_up_on"],
        )
        if saved is not None:
            messages.success(request, _("The follow-up date has been saved."))
            return _back_to_minutes(case, "follow-up")
    return _show_errors(request, case, "follow_up_form", form)


@require_POST
@professional_required
def minutes_share(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Make the adopted minutes available to parents and youth; they get a link by e-mail."""
    case = _directed_case(request, uuid, log=False)
    try:
        services.minutes_share_with_family(actor=request.user, case=case)
    except ValidationError as error:
        _errors_as_messages(request, error)
        return _back_to_minutes(case)
    messages.success(
        request,
        _("The minutes are shared with the parents and the youth. They get an e-mail with a link."),
    )
    return _back_to_minutes(case, "sharing")
