"""PDF rendering: Django template → HTML → PDF with WeasyPrint (STYLE §4.11 "PDF").

This is the only module that imports WeasyPrint (a ruff ban enforces it), and it does so inside
the function: importing WeasyPrint loads Pango through cffi, which costs time and memory in every
web process that never renders a PDF.

WeasyPrint can fetch any URL a template names. Documents here describe children, so rendering must
never touch the network or the server's file system: `StaticOnlyURLFetcher` serves the project's
static files from disk and refuses everything else.
"""

import base64
import mimetypes
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import get_language

# Relative URLs in a template ("/static/css/print.css") need a base. This origin is reserved
# (RFC 2606 `.invalid` never resolves) and only ever interpreted by our fetcher, so a URL that
# carries it can be mapped to a static file and nothing can reach a real host.
BASE_URL = "https://pdf.casusoverleg.invalid/"

# PDF/UA-1: a tagged PDF with a structure tree, document language and title, so that screen
# readers can read minutes and inzage reports (EN 301 549 for documents). WeasyPrint 70 supports
# it with our vendored fonts (TrueType and woff2, both embedded), so no fallback to pdf/a-3u is
# needed; tests/core/test_pdf.py checks the tags, /Lang, /Title and the embedded fonts.
PDF_VARIANT = "pdf/ua-1"

# Data URLs are local (no fetch), but only images have a use in our documents.
_DATA_IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"}
)


class ResourceRefusedError(ValueError):
    """A PDF template referred to a resource that is not a static file of this project.

    WeasyPrint catches ordinary exceptions from a URL fetcher, logs them and leaves the
    resource out, so a refused image or stylesheet never stops a document from rendering.
    """


def _static_prefixes() -> list[str]:
    """The URL prefixes under which a static file may be requested, most specific first."""
    static_url = settings.STATIC_URL or "/static/"
    prefixes = []
    parts = urlsplit(static_url)
    if parts.scheme in ("http", "https"):
        # An absolute STATIC_URL (a CDN in production) is accepted by string prefix only;
        # the file is still read from disk, never fetched from that host.
        prefixes.append(static_url)
        path = parts.path
    else:
        path = static_url
    path = "/" + path.lstrip("/")
    prefixes.append(BASE_URL.rstrip("/") + path)
    return prefixes


def _static_path(url: str) -> Path:
    """The file on disk for a static URL, or `ResourceRefusedError` when there is none.

    The path goes through the staticfiles finders (STATICFILES_DIRS and the apps' `static/`),
    which refuse `..` traversal themselves; we refuse it earlier as well, for a clear message.
    """
    url = url.split("#", 1)[0].split("?", 1)[0]
    for prefix in _static_prefixes():
        if url.startswith(prefix):
            relative = unquote(url[len(prefix) :])
            break
    else:
        raise ResourceRefusedError(f"Not a static file URL, refused: {url}")
    if not relative or any(part in ("", ".", "..") for part in relative.split("/")):
        raise ResourceRefusedError(f"Unsafe static path, refused: {url}")
    found = finders.find(relative)
    if not found:
        raise ResourceRefusedError(f"No such static file: {relative}")
    # `find` returns a list only with all=True; the type is widened for that case.
    return Path(found if isinstance(found, str) else found[0])


def _data_image(url: str) -> tuple[bytes, str]:
    """Decode a `data:image/...` URL into (body, media type); refuse any other data URL."""
    header, sep, payload = url.removeprefix("data:").partition(",")
    media_type = header.split(";", 1)[0].strip().lower()
    if not sep or media_type not in _DATA_IMAGE_TYPES:
        raise ResourceRefusedError(f"Only data: images are allowed, refused: {url[:40]}…")
    if header.endswith(";base64"):
        return base64.b64decode(payload), media_type
    return unquote_to_bytes(payload), media_type


def url_fetcher() -> Any:
    """A new WeasyPrint URL fetcher that serves static files from disk and refuses the rest.

    Built inside a function because the base class lives in WeasyPrint, which is imported lazily.
    WeasyPrint 70 expects a `URLFetcher` instance (it reads `_fail_on_errors` from it), so we
    subclass it and override `fetch`, the single entry point; the inherited urllib handlers are
    never used.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves `STATIC_URL` files (and data: images) from disk; no network, no `file://`."""

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            """The static file or data image behind `url`; `ResourceRefusedError` otherwise."""
            if url.startswith("data:"):
                body, media_type = _data_image(url)
                return URLFetcherResponse(url, body, {"Content-Type": media_type})
            path = _static_path(url)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            content_type = media_type + ("; charset=utf-8" if media_type == "text/css" else "")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyURLFetcher(timeout=1, allow_redirects=False)


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    watermark: str = "",
    request: HttpRequest | None = None,
) -> tuple[str, bytes]:
    """Render `template_name` with `context` and return `(html, pdf)`; the PDF is PDF/UA-1.

    The template extends `layouts/print.html`. `watermark` (e.g. "Gedownload door Jan Jansen
    (Testschool) op 28-11-2026 14:03") is printed in the footer and diagonally on every page, as
    real text, so that a printout shows who produced it (covenant R-11-2). The PDF title is
    `context["title"]` when given, its language the active Django language. `request`, when
    given, lets the context processors run, as for a page.
    """
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "pdf_watermark": watermark}, request=request)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).render(
        pdf_variant=PDF_VARIANT
    )
    # The layout puts both in the HTML already; setting them here keeps the PDF's /Title and
    # /Lang right even for a template that overrides the <title> block or the <html> tag.
    if context.get("title"):
        document.metadata.title = str(context["title"])
    document.metadata.lang = get_language() or settings.LANGUAGE_CODE
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return html, pdf


def pdf_to_png(pdf: bytes, directory: Path) -> list[Path]:
    """Rasterise every page of `pdf` to `directory/page-N.png` at 80 dpi; return them in order.

    For tests and for engineers who want to look at a document. Needs `pdftoppm` (poppler-utils);
    raises `FileNotFoundError` with that hint when it is missing.
    """
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise FileNotFoundError("pdftoppm not found: install poppler-utils")
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as source:
        source.write(pdf)
        source.flush()
        # Fixed arguments and an absolute executable path: no shell, nothing user-controlled.
        subprocess.run(  # noqa: S603
            [pdftoppm, "-png", "-r", "80", source.name, str(directory / "page")],
            check=True,
            capture_output=True,
            timeout=120,
        )
    # pdftoppm pads the page number to the width of the page count (page-01.png for 10+ pages),
    # so sort numerically rather than by name.
    return sorted(directory.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
