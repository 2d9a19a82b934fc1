"""The application log's safety net: no secrets, no free text, one record per line (issue 7).

The access log (audit.AccessEvent) says who looked at what; this is the other log, of the
processes themselves (docs/security.md, "Application logs"). Its rules:

* control characters in logged values (CR, LF, tabs, escapes) are written escaped (`\\n`), so
  a value cannot start a forged log line (ASVS 16.4.1, log injection);
* values under keys that name secrets (password, token, otp, code, secret, key, authorization,
  cookie, csrf, session; also an exception text under `exc`) are replaced by `[redacted]`;
* invitation links carry a token in their path: it is cut from any logged path;
* an exception's own message is withheld from the traceback (its type, file and line stay):
  a database error quotes the failing row, a validation error the value (ASVS 16.2.5). DEBUG
  processes (the demo, a developer's machine) keep it.

Code logs ids and codes, never request bodies or free text (STYLE; tests/core/test_logging.py
drives the main flows and greps everything logged).
"""

import logging
import re
import traceback
from collections.abc import Mapping
from typing import Any

from django.conf import settings

REDACTED = "[redacted]"
SECRET_KEY_PARTS = (
    "password",
    "passwd",
    "token",
    "otp",
    "code",
    "secret",
    "key",
    "authorization",
    "cookie",
    "csrf",
    "session",
    "salt",
)
# Keys that merely contain a secret-sounding part but are safe and useful.
SAFE_KEYS = {"status_code"}
# Celery writes the exception's text under "exc"; the traceback keeps its type.
TEXT_KEYS = {"exc"}
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# Invitation and password-reset links: /…/activeren/<uid>/<token>/ and /reset/<uid>/<token>/.
TOKEN_PATH = re.compile(r"(/(?:activeren|reset)/)[^/\s]+/[^/\s]+")
# The attributes every LogRecord has; anything else came in through `extra=`.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def neutralise(text: str) -> str:
    """`text` with control characters escaped and tokens cut from invitation paths."""
    return TOKEN_PATH.sub(r"\1" + REDACTED, CONTROL.sub(_escape, text))


def is_secret_key(key: object) -> bool:
    """Whether a structured-data key names something never to be logged."""
    name = str(key).lower()
    if name in SAFE_KEYS:
        return False
    return name in TEXT_KEYS or any(part in name for part in SECRET_KEY_PARTS)


def _clean(value: Any) -> Any:
    """A logged value made safe: strings neutralised, mappings redacted by key, exceptions
    reduced to their type. Other objects stay (a `%d` must still get its number); what they
    print is neutralised by SafeFormatter."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if is_secret_key(k) else _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, BaseException):
        # The message of an exception can quote data; its type is what the reader needs.
        return f"{type(value).__name__}({REDACTED})"
    return value


class SafeLogFilter(logging.Filter):
    """Makes every record safe before any handler writes it (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _clean(record.msg)
        if isinstance(record.args, Mapping):
            record.args = _clean(record.args)
        elif record.args:
            record.args = tuple(_clean(arg) for arg in record.args)
        for key in set(vars(record)) - STANDARD:
            value = getattr(record, key)
            if is_secret_key(key):
                setattr(record, key, REDACTED)
            elif isinstance(value, str | Mapping | list):
                setattr(record, key, _clean(value))
        return True


class SafeFormatter(logging.Formatter):
    """One line per record, with exception messages withheld outside DEBUG."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        if settings.DEBUG:
            return super().formatException(ei)
        return "".join(_withheld(traceback.TracebackException(*ei[:3])))

    def format(self, record: logging.LogRecord) -> str:
        return neutralise(super().format(record))


def _withheld(te: traceback.TracebackException) -> list[str]:
    """A traceback as `traceback` formats it, with every exception's message left out."""
    lines: list[str] = []
    if te.__cause__ is not None:
        lines += _withheld(te.__cause__)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif te.__context__ is not None and not te.__suppress_context__:
        lines += _withheld(te.__context__)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if te.stack:
        lines.append("Traceback (most recent call last):\n")
        lines += te.stack.format()
    exc_type = te.exc_type
    name = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else "Exception"
    lines.append(f"{name}: [message withheld]\n")
    return lines
