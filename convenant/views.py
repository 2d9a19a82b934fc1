"""The functioneel beheerder's screens over the covenant's data (never case content)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.decorators import role_required
from audit.services import record
from parties.choices import Role
from parties.selectors import professional_of

from .models import Covenant
from .registry import KINDS, Kind
from .services import reference_save


def _region_id(request: HttpRequest) -> int:
    professional = professional_of(user=request.user)
    if professional is None:
        # A beheerder without an organisation has no region to maintain.
        raise Http404
    return professional.organisation.region_id


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None


def _scope_form(form: Any, kind: Kind, region_id: int) -> None:
    """Choices in the form come from the beheerder's own region only."""
    from parties.models import Organisation

    for name in ("organisation", "hosting_organisation", "parent"):
        if name in form.fields:
            form.fields[name].queryset = Organisation.objects.filter(region_id=region_id)
    if "covenant" in form.fields:
        form.fields["covenant"].queryset = Covenant.objects.filter(region_id=region_id)


def _cell(row: Any, name: str) -> Any:
    display = getattr(row, f"get_{name}_display", None)
    if callable(display):
        return display()
    return getattr(row, name)


@role_required(Role.ADMINISTRATOR)
def overview(request: HttpRequest) -> HttpResponse:
    """Every table of covenant data, with its size and the rows that still need legal review."""
    region_id = _region_id(request)
    cards = []
    for kind in KINDS.values():
        qs = kind.queryset(region_id)
        review = qs.filter(needs_legal_review=True).count() if kind.has_review_flag else 0
        cards.append({"kind": kind, "count": qs.count(), "review": review})
    return render(request, "convenant/overview.html", {"cards": cards})


@role_required(Role.ADMINISTRATOR)
def reference_list(request: HttpRequest, kind: str) -> HttpResponse:
    """All rows of one table; rows needing legal review carry a badge."""
    spec = _kind(kind)
    rows = list(spec.queryset(_region_id(request)))
    headers = [spec.model._meta.get_field(c).verbose_name for c in spec.columns]
    table = [{"row": row, "cells": [_cell(row, c) for c in spec.columns]} for row in rows]
    record(actor=request.user, action=Action.REFERENCE_VIEWED, purpose=spec.slug)
    return render(
        request, "convenant/reference_list.html", {"kind": spec, "headers": headers, "table": table}
    )


def _add_model_errors(form: Any, exc: ValidationError) -> None:
    """Show the model's errors next to their fields; an error about a field the form does not
    have goes above the form instead of failing with a server error (invariant 9)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@role_required(Role.ADMINISTRATOR)
def reference_edit(request: HttpRequest, kind: str, uuid: str | None = None) -> HttpResponse:
    """Add or change one row; invalid input is shown next to its field and nothing is saved."""
    spec = _kind(kind)
    region_id = _region_id(request)
    instance = get_object_or_404(spec.queryset(region_id), uuid=uuid) if uuid else None
    # A new row of a regional table belongs to the beheerder's region before it is validated, so
    # that uniqueness within the region is checked next to the fields, not at save time.
    unsaved = spec.model(region_id=region_id) if spec.region_filter == "region_id" else None
    form = spec.form(request.POST or None, instance=instance or unsaved)
    _scope_form(form, spec, region_id)
    if request.method == "POST" and form.is_valid():
        try:
            saved = reference_save(actor=request.user, form=form)
        except ValidationError as exc:
            _add_model_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": saved})
            return redirect("convenant:reference_list", kind=spec.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "convenant/reference_form.html",
        {"kind": spec, "form": form, "instance": instance},
        status=status,
    )
