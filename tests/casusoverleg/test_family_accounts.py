"""The procesregisseur invites parents with gezag and youths from 12 to the portal.

SPEC R-1-2 (a parent without gezag gets nothing), §6 / R-AGE-2 (youths from 12 take part),
R-10-3 (the e-mail holds the link only), R-10-2 (the invitation is logged).
"""

import re
from datetime import date

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.choices import Action
from audit.models import AccessEvent
from casusoverleg.accounts import family_account_invite
from casusoverleg.choices import ParticipantKind
from casusoverleg.models import Case
from parties.models import User
from tests.factories.casusoverleg import ParticipantFactory
from tests.factories.parties import GuardianFactory, YouthFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

EMAIL = "nieuwe.ouder@example.org"


def _seat(world, **guardian):
    """A parent of the world's youth without an account, at the case's table."""
    parent = GuardianFactory(youth=world.youth, user=None, **guardian)
    return parent, ParticipantFactory(
        case=world.case,
        kind=ParticipantKind.PARENT,
        user=None,
        guardian=parent,
        organisation=None,
        role="",
    )


def _url(world, seat) -> str:
    return reverse(
        "casusoverleg:family_account_invite",
        kwargs={"uuid": world.case.uuid, "participant": seat.uuid},
    )


def _coordinator(world) -> Client:
    client = Client()
    login_verified(client, world.users["case_coordinator"])
    return client


def _years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years)


def test_the_procesregisseur_invites_a_parent_with_gezag(world, django_capture_on_commit_callbacks):
    """R-10-2, R-10-3: an account (parent, no usable password) linked to the parent and their
    seat; one e-mail with the activation link and no names; the invitation is logged."""
    parent, seat = _seat(world)
    page = _coordinator(world).get(
        reverse(
            "casusoverleg:participant_family",
            kwargs={"uuid": world.case.uuid, "participant": seat.uuid},
        )
    )
    assert b'data-testid="portal-invite-form"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = _coordinator(world).post(_url(world, seat), {"email": EMAIL})
    assert response.status_code == 302
    parent.refresh_from_db()
    seat.refresh_from_db()
    user = parent.user
    assert user is not None
    assert user.role == "parent"
    assert user.email == EMAIL
    assert user.is_active
    assert not user.has_usable_password()
    assert seat.user == user
    event = AccessEvent.objects.get(action=Action.ACCOUNT_INVITED)
    assert event.actor == world.users["case_coordinator"]
    assert event.youth_uuid == world.youth.uuid
    assert event.case_uuid == world.case.uuid
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert re.search(r"/portaal/activeren/[^/\s]+/[^/\s]+/", body)
    for text in [*world.pii(), parent.given_name, parent.family_name, user.username]:
        assert text not in body
        assert text not in mail.outbox[0].subject


def test_the_invitation_can_be_sent_again_until_it_is_used(
    world, django_capture_on_commit_callbacks
):
    """R-10-1: a new invitation replaces the old link; an activated account is refused."""
    parent, seat = _seat(world)
    client = _coordinator(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(world, seat), {"email": EMAIL})
    first = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world, seat), {"email": "ander.adres@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].to == ["ander.adres@example.org"]
    assert User.objects.filter(guardianships=parent).count() == 1
    first_path = "/" + first.split("/", 3)[3]
    assert b'data-testid="activate-invalid"' in Client().get(first_path).content
    # Once the parent chose a password, there is nothing to invite to any more.
    user = User.objects.get(guardianships=parent)
    user.set_password("een lang wachtwoord voor de test")
    user.save(update_fields=["password"])
    response = client.post(_url(world, seat), {"email": EMAIL})
    assert response.status_code == 400
    assert b'id="id_email_error"' in response.content
    assert len(mail.outbox) == 2


def test_a_parent_without_gezag_cannot_be_invited(world, django_capture_on_commit_callbacks):
    """R-1-2: no account for a parent without gezag; the page says why, next to the field."""
    parent, seat = _seat(world, without_authority=True)
    client = _coordinator(world)
    page = client.get(
        reverse(
            "casusoverleg:participant_family",
            kwargs={"uuid": world.case.uuid, "participant": seat.uuid},
        )
    )
    assert b'data-testid="portal-account-refused"' in page.content
    assert b'data-testid="portal-invite-form"' not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world, seat), {"email": EMAIL})
    assert response.status_code == 400
    assert b'id="id_email_error"' in response.content
    parent.refresh_from_db()
    assert parent.user is None
    assert not User.objects.filter(email=EMAIL).exists()
    assert mail.outbox == []
    assert not AccessEvent.objects.filter(action=Action.ACCOUNT_INVITED).exists()


def test_a_youth_under_12_cannot_be_invited(world):
    """§6 / R-AGE-2: a youth takes part (and gets an account) from 12, not before."""
    young = YouthFactory(region=world.youth.region, date_of_birth=_years_ago(11))
    with pytest.raises(ValidationError) as refused:
        family_account_invite(
            actor=world.users["case_coordinator"], youth=young, email="kind@example.org"
        )
    assert "email" in refused.value.message_dict
    young.refresh_from_db()
    assert young.user is None


def test_a_youth_of_12_is_invited(world, django_capture_on_commit_callbacks):
    """§6: at 12 the youth gets an account of their own; their seat gets it too."""
    twelve = YouthFactory(region=world.youth.region, date_of_birth=_years_ago(12))
    case = Case.objects.get(pk=world.case.pk)
    seat = ParticipantFactory(
        case=case, kind=ParticipantKind.YOUTH, user=None, organisation=None, role=""
    )
    case.youth = twelve
    case.save(update_fields=["youth"])
    with django_capture_on_commit_callbacks(execute=True):
        user = family_account_invite(
            actor=world.users["case_coordinator"],
            youth=twelve,
            email="jongere@example.org",
            case_uuid=case.uuid,
        )
    assert user.role == "youth"
    twelve.refresh_from_db()
    seat.refresh_from_db()
    assert twelve.user == user
    assert seat.user == user
    assert len(mail.outbox) == 1


def test_a_bad_address_gets_a_message_next_to_the_field(world):
    """Invariant 9: nothing is made for an address that is not one."""
    parent, seat = _seat(world)
    response = _coordinator(world).post(_url(world, seat), {"email": "geen adres"})
    assert response.status_code == 400
    assert b'id="id_email_error"' in response.content
    parent.refresh_from_db()
    assert parent.user is None


def test_only_the_procesregisseur_of_the_case_invites(world):
    """Invariant 1: another professional at the table gets 403, an outsider 404 (both logged);
    the service itself refuses anyone but a procesregisseur."""
    parent, seat = _seat(world)
    involved = Client()
    login_verified(involved, world.users["involved_professional"])
    assert involved.post(_url(world, seat), {"email": EMAIL}).status_code == 403
    outsider = Client()
    login_verified(outsider, world.users["other_case_coordinator"])
    assert outsider.post(_url(world, seat), {"email": EMAIL}).status_code == 404
    with pytest.raises(PermissionDenied):
        family_account_invite(
            actor=world.users["involved_professional"], guardian=parent, email=EMAIL
        )
    parent.refresh_from_db()
    assert parent.user is None


def test_a_get_is_not_allowed(world):
    """The invitation is a POST (CSRF-protected)."""
    _parent, seat = _seat(world)
    assert _coordinator(world).get(_url(world, seat)).status_code == 405


def test_an_address_of_another_account_is_never_linked(world):
    """Invariant 1, R-1-2: inviting a parent with the address of another family's (activated)
    parent does not hand that account this child's case; the invitation is refused and nothing
    changes."""
    stranger = world.users["other_parent"]
    stranger.email = "jan@example.org"
    stranger.save()
    parent, _seat_row = _seat(world)
    with pytest.raises(ValidationError):
        family_account_invite(
            actor=world.users["case_coordinator"],
            guardian=parent,
            email="JAN@example.org",
            case_uuid=world.case.uuid,
        )
    parent.refresh_from_db()
    assert parent.user is None
    assert not Case.objects.visible_to(stranger).filter(pk=world.case.pk).exists()
