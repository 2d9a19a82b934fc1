"""The access log: login events, request context, same-transaction writes, append-only table."""

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

import pytest

from audit.choices import Action, Outcome
from audit.models import AccessEvent
from audit.services import record
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def test_login_and_logout_are_recorded(world):
    """R-10-2, invariant 2: logging in and out leaves events with who, role and organisation."""
    client = Client()
    user = world.users["coordinator"]
    assert (
        client.post(
            reverse("login"), {"username": user.username, "password": "test-password-123"}
        ).status_code
        == 302
    )
    client.post(reverse("logout"))
    login = AccessEvent.objects.get(action=Action.LOGIN, actor=user)
    assert login.organisation == world.school
    assert login.actor_role == "coordinator"
    assert login.actor_name == user.get_full_name()
    assert AccessEvent.objects.filter(action=Action.LOGOUT, actor=user).exists()


def test_failed_login_is_recorded_without_the_typed_name(world):
    """Invariant 2: a failed login is a denied event that refers to the account, not the text."""
    client = Client()
    response = client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    assert response.status_code == 200
    event = AccessEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.outcome == Outcome.DENIED
    assert event.actor is None
    assert event.object_id == str(world.users["coordinator"].uuid)
    client.post(reverse("login"), {"username": "nobody-by-this-name", "password": "x"})
    unknown = AccessEvent.objects.filter(action=Action.LOGIN_FAILED).exclude(pk=event.pk).get()
    assert unknown.object_id == ""
    assert "nobody-by-this-name" not in str(unknown.__dict__)


def test_login_error_does_not_reveal_whether_an_account_exists(world):
    """Invariant 9: the same message for a wrong password and an unknown user."""
    client = Client()
    known = client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_event_records_where_the_request_came_from(world):
    """R-10-2: client address, user agent, path and a request id tie the event to its request."""
    client = Client(HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="192.0.2.10")
    login_verified(client, world.users["parent"])
    response = client.get(reverse("portal:home"))
    event = AccessEvent.objects.get(action=Action.YOUTH_VIEWED, actor=world.users["parent"])
    assert event.youth_uuid == world.youth.uuid
    assert event.client_ip == "192.0.2.10"
    assert event.user_agent == "TestBrowser/1.0"
    assert event.path == "/portaal/"
    assert event.request_id == response["X-Request-ID"]


def test_forwarded_header_is_ignored_unless_trusted(world, settings):
    """A client cannot forge its address: X-Forwarded-For counts only from a configured proxy."""
    client = Client(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.99")
    login_verified(client, world.users["parent"])
    client.get(reverse("portal:home"))
    assert (
        AccessEvent.objects.filter(action=Action.YOUTH_VIEWED).latest("id").client_ip
        == "192.0.2.10"
    )
    settings.AUDIT_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    client.get(reverse("portal:home"))
    assert (
        AccessEvent.objects.filter(action=Action.YOUTH_VIEWED).latest("id").client_ip
        == "203.0.113.99"
    )


def test_event_rolls_back_with_the_access(world):
    """Invariant 2: the event is part of the caller's transaction, not written beside it."""

    def access_then_fail() -> None:
        with transaction.atomic():
            record(actor=world.users["parent"], action=Action.YOUTH_VIEWED, youth=world.youth)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        access_then_fail()
    assert not AccessEvent.objects.filter(action=Action.YOUTH_VIEWED).exists()


def test_event_holds_references_not_copies(world):
    """Issue 5: the log stores ids of the youth and object, never their names."""
    event = record(
        actor=world.users["parent"],
        action=Action.YOUTH_VIEWED,
        target=world.youth,
        youth=world.youth,
    )
    values = " ".join(str(v) for v in event.__dict__.values())
    assert world.youth.family_name not in values
    assert event.object_type == "parties.youth"
    assert event.object_id == str(world.youth.uuid)


APPEND_ONLY_TABLES = [
    ("audit_accessevent", "action = 'x'"),
    ("auditlog_logentry", "object_repr = 'x'"),
    ("audit_sealblock", "event_count = 0"),
    ("audit_logpurge", "reason = 'x'"),
    ("audit_eventreview", "note = 'x'"),
]


@pytest.mark.postgres
@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
@pytest.mark.parametrize(("table", "change"), APPEND_ONLY_TABLES)
def test_logs_cannot_be_rewritten_in_the_database(world, verb, table, change):
    """Invariant 3, R-10-2: triggers reject UPDATE and DELETE on the access log, the row
    history, the seals, the purge records and the FG's reviews, even in raw SQL."""
    from django.db.utils import DatabaseError

    from audit.models import EventReview, LogPurge
    from audit.sealing import seal

    event = record(actor=world.users["parent"], action=Action.YOUTH_VIEWED, youth=world.youth)
    seal("access")
    LogPurge.objects.create(
        stream="access",
        up_to_block=0,
        before=event.occurred_at,
        removed_events=0,
        purged_by="test",
        reason="test",
    )
    EventReview.objects.create(
        event=event, reviewer=world.users["privacy_officer"], finding="in_order"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed list above
        rows = cursor.fetchone()[0]
    assert rows > 0
    statement = (
        f"UPDATE {table} SET {change}"  # noqa: S608 - fixed list above
        if verb == "UPDATE"
        else f"DELETE FROM {table}"  # noqa: S608 - fixed list above
    )
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed list above
        assert cursor.fetchone()[0] == rows


def test_a_failed_login_reaches_the_fg_of_the_accounts_organisation(world):
    """R-10-2, R-DPIA-3: a failed login on an account is filed under that account's
    organisation, so its FG sees attacks on it; one on an unknown name belongs to nobody."""
    from audit.selectors import access_event_list

    client = Client()
    client.post(reverse("login"), {"username": "leerplicht", "password": "wrong"})
    client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})
    client.post(reverse("login"), {"username": "niemand", "password": "wrong"})
    failed = AccessEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert {e.organisation for e in failed} == {world.municipality, world.school, None}
    seen = access_event_list(user=world.users["privacy_officer"]).filter(action=Action.LOGIN_FAILED)
    assert [e.object_id for e in seen] == [str(world.users["leerplicht"].uuid)]
    assert all(e.actor is None for e in failed)
