"""`manage.py seed_demo` (issue 2 item 6)."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest

from parties.choices import Role
from parties.models import Guardian, Organisation, User, Youth

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent():
    """Running it twice changes nothing the second time."""
    _seed()
    counts = (
        User.objects.count(),
        Organisation.objects.count(),
        Youth.objects.count(),
        Guardian.objects.count(),
    )
    _seed()
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Youth.objects.count(),
        Guardian.objects.count(),
    )


def test_seed_demo_has_every_role_and_prints_the_logins():
    """Every role has a demo user, and each login is printed."""
    output = _seed()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for username in User.objects.values_list("username", flat=True):
        assert username in output


def test_seed_demo_youths_and_parents():
    """Youths of 10, 14 and 17; one with two parents with joint gezag; one parent without gezag."""
    _seed()
    today = timezone.localdate()
    assert sorted(y.age_on(today) for y in Youth.objects.all()) == [10, 14, 17]
    joint = [y for y in Youth.objects.all() if y.guardians.filter(has_authority=True).count() == 2]
    assert len(joint) == 1
    assert Guardian.objects.filter(has_authority=False).count() == 1
    fourteen = next(y for y in Youth.objects.all() if y.age_on(today) == 14)
    assert fourteen.user is not None
    assert fourteen.user.role == Role.YOUTH


def test_seed_demo_names_the_organisations_spec_lists():
    """Two schools, an SWV, a municipality, youth care, GGZ and JGZ."""
    _seed()
    types = list(Organisation.objects.values_list("party_type", flat=True))
    assert types.count("swv") == 1
    assert (
        Organisation.objects.filter(parent__isnull=False, party_type="schoolbestuur").count() == 2
    )
    assert {"gemeente_college", "jeugdhulpaanbieder", "jgz"} <= set(types)
    capacities = {c for org in Organisation.objects.all() for c in org.capacities}
    assert {"leerplicht", "jeugd", "jeugdhulp", "ggz", "jgz"} <= capacities


def test_seed_demo_refuses_a_production_configuration(settings):
    """Demo passwords never reach production: without DEBUG it refuses unless forced."""
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        _seed()
    assert not User.objects.exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.exists()
