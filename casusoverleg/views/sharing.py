"""Shared data (gedeelde gegevens) in a case: list, share, correct, delete, (not) provide.

Each view: role gate → selector (404 when invisible, logged) → policy (403, logged by the audit
middleware) → form → service (field errors) → redirect to the case page with a message. Pages
that name the youth log the look at the case once the user may act (as `directed_case` does).
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casusoverleg import services
from casusoverleg.forms.sharing import RectifyForm, RevokeForm, ShareForm, WithholdForm
from casusoverleg.models import Case, Meeting, SharedItem
from casusoverleg.permissions import CaseAction, ItemAction, can, can_item, can_revoke
from casusoverleg.selectors import case_viewed, shared_item_get, shared_item_list
from casusoverleg.sharing import has_professional_secrecy
from convenant.choices import DataClass
from core.permissions import AnyUser

from .common import call_service, non_field_errors, professional_required, visible_case

SECTION = "shared-items"


@dataclass
class ItemRow:
    """One shared item as the pages show it, with what the reader may do to it."""

    item: SharedItem
    readers: list[str] = field(default_factory=list)  # empty: everyone at the table
    can_manage: bool = False
    can_withhold: bool = False
    can_revoke: bool = False  # "Onterecht gedeeld: intrekken" (R-BREACH-6)


def item_rows(user: AnyUser, case: Case, items: list[SharedItem]) -> list[ItemRow]:
    """The rows of `items` (all of `case`) with the reader's links, in a fixed number of queries.

    The policy answers per owner party and capacity: `can_item` looks at the case, the owner
    party, its capacity and the reader, never at the item's own content, so one answer per owner
    holds for each of its items (test_sharing_views checks the page against `can_item`, item
    by item).
    """
    answers: dict[tuple[int, str], tuple[bool, bool]] = {}
    rows = []
    for item in items:
        item.case = case  # the case at hand: no query per item for `item.case`
        owner = (item.owner_id, item.owner_capacity)
        if owner not in answers:
            answers[owner] = (
                can_item(user, ItemAction.MANAGE, item),
                can_item(user, ItemAction.WITHHOLD, item),
            )
        manage, withhold = answers[owner]
        rows.append(
            ItemRow(
                item=item,
                readers=_readers(item),
                can_manage=manage,
                can_withhold=withhold,
                # Per item (it depends on the author), and free of queries.
                can_revoke=can_revoke(user, item),
            )
        )
    return rows


def _readers(item: SharedItem) -> list[str]:
    """The names of the chosen readers, 'name (organisation)'; empty when for everyone."""
    if item.audience_all:
        return []
    return sorted(
        f"{p.user.get_full_name()} ({p.organisation.name})"
        if p.organisation_id
        else p.user.get_full_name()
        for p in item.recipients.all()
    )


def _summary(item: SharedItem) -> list[ItemRow]:
    """The item alone, as the pages that change it show it (without links)."""
    return [ItemRow(item=item, readers=_readers(item))]


def shared_items_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the case page shows of the shared data: the items the user may read, and whether
    they may share."""
    items = shared_item_list(user=request.user, case=case)
    return {
        "shared_items": item_rows(request.user, case, items),
        "can_share": can(request.user, CaseAction.SHARE, case),
    }


def meeting_items(request: HttpRequest, case: Case, meeting: Meeting | None) -> list[ItemRow]:
    """The items shared for `meeting` that the user may read (none without a meeting)."""
    if meeting is None:
        return []
    items = shared_item_list(user=request.user, case=case, meeting=meeting)
    return item_rows(request.user, case, items)


def _case_page(case: Case) -> HttpResponse:
    """PRG: back to the case page, at the shared data."""
    url = reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})
    return redirect(f"{url}#{SECTION}")


def _sharing_case(request: HttpRequest, uuid: UUID) -> Case:
    """The case if visible (404, logged) and the user may share in it (403, logged)."""
    case = visible_case(request, uuid, log=False)
    if not can(request.user, CaseAction.SHARE, case):
        raise PermissionDenied  # audit.middleware logs the refusal
    return case


def _owned_item(request: HttpRequest, uuid: UUID, action: ItemAction) -> SharedItem:
    """The item if the user may read it (else 404, logged) and act on it (else 403, logged)."""
    try:
        item = shared_item_get(user=request.user, uuid=uuid)
    except SharedItem.DoesNotExist as exc:
        raise Http404 from exc
    if not can_item(request.user, action, item):
        raise PermissionDenied  # audit.middleware logs the refusal
    return item


def _explanations(form: ShareForm, case: Case, user: AnyUser) -> list[str]:
    """Why some choices are missing from the share form, in plain words (R-5-1, R-T-2, R-6-2)."""
    notes = [
        _(
            "You can choose only the kinds of data a %(type)s may discuss. Authorised absence "
            "(geoorloofd verzuim), criminal data and the BSN are never shared here."
        )
        % {"type": case.consultation_type.name}
    ]
    categories = list(form.fields["category"].queryset)
    if not has_professional_secrecy(user):
        notes.append(
            _(
                "Treatment information of youth care (C7) is missing: only a professional "
                "with professional secrecy (beroepsgeheim) can share it, with consent."
            )
        )
    else:
        notes.append(
            _(
                "You have professional secrecy (beroepsgeheim). You can share only with the "
                "consent of the parents or the youth. Without consent the application refuses "
                "the share; you can still record it as 'niet verstrekken'."
            )
        )
    if any(c.restricted_to_capacities for c in categories):
        notes.append(
            _(
                "Worrying authorised absence (C3b) goes only to leerplicht or the youth doctor: "
                "choose them as the only readers."
            )
        )
    if any(c.data_class in (DataClass.SPECIAL_HEALTH, DataClass.MIXED) for c in categories):
        notes.append(
            _(
                "Health data (bijzondere gegevens) needs a legal basis for special data. Only "
                "readers bound by secrecy and with a ground to receive it will see it."
            )
        )
    if form.fields["legal_basis"].choices == [("", "—")]:
        notes.append(
            _(
                "Your organisation has no legal basis in your capacity in this covenant, so you "
                "cannot share data. Ask the functioneel beheerder."
            )
        )
    else:
        notes.append(_("Only the legal bases of your organisation, in your capacity, are listed."))
    return notes


@professional_required
def shared_item_create(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Share one item in the case: category, tag, text, basis and readers (SPEC R-2-3)."""
    case = _sharing_case(request, uuid)
    form = ShareForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        item = call_service(
            form,
            services.shared_item_add,
            actor=request.user,
            case=case,
            **form.service_kwargs(),
        )
        if item is not None:
            if item.is_withheld:
                messages.success(
                    request,
                    _("Recorded as 'niet verstrekken': only your own organisation reads it."),
                )
            else:
                messages.success(request, _("The data has been shared."))
            return _case_page(case)
    # The page names the youth: a look at the case (invariant 2).
    case_viewed(user=request.user, case=case)
    return render(
        request,
        "casusoverleg/shared_item_form.html",
        {
            "case": case,
            "form": form,
            "explanations": _explanations(form, case, request.user),
            # R-6-2: where a share is refused for lack of consent, the way to ask for it.
            "consent_request_url": reverse(
                "casusoverleg:consent_request", kwargs={"uuid": case.uuid}
            ),
        },
    )


@professional_required
def shared_item_rectify(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Correct an item of one's own party or change its readers; readers are told (R-8-2)."""
    item = _owned_item(request, uuid, ItemAction.MANAGE)
    form = RectifyForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.shared_item_rectify,
            actor=request.user,
            item=item,
            **form.service_kwargs(),
        )
        if done is not None:
            messages.success(
                request, _("The data has been corrected. Everyone who could read it is told.")
            )
            return _case_page(item.case)
    case_viewed(user=request.user, case=item.case)
    return render(
        request,
        "casusoverleg/shared_item_rectify.html",
        {"case": item.case, "item": item, "form": form, "shared_items": _summary(item)},
    )


@professional_required
def shared_item_delete(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Ask, then delete an item of one's own party; readers are told (R-8-2, AVG art. 17)."""
    item = _owned_item(request, uuid, ItemAction.MANAGE)
    case = item.case
    if request.method == "POST":
        try:
            services.shared_item_delete(actor=request.user, item=item)
        except ValidationError as error:
            for message in non_field_errors(error):
                messages.error(request, message)
            return _case_page(case)
        messages.success(
            request, _("The data has been deleted. Everyone who could read it is told.")
        )
        return _case_page(case)
    case_viewed(user=request.user, case=case)
    return render(
        request,
        "casusoverleg/shared_item_delete.html",
        {"case": case, "item": item, "shared_items": _summary(item)},
    )


@professional_required
def shared_item_withhold(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Mark an item "niet verstrekken" with a reason (Jeugdwet 7.3.11 lid 3, R-6-3)."""
    item = _owned_item(request, uuid, ItemAction.WITHHOLD)
    form = WithholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.shared_item_withhold,
            actor=request.user,
            item=item,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(
                request, _("The data is no longer provided: only your own organisation reads it.")
            )
            return _case_page(item.case)
    case_viewed(user=request.user, case=item.case)
    return render(
        request,
        "casusoverleg/shared_item_withhold.html",
        {"case": item.case, "item": item, "form": form, "shared_items": _summary(item)},
    )


@require_POST
@professional_required
def shared_item_release(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Provide a withheld item again, if it may be shared now (R-6-3, R-6-2)."""
    item = _owned_item(request, uuid, ItemAction.WITHHOLD)
    try:
        services.shared_item_release(actor=request.user, item=item)
    except ValidationError as error:
        for message in non_field_errors(error):
            messages.error(request, message)
        return _case_page(item.case)
    messages.success(request, _("The data is provided again to everyone who may read it."))
    return _case_page(item.case)


@professional_required
def shared_item_revoke(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """ "Onterecht gedeeld: intrekken" (SPEC R-BREACH-6): a confirmation page, then one service
    call that hides the item from every reader, logs it and opens a data breach for the FG."""
    try:
        item = shared_item_get(user=request.user, uuid=uuid)
    except SharedItem.DoesNotExist as exc:
        raise Http404 from exc
    if not can_revoke(request.user, item):
        raise PermissionDenied  # audit.middleware logs the refusal
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = call_service(
            form,
            services.shared_item_revoke,
            actor=request.user,
            item=item,
            note=form.cleaned_data["note"],
        )
        if incident is not None:
            messages.success(
                request,
                _(
                    "The data is revoked: nobody outside %(owner)s reads it any more. A data "
                    "breach (%(ref)s) has been reported to the FG."
                )
                % {"owner": item.owner.name, "ref": incident.reference},
            )
            return _case_page(item.case)
    case_viewed(user=request.user, case=item.case)
    return render(
        request,
        "casusoverleg/shared_item_revoke.html",
        {"case": item.case, "item": item, "form": form, "shared_items": _summary(item)},
    )
