"""Bulk writes on audited models are refused: they would bypass django-auditlog (issue 5)."""

from django.db import transaction

import pytest
from auditlog.models import LogEntry

from casusoverleg.models import Case
from core.querysets import BulkWriteRefusedError, bulk_writes_allowed
from parties.models import User, Youth

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "write",
    [
        lambda w: Case.objects.filter(pk=w.case.pk).update(purpose_specification="x"),
        lambda w: w.case.participants.all().update(left_at=None),
        lambda w: Youth.objects.bulk_update([w.youth], ["given_name"]),
        lambda w: User.objects.filter(pk=w.users["parent"].pk).update(email="x@example.org"),
        lambda w: Youth.objects.bulk_create([Youth(region=w.youth.region)]),
    ],
    ids=["update", "related-update", "bulk_update", "user-update", "bulk_create"],
)
def test_bulk_writes_on_audited_models_are_refused(world, write):
    """Invariant 3 (issue 5): a bulk write on an audited model raises before touching a row."""
    history = LogEntry.objects.count()
    with pytest.raises(BulkWriteRefusedError, match="change history"), transaction.atomic():
        write(world)
    assert LogEntry.objects.count() == history


def test_saving_a_row_still_works_and_leaves_history(world):
    """The refusal is for bulk writes only: save(update_fields=...) is how services write."""
    youth = Youth.objects.get(pk=world.youth.pk)
    before = LogEntry.objects.get_for_object(youth).count()
    youth.given_name = "Anders"
    youth.save(update_fields=["given_name"])
    entries = LogEntry.objects.get_for_object(youth)
    assert entries.count() == before + 1
    assert entries.order_by("-id").first().changes_dict["given_name"][1] == "Anders"


def test_set_up_code_may_write_in_bulk_when_it_says_why(world):
    """Tests and benchmarks can arrange data in bulk, but must name a reason."""
    with bulk_writes_allowed("test arrangement"):
        assert Case.objects.filter(pk=world.case.pk).update(purpose_specification="x") == 1
    with pytest.raises(ValueError, match="say why"), bulk_writes_allowed("  "):
        pass
    with pytest.raises(BulkWriteRefusedError):
        Case.objects.filter(pk=world.case.pk).update(purpose_specification="y")
