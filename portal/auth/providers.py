"""First-factor providers: how a parent or youth proves who they are at the portal's entrance.

A provider is chosen by the setting PORTAL_AUTHENTICATION_PROVIDERS (dotted paths, like
AUTHENTICATION_BACKENDS). The entrance page shows every enabled provider: one with a `form_class`
as a form on the page (the password), one with a `start_url` as a button that leaves for an
outside login (DigiD through SAML) and comes back to the provider's own view. Either way the
provider ends with `first_factor_complete(request, user=..., provider=...)`, which logs the user
in and sends them on to the second factor. docs/portal-authentication.md tells how DigiD plugs in.
"""

from functools import lru_cache
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin
from parties.models import User

from .second_factor import FIRST_FACTOR_SESSION_KEY, session_is_verified, user_has_second_factor

# The backend that loads users for every request; a provider logs its user in with it.
SESSION_BACKEND = "parties.backends.UserWithProfileBackend"


class FirstFactorProvider:
    """The contract of a first-factor provider (subclass it).

    - `slug`: a short, stable name (it is kept in the session and the access log).
    - `label`: what the entrance page calls it ("Log in with DigiD").
    - `satisfies_second_factor`: True only for a login that is two-factor itself (DigiD
      Substantieel or higher); the session then needs no TOTP or e-mail code.
    - `form_class` + `authenticate(request, form)`: a provider whose form sits on the entrance
      page; `authenticate` returns the User, or None after adding an error to the form.
    - `start_url(request, next_url)`: a provider that logs in elsewhere; its own callback view
      calls `first_factor_complete`.

    A provider returns a parties.User with the role parent or youth, never anything else: no BSN
    or other identifier is stored here (SPEC R-5-3).
    """

    slug: ClassVar[str] = ""
    label: ClassVar[str | Promise] = ""
    satisfies_second_factor: ClassVar[bool] = False
    form_class: ClassVar[type[forms.Form] | None] = None

    def authenticate(self, request: HttpRequest, form: forms.Form) -> User | None:
        """The user whose credentials `form` holds (valid), or None."""
        return None

    def start_url(self, request: HttpRequest, next_url: str) -> str | None:
        """Where the entrance page's button for this provider goes; None for form providers."""
        return None


class PortalLoginForm(NLDSFormMixin, forms.Form):
    """Username or e-mail address, and password: the password provider's form."""

    username = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _username_for(identifier: str) -> str:
    """The username an e-mail address belongs to, when exactly one portal account has it.

    Anything else is tried as a username: the failed login then names no account, like the
    workplace's login (audit.receivers).
    """
    if "@" not in identifier:
        return identifier
    usernames = list(
        User.objects.filter(email__iexact=identifier, role__in=["parent", "youth"]).values_list(
            "username", flat=True
        )[:2]
    )
    return usernames[0] if len(usernames) == 1 else identifier


class PasswordProvider(FirstFactorProvider):
    """The password the parent or youth chose when they activated their invitation."""

    slug = "password"
    label = _("Log in with your password")
    form_class = PortalLoginForm

    def authenticate(self, request: HttpRequest, form: forms.Form) -> User | None:
        """Django's authenticate(): a failure fires user_login_failed, which the access log
        records (audit.receivers), exactly as at the workplace's login."""
        username = _username_for(form.cleaned_data["username"].strip())
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            form.add_error(
                None,
                _(
                    "The username or password is not correct. Check both and try again. "
                    "Forgot your password? Ask the procesregisseur for a new invitation."
                ),
            )
            return None
        return user  # type: ignore[return-value]


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...]) -> tuple[FirstFactorProvider, ...]:
    return tuple(import_string(path)() for path in paths)


def enabled_providers() -> tuple[FirstFactorProvider, ...]:
    """The providers of PORTAL_AUTHENTICATION_PROVIDERS, in that order."""
    return _load(tuple(settings.PORTAL_AUTHENTICATION_PROVIDERS))


def provider_by_slug(slug: str) -> FirstFactorProvider | None:
    """The enabled provider called `slug`, or None (a disabled provider counts for nothing)."""
    return next((p for p in enabled_providers() if p.slug == slug), None)


def safe_next(request: HttpRequest, next_url: str | None) -> str:
    """`next_url` if it points into this site (no open redirect), else empty."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def after_first_factor(request: HttpRequest, next_url: str = "") -> HttpResponse:
    """Where a citizen with a first factor goes: the code, choosing one, or their page."""
    if session_is_verified(request):
        return redirect(next_url or "portal:home")
    target = (
        "portal_auth:second_factor" if user_has_second_factor(request.user) else "portal_auth:setup"
    )
    response = redirect(target)
    if next_url:
        response["Location"] += "?" + urlencode({"next": next_url})
    return response


def first_factor_complete(
    request: HttpRequest, *, user: Any, provider: FirstFactorProvider, next_url: str = ""
) -> HttpResponse:
    """Log in a parent or youth whom `provider` has identified; send them to the second step.

    Only parents and youths enter here (a professional uses the workplace's login): anyone else
    is refused. Django's login() rotates the session key and writes the login to the access log
    (audit.receivers); the session is not verified until the second factor.
    """
    if not (getattr(user, "is_citizen", False) and user.is_active):
        raise PermissionDenied
    login(request, user, backend=SESSION_BACKEND)
    request.session[FIRST_FACTOR_SESSION_KEY] = provider.slug
    return after_first_factor(request, safe_next(request, next_url))
