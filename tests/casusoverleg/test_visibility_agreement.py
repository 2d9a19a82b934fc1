"""The VIEW rule of every case model agrees with its case's (DESIGN invariant 1, STYLE rule 4).

For every user of the world and every model of the casusoverleg app, `visible_to(user)` returns
exactly the rows of the cases `user` may see, narrowed only where the model has a rule of its
own (a PDF is its requester's; a shared item has its readers, tested in
test_shared_item_visibility.py). List and detail agree: the case page and every child page start
from these querysets.
"""

import pytest

from casusoverleg import models as m

pytestmark = pytest.mark.django_db

CASE_PATHS = {
    m.Participant: "case",
    m.Meeting: "case",
    m.CoordinatorHandover: "case",
    m.PrivacyNotice: "case",
    m.ChecklistAnswer: "case",
    m.Invitation: "meeting__case",
    m.Attendance: "meeting__case",
    m.Minutes: "meeting__case",
    m.MinutesEntry: "minutes__meeting__case",
    m.ActionItem: "minutes__meeting__case",
    m.Statement: "minutes__meeting__case",
}


@pytest.mark.parametrize("model", list(CASE_PATHS), ids=lambda model: model.__name__)
def test_child_rows_are_visible_exactly_with_their_case(world, model):
    """R-7-2: a participant sees rows only of cases they take part in; outsiders none."""
    path = CASE_PATHS[model]
    for key, user in world.users.items():
        cases = set(m.Case.objects.visible_to(user).values_list("pk", flat=True))
        expected = set(
            model._default_manager.filter(**{f"{path}__in": cases}).values_list("pk", flat=True)
        )
        got = set(model._default_manager.visible_to(user).values_list("pk", flat=True))
        assert got == expected, (model.__name__, key)


def test_world_case_is_visible_to_exactly_the_involved(world):
    """Invariant 1: the procesregisseur and the accepted participant by grant, the invited parent
    and youth by their seat; nobody else, not the FG or the beheerder."""
    seeing = {
        key for key, user in world.users.items() if world.case in m.Case.objects.visible_to(user)
    }
    assert seeing == {"case_coordinator", "involved_professional", "parent", "youth"}


def test_documents_are_their_requesters_only(world):
    """R-11-2: a PDF is watermarked for the one who asked for it; nobody else gets it."""
    from tests.factories.casusoverleg import CaseDocumentFactory

    own = CaseDocumentFactory(case=world.case, requested_by=world.users["case_coordinator"])
    for document in (world.document, own):
        for key, user in world.users.items():
            visible = document in m.CaseDocument.objects.visible_to(user)
            may = document.requested_by_id == user.pk and world.case in m.Case.objects.visible_to(
                user
            )
            assert visible == may, key
    assert own in m.CaseDocument.objects.visible_to(world.users["case_coordinator"])
