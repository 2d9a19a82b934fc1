"""The portal's entrance pages: log in, the second step, choosing it, activating an invitation.

Thin views (STYLE §4.3): parse, call `providers` / `second_factor` / `parties.accounts`, render.
A refused code or password re-renders the page with the message next to the field (400).
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.decorators import role_required
from casusoverleg.accounts import family_account_activate
from parties.accounts import invitation_account
from parties.choices import Role

from .forms import ActivationForm, CodeForm, SetupChoiceForm
from .providers import (
    SESSION_BACKEND,
    after_first_factor,
    enabled_providers,
    first_factor_complete,
    safe_next,
)
from .second_factor import (
    FIRST_FACTOR_SESSION_KEY,
    CodeCheck,
    Method,
    Outcome2FA,
    confirmed_devices,
    email_code_send,
    email_start,
    pending_device,
    second_factor_verify,
    session_is_verified,
    totp_qr_svg,
    totp_secret_groups,
    totp_start,
    user_has_second_factor,
)

# A refused form is answered 400: nothing happened, the page shows why next to the field.
INVALID_FORM_STATUS = 400

family_required = role_required(Role.PARENT, Role.YOUTH)


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(name: str, next_url: str, **query: str) -> str:
    """The URL of `name` with `next` (and other parameters) in its query string."""
    params = {**query, **({"next": next_url} if next_url else {})}
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def _code_error(form: CodeForm, check: CodeCheck) -> None:
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


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """The portal's entrance, phone first: each enabled first-factor provider."""
    next_url = _next(request)
    user = request.user
    if user.is_authenticated:
        if getattr(user, "is_citizen", False):
            return after_first_factor(request, next_url)
        return redirect("home")
    providers = enabled_providers()
    form_provider = next((p for p in providers if p.form_class is not None), None)
    form = form_provider.form_class(request.POST or None) if form_provider is not None else None  # type: ignore[misc]
    professional = False
    status = 200
    if request.method == "POST" and form is not None and form_provider is not None:
        if form.is_valid():
            found = form_provider.authenticate(request, form)
            if found is not None and found.is_citizen:
                return first_factor_complete(
                    request, user=found, provider=form_provider, next_url=next_url
                )
            if found is not None:
                # A professional's account: the workplace has its own login (and rules).
                professional = True
                form.add_error(
                    None,
                    _(
                        "This entrance is for parents and youths. Professionals log in at the "
                        "workplace."
                    ),
                )
        status = INVALID_FORM_STATUS
    buttons = [
        (p, url)
        for p in providers
        if p.form_class is None and (url := p.start_url(request, next_url)) is not None
    ]
    return render(
        request,
        "portal_auth/login.html",
        {
            "form": form,
            "form_provider": form_provider,
            "buttons": buttons,
            "next": next_url,
            "professional": professional,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@family_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the app, or one sent by e-mail."""
    next_url = _next(request)
    if session_is_verified(request):
        return redirect(next_url or "portal:home")
    devices = confirmed_devices(request.user)
    if not devices:
        return redirect(_with_next("portal_auth:setup", next_url))
    forms = {method: CodeForm(prefix=method.value) for method in devices}
    status = 200
    if request.method == "POST":
        posted = request.POST.get("method", "")
        method = Method(posted) if posted in devices else next(iter(devices))
        if request.POST.get("action") == "send" and method == Method.EMAIL:
            wait = email_code_send(device=devices[Method.EMAIL])
            if wait:
                messages.warning(
                    request,
                    _("A code was sent a moment ago. Wait %(seconds)s seconds for a new one.")
                    % {"seconds": wait},
                )
            else:
                messages.success(request, _("We sent a code to your e-mail address."))
            return redirect(_with_next("portal_auth:second_factor", next_url))
        form = CodeForm(request.POST, prefix=method.value)
        forms[method] = form
        if form.is_valid():
            check = second_factor_verify(
                request=request, method=method, token=form.cleaned_data["token"]
            )
            if check.ok:
                return redirect(next_url or "portal:home")
            _code_error(form, check)
        status = INVALID_FORM_STATUS
    email = devices.get(Method.EMAIL)
    email_sent = bool(
        email is not None
        and getattr(email, "valid_until", None)
        and email.valid_until > timezone.now()  # type: ignore[attr-defined]
    )
    return render(
        request,
        "portal_auth/second_factor.html",
        {
            "totp_form": forms.get(Method.TOTP),
            "email_form": forms.get(Method.EMAIL),
            "email_sent": email_sent,
            "next": next_url,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@family_required
def setup(request: HttpRequest) -> HttpResponse:
    """The first time: choose the app or e-mail, and confirm it with a code."""
    next_url = _next(request)
    user = request.user
    if user_has_second_factor(user):
        # A first factor alone never adds a second factor: that would make it worthless.
        if session_is_verified(request):
            return redirect(next_url or "portal:home")
        return redirect(_with_next("portal_auth:second_factor", next_url))
    step = request.GET.get("stap", "")
    has_email = bool(user.email)  # type: ignore[union-attr]
    choice = SetupChoiceForm(has_email=has_email)
    code_form = CodeForm(prefix="setup")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "choose":
            choice = SetupChoiceForm(request.POST, has_email=has_email)
            if choice.is_valid():
                method = Method(choice.cleaned_data["method"])
                if method == Method.TOTP:
                    totp_start(user=user)
                    return redirect(_with_next("portal_auth:setup", next_url, stap="app"))
                email_start(user=user)
                messages.success(request, _("We sent a code to your e-mail address."))
                return redirect(_with_next("portal_auth:setup", next_url, stap="email"))
            status = INVALID_FORM_STATUS
        elif action == "resend":
            device = pending_device(user, Method.EMAIL)
            if device is not None:
                wait = email_code_send(device=device)  # type: ignore[arg-type]
                if wait:
                    messages.warning(
                        request,
                        _("A code was sent a moment ago. Wait %(seconds)s seconds for a new one.")
                        % {"seconds": wait},
                    )
                else:
                    messages.success(request, _("We sent a code to your e-mail address."))
            return redirect(_with_next("portal_auth:setup", next_url, stap="email"))
        else:
            step = "app" if request.POST.get("method") == Method.TOTP.value else "email"
            method = Method.TOTP if step == "app" else Method.EMAIL
            code_form = CodeForm(request.POST, prefix="setup")
            if code_form.is_valid():
                check = second_factor_verify(
                    request=request,
                    method=method,
                    token=code_form.cleaned_data["token"],
                    setting_up=True,
                )
                if check.ok:
                    messages.success(
                        request, _("Your second step is ready. You use it every time you log in.")
                    )
                    return redirect(next_url or "portal:home")
                _code_error(code_form, check)
            status = INVALID_FORM_STATUS
    context: dict[str, object] = {"choice": choice, "code_form": code_form, "next": next_url}
    if step == "app":
        device = pending_device(user, Method.TOTP)
        if device is None:
            return redirect(_with_next("portal_auth:setup", next_url))
        context.update(
            step="app",
            qr_svg=totp_qr_svg(device),  # type: ignore[arg-type]
            secret_groups=totp_secret_groups(device),  # type: ignore[arg-type]
        )
    elif step == "email":
        if pending_device(user, Method.EMAIL) is None:
            return redirect(_with_next("portal_auth:setup", next_url))
        context.update(step="email")
    return render(request, "portal_auth/setup.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invitation link: choose a password, then the second step (public; works once)."""
    user = invitation_account(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "portal_auth/activate_invalid.html")
    form = ActivationForm(user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = family_account_activate(
                    uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"]
                )
            except ValidationError:
                return render(request, "portal_auth/activate_invalid.html")
            login(request, user, backend=SESSION_BACKEND)
            request.session[FIRST_FACTOR_SESSION_KEY] = "invitation"
            messages.success(request, _("Your password is set. Now choose your second step."))
            return redirect("portal_auth:setup")
        status = INVALID_FORM_STATUS
    return render(request, "portal_auth/activate.html", {"form": form}, status=status)
