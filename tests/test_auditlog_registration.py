"""Row history (django-auditlog) covers every domain model that can hold personal data.

STYLE §4.6: "An architecture test fails when a domain model is neither registered nor explicitly
exempted." DESIGN: django-auditlog keeps the change history of every model with personal data.
"""

from django.apps import apps

from auditlog.registry import auditlog
from guardian.models import UserObjectPermissionBase

DOMAIN_APPS = ("parties", "convenant", "casusoverleg")

# Models without their own history, each with its reason.
EXEMPT = {
    # Grant rows: every grant and revoke is an access event (grant.added / grant.revoked).
    "parties.YouthUserObjectPermission",
    "casusoverleg.CaseUserObjectPermission",
}


def test_every_domain_model_is_registered_with_auditlog():
    """R-10-2, invariant 2: no write to a domain model escapes the row history."""
    missing = []
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            if name in EXEMPT:
                assert issubclass(model, UserObjectPermissionBase), name
                continue
            if not auditlog.contains(model):
                missing.append(name)
    assert not missing, f"register these in AUDITLOG_INCLUDE_TRACKING_MODELS: {missing}"


def test_every_audited_model_refuses_bulk_writes():
    """Issue 5, invariant 3: every manager of an audited model is built on AuditedQuerySet, so
    no update()/bulk_create()/bulk_update() can change a row without its history."""
    from core.querysets import AuditedQuerySet

    unguarded = [
        f"{model._meta.label}.{manager.name}"
        for model in auditlog.get_models()
        for manager in model._meta.managers
        if not issubclass(manager._queryset_class, AuditedQuerySet)
    ]
    assert not unguarded, f"build these managers on core.querysets.AuditedQuerySet: {unguarded}"
