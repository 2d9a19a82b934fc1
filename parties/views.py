"""Login and logout, the workplace's second factor, and the session's keep-alive."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .forms import LoginForm, SecondFactorCodeForm
from .second_factor import (
    CodeCheck,
    Outcome2FA,
    code_check,
    code_verify,
    confirmed_totp,
    recovery_codes_create,
    recovery_codes_left,
    totp_enrol_start,
    totp_qr_svg,
    totp_secret_groups,
)

# Parents and youths have an entrance of their own, with a second factor (portal/auth/): the
# workplace's login sends them there. Named by URL only: parties sits below the portal.
PORTAL_LOGIN = "portal_auth:login"
PORTAL_SECOND_FACTOR = "portal_auth:second_factor"
# A refused form is answered 400: nothing happened, the page shows why next to the field.
INVALID_FORM_STATUS = 400
# Below this many recovery codes left, the user is told to make new ones.
RECOVERY_CODES_LOW = 3


def _to_portal_login(next_url: str) -> HttpResponseRedirect:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return HttpResponseRedirect(reverse(PORTAL_LOGIN) + query)


def _next(request: HttpRequest) -> str:
    """The `next` of the request if it points into this site (no open redirect), else empty."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _second_step_url(user: Any, next_url: str) -> str:
    """Where a password-only workplace session goes: the code, or enrolling the app."""
    return _with_next("account:verify" if confirmed_totp(user) else "account:setup", next_url)


class LoginView(auth_views.LoginView):
    """The Dutch login page; Django's LoginView is already exempt from LoginRequiredMiddleware.

    Django's login() gives the session a new key (no session fixation); django-axes counts the
    failures and locks the account for this address after AXES_FAILURE_LIMIT of them.
    """

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A portal page's login redirect goes on to the portal's own entrance."""
        next_url = self.get_redirect_url()
        if not request.user.is_authenticated and next_url.startswith("/portaal/"):
            return _to_portal_login(next_url)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        """A parent or youth is not logged in here: they go to the portal's entrance."""
        if getattr(form.get_user(), "is_citizen", False):
            messages.info(
                self.request,
                _("Parents and youths log in here, at the portal. Type your password again."),
            )
            return _to_portal_login(self.get_redirect_url())
        return super().form_valid(form)

    def get_success_url(self) -> str:
        """After the password: the second step first (SPEC R-10-1), then where the user was
        going."""
        url = super().get_success_url()
        user: Any = self.request.user
        if getattr(user, "is_citizen", False):
            return url
        # Right after login() the request holds the bare user (no django-otp is_verified(); a
        # fresh login is never verified); an already logged-in visitor has it.
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return url
        return _second_step_url(user, url)


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (CSRF-protected) and lands on the login page (the portal's
    entrance for parents and youths)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = getattr(request.user, "is_citizen", False)
        response = super().post(request, *args, **kwargs)
        return _to_portal_login("") if citizen else response


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a login while the account is locked for this address (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


def _code_error(form: SecondFactorCodeForm, check: CodeCheck) -> None:
    """The message for a refused code, next to the field."""
    if check.outcome == Outcome2FA.THROTTLED:
        form.add_error(
            "token",
            _("Too many wrong codes. Wait %(seconds)s seconds and try again.")
            % {"seconds": check.wait_seconds},
        )
    else:
        form.add_error(
            "token",
            _("This code is not correct. Check it and try again. Use the newest code."),
        )


def _codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """The new recovery codes, shown this once (never cached)."""
    response = render(
        request, "parties/recovery_codes_new.html", {"codes": codes, "next": next_url}
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step at the workplace: a code from the app, or a recovery code."""
    user: Any = request.user
    if getattr(user, "is_citizen", False):
        return redirect(PORTAL_SECOND_FACTOR)
    next_url = _next(request)
    if user.is_verified():
        return redirect(next_url or "home")
    if confirmed_totp(user) is None:
        return redirect(_with_next("account:setup", next_url))
    form = SecondFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token = form.cleaned_data["token"]
            check = code_verify(request=request, token=token)
            if check.ok:
                if not token.isdigit():
                    left = recovery_codes_left(user)
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code. You have %(left)s left. Make new codes "
                            "on the page 'Recovery codes'."
                        )
                        % {"left": left},
                    )
                return redirect(next_url or "home")
            _code_error(form, check)
        status = INVALID_FORM_STATUS
    return render(
        request,
        "parties/second_factor_verify.html",
        {"form": form, "next": next_url},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """The first time: scan the QR code, confirm a code, receive the recovery codes."""
    user: Any = request.user
    if getattr(user, "is_citizen", False):
        return redirect("portal_auth:setup")
    next_url = _next(request)
    if confirmed_totp(user) is not None:
        # A password alone never adds a second factor: that would make the factor worthless.
        if user.is_verified():
            return redirect(next_url or "home")
        return redirect(_with_next("account:verify", next_url))
    device = totp_enrol_start(user=user)
    form = SecondFactorCodeForm(request.POST or None, recovery_allowed=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check = code_verify(request=request, token=form.cleaned_data["token"], setting_up=True)
            if check.ok:
                codes = recovery_codes_create(user=user)
                return _codes_page(request, codes, next_url)
            _code_error(form, check)
        status = INVALID_FORM_STATUS
    return render(
        request,
        "parties/second_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": totp_qr_svg(device),
            "secret_groups": totp_secret_groups(device),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; new ones after a code from the app (ASVS 7.5.1)."""
    user: Any = request.user
    if getattr(user, "is_citizen", False):
        return redirect("portal:home")
    form = SecondFactorCodeForm(request.POST or None, recovery_allowed=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            check, _device = code_check(user=user, token=form.cleaned_data["token"])
            if check.ok:
                return _codes_page(request, recovery_codes_create(user=user), "")
            _code_error(form, check)
        status = INVALID_FORM_STATUS
    left = recovery_codes_left(user)
    return render(
        request,
        "parties/recovery_codes.html",
        {"form": form, "left": left, "low": left < RECOVERY_CODES_LOW},
        status=status,
    )


@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """'Stay logged in': the request itself renews the idle timeout (SESSION_SAVE_EVERY_REQUEST).

    Answers 204 with nothing in it; the idle-warning script (static/js/session-timeout.js) calls
    it.
    """
    return HttpResponse(status=204)
