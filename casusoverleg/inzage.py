"""The inzage report: what one organisation holds about a youth in this application, as a PDF
for the person who asked to see it (AVG art. 15, Jeugdwet art. 7.3.10; SPEC R-13-1..5,
R-RIGHTS-2, §7.1).

Each controller answers for its own data (SPEC art. 13, R-13-3): a request about a case goes to
every owner party, one row each, and each report holds the answering organisation's data only.
That also keeps need to know (DESIGN invariant 1): a procesregisseur who handles the request
without a seat at the youth's table reads only their own organisation's records, never another
party's disclosures. The handler reads the draft before answering; answering stores the final
PDF on the request, and the requester downloads it in the portal. The reads happen only in
`inzage_report_for_handler`, which checks that the caller handles this very request and writes
the access event (Action.DOCUMENT_GENERATED, the youth as subject) in the same transaction as the
reads. There is no other path to these reads; `inzage_report` itself is the builder it calls.

What the report holds, for the answering organisation:
- the youth's own data (name, date of birth, school) and the family as recorded;
- the cases about the youth in which the organisation holds data: as the procesregisseur's party
  it holds the case record (type, purpose and its specification, target group, status, when
  opened and closed, how long it is kept, how the child was heard), its meetings, who sat at the
  table, the minutes entries and agreed actions, and the own statements of the requester and of
  the youth (R-2-1); as a party at the table it holds the items it shared (category, legal basis
  or consent, for whom, date, text; also items marked "niet verstrekken" and health data, marked
  as such: they are held about the youth);
- the consents the organisation asked for, with every decision on them;
- its judgements that the youth could not judge their own interests;
- the rights requests routed to it;
- who of the organisation looked at the youth's data: role, when and why
  (`audit.selectors.who_looked` read as the youth; as the requester when the youth has no account
  of their own), its rows of the organisation only.

What it leaves out, and why:
- the names of other family members: only the requester and the youth are named; any other
  parent or carer (the other parent, a parent without parental authority, a curator) is shown
  as "parent or carer" without a name. Their identity is their own personal data, not the
  youth's (AVG art. 15(4), Jeugdwet 7.3.10: not where it harms another's privacy; SPEC R-13-5);
- the own statements of other people (for example of the other parent): they are that person's
  words and opinions (AVG art. 15(4), R-8-3, R-13-5);
- other organisations' data: their shared items, and a case record the organisation does not
  hold; the requester asks each owner party (R-13-3), and the portal shows who looked;
- the names of the professionals: people at the table are named by organisation and role. The
  organisation is the controller and the recipient the requester is entitled to know (AVG art.
  15(1)(c)); the employee is a third party in this report;
- anonymous consultations: they name no youth, so nothing in them is held about this youth;
- the technical fields of the access log (network address, browser, request id) and the access
  of the family's own use of the portal: they are data about the professionals or the family's
  own actions, not about the youth's data being used;
- the uploaded signed consent forms themselves and the consent receipts' hashes: each decision is
  listed (who, what, how, when); the form can be asked for separately;
- copies made of the same data (invitations, privacy notices, minutes PDFs): their content is in
  the report already.
Free text (shared items, minutes, judgements) is shown as written: a machine cannot tell which
words are about a third party. The handler reads the draft and, where a text would harm another
person's privacy or the youth's care, answers "partly granted" with the legal ground
(R-RIGHTS-3) instead of sending it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.selectors import who_looked
from audit.services import record
from consent.choices import ConsenterKind, RequestKind, RequestStatus
from consent.models import (
    Consent,
    ConsentDecision,
    IncapacityJudgement,
    ParentAccess,
    RightsRequest,
)
from consent.services import handles_request
from core.permissions import AnyUser
from parties.choices import Role
from parties.models import Guardian, Organisation, User, Youth

from .choices import ParticipantKind
from .models import ActionItem, Case, Meeting, MinutesEntry, Participant, SharedItem, Statement

TEMPLATE = "casusoverleg/pdf/inzage.html"


# --- Who handles the request ---------------------------------------------------------------------


def is_request_handler(user: AnyUser, request: RightsRequest) -> bool:
    """Whether `user` handles `request` (`consent.services.handles_request`: a procesregisseur
    of the organisation it is routed to; the FG watches and does not read the content, SPEC
    R-DPIA-3), and is bound by secrecy: the report holds health data (R-6-1)."""
    professional = getattr(user, "professional", None)
    return (
        handles_request(user, request)
        and professional is not None
        and professional.bound_by_secrecy
    )


# --- Names: only the requester and the youth ------------------------------------------------------


@dataclass
class Family:
    """Who of the family may be named in the report: the requester and the youth (R-13-5)."""

    youth: Youth
    requester: User
    requester_guardian_id: int | None

    def guardian_label(self, guardian: Guardian | None) -> str:
        """A guardian by name if they asked, else "parent or carer" without a name."""
        if guardian is not None and guardian.pk == self.requester_guardian_id:
            return f"{guardian} ({guardian.get_relation_display()})"
        return _("parent or carer")

    def youth_label(self) -> str:
        """The youth by name."""
        return str(self.youth)

    def consenter_label(self, consenter_kind: str, guardian: Guardian | None) -> str:
        """Who decided on a consent, named only if the requester or the youth."""
        if consenter_kind == ConsenterKind.YOUTH:
            return self.youth_label()
        return self.guardian_label(guardian)

    def participant_label(self, participant: Participant) -> str:
        """Someone at the table: organisation and role, or a family member (named or not)."""
        if participant.kind == ParticipantKind.YOUTH:
            return self.youth_label()
        if participant.kind == ParticipantKind.PARENT:
            return self.guardian_label(participant.guardian)
        parts = [
            getattr(participant.organisation, "name", ""),
            str(participant.get_role_display()) if participant.role else "",
        ]
        return ", ".join(part for part in parts if part) or str(participant.get_kind_display())

    def user_label(self, user_id: int | None) -> str:
        """An author who is the requester or the youth, by name; anyone else not at all."""
        if user_id is not None and user_id == self.requester.pk:
            return str(self.requester)
        if user_id is not None and user_id == self.youth.user_id:
            return self.youth_label()
        return ""


# --- The content --------------------------------------------------------------------------------


@dataclass
class CaseSection:
    """One case about the youth with everything held in it."""

    case: Case
    # The answering organisation is the procesregisseur's party: it holds the case record.
    holds_record: bool = False
    meetings: list[Meeting] = field(default_factory=list)
    participants: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)


def _recipients_label(item: SharedItem, family: Family) -> str:
    """For whom an item is: everyone at the table, or the chosen organisations and roles."""
    if item.audience_all:
        return _("Everyone at the table who may receive it")
    return "; ".join(sorted(family.participant_label(p) for p in item.recipients.all()))


def _basis_label(item: SharedItem) -> str:
    """The legal basis an item was shared on, or the consent it was shared on."""
    if item.consent_id is not None and item.consent is not None:
        consent = item.consent
        return _("Consent (%(source)s, valid %(start)s to %(end)s)") % {
            "source": consent.source_organisation.name,
            "start": consent.valid_from.strftime("%d-%m-%Y"),
            "end": consent.valid_until.strftime("%d-%m-%Y"),
        }
    return f"{item.legal_basis.label} ({item.legal_basis.statute_reference})"


def _case_sections(youth: Youth, family: Family, organisation: Organisation) -> list[CaseSection]:
    """The cases about the youth in which `organisation` holds data, oldest first, each with
    what it holds there (a fixed few queries): the whole case record where it is the
    procesregisseur's party, otherwise its own shared items only."""
    cases_of_youth = Case.objects.filter(youth=youth)
    if family.requester.role == Role.PARENT:
        # A parent gets the cases they take part in, not one they were kept away from (for
        # example after the youth's objection, SPEC §10 Q3).
        cases_of_youth = cases_of_youth.filter(pk__in=Case.objects.visible_to(family.requester))
    cases = list(
        cases_of_youth.filter(
            Q(organisation=organisation)
            | Q(pk__in=SharedItem.objects.filter(owner=organisation).values("case_id"))
        )
        .select_related("consultation_type", "purpose", "organisation")
        .order_by("created_at", "pk")
    )
    sections = {
        case.pk: CaseSection(case=case, holds_record=case.organisation_id == organisation.pk)
        for case in cases
    }
    case_ids = [pk for pk, section in sections.items() if section.holds_record]
    for meeting in Meeting.objects.filter(case_id__in=case_ids).order_by("starts_at", "pk"):
        sections[meeting.case_id].meetings.append(meeting)
    for participant in (
        Participant.objects.filter(case_id__in=case_ids)
        .select_related("organisation", "guardian")
        .order_by("kind", "created_at", "pk")
    ):
        sections[participant.case_id].participants.append(
            {
                "who": family.participant_label(participant),
                "kind": participant.get_kind_display(),
                "invited": participant.is_invited,
                "response": participant.get_response_display(),
                "joined": participant.created_at,
                "left": participant.left_at,
            }
        )
    items = (
        SharedItem.objects.filter(case_id__in=list(sections), owner=organisation)
        .select_related("category", "owner", "legal_basis", "consent__source_organisation")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Participant.objects.select_related("organisation", "guardian"),
            )
        )
        .order_by("created_at", "pk")
    )
    for item in items:
        sections[item.case_id].items.append(
            {
                "date": item.created_at,
                "category": f"{item.category.code} — {item.category.name}",
                "kind": item.get_kind_display(),
                "owner": item.owner.name,
                "basis": _basis_label(item),
                "for_whom": _recipients_label(item, family),
                "text": item.text,
                "is_special": item.is_special,
                "is_withheld": item.is_withheld,
                "rectified_at": item.rectified_at,
            }
        )
    for entry in (
        MinutesEntry.objects.filter(minutes__meeting__case_id__in=case_ids)
        .select_related("owner", "minutes__meeting")
        .order_by("created_at", "pk")
    ):
        sections[entry.minutes.meeting.case_id].entries.append(
            {
                "date": entry.created_at,
                "meeting": entry.minutes.meeting.starts_at,
                "kind": entry.get_kind_display(),
                "owner": entry.owner.name,
                "text": entry.text,
            }
        )
    for action in (
        ActionItem.objects.filter(minutes__meeting__case_id__in=case_ids)
        .select_related("minutes__meeting", "assignee__organisation", "assignee__guardian")
        .order_by("due_on", "pk")
    ):
        sections[action.minutes.meeting.case_id].actions.append(
            {
                "description": action.description,
                "who": family.participant_label(action.assignee),
                "due_on": action.due_on,
                "done": action.completed_at,
            }
        )
    # Only the requester's and the youth's own words (R-8-3); other people's statements are
    # theirs (R-13-5).
    authors = [family.requester.pk] + ([youth.user_id] if youth.user_id else [])
    for statement in (
        Statement.objects.filter(minutes__meeting__case_id__in=case_ids, author_id__in=authors)
        .select_related("minutes__meeting")
        .order_by("created_at", "pk")
    ):
        sections[statement.minutes.meeting.case_id].statements.append(
            {
                "date": statement.created_at,
                "author": family.user_label(statement.author_id),
                "text": statement.text,
            }
        )
    return list(sections.values())


def _consents(youth: Youth, family: Family, organisation: Organisation) -> list[dict[str, Any]]:
    """The consents `organisation` asked about the youth with every decision, oldest first."""
    consents = (
        Consent.objects.filter(youth=youth, source_organisation=organisation)
        .select_related("source_organisation", "purpose", "case__consultation_type")
        .prefetch_related(
            "categories",
            "recipients",
            Prefetch(
                "decisions",
                queryset=ConsentDecision.objects.select_related("guardian").order_by(
                    "decided_at", "id"
                ),
            ),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "consent": consent,
            "categories": [f"{c.code} — {c.name}" for c in consent.categories.all()],
            "recipients": sorted(o.name for o in consent.recipients.all()),
            "decisions": [
                {
                    "who": family.consenter_label(d.consenter_kind, d.guardian),
                    "kind": d.get_kind_display(),
                    "method": d.get_method_display(),
                    "when": d.decided_at,
                    "signed_on": d.signed_on,
                }
                for d in consent.decisions.all()
            ],
        }
        for consent in consents
    ]


def _parent_accesses(youth: Youth, family: Family) -> list[dict[str, Any]]:
    """Which parents the youth (16 or older) allowed to see, and until when."""
    return [
        {
            "who": family.guardian_label(access.guardian),
            "from": access.given_at,
            "until": access.withdrawn_at,
        }
        for access in ParentAccess.objects.filter(youth=youth)
        .select_related("guardian")
        .order_by("given_at", "pk")
    ]


def _looked(youth: Youth, requester: User) -> list[dict[str, Any]]:
    """Who looked at the youth's data, read as the youth (as the requester without an account)."""
    if youth.user_id:
        return who_looked(actor=youth.user, youth=youth)
    # The request was filed by someone entitled to the youth's rights (R-13-4, R-AGE-5).
    return who_looked(actor=requester, youth=youth, parent_allowed=True)


def inzage_context(*, youth: Youth, requester: User, organisation: Organisation) -> dict[str, Any]:
    """Everything the report shows, fetched in a fixed number of queries (no queries in the
    template). `requester` is the parent or youth who asked; `organisation` answers."""
    youth = (
        Youth.objects.select_related("school", "region")
        .prefetch_related(Prefetch("guardians", queryset=Guardian.objects.order_by("pk")))
        .get(pk=youth.pk)
    )
    requester_guardian = next((g for g in youth.guardians.all() if g.user_id == requester.pk), None)
    family = Family(
        youth=youth,
        requester=requester,
        requester_guardian_id=requester_guardian.pk if requester_guardian else None,
    )
    is_youth = youth.user_id is not None and youth.user_id == requester.pk
    return {
        "title": _("Inzage report"),
        "youth": youth,
        "requester_label": (
            family.youth_label() if is_youth else family.guardian_label(requester_guardian)
        ),
        "organisation": organisation,
        "made_at": timezone.localtime(),
        "guardians": [
            {
                "who": family.guardian_label(guardian),
                "has_authority": guardian.has_authority,
            }
            for guardian in youth.guardians.all()
        ],
        "cases": _case_sections(youth, family, organisation),
        "consents": _consents(youth, family, organisation),
        "judgements": list(
            IncapacityJudgement.objects.filter(youth=youth, organisation=organisation)
            .select_related("organisation")
            .order_by("judged_on", "pk")
        ),
        "parent_accesses": _parent_accesses(youth, family),
        "requests": list(
            RightsRequest.objects.filter(youth=youth, organisation=organisation)
            .select_related("organisation")
            .order_by("filed_at", "pk")
        ),
        "looked": [
            row
            for row in _looked(youth, requester)
            if row.get("organisation_name") == organisation.name
        ],
    }


def inzage_render(
    *, context: dict[str, Any], draft: bool, watermark: str = ""
) -> tuple[str, bytes]:
    """The report's (html, pdf) from `inzage_context` (tests read the HTML, STYLE §4.8)."""
    from core.pdf import render_pdf

    return render_pdf(TEMPLATE, {**context, "draft": draft}, watermark=watermark)


def _build(
    *,
    youth: Youth,
    requester: User,
    organisation: Organisation,
    draft: bool,
    watermark: str,
    language: str,
) -> bytes:
    """Read everything and render it, in `language`."""
    with translation.override(language):
        context = inzage_context(youth=youth, requester=requester, organisation=organisation)
        _html, pdf = inzage_render(context=context, draft=draft, watermark=watermark)
    return pdf


def inzage_report(*, youth: Youth, requester: User, organisation: Organisation) -> bytes:
    """The final inzage report about `youth` for `requester`, answered by `organisation`, as a
    PDF in the application's language (the requester's copy, without draft marks).

    The builder only: it checks nobody's permission and logs nothing. It is called through
    `inzage_report_for_handler`, which does both.
    """
    return _build(
        youth=youth,
        requester=requester,
        organisation=organisation,
        draft=False,
        watermark="",
        language=settings.LANGUAGE_CODE,
    )


# --- The audited entry point --------------------------------------------------------------------


def _draft_watermark(actor: User) -> str:
    """Who made the draft and when (R-11-2): the draft is for checking, not for passing on."""
    professional = getattr(actor, "professional", None)
    who = f"{actor} ({professional.organisation})" if professional else str(actor)
    return _("Draft for checking, made for %(who)s on %(when)s. Do not pass on.") % {
        "who": who,
        "when": timezone.localtime().strftime("%d-%m-%Y %H:%M"),
    }


def inzage_report_for_handler(*, actor: User, request: RightsRequest, final: bool = False) -> bytes:
    """The inzage report of an open inzage request, for the procesregisseur who handles it: the
    draft to check (marked, and watermarked with the handler), or the final copy for the
    requester (`final=True`, stored on the request when it is answered).

    The reads span every case of the youth, so the access event (the handler, the youth as
    subject, the request as object) is written in the same transaction as the reads.
    Raises PermissionDenied unless `actor` handles `request` (R-13-3) and it is an inzage
    request; ValidationError when the request is not open.
    """
    if not is_request_handler(actor, request) or request.kind != RequestKind.ACCESS:
        raise PermissionDenied
    if request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request is not open."))
    requester = User.objects.get(pk=request.requester_id)
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.DOCUMENT_GENERATED,
            target=request,
            youth=request.youth,
            case_uuid=request.case.uuid if request.case_id else None,
            legal_basis="AVG art. 15",
            reason="inzage report" if final else "inzage draft",
        )
        if final:
            return inzage_report(
                youth=request.youth, requester=requester, organisation=request.organisation
            )
        return _build(
            youth=request.youth,
            requester=requester,
            organisation=request.organisation,
            draft=True,
            watermark=_draft_watermark(actor),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
