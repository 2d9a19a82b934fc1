"""What goes into each PDF of a case: `document_context(document)` → (template, context).

Called only by `services.document_render`, after it has checked that the requester still sees the
case and before it logs the document as generated (DESIGN invariant 2); this module therefore
reads the case's rows directly and writes nothing.

Every row a template shows is fetched here with `select_related`/`prefetch_related` and handed
over as a list or a small frozen dataclass, so that rendering runs no query of its own (a lazy
query in a template loop would run once per row, and hide there from query-count tests).

Which document shows what:
- the minutes (verslag) are about the youth: they name the youth and the date of birth, and keep
  facts, opinions and agreements apart (SPEC R-8-1), each with its owner party and author, and
  list the items shared for the meeting that the requester may read (through the selector, so
  each reader's copy holds their own view, R-11-2);
- the privacy notice shows the snapshot made when the invitations were sent (SPEC R-12-1), for
  adults or, in plainer words, for youths from 12 (R-12-2);
- the invitation is for participants: it carries the agenda (SPEC §5.2 item 4 and §5.3: "agenda
  shared via a secure channel", which the application is), but, like the invitation e-mail and
  `selectors.invitation_get`, names no youth and no family member; the privacy notice is
  appended, because an invitation never goes without it (R-12-1).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import Audience, DocumentKind, EntryKind, ParticipantKind
from .models import (
    Case,
    CaseDocument,
    Meeting,
    MinutesEntry,
    Participant,
    PrivacyNotice,
    SharedItem,
)
from .selectors import shared_item_list

TEMPLATE_MINUTES = "casusoverleg/pdf/minutes.html"
TEMPLATE_PRIVACY_NOTICE = "casusoverleg/pdf/privacy_notice.html"
TEMPLATE_INVITATION = "casusoverleg/pdf/invitation.html"

# The three sections of the minutes, in this order (SPEC R-8-1; §5.3 "after": the verslag
# distinguishes facts, opinions and agreements). Plural headings of their own: the EntryKind
# labels are singular ("Fact"), made for a form's choice list.
ENTRY_SECTIONS: tuple[tuple[str, Promise, Promise], ...] = (
    (
        EntryKind.FACT,
        gettext_lazy("Facts"),
        gettext_lazy("What is known and can be checked."),
    ),
    (
        EntryKind.OPINION,
        gettext_lazy("Opinions"),
        gettext_lazy("What participants think or expect. These are views, not established facts."),
    ),
    (
        EntryKind.AGREEMENT,
        gettext_lazy("Agreements"),
        gettext_lazy("What was agreed at the table."),
    ),
)

_CASE_RELATIONS = (
    "youth",
    "consultation_type",
    "purpose",
    "coordinator",
    "organisation",
    "covenant",
)
_PARTICIPANT_RELATIONS = ("user", "organisation", "guardian")


class DocumentContentMissingError(ValueError):
    """The document cannot be made because what it shows does not exist (any more).

    `document_render_task` turns any exception into a FAILED document with the class name as
    the error, so the page stops waiting; no case data goes into the message.
    """


@dataclass(frozen=True)
class PersonRow:
    """One person at the table: name, what they are there as, and (for minutes) attendance."""

    name: str
    capacity: str
    answer: str = ""
    present: bool | None = None  # None: attendance not recorded
    absence_reason: str = ""


@dataclass(frozen=True)
class EntrySection:
    """One of the three parts of the minutes with its entries, oldest first (R-8-1)."""

    kind: str
    heading: str
    intro: str
    entries: list[MinutesEntry]


@dataclass(frozen=True)
class ActionRow:
    """An agreed action: what, who, by when, and whether it is done."""

    description: str
    assignee: str
    due_on: date
    completed_at: datetime | None


@dataclass(frozen=True)
class SharedRow:
    """An item shared for the meeting, as the reader may read it (SPEC R-8-1, R-2-1, R-4-2)."""

    category: str
    kind: str
    text: str
    is_special: bool
    source: str
    owner: str
    basis: str
    statute_reference: str
    shared_on_consent: bool
    created_at: datetime
    rectified_at: datetime | None
    readers: list[str]
    withheld_reason: str = ""


@dataclass(frozen=True)
class StatementRow:
    """A parent's or youth's own statement added to the minutes (R-8-3)."""

    author: str
    author_kind: str
    created_at: datetime
    text: str


def document_context(document: CaseDocument) -> tuple[str, dict[str, Any]]:
    """The template and context of `document`'s PDF; the context holds "title" (the PDF /Title).

    Raises DocumentContentMissingError when the minutes, meeting or privacy notice it shows are
    missing, and ValueError for an unknown kind.
    """
    builders = {
        DocumentKind.MINUTES: _minutes_context,
        DocumentKind.PRIVACY_NOTICE: _privacy_notice_context,
        DocumentKind.PRIVACY_NOTICE_YOUTH: _privacy_notice_context,
        DocumentKind.INVITATION: _invitation_context,
    }
    builder = builders.get(document.kind)
    if builder is None:
        raise ValueError(f"Unknown document kind: {document.kind!r}")
    return builder(document)


# --- Shared helpers -------------------------------------------------------------------------------


def _case(document: CaseDocument) -> Case:
    """The document's case with everything the headers show, in one query."""
    return Case.objects.select_related(*_CASE_RELATIONS).get(pk=document.case_id)


def _meeting(document: CaseDocument, *relations: str) -> Meeting:
    """The meeting the document is about; it must belong to the document's case."""
    if document.meeting_id is None:
        raise DocumentContentMissingError("document has no meeting")
    meeting = (
        Meeting.objects.select_related(*relations)
        .filter(pk=document.meeting_id, case_id=document.case_id)
        .first()
    )
    if meeting is None:
        raise DocumentContentMissingError("meeting not found")
    return meeting


def _latest_notice(case: Case) -> PrivacyNotice | None:
    """The newest privacy notice of the case: the one the last invitations carried."""
    return case.privacy_notices.order_by("-version").first()


def _participants(case: Case) -> list[Participant]:
    """Everyone who has been at the table, family first, with what their names need."""
    return list(
        case.participants.select_related(*_PARTICIPANT_RELATIONS).order_by("kind", "created_at")
    )


def _name(participant: Participant, case: Case) -> str:
    """A participant's name without a query (`Participant.__str__` reads `case.youth` lazily)."""
    if participant.kind == ParticipantKind.YOUTH and case.youth is not None:
        return str(case.youth)
    if participant.kind == ParticipantKind.PARENT and participant.guardian is not None:
        return str(participant.guardian)
    if participant.user is not None:
        return str(participant.user)
    return str(participant.get_kind_display())


def _capacity(participant: Participant) -> str:
    """What someone is at the table as: "role, organisation" or parent / youth."""
    if participant.kind == ParticipantKind.PROFESSIONAL:
        parts = [str(participant.get_role_display()), getattr(participant.organisation, "name", "")]
        return ", ".join(part for part in parts if part)
    return str(participant.get_kind_display())


def _local(moment: datetime) -> datetime:
    """`moment` in the application's time zone, for titles built in Python."""
    return timezone.localtime(moment)


def _notice_audience(document: CaseDocument) -> str:
    """Adult or youth wording: the youth kind always means the youth version (R-12-2)."""
    if document.kind == DocumentKind.PRIVACY_NOTICE_YOUTH:
        return Audience.YOUTH
    if document.kind == DocumentKind.PRIVACY_NOTICE:
        return Audience.ADULT
    return document.audience


# --- Minutes ------------------------------------------------------------------------------------


def _minutes_context(document: CaseDocument) -> tuple[str, dict[str, Any]]:
    """The verslag of the document's meeting: header, attendance, the three parts, actions,
    follow-up date, own statements and whether it was adopted (SPEC R-8-1, R-8-3, §5.3)."""
    case = _case(document)
    meeting = _meeting(document, "minutes")
    minutes = getattr(meeting, "minutes", None)
    if minutes is None:
        raise DocumentContentMissingError("meeting has no minutes")

    participants = _participants(case)
    present = {row.participant_id: row for row in meeting.attendance.all()}
    attendance = [
        PersonRow(
            name=_name(participant, case),
            capacity=_capacity(participant),
            present=present[participant.pk].present if participant.pk in present else None,
            absence_reason=(
                present[participant.pk].absence_reason if participant.pk in present else ""
            ),
        )
        for participant in participants
        # Who was expected: the invited, plus anyone recorded (someone may have left since).
        if participant.pk in present or (participant.is_invited and participant.is_active)
    ]

    # The requester's read rule: a party that left the covenant gets only its own entries
    # (R-19-1); everyone else who may open the case gets them all.
    rows = minutes.entries.all()
    if document.requested_by_id is not None:
        rows = MinutesEntry.objects.filter(minutes=minutes).visible_to(document.requested_by)
    entries = list(rows.select_related("owner", "author").order_by("created_at", "pk"))
    sections = [
        EntrySection(
            kind=kind,
            heading=str(heading),
            intro=str(intro),
            entries=[entry for entry in entries if entry.kind == kind],
        )
        for kind, heading, intro in ENTRY_SECTIONS
    ]

    actions = [
        ActionRow(
            description=action.description,
            assignee=f"{_name(action.assignee, case)} ({_capacity(action.assignee)})",
            due_on=action.due_on,
            completed_at=action.completed_at,
        )
        for action in minutes.actions.select_related(
            *(f"assignee__{relation}" for relation in _PARTICIPANT_RELATIONS)
        ).order_by("due_on", "created_at")
    ]

    # A statement is signed the way its author appears at the table (the guardian's or the
    # youth's name, as in the attendance list), not by the account's display name.
    family = {
        participant.user_id: participant
        for participant in participants
        if participant.is_family and participant.user_id is not None
    }
    statements = []
    for statement in minutes.statements.select_related("author").order_by("created_at"):
        seat = family.get(statement.author_id)
        statements.append(
            StatementRow(
                author=_name(seat, case) if seat else str(statement.author),
                author_kind=str(seat.get_kind_display()) if seat else "",
                created_at=statement.created_at,
                text=statement.text,
            )
        )

    # The copy is the requester's own (R-11-2): it shows the items they may read, as on the page.
    readable = shared_item_list(user=document.requested_by, case=case, meeting=meeting)
    # Exporting special (health) data needs the procesregisseur's approval (R-11-2), which does
    # not exist yet: such items stay in the application, and the PDF says so.
    shared = [_shared_row(item) for item in readable if not item.is_special]
    special_left_out = any(item.is_special for item in readable)

    title = _("Minutes of the Casusoverleg of %(date)s") % {
        "date": date_format(_local(meeting.starts_at), "j F Y")
    }
    return TEMPLATE_MINUTES, {
        "title": title,
        "case": case,
        "youth": case.youth,
        "meeting": meeting,
        "minutes": minutes,
        "special_left_out": special_left_out,
        "attendance": attendance,
        "sections": sections,
        "actions": actions,
        "statements": statements,
        "shared": shared,
    }


def _shared_row(item: SharedItem) -> SharedRow:
    """One item with its source, owner, basis, date and readers (fetched by the selector)."""
    readers = (
        []
        if item.audience_all
        else sorted(
            f"{p.user.get_full_name()} ({p.organisation.name})"
            if p.organisation_id
            else p.user.get_full_name()
            for p in item.recipients.all()
        )
    )
    return SharedRow(
        category=f"{item.category.code} — {item.category.name}",
        kind=str(item.get_kind_display()),
        text=item.text,
        is_special=item.is_special,
        source=f"{item.author.get_full_name()} ({item.owner.name})",
        owner=item.owner.name,
        basis=item.legal_basis.label,
        statute_reference=item.legal_basis.statute_reference,
        shared_on_consent=item.shared_on_consent,
        created_at=item.created_at,
        rectified_at=item.rectified_at,
        readers=readers,
        withheld_reason=item.withheld_reason if item.is_withheld else "",
    )


# --- Privacy notice -----------------------------------------------------------------------------


def _privacy_notice_context(document: CaseDocument) -> tuple[str, dict[str, Any]]:
    """The latest privacy notice of the case, in adult or youth wording (SPEC R-12-1, R-12-2)."""
    case = _case(document)
    notice = _latest_notice(case)
    if notice is None:
        raise DocumentContentMissingError("case has no privacy notice")
    audience = _notice_audience(document)
    title = (
        _("Your privacy in the Casusoverleg")
        if audience == Audience.YOUTH
        else _("Privacy notice Casusoverleg")
    )
    return TEMPLATE_PRIVACY_NOTICE, {
        "title": title,
        "notice": notice,
        "audience": audience,
        "is_youth": audience == Audience.YOUTH,
    }


# --- Invitation ---------------------------------------------------------------------------------


def _invitation_context(document: CaseDocument) -> tuple[str, dict[str, Any]]:
    """The meeting's practical facts, agenda and invitees, with the privacy notice appended.

    Family members are listed by what they are (parent, youth), not by name: an invitation
    names no youth (see the module docstring).
    """
    case = _case(document)
    meeting = _meeting(document)
    invitees = [
        PersonRow(
            name=(
                str(participant.user)
                if participant.kind == ParticipantKind.PROFESSIONAL and participant.user
                else str(participant.get_kind_display())
            ),
            # A family member's "name" is already what they are at the table.
            capacity=(
                _capacity(participant) if participant.kind == ParticipantKind.PROFESSIONAL else ""
            ),
            answer=str(participant.get_response_display()),
        )
        for participant in case.participants.invited()
        .select_related(*_PARTICIPANT_RELATIONS)
        .order_by("kind", "created_at")
    ]
    audience = _notice_audience(document)
    title = _("Invitation to the Casusoverleg of %(date)s") % {
        "date": date_format(_local(meeting.starts_at), "j F Y")
    }
    return TEMPLATE_INVITATION, {
        "title": title,
        "case": case,
        "meeting": meeting,
        "invitees": invitees,
        "notice": _latest_notice(case),
        "audience": audience,
        "is_youth": audience == Audience.YOUTH,
    }
