"""Finding every POST form of the project by walking its pages (invariant 9, issue 7).

The hostile-input tests do not list forms by hand: they request every URL of `tests.urls` as
every user of the test world, parse each `<form method="post">` of the answer with the standard
library's HTML parser, and keep one copy of each distinct form (target and field names). A new
form is fuzzed the day it appears on a page.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from django.test import Client

from tests.helpers import login_verified
from tests.urls import routes


@dataclass
class Field:
    """One named control of a form: its kind, the value the page filled in, and its choices."""

    name: str
    kind: (
        str  # input type ("text", "hidden", "checkbox", "file", …), "select", "textarea", "submit"
    )
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    required: bool = False
    checked: bool = False


@dataclass
class Form:
    """A POST form as a page shows it, and who saw it where."""

    action: str
    page: str
    who: str
    fields: list[Field] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What makes two forms the same: their target and their field names."""
        return self.action, tuple(sorted({f.name for f in self.fields if f.kind != "submit"}))

    @property
    def has_file(self) -> bool:
        return any(f.kind == "file" for f in self.fields)

    def __str__(self) -> str:
        return f"POST {self.action} (as {self.who}, from {self.page})"


class _FormParser(HTMLParser):
    """Collects the POST forms of one page with their controls (inputs, selects, textareas,
    named submit buttons)."""

    def __init__(self, page: str, who: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.who = page, who
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(
                    urljoin(self.page, a.get("action") or self.page), self.page, self.who
                )
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                kind = "submit"
            form.fields.append(
                Field(
                    name,
                    kind,
                    a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    required="required" in a,
                    checked="checked" in a,
                )
            )
        elif tag == "button" and name:
            form.fields.append(Field(name, "submit", a.get("value", "")))
        elif tag == "select" and name:
            self._select = Field(name, "select", multiple="multiple" in a, required="required" in a)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea", required="required" in a)
            form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["text"].strip()
            self._select.options.append(value)
            if option["selected"]:
                self._select.value = value
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def parse_forms(html: str, page: str, who: str) -> list[Form]:
    """The POST forms of `html`, with actions made absolute against `page`."""
    parser = _FormParser(page, who)
    parser.feed(html)
    parser.close()
    return parser.forms


# The users whose pages are walked, the case's own people first, so that each form is fuzzed as
# someone who may use it; the FG and the beheerder find the forms of their own pages, the invited
# professional the answer to an invitation. The uninvolved roles (school coordinator,
# leerplicht, youth care, …) showed no form that these do not (measured): leaving them out
# halves the walk.
USERS = [
    "case_coordinator",
    "involved_professional",
    "parent",
    "youth",
    "privacy_officer",
    "administrator",
    "invited_professional",
]


@dataclass
class Discovery:
    """What the walk found: the distinct forms, and the POST-only URLs no page linked to."""

    forms: list[Form]
    pages: int
    post_urls_without_form: list[str]


def _get(client: Client, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200 or getattr(response, "streaming", False):
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    return response


def discover(world: Any) -> Discovery:
    """Walk every URL as anonymous and as every user of `USERS`; return the distinct forms."""
    seen: dict[tuple[str, tuple[str, ...]], Form] = {}
    pages = 0
    all_routes = routes(world)
    clients: list[tuple[str, Client]] = [("anonymous", Client())]
    clients += [(who, login_verified(Client(), world.users[who])) for who in USERS]
    for who, client in clients:
        for route in all_routes:
            response = _get(client, route.path)
            if response is None:
                continue
            pages += 1
            for form in parse_forms(response.content.decode(), route.path, who):
                seen.setdefault(form.key, form)
    targets = {form.action.split("?", 1)[0] for form in seen.values()}
    # A URL that answers GET with 405 takes POST only; if no page showed a form for it, the walk
    # cannot fuzz it and says so.
    probe = clients[1][1]
    post_only = [
        route.path
        for route in all_routes
        if route.path not in targets and probe.get(route.path).status_code == 405
    ]
    return Discovery(list(seen.values()), pages, post_only)


def iter_fields(form: Form) -> Iterator[Field]:
    """The form's fields without the submit buttons."""
    return (f for f in form.fields if f.kind != "submit")
