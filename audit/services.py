"""The one entry point that writes the access log."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from parties.choices import Role

from .choices import Action, Outcome
from .context import EMPTY, current
from .models import AccessEvent, EventReview


def _organisation_of(actor: Any) -> Any:
    """The organisation the actor works for, if any (professionals, FGs, beheerders)."""
    if actor is None or getattr(actor, "is_citizen", False):
        # Parents and youths work for no organisation; skip the lookup that would find nothing.
        return None
    professional = getattr(actor, "professional", None)
    return professional.organisation if professional is not None else None


def _event(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: Action,
    target: models.Model | None = None,
    youth: models.Model | None = None,
    case_uuid: Any = None,
    outcome: Outcome = Outcome.ALLOWED,
    legal_basis: str = "",
    purpose: str = "",
    reason: str = "",
    organisation: Any = None,
) -> AccessEvent:
    """An unsaved AccessEvent with the actor's snapshot and the request's origin."""
    user = actor if (actor is not None and actor.is_authenticated) else None
    organisation = organisation if organisation is not None else _organisation_of(user)
    context = current.get()
    if outcome == Outcome.DENIED and context is not EMPTY:
        context.flags["denied"] = True
    target_uuid = getattr(target, "uuid", None)
    return AccessEvent(
        action=action,
        outcome=outcome,
        actor=user,
        actor_name=(user.get_full_name() or user.get_username())[:300] if user else "",
        actor_role=getattr(user, "role", "") if user else "",
        organisation=organisation,
        organisation_name=organisation.name if organisation else "",
        youth_uuid=getattr(youth, "uuid", None),
        case_uuid=case_uuid,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target_uuid or getattr(target, "pk", "")) if target is not None else "",
        legal_basis=legal_basis[:100],
        purpose=purpose[:100],
        reason=reason[:300],
        client_ip=context.client_ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
        path=context.path,
    )


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: Action,
    target: models.Model | None = None,
    youth: models.Model | None = None,
    case_uuid: Any = None,
    outcome: Outcome = Outcome.ALLOWED,
    legal_basis: str = "",
    purpose: str = "",
    reason: str = "",
    organisation: Any = None,
) -> AccessEvent:
    """Write one AccessEvent in the caller's transaction (DESIGN invariant 2).

    Call it inside the same `transaction.atomic` block as the access itself: if the event cannot
    be written, the access fails with it instead of going unlogged. `target` is the object acted
    on, `youth` the data subject; only their ids are stored. `organisation` is only for an
    event without an actor that concerns one organisation, such as a failed login on one of its
    accounts; otherwise it is the actor's own.
    """
    event = _event(
        actor=actor,
        action=action,
        target=target,
        youth=youth,
        case_uuid=case_uuid,
        outcome=outcome,
        legal_basis=legal_basis,
        purpose=purpose,
        reason=reason,
        organisation=organisation,
    )
    event.save(force_insert=True)
    return event


def record_shown(
    *, actor: AbstractBaseUser | AnonymousUser, action: Action, shown: list[dict[str, Any]]
) -> list[AccessEvent]:
    """Record one event per item a list page shows, in one INSERT (a list of N youths is N
    accesses, but need not be N round trips). Each item holds `record`'s keyword arguments.
    """
    events = [_event(actor=actor, action=action, **item) for item in shown]
    # The rows are plain inserts: AccessEvent has no save() logic and nothing listens to it.
    return AccessEvent.objects.bulk_create(events)


def record_many_youths(
    *, actor: AbstractBaseUser, action: Action, youths: list[Any], purpose: str = ""
) -> list[AccessEvent]:
    """Record one event per youth shown on a list page (a list of N youths is N accesses)."""
    with transaction.atomic():
        return record_shown(
            actor=actor,
            action=action,
            shown=[{"target": y, "youth": y, "purpose": purpose} for y in youths],
        )


@transaction.atomic
def event_review_add(
    *,
    actor: Any,
    event: AccessEvent,
    finding: str,
    note: str = "",
    sample: Any = None,
) -> EventReview:
    """Record the FG's finding on one access event; the review itself is logged (issue 5).

    Reviews are append-only: a second look adds a review, the newest one counts. Only an FG of
    the event's own organisation may review it (SPEC R-DPIA-3).

    Raises PermissionDenied for anyone else, ValidationError for a bad finding or note.
    """
    organisation = _organisation_of(actor)
    if (
        getattr(actor, "role", None) != Role.PRIVACY_OFFICER
        or organisation is None
        or organisation.pk != event.organisation_id
    ):
        raise PermissionDenied
    review = EventReview(
        event=event, reviewer=actor, finding=finding, note=note.strip(), sample=sample
    )
    review.full_clean()
    review.save(force_insert=True)
    record(
        actor=actor,
        action=Action.AUDIT_REVIEWED,
        target=event,
        reason=f"{finding}" + (f" (sample {sample})" if sample else ""),
    )
    return review
