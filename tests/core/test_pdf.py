"""core.pdf: templates render to accessible PDFs with a watermark, and nothing is fetched remotely.

The test templates live in a locmem template loader installed for these tests only, so production
code and production template directories hold no test templates.
"""

import io
import os
import shutil
import socket
from collections.abc import Iterator

from django.conf import settings
from django.test import override_settings
from django.utils import translation

import pytest
from pypdf import PdfReader

from core import pdf

WATERMARK = "Gedownload door Jan Jansen (Testschool) op 28-11-2026 14:03"
TITLE = "Verslag casusoverleg 28 november 2026"

SHORT = """{% extends "layouts/print.html" %}
{% block content %}<p>Afspraak: de school belt de ouders deze week.</p>{% endblock %}"""

# Enough agenda items and tables to fill three or more A4 pages.
LONG = """{% extends "layouts/print.html" %}
{% block content %}{% for n in items %}
<h2>Agendapunt {{ n }}</h2>
<p>Besproken is de ondersteuningsbehoefte van de jeugdige. De school heeft met toestemming van de
ouders de verzuimgegevens gedeeld. Afspraak: de leerplichtambtenaar neemt contact op.</p>
<table><thead><tr><th>Actie</th><th>Wie</th></tr></thead>
<tbody><tr><td>Gesprek plannen</td><td>Leerplicht</td></tr></tbody></table>
{% endfor %}{% endblock %}"""

# Every way a template could make WeasyPrint reach outside the static files.
HOSTILE = """{% extends "layouts/print.html" %}
{% block content %}
<p>Tekst blijft staan.</p>
<img src="https://example.org/x.png" alt="">
<img src="http://127.0.0.1:9/tracker.gif" alt="">
<img src="file:///etc/passwd" alt="">
<link rel="stylesheet" href="file:///etc/passwd">
<div style="background: url('https://example.org/bg.png')">&nbsp;</div>
<img src="/static/../config/settings.py" alt="">
{% endblock %}"""

TEMPLATES = {
    "pdf_test/short.html": SHORT,
    "pdf_test/long.html": LONG,
    "pdf_test/hostile.html": HOSTILE,
}


def _with_test_templates() -> list[dict[str, object]]:
    """The project's TEMPLATES setting with a locmem loader holding `TEMPLATES` in front."""
    engine = dict(settings.TEMPLATES[0])
    options = dict(engine["OPTIONS"])
    options["loaders"] = [
        ("django.template.loaders.locmem.Loader", TEMPLATES),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    # Django refuses APP_DIRS together with explicit loaders; the app loader above replaces it.
    return [{**engine, "APP_DIRS": False, "OPTIONS": options}]


@pytest.fixture(scope="module")
def test_templates() -> Iterator[None]:
    """Make the test templates loadable (module-wide, so slow renders can be shared)."""
    with override_settings(TEMPLATES=_with_test_templates()), translation.override("nl"):
        yield


@pytest.fixture(scope="module")
def long_document(test_templates: None) -> bytes:
    """A document of three or more pages with a watermark, rendered once for this module."""
    _, document = pdf.render_pdf(
        "pdf_test/long.html", {"title": TITLE, "items": range(1, 16)}, watermark=WATERMARK
    )
    return document


@pytest.fixture(scope="module")
def long_pdf(long_document: bytes) -> PdfReader:
    """`long_document`, parsed; at least three pages, or the tests below prove little."""
    reader = PdfReader(io.BytesIO(long_document))
    assert len(reader.pages) >= 3, "the fixture must span at least three pages"
    return reader


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Exception | None]]:
    """Every URL the PDF fetcher is asked for, with the exception it raised (None if served)."""
    log: list[tuple[str, Exception | None]] = []
    real_factory = pdf.url_fetcher

    def spying_factory() -> object:
        """The real fetcher, with `fetch` wrapped to log each URL and its outcome."""
        fetcher = real_factory()
        real_fetch = fetcher.fetch

        def fetch(url: str, headers: object = None) -> object:
            """Delegate to the real `fetch`, logging the URL and any exception."""
            try:
                response = real_fetch(url, headers)
            except Exception as exc:
                log.append((url, exc))
                raise
            log.append((url, None))
            return response

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(pdf, "url_fetcher", spying_factory)
    return log


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and block) every DNS lookup and socket connection; the test asserts it stays empty.

    Recording rather than only raising matters: WeasyPrint swallows fetch errors, so an exception
    raised here alone could go unnoticed.
    """
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        """Log the attempt and fail it, as an unreachable network would."""
        attempts.append(args)
        raise OSError("network access in a PDF test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_render_returns_html_and_a_pdf_with_the_template_text(test_templates):
    """(html, pdf): the HTML is the rendered template; the PDF holds its text as text."""
    html, document = pdf.render_pdf("pdf_test/short.html", {"title": TITLE})

    assert '<html lang="nl">' in html
    assert f"<title>{TITLE}</title>" in html
    assert document.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert "Afspraak: de school belt de ouders deze week." in text
    assert TITLE in text
    assert "Casusoverleg" in text


def test_pdf_is_tagged_with_title_and_language(test_templates):
    """PDF/UA-1: tagged (structure tree, MarkInfo), /Title from context["title"], /Lang nl."""
    _, document = pdf.render_pdf("pdf_test/short.html", {"title": TITLE})

    reader = PdfReader(io.BytesIO(document))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == TITLE
    assert root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    # The PDF/UA identification lives in the (compressed) XMP metadata stream.
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()


def test_language_follows_the_active_language(test_templates):
    """An English session produces an English-tagged PDF."""
    with translation.override("en"):
        html, document = pdf.render_pdf("pdf_test/short.html", {"title": TITLE})

    assert '<html lang="en">' in html
    assert PdfReader(io.BytesIO(document)).trailer["/Root"]["/Lang"] == "en"


def test_watermark_is_text_on_every_page(long_pdf):
    """R-11-2: every page of a printout says who downloaded it, as extractable text."""
    for number, page in enumerate(long_pdf.pages, start=1):
        # Twice: once in the footer, once diagonally across the page.
        assert page.extract_text().count(WATERMARK) == 2, f"watermark missing on page {number}"


def test_every_page_is_numbered_x_of_y(long_pdf):
    """The footer reads "Pagina X van Y" on each page."""
    total = len(long_pdf.pages)
    for number, page in enumerate(long_pdf.pages, start=1):
        assert f"Pagina {number} van {total}" in page.extract_text()


def test_no_watermark_text_without_a_watermark(test_templates):
    """Without `watermark` the layout prints no empty watermark boxes (and no stray text)."""
    html, _ = pdf.render_pdf("pdf_test/short.html", {"title": TITLE})

    assert "pdf-watermark" not in html


def test_remote_and_file_urls_are_never_fetched(test_templates, fetched, no_network):
    """No network and no file:// reads: the fetcher refuses each such URL and no socket opens."""
    _, document = pdf.render_pdf("pdf_test/hostile.html", {"title": TITLE}, watermark=WATERMARK)

    assert no_network == []
    refused = {url for url, error in fetched if isinstance(error, pdf.ResourceRefusedError)}
    assert {
        "https://example.org/x.png",
        "http://127.0.0.1:9/tracker.gif",
        "file:///etc/passwd",
        "https://example.org/bg.png",
    } <= refused
    served = [url for url, error in fetched if error is None]
    assert served, "the static stylesheet and fonts are still served"
    assert all(url.startswith(pdf.BASE_URL + "static/") for url in served)
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert "Tekst blijft staan." in text
    assert "root:" not in text


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x.png",
        "http://localhost/static/css/print.css",
        "file:///etc/passwd",
        "ftp://example.org/x.png",
        "data:text/html,<p>x</p>",
        "data:text/css,body{}",
        pdf.BASE_URL + "media/private/verslag.pdf",
        pdf.BASE_URL + "static/../config/settings.py",
        pdf.BASE_URL + "static/%2e%2e/config/settings.py",
        pdf.BASE_URL + "static/css/does-not-exist.css",
        "https://pdf.casusoverleg.invalid.example.org/static/css/print.css",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url, no_network):
    """Only static files (and inline images) are served; each refusal is an ordinary error."""
    with pytest.raises(pdf.ResourceRefusedError):
        pdf.url_fetcher().fetch(url)
    assert no_network == []


def test_fetcher_serves_static_files_and_inline_images_from_disk(no_network):
    """print.css comes from disk with a CSS type; a data: PNG is decoded locally."""
    css = pdf.url_fetcher().fetch(pdf.BASE_URL + "static/css/print.css")
    png = pdf.url_fetcher().fetch("data:image/png;base64,iVBORw0KGgo=")

    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    assert png.content_type == "image/png"
    assert png.read() == b"\x89PNG\r\n\x1a\n"
    assert no_network == []


def test_vendored_noto_font_is_embedded(test_templates, fetched):
    """The text font is the vendored Noto Sans TTF, embedded, not a system fallback."""
    _, document = pdf.render_pdf("pdf_test/short.html", {"title": TITLE})

    served = [url for url, error in fetched if error is None]
    assert pdf.BASE_URL + "static/vendor/fonts/noto-sans/ttf/NotoSans-Regular.ttf" in served
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(document)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Noto" in name for name in fonts), fonts


def test_pdf_to_png_writes_one_image_per_page(long_document, long_pdf, tmp_path):
    """pdftoppm turns each page into a PNG (poppler-utils; CI must have it, see .ci/run)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing in CI: .ci/run installs poppler-utils")
        pytest.skip("needs pdftoppm: apt-get install poppler-utils")

    pages = pdf.pdf_to_png(long_document, tmp_path / "png")

    assert len(pages) == len(long_pdf.pages)
    assert [p.stem.rsplit("-", 1)[1].lstrip("0") for p in pages] == [
        str(n) for n in range(1, len(pages) + 1)
    ]
    for page in pages:
        assert page.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
