"""Response headers over every URL, production cookies and HSTS, and templates without inline
script or style (issue 7 "Security hardening"; SPEC R-10-4; ASVS V3 and V14; docs/security.md).
"""

import json
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

import pytest

from tests.helpers import login_verified
from tests.test_settings import _production_environment, _settings
from tests.urls import routes

pytestmark = pytest.mark.django_db

# Users who between them reach every page: the procesregisseur and a participant of the case,
# the parent and the youth, an FG, a beheerder and a procesregisseur without a case (the case
# opening form). Anonymous requests are walked too.
WALKERS = [
    "anonymous",
    "case_coordinator",
    "involved_professional",
    "parent",
    "youth",
    "privacy_officer",
    "administrator",
    "coordinator",
]
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _problems(response, *, authenticated: bool) -> list[str]:
    """What is wrong with one response's security headers."""
    problems = []
    header = response.get("Content-Security-Policy", "")
    if not header:
        return ["no Content-Security-Policy"]
    policy = _policy(header)
    for directive, expected in [
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
        ("default-src", ["'self'"]),
    ]:
        if policy.get(directive) != expected:
            problems.append(f"{directive} is {policy.get(directive)}")
    for directive in ("script-src", "style-src", "default-src"):
        unsafe = [w for w in policy.get(directive, []) if w.startswith("'unsafe-")]
        if unsafe:
            problems.append(f"{directive} allows {unsafe}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin"):
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.get('X-Frame-Options')!r}")
    cache = response.get("Cache-Control", "")
    if authenticated and "no-store" not in cache:
        problems.append(f"Cache-Control {cache!r}")
    if "text/html" in response.get("Content-Type", "") and not getattr(
        response, "streaming", False
    ):
        body = response.content.decode("utf-8", errors="replace")
        tags = SCRIPT_TAG.findall(body)
        nonces = NONCE.findall(" ".join(policy.get("script-src", [])))
        if tags and len(nonces) != 1:
            problems.append("a page with <script> but no nonce in script-src")
        problems.extend(
            f"script without the request's nonce: {tag}"
            for tag in tags
            if not nonces or f'nonce="{nonces[0]}"' not in tag
        )
    return problems


def test_every_url_answers_with_the_security_headers(world):
    """R-10-4, ASVS 14.4 and 3.4: every URL, as anonymous and as the roles that may open it,
    answers with a strict CSP (nonce for scripts, no unsafe-inline/eval, object-src, base-uri
    and frame-ancestors 'none'), nosniff, a Referrer-Policy, X-Frame-Options DENY and
    Cache-Control no-store (every response: pages, fragments, PDFs, redirects, errors)."""
    problems: list[str] = []
    seen = {"ok": 0, "pdf": 0, "nonce": 0}
    for who in WALKERS:
        for route in routes(world):
            client = Client()
            if who != "anonymous":
                login_verified(client, world.users[who])
            response = client.get(route.path)
            problems += [
                f"{who} {route} {response.status_code}: {problem}"
                for problem in _problems(response, authenticated=who != "anonymous")
            ]
            if "no-store" not in response.get("Cache-Control", ""):
                problems.append(f"{who} {route}: not no-store")
            seen["ok"] += response.status_code == 200
            seen["pdf"] += response.get("Content-Type") == "application/pdf"
            seen["nonce"] += "'nonce-" in response.get("Content-Security-Policy", "")
    assert not problems, "\n".join(problems[:40])
    # The walk must have opened real pages and a PDF, or it proves little.
    assert seen["ok"] > 50, seen
    assert seen["pdf"] >= 1, seen
    assert seen["nonce"] > 50, seen


@pytest.mark.parametrize("path", ["/inloggen/", "/portaal/inloggen/"])
def test_login_pages_are_not_stored(path):
    """ASVS 14.3.2: the login pages (credentials, CSRF token) are never cached."""
    response = Client().get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not _problems(response, authenticated=True)


def test_error_pages_carry_the_headers_too(world):
    """A 404 answer of the application has the same headers (pytest-django runs DEBUG off)."""
    client = login_verified(Client(), world.users["case_coordinator"])
    missing = reverse("casusoverleg:case_detail", kwargs={"uuid": uuid.uuid4()})
    response = client.get(missing)
    assert response.status_code == 404
    assert not _problems(response, authenticated=True)


PRODUCTION_NAMES = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
]


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, object]:
    """The transport settings as a production process (IS_HTTPS on, DEBUG off) loads them."""
    values = _settings(
        PRODUCTION_NAMES,
        **_production_environment(tmp_path_factory.mktemp("prod")),
        IS_HTTPS="true",
    )
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"] or ())
    return values


def test_production_transport_settings(production):
    """R-10-4, ASVS 3.3.1-3.3.4 and 9.1: HSTS for at least a year with subdomains, and session
    and CSRF cookies that are Secure, HttpOnly, SameSite and `__Host-` prefixed."""
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    for kind in ("SESSION", "CSRF"):
        assert production[f"{kind}_COOKIE_SECURE"] is True, kind
        assert production[f"{kind}_COOKIE_HTTPONLY"] is True, kind
        assert production[f"{kind}_COOKIE_SAMESITE"] in ("Lax", "Strict"), kind
        assert str(production[f"{kind}_COOKIE_NAME"]).startswith("__Host-"), kind


def test_production_responses_set_hsts_and_host_only_secure_cookies(world, production):
    """Over HTTPS with the production settings: the HSTS header, and the session and CSRF
    cookies as `__Host-` cookies (Secure, HttpOnly, SameSite, Path=/, no Domain)."""
    values = dict(production)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"]) or None
    with override_settings(**values):
        client = Client(headers={"x-forwarded-proto": "https"})
        login_page = client.get("/inloggen/", secure=True)
        assert login_page.status_code == 200
        hsts = login_page["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 365 * 24 * 3600
        assert "includeSubDomains" in hsts
        login_verified(client, world.users["case_coordinator"])
        page = client.get("/", secure=True, follow=False)
        cookies = {**login_page.cookies, **page.cookies}
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            assert name.startswith("__Host-")
            morsel = cookies[name]
            assert morsel["secure"], name
            assert morsel["httponly"], name
            assert morsel["samesite"] in ("Lax", "Strict"), name
            assert morsel["path"] == "/", name
            assert not morsel["domain"], name
        assert "no-store" in page["Cache-Control"]
        # Plain HTTP is sent to HTTPS.
        insecure = Client().get("/inloggen/")
        assert insecure.status_code == 301
        assert insecure["Location"].startswith("https://")


def _template_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    files = list((root / "templates").rglob("*.html"))
    for app in ("core", "parties", "audit", "convenant", "consent", "casusoverleg", "portal"):
        files += list((root / app / "templates").rglob("*.html"))
    return files


INLINE = [
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an inline event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
    (re.compile(r"\shx-on", re.IGNORECASE), "an hx-on attribute (needs eval)"),
]


def test_no_template_has_inline_script_or_style():
    """ASVS 14.4 / strict CSP: no template has inline style, event handlers or inline script;
    every <script> loads a static file with the request's nonce. E-mail templates are exempt:
    CSP does not apply to e-mail and mail clients need inline styles (they carry no script)."""
    problems = []
    files = _template_files()
    assert len(files) > 50
    for path in files:
        if "/email/" in str(path):
            assert "<script" not in path.read_text(encoding="utf-8").lower(), path
            continue
        source = path.read_text(encoding="utf-8")
        problems += [f"{path}: {what}" for pattern, what in INLINE if pattern.search(source)]
        for tag in SCRIPT_TAG.findall(source):
            if "src=" not in tag or 'nonce="{{ request.csp_nonce }}"' not in tag:
                problems.append(f"{path}: {tag}")
    assert not problems, json.dumps(problems, indent=1)


def test_check_deploy_is_clean_with_https_production_settings(tmp_path):
    """ASVS 14.1 / 3.4: `manage.py check --deploy` reports nothing (no warning silenced:
    SILENCED_SYSTEM_CHECKS is empty) with DEBUG off, IS_HTTPS on and a PostgreSQL URL (the
    check does not connect)."""
    from tests.test_settings import _run

    environment = {
        **_production_environment(tmp_path),
        "IS_HTTPS": "true",
        "DATABASE_URL": "postgres://casusoverleg@db.invalid:5432/casusoverleg",
        "CSRF_TRUSTED_ORIGINS": "https://example.org",
    }
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout + result.stderr
