"""A consent decision travels the production path: service → commit → Redis → worker → PDF/SMTP.

Issue 6: "Each consent and each withdrawal produces a receipt ... as a PDF, kept with the
record". A real Celery worker renders the receipt after the portal decision commits, and the
family's notification crosses a real SMTP server with a link and no personal data (R-10-3).
"""

import time

import pytest

from consent.age import Consenter
from consent.choices import ConsenterKind, DecisionKind
from consent.models import ConsentReceipt
from consent.services import consent_decide, receipt_verify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _wait_for_pdf(receipt_id: int, timeout: float = 20.0) -> ConsentReceipt:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        receipt = ConsentReceipt.objects.get(pk=receipt_id)
        if receipt.pdf:
            return receipt
        time.sleep(0.2)
    raise AssertionError("the worker did not render the receipt in time")


def test_the_worker_renders_the_receipt_of_a_withdrawal(
    reference_data, world, celery_worker_real, smtp_server
):
    """R-6-2, invariant 7: the youth withdraws the world's consent in the portal; the worker
    renders the receipt PDF (hash kept beside it) outside the request."""
    decision = consent_decide(
        actor=world.users["youth"],
        consent=world.consent,
        consenter=Consenter(ConsenterKind.YOUTH),
        kind=DecisionKind.WITHDRAWN,
    )
    receipt = _wait_for_pdf(decision.receipt.pk)
    content = receipt.pdf.read()
    assert content.startswith(b"%PDF-")
    assert len(receipt.pdf_sha256) == 64
    assert receipt.payload["event"] == "withdrawn"
    assert receipt_verify(receipt)
