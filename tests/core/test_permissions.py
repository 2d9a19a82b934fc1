"""The guardian adapter and the youth visibility rule (DESIGN invariant 1)."""

import pytest

from core.permissions import grant, has_grant, objects_granted_to, revoke
from parties.models import Youth
from parties.selectors import youth_list

pytestmark = pytest.mark.django_db

WHO_SEES_THE_YOUTH = {
    "coordinator": False,
    "professional": False,
    "youth_care": False,
    "leerplicht": False,
    "privacy_officer": False,
    "administrator": False,
    "involved_professional": True,
    "parent": True,
    "parent_without_authority": False,
    "youth": True,
    "other_parent": False,
    "other_youth": False,
    # Case access is on the case, not the youth record (tests/casusoverleg/test_permissions.py).
    "case_coordinator": False,
    "invited_professional": False,
    "other_case_coordinator": False,
    "other_case_professional": False,
}


@pytest.mark.parametrize(("who", "sees"), WHO_SEES_THE_YOUTH.items())
def test_youth_visible_only_to_the_involved(world, who, sees):
    """R-1-2, R-DPIA-3: only the youth, parents with gezag and granted professionals see a youth;
    a parent without gezag, the FG and the beheerder see nothing by their role alone."""
    assert (world.youth in youth_list(user=world.users[who])) is sees


def test_every_role_is_in_the_visibility_table(world):
    """The table above covers every user of the world, so a new role cannot slip through."""
    assert set(world.users) == set(WHO_SEES_THE_YOUTH)


def test_grant_and_revoke_change_visibility_at_once(world):
    """Invariant 1: a grant gives access now; revoking takes it away now."""
    user = world.users["professional"]
    assert not has_grant(user, "parties.view_youth", world.youth)
    grant(user, "parties.view_youth", world.youth)
    assert world.youth in Youth.objects.visible_to(user)
    revoke(user, "parties.view_youth", world.youth)
    assert world.youth not in Youth.objects.visible_to(user)


def test_inactive_user_holds_no_grant(world):
    """A deactivated account keeps its grant rows but sees nothing."""
    user = world.users["involved_professional"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not objects_granted_to(user, "parties.view_youth", Youth).exists()
    assert not Youth.objects.visible_to(user).exists()


def test_superuser_status_does_not_give_access(world):
    """Visibility is per object: superuser status and model permissions are ignored."""
    user = world.users["administrator"]
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    assert not Youth.objects.visible_to(user).exists()


def test_grant_uses_the_direct_foreign_key_table(world):
    """STYLE: direct FK permission tables, never guardian's generic table."""
    from guardian.models import UserObjectPermission

    from parties.models import YouthUserObjectPermission

    assert YouthUserObjectPermission.objects.filter(content_object=world.youth).exists()
    assert not UserObjectPermission.objects.exists()


def test_visible_to_has_no_duplicates(world):
    """Two parents with gezag of one youth must not duplicate rows (pk__in, not joins)."""
    from tests.factories.parties import GuardianFactory

    GuardianFactory(youth=world.youth, user=world.users["parent"])
    assert list(youth_list(user=world.users["parent"])).count(world.youth) == 1
