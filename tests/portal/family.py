"""Helpers for the portal's family pages (issue 6): clients per role, ages, the youth's
permission for a parent."""

from datetime import date

from django.test import Client
from django.utils import timezone

from tests.helpers import login_verified


def client_for(world, who: str) -> Client:
    """A client logged in as `who` of the world, past the second factor; English msgids so that
    assertions hold whatever the Dutch translation says."""
    return login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), world.users[who])


def set_age(world, years: int) -> None:
    """Make the world's youth `years` old today (born on 1 January)."""
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - years, 1, 1)
    world.youth.save(update_fields=["date_of_birth"])


def allow_parent(world) -> None:
    """The youth (16 or older) allows the parent with gezag to look along (R-AGE-5)."""
    from consent.services import parent_access_give

    parent_access_give(actor=world.users["youth"], guardian=world.guardian)
