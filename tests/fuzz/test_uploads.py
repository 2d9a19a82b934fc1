"""Uploads and downloads (DESIGN invariant 9, invariant 2; issue 7 "Uploads").

Files about children are never served as static media: MEDIA_URL points at a path nothing
serves, and every file comes back only through a download view that checks who asks and logs
it. Every FileField of the project is accounted for here: uploaded ones are checked on type
(magic bytes) and size, generated ones (PDFs) are made by the application itself.
"""

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse

import pytest

from audit.models import AccessEvent
from core.uploads import check_upload
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

# Every FileField: how its files get in. "upload" fields take a user's file and must pass
# core.uploads.check_upload; "generated" fields hold PDFs the application renders itself.
FILE_FIELDS = {
    "consent.ConsentDecision.signed_form": "upload",
    # The signed accession form (R-18-1); its upload form, when a page shows one, is fuzzed by
    # tests/fuzz/test_hostile_input.py like every other file input.
    "convenant.CovenantParty.signed_document": "upload",
    # The DPIA report a beheerder or FG may attach (R-DPIA-1); PDF only, checked at the field.
    "convenant.DPIARecord.document": "upload",
    "casusoverleg.CaseDocument.file": "generated",
    "consent.ConsentReceipt.pdf": "generated",
    "consent.RightsRequest.answer_document": "generated",
}

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_invariant_9_every_file_field_is_accounted_for():
    """Invariant 9: a new FileField must be classified here (and, if users upload to it,
    checked) before it can land."""
    found = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert found == set(FILE_FIELDS), found ^ set(FILE_FIELDS)


@pytest.mark.parametrize(
    ("name", "content", "refused"),
    [
        ("scan.pdf", PDF, False),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16, False),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 16, False),
        ("scan.pdf", b"<script>alert(1)</script>", True),
        ("scan.pdf", b"MZ\x90\x00 an executable", True),
        ("scan.pdf", b"GIF89a" + b"\0" * 16, True),
        ("scan.pdf", b"<svg onload=alert(1)>", True),
        ("scan.pdf", b"", True),
    ],
)
def test_invariant_9_uploads_are_judged_by_their_bytes(name, content, refused):
    """Invariant 9: the type comes from the magic bytes; a name ending in .pdf proves nothing."""
    message = check_upload(SimpleUploadedFile(name, content, "application/pdf"), max_bytes=1024)
    assert bool(message) is refused


def test_invariant_9_uploads_above_the_limit_are_refused_with_the_limit():
    """Invariant 9: a file above the limit is refused with a message that names the limit."""
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (3 * 1024 * 1024), "application/pdf")
    message = check_upload(big, max_bytes=2 * 1024 * 1024)
    assert "2 MB" in message


def test_invariant_9_the_media_url_serves_nothing(world, tmp_path):
    """Invariant 9: a stored file is not reachable under MEDIA_URL, for anyone."""
    document = world.document
    assert document.file.name
    path = settings.MEDIA_URL + document.file.name
    assert path.startswith("/private-media-is-not-served/")
    for who in ("case_coordinator", "involved_professional", "administrator"):
        response = login_verified(Client(), world.users[who]).get(path)
        assert response.status_code == 404, who
    assert Client().get(path).status_code in (302, 404)


def _downloads(world):
    """(URL name, kwargs, the user entitled to it) for every download view of a stored file."""
    receipt = world.consent.receipts.first()
    return [
        ("casusoverleg:document_download", {"uuid": world.document.uuid}, "case_coordinator"),
        ("casusoverleg:consent_receipt_download", {"uuid": receipt.uuid}, "case_coordinator"),
        ("portal:receipt_download", {"uuid": receipt.uuid}, "parent"),
    ]


def test_invariant_2_files_come_only_through_the_logged_download(world):
    """Invariants 2 and 9: the entitled user gets the file as an uncached attachment and the
    download is logged with the youth; an outsider is refused and the refusal is logged."""
    outsider = world.users["professional"]
    for name, kwargs, who in _downloads(world):
        url = reverse(name, kwargs=kwargs)
        user = world.users[who]
        response = login_verified(Client(), user).get(url)
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment;"), name
        assert response["Cache-Control"] == "no-store", name
        assert AccessEvent.objects.filter(
            actor=user, action="document.downloaded", youth_uuid=world.youth.uuid
        ).exists(), name
        before = AccessEvent.objects.filter(actor=outsider, action="access.denied").count()
        refused = login_verified(Client(), outsider).get(url)
        assert refused.status_code in (403, 404), name
        assert not getattr(refused, "streaming", False), name
        after = AccessEvent.objects.filter(actor=outsider, action="access.denied").count()
        assert after == before + 1, f"{name}: the refusal was not logged"
