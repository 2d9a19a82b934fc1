"""Who sits at the table: add or remove professionals, decide on inviting parents and youth."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casusoverleg import selectors, services
from casusoverleg.accounts import family_account_invite as account_invite
from casusoverleg.choices import ParticipantKind
from casusoverleg.forms.cases import FamilyInvitationForm, ParticipantAddForm
from casusoverleg.models import Case, Participant
from casusoverleg.rules import family_rules
from casusoverleg.selectors import professional_choices
from core.forms import NLDSFormMixin
from parties.accounts import is_activated

from .common import call_service, directed_case, non_field_errors, professional_required

# A refused portal invitation re-renders the page with the message next to the field.
INVALID_FORM_STATUS = 400


def _participant(case: Case, uuid: UUID) -> Participant:
    """A participant of this case; another case's participant is a 404."""
    participant = case.participants.select_related("guardian", "user").filter(uuid=uuid).first()
    if participant is None:
        raise Http404
    return participant


@professional_required
def participant_add(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Invite a professional to the table (need to know; joined parties only, R-P-3)."""
    case = directed_case(request, uuid)
    form = ParticipantAddForm(
        request.POST or None, case=case, professionals=professional_choices(case=case)
    )
    if request.method == "POST" and form.is_valid():
        participant = call_service(
            form,
            services.participant_add,
            actor=request.user,
            case=case,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        )
        if participant is not None:
            messages.success(
                request,
                _("%(name)s has been added. The invitation goes out with the others.")
                % {"name": participant.user.get_full_name()},
            )
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return render(request, "casusoverleg/participant_add.html", {"case": case, "form": form})


def _decision_form(case: Case, seat: Participant, data: Any) -> tuple[FamilyInvitationForm, Any]:
    """The form deciding on inviting this parent or youth, and the age rules it follows."""
    # The objection right depends on the age at the meeting (SPEC §6), or today if none yet.
    meeting = selectors.current_meeting(case)
    on = timezone.localtime(meeting.starts_at).date() if meeting else timezone.localdate()
    rules = family_rules(case.youth, on) if case.youth else None
    may_object = bool(rules and rules.youth_may_object)
    initial = {
        "is_invited": "yes" if seat.is_invited else "no",
        "reason": seat.not_invited_reason,
        "youth_objected": seat.youth_objected,
    }
    form = FamilyInvitationForm(data, initial=initial, participant=seat, may_object=may_object)
    return form, rules


@professional_required
def participant_family(request: HttpRequest, uuid: UUID, participant: UUID) -> HttpResponse:
    """Decide whether a parent or the youth is invited, with the reason and any objection."""
    case = directed_case(request, uuid)
    seat = _participant(case, participant)
    if not seat.is_family:
        raise Http404
    form, rules = _decision_form(case, seat, request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.participant_set_invitation,
            actor=request.user,
            participant=seat,
            is_invited=form.cleaned_data["is_invited"],
            reason=form.cleaned_data.get("reason", ""),
            youth_objected=form.cleaned_data.get("youth_objected", False),
        )
        if done is not None:
            messages.success(request, _("The decision has been recorded."))
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return _render_family(request, case, seat, form=form, rules=rules)


def _render_family(
    request: HttpRequest,
    case: Case,
    seat: Participant,
    *,
    form: forms.Form,
    rules: object,
    account_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """The family participant's page: the invitation decision and the portal account."""
    account = _portal_account(case, seat)
    if account_form is None:
        initial = {"email": account.user.email} if account.user is not None else {}
        account_form = FamilyAccountForm(initial=initial)
    return render(
        request,
        "casusoverleg/participant_family.html",
        {
            "case": case,
            "seat": seat,
            "form": form,
            "rules": rules,
            "account": account,
            "account_form": account_form,
        },
        status=status,
    )


class FamilyAccountForm(NLDSFormMixin, forms.Form):
    """The e-mail address the portal invitation goes to (the link only, R-10-3)."""

    email = forms.EmailField(
        label=gettext_lazy("E-mail address for the portal"),
        max_length=254,
        help_text=gettext_lazy(
            "The invitation holds only a link to choose a password; no names, no case."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


@dataclass(frozen=True)
class PortalAccount:
    """Whether this parent or youth can get a portal account, and the one they have."""

    eligible: bool
    refusal: str
    user: object | None
    activated: bool


def _portal_account(case: Case, seat: Participant) -> PortalAccount:
    """A parent with gezag, or a youth from AGE_THRESHOLDS["participates"] (SPEC R-1-2, §6)."""
    if seat.kind == ParticipantKind.PARENT:
        person = seat.guardian
        eligible = bool(person and person.has_authority)
        refusal = (
            ""
            if eligible
            else _(
                "A parent without parental authority (gezag) cannot get a portal account: they "
                "may not see the child's data."
            )
        )
    else:
        person = case.youth
        threshold = settings.AGE_THRESHOLDS["participates"]
        eligible = bool(person and person.age_on(timezone.localdate()) >= threshold)
        refusal = (
            ""
            if eligible
            else _("A youth gets a portal account from %(age)s years old.") % {"age": threshold}
        )
    user = person.user if person is not None else None
    return PortalAccount(
        eligible=eligible, refusal=refusal, user=user, activated=is_activated(user)
    )


@require_POST
@professional_required
def family_account_invite(request: HttpRequest, uuid: UUID, participant: UUID) -> HttpResponse:
    """Invite a parent with gezag or a youth from 12 to the portal: an account and an e-mail
    with an activation link (again, while it is not activated)."""
    case = directed_case(request, uuid)
    seat = _participant(case, participant)
    if not seat.is_family:
        raise Http404
    account_form = FamilyAccountForm(request.POST)
    if account_form.is_valid():
        is_parent = seat.kind == ParticipantKind.PARENT
        user = call_service(
            account_form,
            account_invite,
            actor=request.user,
            guardian=seat.guardian if is_parent else None,
            youth=None if is_parent else case.youth,
            email=account_form.cleaned_data["email"],
            case_uuid=case.uuid,
        )
        if user is not None:
            messages.success(
                request,
                _("The invitation to the portal has been sent. The link works for %(days)s days.")
                % {"days": settings.PORTAL_INVITATION_DAYS},
            )
            return redirect(
                "casusoverleg:participant_family", uuid=case.uuid, participant=seat.uuid
            )
    form, rules = _decision_form(case, seat, None)
    return _render_family(
        request,
        case,
        seat,
        form=form,
        rules=rules,
        account_form=account_form,
        status=INVALID_FORM_STATUS,
    )


@require_POST
@professional_required
def participant_remove(request: HttpRequest, uuid: UUID, participant: UUID) -> HttpResponse:
    """Take a professional from the table; their access ends at once (invariant 1)."""
    case = directed_case(request, uuid)
    seat = _participant(case, participant)
    try:
        services.participant_remove(actor=request.user, participant=seat)
    except ValidationError as error:
        for message in non_field_errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s no longer takes part.") % {"name": seat})
    return redirect("casusoverleg:case_detail", uuid=case.uuid)
