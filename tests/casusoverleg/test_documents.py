"""The case's PDFs: minutes, privacy notice (adult and youth) and invitation.

Documents are asked for through `services.document_request` and made by calling
`services.document_render` directly (what the Celery task does, without a broker). The PDFs are
read back with pypdf: the tests check the text a reader sees, in the order they see it.

Every test renders in Dutch, the language of the worker (settings.LANGUAGE_CODE), and looks for
the strings through gettext in that language, so the tests hold before and after the Dutch
translations of the new msgids are added.
"""

import hashlib
import io
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

import pytest
from pypdf import PdfReader

from casusoverleg import services
from casusoverleg.choices import DocumentKind, DocumentStatus, EntryKind
from casusoverleg.documents import DocumentContentMissingError, document_context
from casusoverleg.models import CaseDocument
from casusoverleg.tasks import document_render_task
from core.pdf import pdf_to_png
from tests.factories.casusoverleg import (
    CaseDocumentFactory,
    MeetingFactory,
    MinutesEntryFactory,
    PrivacyNoticeFactory,
)

LANGUAGE = "nl"
# Page images for review: test-results/pdf/<kind>/, or PDF_REVIEW_DIR when set.
PNG_DIR = Path(
    os.environ.get("PDF_REVIEW_DIR", Path(__file__).resolve().parents[2] / "test-results" / "pdf")
)

FACT = "De leerling is sinds september vaker afwezig."  # the world fixture's entry
FACT_2 = "Het rapport van oktober laat een daling zien bij rekenen."
OPINION = "De mentor verwacht dat een vaste begeleider in de klas helpt."
AGREEMENT = "School en ouders spreken elke twee weken kort met elkaar."
STATEMENT = "Wij willen graag dat ook de huiswerkbegeleiding wordt besproken."
AGENDA = "1. Opening\n2. Ondersteuning in de klas\n3. Afspraken en evaluatiedatum"


def _t(message: str) -> str:
    """`message` as the PDF shows it: translated into the render language."""
    with translation.override(LANGUAGE):
        return gettext(message)


def _day(value: object, pattern: str = "j F Y") -> str:
    """A date as the templates print it, in the render language."""
    with translation.override(LANGUAGE):
        return formats.date_format(value, pattern)


def _text(pdf: bytes) -> list[str]:
    """The extracted text of every page, whitespace folded (pypdf breaks lines freely)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _request(world, kind: str, who: str = "case_coordinator") -> CaseDocument:
    """Ask for a document as `who` and make it at once, as the worker would."""
    document = services.document_request(actor=world.users[who], case=world.case, kind=kind)
    with translation.override(LANGUAGE):
        services.document_render(document_id=document.pk)
    document.refresh_from_db()
    return document


def _assert_stored(document: CaseDocument) -> bytes:
    """The document is ready, its file is stored and the recorded sha256 is that of the bytes."""
    assert document.status == DocumentStatus.READY, document.error
    assert document.file
    with document.file.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    return pdf


def _assert_watermarked(pages: list[str], document: CaseDocument) -> None:
    """R-11-2: each page names who the copy was made for (footer and diagonal, as text)."""
    name = str(document.requested_by)
    for number, page in enumerate(pages, start=1):
        assert page.count(name) >= 2, f"watermark with {name!r} missing on page {number}"


def _in_order(text: str, *parts: str) -> None:
    """Every part occurs in `text`, each after the previous one.

    Whitespace is ignored: narrow table cells may wrap a long word anywhere (print.css).
    """
    text = "".join(text.split())
    position = -1
    for part in ("".join(p.split()) for p in parts):
        found = text.find(part, position + 1)
        assert found > position, f"{part!r} not found after position {position}"
        position = found


@pytest.fixture
def notice(world):
    """A privacy notice generated from the world's case, newer than the fixture's empty one.

    The world's parties have FG contacts (CovenantPartyFactory), so the content is complete.
    """
    return PrivacyNoticeFactory(
        case=world.case, version=2, content=services.privacy_notice_content(case=world.case)
    )


@pytest.fixture
def full_minutes(world):
    """The world's minutes with all three kinds of entries, attendance, a statement and dates.

    The entries are added out of section order on purpose: the PDF must group them.
    """
    minutes = world.meeting.minutes
    coordinator = world.users["case_coordinator"]
    MinutesEntryFactory(
        minutes=minutes,
        kind=EntryKind.OPINION,
        text=OPINION,
        owner=world.municipality,
        author=world.users["invited_professional"],
    )
    MinutesEntryFactory(minutes=minutes, kind=EntryKind.AGREEMENT, text=AGREEMENT)
    MinutesEntryFactory(
        minutes=minutes,
        kind=EntryKind.FACT,
        text=FACT_2,
        author=world.users["involved_professional"],
    )
    participants = world.participants
    services.attendance_record(
        actor=coordinator,
        meeting=world.meeting,
        entries=[
            (participants["involved_professional"], True, ""),
            (participants["invited_professional"], False, "Ziek gemeld"),
            (participants["parent"], True, ""),
            (participants["youth"], False, "Had een toets op school"),
        ],
    )
    minutes.follow_up_on = timezone.localdate() + timedelta(days=42)
    minutes.adopted_at = timezone.now()
    # The statement service accepts a statement only on minutes shared with the family.
    minutes.shared_with_family_at = timezone.now()
    minutes.save(update_fields=["follow_up_on", "adopted_at", "shared_with_family_at"])
    services.statement_add(actor=world.users["parent"], case=world.case, text=STATEMENT)
    return minutes


def test_minutes_pdf_groups_facts_opinions_agreements(world, full_minutes):
    """R-8-1: the minutes keep facts, opinions and agreements apart, in that order, each entry
    under its own heading with its owner party and author; the PDF is stored with its sha256 and
    watermarked on every page with the requester (R-11-2)."""
    document = _request(world, DocumentKind.MINUTES)

    pdf = _assert_stored(document)
    pages = _text(pdf)
    _assert_watermarked(pages, document)
    text = " ".join(pages)
    _in_order(
        text,
        _t("Attendance"),
        _t("Facts"),
        FACT,
        FACT_2,
        _t("Opinions"),
        OPINION,
        _t("Agreements"),
        AGREEMENT,
        _t("Actions"),
        world.action.description,
        _t("Follow-up"),
        _t("Own statements of parents and youth"),
        STATEMENT,
    )
    # Owner party and author next to an entry (R-8-1, R-2-1).
    _in_order(text, OPINION, world.municipality.name, str(world.users["invited_professional"]))


def test_minutes_pdf_names_the_youth_attendance_actions_and_dates(world, full_minutes):
    """§5.3 'during' and 'after', R-8-3: the minutes are about the youth (name, date of birth),
    record who was present or why not, the actions (what, who, when), the follow-up date, the
    parent's own statement and the adoption date."""
    document = _request(world, DocumentKind.MINUTES)

    text = " ".join(_text(_assert_stored(document)))
    assert "Zoë Vandersteen" in text
    assert _day(world.youth.date_of_birth) in text
    assert world.case.consultation_type.name in text
    assert str(world.users["case_coordinator"]) in text
    # Attendance: the absent youth's reason; the parent present under her own name.
    _in_order(text, "Wilhelmina Oosterbroek", _t("Present"))
    assert "Had een toets op school" in text
    assert "Ziek gemeld" in text
    # The action with its owner and due date.
    _in_order(
        text,
        world.action.description,
        str(world.users["involved_professional"]),
        _day(world.action.due_on),
    )
    assert _day(full_minutes.follow_up_on, "l j F Y") in text
    _in_order(text, STATEMENT, "Wilhelmina")  # the statement's author, after her words
    _in_order(text, _t("Minutes adopted"), _day(timezone.localdate()))
    assert _t("Draft: these minutes have not been adopted yet. They can still change.") not in text


def test_draft_minutes_say_so(world):
    """§5.3 'after': minutes that are not adopted yet are marked as a draft on the first page."""
    document = _request(world, DocumentKind.MINUTES)

    first_page = _text(_assert_stored(document))[0]
    assert _t("Draft: these minutes have not been adopted yet. They can still change.") in (
        first_page
    )


def test_adult_privacy_notice_pdf_says_everything_r_12_1_requires(world, notice):
    """R-12-1, R-15-1, §7.1, §7.3: purpose, participants, categories (special ones marked),
    legal bases per party ("the covenant is no legal basis"), retention after closure, the
    rights, the complaint to the AP, the procesregisseur and every party's FG with e-mail, and
    the notice's version and date."""
    document = _request(world, DocumentKind.PRIVACY_NOTICE)

    pdf = _assert_stored(document)
    pages = _text(pdf)
    _assert_watermarked(pages, document)
    text = " ".join(pages)
    content = notice.content
    assert content["purpose_specification"] in text
    assert content["coordinator"] in text
    for person in content["participants"]:
        assert person["name"] in text
    for category in content["categories"]:
        assert category["name"] in text
    sensitive = next(c for c in content["categories"] if c["special"])
    _in_order(text, sensitive["name"], f"({_t('sensitive')})")
    assert "grondslag" in text
    for party in content["parties"]:
        _in_order(text, party["organisation"], party["legal_bases"][0])
        assert party["privacy_officer_email"] in text
    assert _t(
        "Each organisation needs its own legal basis (grondslag) in the law to share "
        "information. The covenant is not a legal basis: it only sets out how the "
        "organisations work together carefully."
    ) in " ".join(text.split())
    with translation.override(LANGUAGE):
        retention = ngettext(
            "The minutes of the Casusoverleg are kept for %(months)s month after the case is "
            "closed. Then they are deleted.",
            "The minutes of the Casusoverleg are kept for %(months)s months after the case is "
            "closed. Then they are deleted.",
            content["retention_months"],
        ) % {"months": content["retention_months"]}
    assert retention in text
    for right in ("inzage", "correctie", "verwijdering", "beperking", "bezwaar", "vernietiging"):
        assert f"({right})" in text
    assert "Autoriteit Persoonsgegevens" in text
    assert re.search(rf"\b{notice.version}\b.*{_day(notice.created_at)}", text)


def test_youth_privacy_notice_pdf_uses_simpler_words(world, notice):
    """R-12-2: a youth from 12 gets the same facts in plainer words: what happens, who is there,
    what they talk about, that they may come and say what they think, whom to ask."""
    document = _request(world, DocumentKind.PRIVACY_NOTICE_YOUTH, who="youth")

    pdf = _assert_stored(document)
    pages = _text(pdf)
    _assert_watermarked(pages, document)  # the youth's own name on each page
    text = " ".join(pages)
    assert (
        _t("You may come to the meeting. You may say what you think. What you think is important.")
        in text
    )
    assert _t("Who is there?") in text
    assert _t("What do they talk about?") in text
    assert _t("Do you have a question?") in text
    # The adult wording is not there; the facts are.
    assert _t("What information may be discussed?") not in text
    assert _t("Why is there a Casusoverleg?") not in text
    content = notice.content
    assert content["coordinator"] in text
    for party in content["parties"]:
        assert party["privacy_officer_email"] in text
    assert str(content["retention_months"]) in text
    assert "Autoriteit Persoonsgegevens" in text
    assert re.search(rf"\b{notice.version}\b.*{_day(notice.created_at)}", text)


def test_invitation_pdf_has_meeting_agenda_invitees_and_the_notice(world, notice):
    """§5.2 item 4, R-12-1: the invitation gives date, time, place, procesregisseur, agenda and
    who is invited, with the privacy notice appended on its own page.

    Decision: the agenda is in it (it is for participants, who prepare with it, and it reaches
    them through the application, the secure channel of §5.3); like the invitation e-mail it
    names no youth and no family member, and lists parents and youth by what they are.
    """
    world.meeting.agenda = AGENDA
    world.meeting.video_url = "https://video.example.org/overleg-123"
    world.meeting.save(update_fields=["agenda", "video_url"])
    document = _request(world, DocumentKind.INVITATION)

    pdf = _assert_stored(document)
    pages = _text(pdf)
    assert len(pages) >= 2, "the notice starts on a page of its own"
    _assert_watermarked(pages, document)
    text = " ".join(pages)
    local_start = timezone.localtime(world.meeting.starts_at)
    assert _day(local_start, "l j F Y") in text
    assert local_start.strftime("%H:%M") in text
    assert world.meeting.location in text
    assert "video.example.org/overleg-123" in text.replace(" ", "")
    assert str(world.users["case_coordinator"]) in text
    _in_order(text, _t("Agenda"), "Ondersteuning in de klas", "Afspraken en evaluatiedatum")
    _in_order(
        text,
        _t("Who is invited"),
        str(world.users["involved_professional"]),
        str(world.users["invited_professional"]),
    )
    # The notice follows the invitation, on a later page.
    notice_page = next(i for i, page in enumerate(pages) if _t("Privacy notice") in page)
    assert notice_page >= 1
    assert notice.content["parties"][0]["privacy_officer_email"] in " ".join(pages[notice_page:])
    # No youth, no family names (the e-mail's rule, R-10-3's spirit).
    for pii in world.pii():
        assert pii not in text, f"{pii!r} in the invitation"


def test_requester_who_lost_access_gets_no_document(world):
    """Invariant 1, STYLE §4.4: a professional removed from the table after asking for a PDF
    gets nothing: the document ends FAILED and no file is stored."""
    document = services.document_request(
        actor=world.users["involved_professional"], case=world.case, kind=DocumentKind.MINUTES
    )
    services.action_complete(actor=world.users["involved_professional"], action=world.action)
    services.participant_remove(
        actor=world.users["case_coordinator"],
        participant=world.participants["involved_professional"],
    )

    services.document_render(document_id=document.pk)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert not document.file
    assert document.sha256 == ""


def test_missing_minutes_fail_the_document_without_case_data(world):
    """A document whose minutes are gone ends FAILED through the task, with only the error's
    class name (no case data in the message) and no file."""
    meeting = MeetingFactory(case=world.case)  # no minutes
    document = CaseDocumentFactory(
        case=world.case,
        kind=DocumentKind.MINUTES,
        meeting=meeting,
        requested_by=world.case.coordinator,
    )

    document_render_task(document_id=document.pk)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error == DocumentContentMissingError.__name__
    assert not document.file


@pytest.mark.parametrize(
    ("kind", "max_queries"),
    [
        (DocumentKind.MINUTES, 9),  # + the shared items of the meeting and their readers
        (DocumentKind.PRIVACY_NOTICE, 2),
        (DocumentKind.INVITATION, 4),
    ],
)
def test_context_and_template_run_a_fixed_number_of_queries(
    world, full_minutes, notice, django_assert_max_num_queries, kind, max_queries
):
    """STYLE §4.8: building the context and rendering the HTML costs a fixed number of queries,
    however many entries, actions, statements and people there are (no lazy query per row)."""
    for number in range(6):
        MinutesEntryFactory(
            minutes=full_minutes,
            kind=EntryKind.values[number % 3],
            text=f"Extra punt {number}",
            author=world.users["involved_professional"] if number % 2 else world.case.coordinator,
        )
    document = CaseDocumentFactory(
        case=world.case, kind=kind, meeting=world.meeting, requested_by=world.case.coordinator
    )

    with django_assert_max_num_queries(max_queries), translation.override(LANGUAGE):
        template, context = document_context(document)
        html = render_to_string(template, context)

    assert context["title"]
    assert "<h1" in html


@pytest.mark.parametrize(
    ("kind", "who"),
    [
        (DocumentKind.MINUTES, "case_coordinator"),
        (DocumentKind.PRIVACY_NOTICE, "parent"),
        (DocumentKind.PRIVACY_NOTICE_YOUTH, "youth"),
        (DocumentKind.INVITATION, "involved_professional"),
    ],
)
def test_every_page_renders_to_png_for_review(world, full_minutes, notice, tmp_path, kind, who):
    """The PDFs rasterise page by page, one PNG per page, and are copied to
    test-results/pdf/<kind>/ for a human to look at (layout review)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing in CI: .ci/run installs poppler-utils")
        pytest.skip("needs pdftoppm: apt-get install poppler-utils")
    world.meeting.agenda = AGENDA
    world.meeting.save(update_fields=["agenda"])
    pdf = _assert_stored(_request(world, kind, who=who))

    pngs = pdf_to_png(pdf, tmp_path / kind)

    assert len(pngs) == len(PdfReader(io.BytesIO(pdf)).pages)
    assert all(png.read_bytes().startswith(b"\x89PNG") for png in pngs)
    # Rendered in tmp_path first: the shared review folder may be cleaned by other runs.
    review = PNG_DIR / kind
    shutil.rmtree(review, ignore_errors=True)
    shutil.copytree(tmp_path / kind, review)


@pytest.mark.parametrize("audience", ["adult", "youth"])
def test_notice_includes_are_page_fragments_with_adjustable_headings(world, notice, audience):
    """R-12-1/R-12-2 on the web: the shared includes carry no page chrome, start at <h2> with
    Utrecht classes (or one level deeper inside a larger document), and render the empty
    snapshot of an older notice without failing."""
    template = f"casusoverleg/includes/privacy_notice_{audience}.html"

    with translation.override(LANGUAGE):
        page = render_to_string(template, {"notice": notice})
        nested = render_to_string(template, {"notice": notice, "heading_level": 3})
        empty = render_to_string(
            template, {"notice": PrivacyNoticeFactory(case=world.case, version=99)}
        )

    for html in (page, nested, empty):
        assert "<html" not in html
        assert "<body" not in html
        assert "<h1" not in html
    first_heading = re.search(r"<h(\d) class=\"utrecht-heading-(\d)\"", page)
    assert first_heading.groups() == ("2", "2")
    assert '<h3 class="utrecht-heading-3">' in page  # a party's legal bases, one level down
    assert re.search(r"<h(\d)", nested).group(1) == "3"
    assert "<h2" not in nested
    assert '<h4 class="utrecht-heading-4">' in nested
    assert notice.content["parties"][0]["privacy_officer_email"] in page
