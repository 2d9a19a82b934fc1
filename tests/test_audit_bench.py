"""The access-log benchmark (tools/audit_data.py, tools/audit_bench.py, `make bench-audit`) at the
tiny scale: the generated events are events the application itself would write, and the
measurements measure what they say. Runs in the test transaction on PostgreSQL."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.choices import Action, Outcome
from audit.models import AccessEvent
from audit.selectors import access_event_search
from parties.choices import Role
from parties.models import User
from tests.helpers import login_verified

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TOOLS = Path(__file__).resolve().parent.parent / "tools"


def _tool(name: str) -> ModuleType:
    """A module of tools/ (not a package: the benchmarks run as scripts)."""
    if name in sys.modules:
        return sys.modules[name]
    sys.path.insert(0, str(TOOLS))
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tiny() -> tuple[ModuleType, ModuleType, Any]:
    """The tiny log, filled with every trigger firing and the foreign keys checked at once;
    the data modules and the generator's plan (its id bases)."""
    audit_data = _tool("audit_data")
    audit_bench = _tool("audit_bench")
    with connection.cursor() as cursor:
        plan = audit_data.fill(cursor, audit_data.SCALES["tiny"], now=timezone.now())
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Statistics of the uncommitted rows, so that the planner sees the log as it is.
        cursor.execute("ANALYZE audit_accessevent")
    return audit_data, audit_bench, plan


def test_the_tiny_log_holds_what_the_app_writes(tiny):
    """Issue 5: the generated events use the app's actions and outcomes, name an employee of
    the organisation they are logged for (with that employee's snapshot), refer to youths and
    cases by uuid, and spread as the benchmark says (about 2 % denied, working hours)."""
    audit_data, _bench, plan = tiny
    scale = audit_data.SCALES["tiny"]
    first = plan.bases["event"] + 1
    events = AccessEvent.objects.filter(id__gte=first)
    assert events.count() == scale.events
    assert set(events.values_list("action", flat=True).distinct()) <= set(Action.values)
    assert set(events.values_list("outcome", flat=True).distinct()) == set(Outcome.values)
    denied = events.filter(outcome=Outcome.DENIED).count() / scale.events
    assert 0.01 < denied < 0.03
    fgs = User.objects.filter(role=Role.PRIVACY_OFFICER, username__startswith="audit-fg-")
    assert fgs.count() == scale.organisations
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM audit_accessevent e
            JOIN parties_professional p ON p.user_id = e.actor_id
            JOIN parties_user u ON u.id = e.actor_id
            JOIN parties_organisation o ON o.id = e.organisation_id
            WHERE e.id >= %s AND (p.organisation_id <> e.organisation_id
                OR e.actor_name <> u.first_name || ' ' || u.last_name
                OR e.actor_role <> u.role OR e.organisation_name <> o.name)
            """,
            [first],
        )
        assert cursor.fetchone()[0] == 0
    assert not events.filter(actor__isnull=True).exclude(action=Action.LOGIN_FAILED).exists()
    case_events = events.filter(action=Action.CASE_VIEWED, outcome=Outcome.ALLOWED)
    assert not case_events.filter(youth_uuid__isnull=True).exists()
    assert not case_events.filter(case_uuid__isnull=True).exists()
    youth = audit_data.youth_uuid(1)
    assert events.filter(youth_uuid=youth).count() > events.count() / scale.youths
    hours = [timezone.localtime(at).hour for at in events.values_list("occurred_at", flat=True)]
    assert sum(7 <= h < 19 for h in hours) / len(hours) > 0.9
    assert list(events.order_by("id").values_list("occurred_at", flat=True)) == sorted(
        events.values_list("occurred_at", flat=True)
    )


def test_the_search_measurement_walks_the_youth_index(tiny):
    """Issue 5: the FG-search measurement runs the workbench's own selector and page as the FG
    of an organisation that holds the youth's events, and reads its plan from EXPLAIN."""
    audit_data, audit_bench, _plan = tiny
    result = audit_bench.measure_search(
        3, audit_data.SCALES["tiny"], audit_bench.Clients(like_a_server=False), audit_bench.FGs()
    )
    lookups = [result.heavy, *result.lookups]
    assert len(lookups) == 4
    for lookup in lookups:
        assert 0 < lookup.rows <= 50
        assert lookup.rows == min(50, lookup.matching)
        assert min(lookup.exec_ms, lookup.first_ms, lookup.page_ms) > 0
    # The heaviest youth: the planner takes the youth's own index even at this size.
    assert "accessevent_youth_time" in result.heavy.indexes
    youth = audit_data.youth_uuid(1)
    organisation = AccessEvent.objects.filter(youth_uuid=youth)[0].organisation_id
    page = access_event_search(audit_bench.FGs().of(organisation), filters={"youth": youth})
    assert {e.youth_uuid for e in page.events} == {youth}


def test_without_insert_builds_the_events_but_writes_none(tiny, client):
    """Issue 5: the cost-of-logging comparison leaves out only the INSERT: inside
    `without_insert` a logged page writes no event, and afterwards it logs again."""
    audit_data, audit_bench, plan = tiny
    fg = audit_bench.FGs().of(plan.bases["org"] + 1)
    login_verified(client, fg)
    url = f"{reverse('audit:search')}?youth={audit_data.youth_uuid(1)}"
    top = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
    with audit_bench.without_insert():
        assert client.get(url, secure=True).status_code == 200
    assert not AccessEvent.objects.filter(id__gt=top).exists()
    assert client.get(url, secure=True).status_code == 200
    assert AccessEvent.objects.filter(id__gt=top, actor=fg, action=Action.AUDIT_SEARCHED).exists()


def test_the_seal_measurement_seals_and_verifies_the_first_events(tiny):
    """Issue 5, invariant 3: the verify measurement seals the first events with the real
    `seal` (only its mark is set) and verifies them without a problem."""
    _data, audit_bench, plan = tiny
    first = plan.bases["event"] + 1
    mark = first + 12_000 - 1
    sealed = AccessEvent.objects.filter(id__lte=mark).count()
    result = audit_bench.measure_seal(first, 12_000)
    assert result.events == sealed == result.events_checked
    assert result.blocks == -(-sealed // settings.AUDIT_SEAL_BLOCK_SIZE)
    assert result.problems == 0
    assert result.unsealed == AccessEvent.objects.filter(id__gt=mark).count() > 0
