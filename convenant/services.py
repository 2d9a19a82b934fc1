"""Writes of the covenant's reference data: validated, in one transaction, logged."""

from django.db import models, transaction
from django.forms import ModelForm

from audit.choices import Action
from audit.services import record
from parties.models import User

from .governance_services import (
    reference_activation_check,
    reference_change_review,
    reference_snapshot,
)
from .models import ConsultationType, ConsultationTypeRole


def _sync_roles(
    consultation_type: ConsultationType, required: list[str], optional: list[str]
) -> None:
    wanted = {**dict.fromkeys(optional, False), **dict.fromkeys(required, True)}
    consultation_type.roles.exclude(role__in=wanted).delete()
    for role, is_required in wanted.items():
        ConsultationTypeRole.objects.update_or_create(
            consultation_type=consultation_type, role=role, defaults={"required": is_required}
        )


@transaction.atomic
def reference_save(*, actor: User, form: ModelForm) -> models.Model:
    """Save one row of reference data from a valid `form`, with its audit event.

    `full_clean()` runs the model's own rules (e.g. the covenant is never a legal basis, R-4-3);
    django-auditlog records the row diff in the same transaction. Raises ValidationError.
    """
    instance = form.save(commit=False)
    created = instance.pk is None
    # Covenant governance (issue 7): the DPIA gate (R-DPIA-1) before, review prompts after.
    before = reference_snapshot(instance)
    reference_activation_check(instance, before)
    instance.full_clean()
    instance.save()
    form.save_m2m()
    reference_change_review(actor=actor, instance=instance, created=created, before=before)
    if isinstance(instance, ConsultationType):
        _sync_roles(
            instance,
            form.cleaned_data.get("required_roles") or [],
            form.cleaned_data.get("optional_roles") or [],
        )
    record(
        actor=actor,
        action=Action.REFERENCE_CREATED if created else Action.REFERENCE_UPDATED,
        target=instance,
    )
    return instance
