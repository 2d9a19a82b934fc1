"""Bad input is refused, not stored (DESIGN invariant 9; issue 7 "Bad input").

Every POST form of the project is found by walking its pages (tests/fuzz/forms.py), then posted
with hypothesis-generated hostile values as a user who may use it. For every example: no server
error (the test client re-raises it), no other youth's data in the answer, and a refused form
(re-rendered, 200 or 400) wrote no business row anywhere and tells the user what is wrong. Each
example runs in a savepoint that is rolled back, so the examples do not build on each other.
"""

from http.cookies import SimpleCookie
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import resolve

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import login_verified
from tests.test_authorization_matrix import OWN_ORGANISATION_DATA
from tests.urls import routes

from .conftest import fuzz_settings
from .forms import Discovery, Form, discover, iter_fields
from .values import HOSTILE_TEXT, MISSING, field_values
from .world import Foreign, foreign_region, row_counts

pytestmark = pytest.mark.django_db

# With fewer distinct forms than this the walk has lost its way (a changed login, a broken
# page) and would prove nothing.
MINIMUM_FORMS = 35

# People involved with the world's other youth; for everyone else its names are a leak.
KNOW_THE_OTHER_YOUTH = {"other_case_coordinator", "other_case_professional"}

# Signs that a re-rendered page tells the user what is wrong (templates/django/forms/field.html,
# templates/components/form_errors.html).
ERROR_MARKS = ('aria-invalid="true"', 'role="alert"', "utrecht-form-field-error-message")


class _RollbackError(Exception):
    """Raised at the end of an example to undo what it wrote."""


def _url_name(path: str) -> str:
    match = resolve(path.split("?", 1)[0].split("#", 1)[0])
    return match.view_name


def _distinct_per_url(forms: list[Form]) -> list[Form]:
    """One form per URL name and field set: the checklist's fourteen toggles are one form."""
    seen: dict[tuple[str, tuple[str, ...]], Form] = {}
    for form in forms:
        seen.setdefault((_url_name(form.action), form.key[1]), form)
    return list(seen.values())


def _leak_strings(world: Any, foreign: Foreign, who: str, url_name: str) -> list[str]:
    strings = list(foreign.names)
    if who not in KNOW_THE_OTHER_YOUTH and (who, url_name) not in OWN_ORGANISATION_DATA:
        other = world.other_youth
        strings += [other.given_name + " " + other.family_name]
    return strings


def _post_data(data: st.DataObject, form: Form, foreign: Foreign) -> dict[str, Any]:
    """Draw a value for every field name of `form` (or leave it out)."""
    names: dict[str, list] = {}
    for f in iter_fields(form):
        names.setdefault(f.name, []).append(f)
    post: dict[str, Any] = {}
    for name, group in names.items():
        if name == "csrfmiddlewaretoken":
            post[name] = group[0].value
            continue
        value = data.draw(field_values(group, foreign.ids), label=name)
        if value is not MISSING:
            post[name] = value
    buttons = [f for f in form.fields if f.kind == "submit"]
    if buttons:
        button = data.draw(st.sampled_from(buttons), label="button")
        post[button.name] = data.draw(
            st.sampled_from([button.value, *HOSTILE_TEXT[:4]]), label=button.name
        )
    return post


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _check_one(client: Client, form: Form, post: dict[str, Any], leaks: list[str]) -> None:
    """Post once in a savepoint, check the answer, roll back."""
    cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
    try:
        with transaction.atomic():
            before = row_counts()
            response = client.post(form.action, post)
            body = _body(response)
            assert response.status_code < 500, f"{form}: {response.status_code}"
            leaked = [text for text in leaks if text in body]
            assert not leaked, f"{form} showed another youth's data: {leaked}"
            refused = response.status_code in (200, 400, 403, 404, 405)
            if refused:
                changed = {
                    k: (v, after)
                    for (k, v), after in zip(before.items(), row_counts().values(), strict=True)
                    if v != after
                }
                assert not changed, f"{form} refused the input but wrote rows: {changed}"
            if response.status_code in (200, 400) and "text/html" in response.get(
                "Content-Type", ""
            ):
                assert any(mark in body for mark in ERROR_MARKS), (
                    f"{form} refused the input without a message"
                )
            raise _RollbackError
    except _RollbackError:
        pass
    finally:
        # A fuzzed logout or login replaced the session; the next example starts as before.
        client.cookies = cookies


def _fuzz(world: Any, foreign: Foreign, form: Form) -> None:
    client = Client()
    if form.who != "anonymous":
        login_verified(client, world.users[form.who])
    leaks = _leak_strings(world, foreign, form.who, _url_name(form.action))

    @fuzz_settings()
    @given(data=st.data())
    def example(data: st.DataObject) -> None:
        _check_one(client, form, _post_data(data, form, foreign), leaks)

    example()


@pytest.fixture
def walk(world: Any) -> tuple[Discovery, Foreign]:
    foreign = foreign_region()
    return discover(world), foreign


def test_invariant_9_every_form_refuses_hostile_input_cleanly(world, walk):
    """Invariant 9: every POST form, fuzzed with hostile values: never a server error, never
    another youth's data, and a refusal writes no row and says what is wrong."""
    discovery, foreign = walk
    failures = []
    forms = _distinct_per_url(discovery.forms)
    assert len(forms) >= MINIMUM_FORMS
    for form in forms:
        try:
            _fuzz(world, foreign, form)
        except Exception as error:  # collect every form's failure, then report
            failures.append(f"{form}\n    {type(error).__name__}: {str(error)[:2000]}")
    assert not failures, f"{len(failures)} of {len(forms)} forms failed:\n" + "\n".join(failures)


def test_invariant_9_post_only_urls_refuse_garbage(world):
    """Invariant 9: every POST-only URL (GET answers 405), also those no page of the test world
    shows a form for (the state that shows it is not in the world), answers garbage without a
    server error and without another youth's data."""
    foreign = foreign_region()
    client = login_verified(Client(), world.users["case_coordinator"])
    post_only = [route.path for route in routes(world) if client.get(route.path).status_code == 405]
    assert len(post_only) > 10
    for path in post_only:
        _fuzz_blind(client, Form(action=path, page=path, who="case_coordinator"), foreign)


def _fuzz_blind(client: Client, form: Form, foreign: Foreign) -> None:
    """Post dictionaries of likely field names and hostile values to a URL without a form."""

    @fuzz_settings()
    @given(
        post=st.dictionaries(
            st.sampled_from(["text", "reason", "decision", "kind", "uuid", "next", "answer"]),
            st.sampled_from(HOSTILE_TEXT + foreign.ids),
            max_size=5,
        )
    )
    def example(post: dict[str, str]) -> None:
        _check_one(client, form, post, foreign.names)

    example()


def test_invariant_9_the_walk_finds_the_forms_and_upload_forms_refuse_bad_files(world, walk):
    """Invariant 9: the discovery reaches enough forms to prove something, and says which
    POST-only URLs it could not reach through a page; every discovered file input refuses a
    script posing as a PDF and a file above the limit, with a message at the field and no row
    written (one walk for both: it is the slow part)."""
    discovery, _ = walk
    forms = _distinct_per_url(discovery.forms)
    names = {_url_name(form.action) for form in forms}
    print(f"\n{len(forms)} distinct forms on {discovery.pages} pages")  # noqa: T201
    print("POST URLs without a form on any page:", *discovery.post_urls_without_form, sep="\n  ")  # noqa: T201
    assert len(forms) >= MINIMUM_FORMS, sorted(names)
    # The forms that matter most are among them.
    for expected in (
        "login",
        "casusoverleg:shared_item_create",
        "casusoverleg:minutes",
        "casusoverleg:consent_request",
        "portal:request_create",
        "convenant:reference_create",
    ):
        assert expected in names, expected
    assert any(form.has_file for form in forms), "no upload form was found"
    _upload_forms_refuse_bad_files(world, [form for form in forms if form.has_file])


def _plain_data(form: Form) -> dict[str, Any]:
    """The form as a user would send it untouched: each field's own value or first option."""
    post: dict[str, Any] = {}
    for f in iter_fields(form):
        if f.kind == "radio" and f.name not in post:
            post[f.name] = f.value
        elif f.kind == "select":
            post[f.name] = f.value or next((o for o in f.options if o), "")
        elif f.kind not in ("checkbox", "radio", "file"):
            post[f.name] = f.value.strip()
    return post


# Larger than any sensible limit for a scanned form (consent: 10 MB by default).
OVERSIZE = 26 * 1024 * 1024


def _upload_forms_refuse_bad_files(world: Any, uploads: list[Form]) -> None:
    for form in uploads:
        client = login_verified(Client(), world.users[form.who])
        for name, content in (
            ("formulier.pdf", b"<script>alert(1)</script>"),
            ("groot.pdf", b"%PDF-1.7\n" + b"0" * OVERSIZE),
        ):
            post = _plain_data(form)
            files = [f.name for f in form.fields if f.kind == "file"]
            for field_name in files:
                post[field_name] = SimpleUploadedFile(name, content, "application/pdf")
            before = row_counts()
            response = client.post(form.action, post)
            assert response.status_code in (200, 400), (str(form), name)
            assert row_counts() == before, (str(form), name)
            body = response.content.decode()
            for field_name in files:
                assert f'{field_name}_error"' in body, (str(form), name, field_name)
