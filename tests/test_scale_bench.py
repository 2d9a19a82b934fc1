"""The scale benchmark's data generator (tools/scale_data.py, `make bench-scale`, issue 4) at the
toy scale: the rows it writes with set-based SQL are rows the application itself would hold, so
that the benchmark measures the app's real situation. Runs in the test transaction."""

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.db import connection
from django.utils import timezone

import pytest

from casusoverleg.models import Case, CaseUserObjectPermission, Participant, SharedItem
from casusoverleg.querysets import VIEW_CASE
from casusoverleg.selectors import case_get, case_list
from casusoverleg.sharing import check_share
from core.permissions import holders
from core.querysets import bulk_writes_allowed
from parties.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _scale_data() -> ModuleType:
    """tools/scale_data.py (tools/ is not a package: the benchmark runs it as a script)."""
    path = Path(__file__).resolve().parent.parent / "tools" / "scale_data.py"
    spec = importlib.util.spec_from_file_location("scale_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def toy() -> tuple[ModuleType, dict[str, int]]:
    """The toy region, with every deferred foreign key checked at once."""
    scale_data = _scale_data()
    # A flush by a transactional test empties the seeded tables; the loaders are idempotent.
    with bulk_writes_allowed("reloading the model covenant's reference data after a flush"):
        for migration in ("0002_seed_model_covenant", "0003_legalbasis_consent_basis"):
            importlib.import_module(f"convenant.migrations.{migration}").load(apps, None)
    with connection.cursor() as cursor:
        scale_data.fill(cursor, scale_data.SCALES["toy"], now=timezone.now())
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        counts = scale_data.counts(cursor)
    return scale_data, counts


def test_the_toy_scale_fills_every_table(toy):
    """Every table the benchmark needs gets rows in the proportions of its scale."""
    scale_data, counts = toy
    scale = scale_data.SCALES["toy"]
    assert counts["casusoverleg_case"] == scale.cases
    assert counts["parties_youth"] == scale.youths
    assert counts["casusoverleg_participant"] == scale.cases * (scale.seats + 1)
    planned = Case.objects.filter(meetings__isnull=False).count()
    assert 0 < planned < scale.cases
    assert counts["casusoverleg_caseuserobjectpermission"] == scale.cases + planned * scale.seats
    assert counts["casusoverleg_shareditem"] == planned * scale.items_per_case
    assert counts["casusoverleg_shareditem_recipients"] > 0
    for case in Case.objects.all()[:10]:
        case.full_clean()


def test_grants_and_accepted_seats_agree_for_every_case(toy):
    """DESIGN invariant 1: the procesregisseur and every accepted, active professional seat hold
    the case's grant, and nobody else does (as the services give and take them)."""
    for case in Case.objects.prefetch_related("participants"):
        seated = {
            p.user_id
            for p in case.participants.all()
            if p.kind == "professional" and p.response == "accepted" and p.left_at is None
        }
        assert set(holders(VIEW_CASE, case)) == {case.coordinator_id} | seated


def test_each_user_sees_the_cases_of_their_grants(toy):
    """The list and the detail agree with the grant table for the generated users."""
    users = User.objects.filter(username__startswith="scale-", professional__isnull=False)
    for user in users[:15]:
        granted = set(
            CaseUserObjectPermission.objects.filter(user=user).values_list(
                "content_object_id", flat=True
            )
        )
        listed = list(case_list(user=user))
        assert {c.pk for c in listed} == granted
        if listed:
            assert case_get(user=user, uuid=listed[0].uuid, log=False) == listed[0]


def test_shared_items_pass_the_sharing_rules(toy):
    """Each generated item is one `services.shared_item_add` would have accepted: category on
    the type's list, a basis of the author's party, readers with a ground, no consent needed
    (R-5-1, R-4-2, R-4-4, R-6-1, R-6-2)."""
    items = SharedItem.objects.select_related(
        "case__consultation_type", "author__professional__organisation", "category", "legal_basis"
    ).prefetch_related("recipients")
    assert items.exists()
    for item in items.order_by("pk")[:40]:
        check = check_share(
            case=item.case,
            author=item.author,
            category=item.category,
            legal_basis=item.legal_basis,
            audience_all=item.audience_all,
            recipients=list(item.recipients.all()),
        )
        assert check.ok, (item.pk, dict(check.errors))
        assert check.data_class == item.data_class
        assert not check.needs_consent
        assert item.owner_id == item.author.professional.organisation_id
        assert item.owner_capacity == item.author.professional.capacity


def test_narrowed_health_items_reach_only_their_recipients(toy):
    """A health item is read by its named recipients and not by the leerplicht officer at the
    same table, who has no statutory ground for health data (R-T-3)."""
    item = SharedItem.objects.filter(audience_all=False, withheld_at__isnull=True).first()
    assert item is not None
    recipient = item.recipients.first().user
    assert SharedItem.objects.visible_to(recipient).filter(pk=item.pk).exists()
    leerplicht = Participant.objects.get(case=item.case, role="leerplicht").user
    assert not SharedItem.objects.visible_to(leerplicht).filter(pk=item.pk).exists()
