"""Portal accounts of parents and youths: invited by the procesregisseur, activated by them.

The services that write the access log live here, above `audit` (DESIGN layers); the link, its
token and its e-mail are `parties.accounts`. The procesregisseur enters an e-mail address for a
parent with gezag or a youth from 12; the account is made at once (no usable password), the
person's seats at case tables get it, and the activation e-mail goes out after the commit.
"""

import secrets
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.services import record
from parties.accounts import invitation_account, is_activated
from parties.choices import Role
from parties.models import Guardian, User, Youth
from parties.tasks import account_invitation_send_task

from .choices import ParticipantKind
from .models import Participant


def _free_username(email: str) -> str:
    """The e-mail address as username, or with a short suffix when it is taken."""
    base = email.lower()[:140]
    username = base
    while User.objects.filter(username__iexact=username).exists():
        username = f"{base}-{secrets.randbelow(10_000):04d}"
    return username


def _refuse(message: str) -> None:
    raise ValidationError({"email": message})


def _link_seats(*, user: User, guardian: Guardian | None, youth: Youth | None) -> None:
    """Give the person's seats at case tables the account, so that the portal shows them.

    A seat copies the account when it is made (services._family_seat); a seat made before the
    invitation has none yet.
    """
    seats = Participant.objects.filter(user__isnull=True)
    if guardian is not None:
        seats = seats.filter(kind=ParticipantKind.PARENT, guardian=guardian)
    else:
        seats = seats.filter(kind=ParticipantKind.YOUTH, case__youth=youth)
    for seat in seats:
        seat.user = user
        seat.save(update_fields=["user", "updated_at"])


@transaction.atomic
def family_account_invite(
    *,
    actor: User,
    guardian: Guardian | None = None,
    youth: Youth | None = None,
    email: str,
    case_uuid: UUID | None = None,
) -> User:
    """Make (or renew) the portal account of a parent with gezag or a youth from 12 and send
    the activation link after the commit.

    Exactly one of `guardian` and `youth`. The caller has checked that `actor` directs the case
    (`case_uuid` goes into the access log). A parent without gezag and a youth under
    AGE_THRESHOLDS["participates"] get no account (SPEC R-1-2, §6). An account that is not
    activated yet gets a new link (the old one stops working); an activated one is refused. A
    parent already in the portal for another child (same e-mail address) keeps one account.

    Raises PermissionDenied for anyone but a procesregisseur, ValidationError (on "email")
    otherwise.
    """
    if getattr(actor, "role", None) != Role.COORDINATOR:
        raise PermissionDenied
    if (guardian is None) == (youth is None):
        raise ValueError("invite either a guardian or a youth")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        _refuse(_("Enter an e-mail address like name@example.nl."))
    if guardian is not None:
        if not guardian.has_authority:
            _refuse(
                _(
                    "A parent without parental authority (gezag) cannot get a portal account: "
                    "they may not see the child's data."
                )
            )
        person: Guardian | Youth = guardian
        subject_youth = guardian.youth
        role = Role.PARENT
    elif youth is not None:
        age = youth.age_on(timezone.localdate())
        if age < settings.AGE_THRESHOLDS["participates"]:
            _refuse(
                _("A youth gets a portal account from %(age)s years old.")
                % {"age": settings.AGE_THRESHOLDS["participates"]}
            )
        person = youth
        subject_youth = youth
        role = Role.YOUTH
    user: User | None = person.user
    reason = "new account"
    # An address that belongs to another account is never linked from here: the procesregisseur
    # cannot tell whether it is the same person, and linking would open this child's case to
    # whoever owns that account (review of issue 6). A parent of several children gets an
    # account per child until a verified linking step exists.
    taken = User.objects.filter(email__iexact=email)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        _refuse(
            _(
                "This e-mail address already belongs to another account. Use another address, or "
                "ask the functioneel beheerder to link the accounts."
            )
        )
    if user is not None:
        if is_activated(user):
            _refuse(_("This person already uses the portal. They log in with their own account."))
        reason = "sent again"
        linked_elsewhere = (
            Guardian.objects.filter(user=user).exclude(pk=getattr(guardian, "pk", None)).exists()
            or Youth.objects.filter(user=user).exclude(pk=getattr(youth, "pk", None)).exists()
        )
        if linked_elsewhere and user.email.lower() != email.lower():
            _refuse(
                _("This account is also used for another child: its address cannot change here.")
            )
        if user.email.lower() != email.lower():
            user.email = email
        # A new unusable password: the link sent earlier stops working.
        user.set_unusable_password()
        user.save(update_fields=["email", "password"])
    elif user is None:
        user = User(
            username=_free_username(email),
            email=email,
            role=role,
            first_name=person.given_name,
            last_name=person.family_name,
            is_active=True,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    _link_seats(user=user, guardian=guardian, youth=youth)
    record(
        actor=actor,
        action=Action.ACCOUNT_INVITED,
        target=user,
        youth=subject_youth,
        case_uuid=case_uuid,
        reason=f"{role}: {reason}",
    )
    if not is_activated(user):
        account_invitation_send_task.delay_on_commit(user_id=user.pk)
    return user


@transaction.atomic
def family_account_activate(*, uidb64: str, token: str, password: str) -> User:
    """Set the first password of an invited account; the link stops working (it works once).

    The password has passed Django's validators in the form. Raises ValidationError when the
    link is not (or no longer) valid.
    """
    user = invitation_account(uidb64=uidb64, token=token)
    if user is None:
        raise ValidationError(_("This link does not work (any more)."))
    # Locked: two clicks at once activate once.
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password():
        raise ValidationError(_("This link does not work (any more)."))
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor=user, action=Action.ACCOUNT_ACTIVATED, target=user)
    return user
