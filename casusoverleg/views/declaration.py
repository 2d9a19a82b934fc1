"""The geheimhoudingsverklaring page (R-11-1): read it, tick the box, accept.

casusoverleg.middleware sends a professional here before any case page; after accepting they go
on to where they were going (`next`, only a path of this site).
"""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from casusoverleg.declarations import declaration_accept, declaration_in_force, declaration_last
from casusoverleg.forms.declaration import DeclarationForm
from parties import confidentiality

from .common import professional_required


def _next_url(request: HttpRequest) -> str:
    """Where to go after accepting: `next` if it is a path on this site, else the workplace."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("casusoverleg:dashboard")


@professional_required
def declaration(request: HttpRequest) -> HttpResponse:
    """Show the declaration; a ticked box accepts it (logged as `declaration.accepted`)."""
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        declaration_accept(actor=request.user)
        return redirect(_next_url(request))
    in_force = declaration_in_force(user=request.user)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "casusoverleg/declaration.html",
        {
            "form": form,
            "title": confidentiality.TITLE,
            "paragraphs": confidentiality.PARAGRAPHS,
            "version": confidentiality.VERSION,
            "in_force": in_force,
            "valid_until": (
                in_force.accepted_at + timedelta(days=confidentiality.VALID_DAYS)
                if in_force
                else None
            ),
            "last": None if in_force else declaration_last(user=request.user),
            "next": _next_url(request),
        },
        status=status,
    )
