"""Pages of the breach register (/datalekken/, SPEC §7.2): report, register, detail and the FG's
workflow steps.

Each view: role gate (403, logged) → selector (404 when invisible, logged) → policy (403, logged
by the audit middleware) → form → service (field errors, nothing written) → redirect.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.decorators import role_required
from parties.selectors import organisation_list, professional_of

from . import incidents
from .incident_forms import (
    APNotificationForm,
    AssessForm,
    CloseForm,
    IncidentReportForm,
    SubjectsForm,
)
from .models import Incident

staff_required = role_required(*incidents.REPORTER_ROLES)


def _apply(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError next to the fields it names, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@staff_required
def incident_report(request: HttpRequest) -> HttpResponse:
    """ "Datalek melden": a calm form for anyone who works for a party (R-BREACH-6 "on every
    page"); the FGs are told at once (R-BREACH-2)."""
    professional = professional_of(user=request.user)
    if professional is None:
        raise Http404
    organisation = professional.organisation
    form = IncidentReportForm(
        request.POST or None,
        organisations=organisation_list(region_id=organisation.region_id),
        own=organisation,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incidents.incident_report(actor=request.user, **data)
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your report has been registered and the FGs concerned are told "
                    "now. The FG may contact you."
                ),
            )
            return redirect("incidents:incident_detail", uuid=incident.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "convenant/incidents/incident_report.html", {"form": form}, status=status
    )


def _row(incident: Incident, user: Any) -> dict[str, Any]:
    return {
        "incident": incident,
        "countdown": incidents.countdown(incident),
        "content": incidents.can_read_content(user, incident),
    }


@staff_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """The register of the FG's (or beheerder's) party with the 72-hour countdown (R-BREACH-3,
    R-DPIA-3); for anyone else, their own reports and how far they are."""
    rows = [_row(i, request.user) for i in incidents.incident_list(user=request.user)]
    register = request.user.role in incidents.REGISTER_ROLES
    return render(
        request,
        "convenant/incidents/incident_list.html",
        {
            "open_rows": [r for r in rows if r["incident"].is_open],
            "closed_rows": [r for r in rows if not r["incident"].is_open],
            "register": register,
        },
    )


def _visible(request: HttpRequest, uuid: UUID, *, log: bool = True) -> Incident:
    try:
        return incidents.incident_get(user=request.user, uuid=uuid, log=log)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc


def _detail(
    request: HttpRequest, incident: Incident, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    handle = incidents.can_handle(request.user, incident)
    step_forms: dict[str, forms.Form] = {}
    if handle:
        step_forms = {
            "assess": AssessForm(
                initial={
                    "risk_assessment": incident.risk_assessment,
                    "risk_notes": incident.risk_notes,
                },
                prefix="assess",
            ),
            "ap": APNotificationForm(prefix="ap"),
            "subjects": SubjectsForm(prefix="subjects"),
            "close": CloseForm(prefix="close"),
        }
        step_forms.update(bound or {})
    context = {
        "incident": incident,
        "countdown": incidents.countdown(incident),
        "content": incidents.can_read_content(request.user, incident),
        "can_handle": handle,
        "forms": step_forms,
        "blockers": incidents.closure_blockers(incident) if handle else {},
    }
    status = 400 if bound else 200
    return render(request, "convenant/incidents/incident_detail.html", context, status=status)


@staff_required
def incident_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One incident: what happened (FG and reporter), the deadline and the steps."""
    return _detail(request, _visible(request, uuid))


def _step(
    name: str,
    form_class: type[forms.Form],
    call: Callable[..., Incident],
    done: Any,
) -> Callable[[HttpRequest, UUID], HttpResponse]:
    """A POST-only view for one workflow step: form → service → back to the detail page."""

    @require_POST
    @role_required(*incidents.REPORTER_ROLES)
    def view(request: HttpRequest, uuid: UUID) -> HttpResponse:
        incident = _visible(request, uuid, log=False)
        if not incidents.can_handle(request.user, incident):
            raise PermissionDenied  # audit.middleware logs the refusal
        form = form_class(request.POST, prefix=name)
        if form.is_valid():
            try:
                call(actor=request.user, incident=incident, **form.cleaned_data)
            except ValidationError as error:
                _apply(form, error)
            else:
                messages.success(request, done)
                return redirect("incidents:incident_detail", uuid=incident.uuid)
        # Re-shown with the errors next to the fields; the page shows the incident: logged.
        incident = _visible(request, uuid)
        return _detail(request, incident, {name: form})

    view.__name__ = view.__qualname__ = f"incident_{name}"
    view.__doc__ = f"Workflow step '{name}' of an incident (FG only)."
    return view


def _close(*, actor: Any, incident: Incident, ap_not_notified_reason: str) -> Incident:
    return incidents.incident_close(
        actor=actor, incident=incident, ap_not_notified_reason=ap_not_notified_reason
    )


def _subjects(*, actor: Any, incident: Incident, **data: Any) -> Incident:
    return incidents.incident_record_subject_notification(actor=actor, incident=incident, **data)


incident_assess = _step(
    "assess",
    AssessForm,
    incidents.incident_assess,
    gettext_lazy("The risk assessment is recorded."),
)
incident_ap = _step(
    "ap",
    APNotificationForm,
    incidents.incident_record_ap_notification,
    gettext_lazy("The report to the AP is recorded."),
)
incident_subjects = _step(
    "subjects",
    SubjectsForm,
    _subjects,
    gettext_lazy("What the people concerned were told is recorded."),
)
incident_close = _step("close", CloseForm, _close, gettext_lazy("The data breach is closed."))
