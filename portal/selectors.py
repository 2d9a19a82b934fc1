"""Reads for the parent and youth portal; every youth shown is recorded in the access log."""

from django.db import transaction

from audit.choices import Action
from audit.services import record
from parties.models import User, Youth
from parties.selectors import youth_list


def portal_youths(*, user: User) -> list[Youth]:
    """The youths a parent (with gezag) or youth sees on their home page; each view is logged.

    The query and the access events share one transaction: if the log cannot be written, nothing
    is shown (DESIGN invariant 2).
    """
    with transaction.atomic():
        youths = list(youth_list(user=user))
        for youth in youths:
            record(
                actor=user, action=Action.YOUTH_VIEWED, target=youth, youth=youth, purpose="portal"
            )
    return youths
