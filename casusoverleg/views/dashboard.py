"""The professional's workplace home (my cases, my invitations, my covenant) and, since issue 7,
the region's management figures and the verwerkingsregister-extract (/sturing/, namespace
`dashboard`: R-20-1, R-20-2, R-15-2) for beheerders and FGs.
"""

from typing import Any
from uuid import UUID

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.decorators import role_required
from audit.services import record
from casusoverleg.dashboard import (
    TITLE,
    dashboard_region,
    dashboard_tables,
    evaluation_csv,
    years_available,
)
from casusoverleg.register import (
    RegisterExtract,
    register_csv,
    register_extract,
    register_organisation,
    register_parties,
    retention_text,
)
from casusoverleg.selectors import case_overview, invitation_list
from convenant.selectors import covenant_in_force, covenant_party_list
from core.forms import NLDSFormMixin
from parties.choices import Role
from parties.models import Organisation
from parties.selectors import professional_of

from .common import professional_required


@professional_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cases I direct or take part in (each youth shown is logged), open invitations, and the
    covenant I work under with its parties' FG contacts."""
    today = timezone.localdate()
    professional = professional_of(user=request.user)
    covenant = (
        covenant_in_force(region_id=professional.organisation.region_id, on=today)
        if professional
        else None
    )
    parties = list(covenant_party_list(covenant=covenant, on=today)) if covenant else []
    return render(
        request,
        "casusoverleg/dashboard.html",
        {
            "professional": professional,
            "covenant": covenant,
            "parties": parties,
            "cases": case_overview(user=request.user),
            "invitations": list(invitation_list(user=request.user)),
            "may_open_cases": request.user.role == Role.COORDINATOR,
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# Management figures and register extract (issue 7). Beheerders and FGs of the region: the
# figures are counts only and the extract is reference data, so neither shows personal data;
# procesregisseurs are not given them (they work with cases, not with the region's management).

management_required = role_required(Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)


class YearForm(NLDSFormMixin, forms.Form):
    """The year of the figures: this year or one of the four before it."""

    jaar = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jaar"].choices = [(y, str(y)) for y in years_available()]


def _year(request: HttpRequest) -> tuple[YearForm, int | None]:
    """The chosen year (this year when none is chosen), or None with the form's message."""
    data = request.GET if "jaar" in request.GET else {"jaar": str(timezone.now().year)}
    form = YearForm(data)
    return form, (form.cleaned_data["jaar"] if form.is_valid() else None)


def _who(user: Any) -> str:
    professional = professional_of(user=user)
    return f"{user} ({professional.organisation})" if professional else str(user)


@management_required
def overview(request: HttpRequest) -> HttpResponse:
    """The region's figures of one year, counts only, small cells suppressed (R-20-1)."""
    form, year = _year(request)
    region = dashboard_region(user=request.user)
    if region is None:
        raise Http404
    tables = []
    if year is not None:
        with transaction.atomic():
            tables = dashboard_tables(user=request.user, year=year)
            record(actor=request.user, action=Action.DASHBOARD_VIEWED, reason=f"year {year}")
    return render(
        request,
        "casusoverleg/management/overview.html",
        {"form": form, "year": year, "region": region, "tables": tables, "title": TITLE},
        status=200 if year is not None else 400,
    )


@management_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The annual evaluation report for the OOGO table (R-20-2): the same figures as CSV."""
    form, year = _year(request)
    region = dashboard_region(user=request.user)
    if region is None:
        raise Http404
    if year is None:
        return render(
            request,
            "casusoverleg/management/overview.html",
            {"form": form, "year": None, "region": region, "tables": [], "title": TITLE},
            status=400,
        )
    with transaction.atomic():
        tables = dashboard_tables(user=request.user, year=year)
        record(actor=request.user, action=Action.DASHBOARD_EXPORTED, reason=f"csv year {year}")
    body = evaluation_csv(
        tables=tables, region_name=region.name, year=year, exported_by=_who(request.user)
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="jaarevaluatie-{year}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@management_required
def register_list(request: HttpRequest) -> HttpResponse:
    """The parties of the covenant in force, each with its register extract (R-15-2)."""
    return render(
        request,
        "casusoverleg/management/register_list.html",
        {"organisations": list(register_parties(user=request.user))},
    )


def _extract(request: HttpRequest, uuid: UUID) -> RegisterExtract:
    try:
        organisation = register_organisation(user=request.user, uuid=uuid)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    return register_extract(organisation=organisation)


@management_required
def register_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One party's verwerkingsregister-extract as a readable page (R-15-2)."""
    with transaction.atomic():
        extract = _extract(request, uuid)
        record(actor=request.user, action=Action.REGISTER_VIEWED, target=extract.organisation)
    return render(
        request,
        "casusoverleg/management/register_detail.html",
        {"extract": extract, "retention": [(r, retention_text(r)) for r in extract.retention]},
    )


@management_required
def register_export(request: HttpRequest, uuid: UUID, fmt: str) -> HttpResponse:
    """The extract as CSV or PDF, for the party's own art. 30 register (R-15-2); logged."""
    if fmt not in ("csv", "pdf"):
        raise Http404
    with transaction.atomic():
        extract = _extract(request, uuid)
        record(
            actor=request.user,
            action=Action.REGISTER_EXPORTED,
            target=extract.organisation,
            reason=fmt,
        )
    filename = f"verwerkingsregister-extract-{extract.organisation.uuid}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            register_csv(extract=extract, exported_by=_who(request.user)),
            content_type="text/csv; charset=utf-8",
        )
    else:
        from core.pdf import render_pdf

        now = timezone.localtime()
        watermark = _("Made for %(who)s on %(when)s.") % {
            "who": _who(request.user),
            "when": now.strftime("%d-%m-%Y %H:%M"),
        }
        _html, pdf = render_pdf(
            "casusoverleg/pdf/register_extract.html",
            {
                "title": _("Processing register extract"),
                "extract": extract,
                "retention": [(r, retention_text(r)) for r in extract.retention],
            },
            watermark=str(watermark),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
