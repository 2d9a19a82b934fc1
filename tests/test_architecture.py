"""Architecture rules that a linter does not know (STYLE §4.4, rule 3).

Views, forms and template tags never query a protected model directly: they go through the
selectors, which start from `visible_to(user)` and write the access event. `Model.objects.none()`
(an empty placeholder queryset) is the one use allowed.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("parties", "convenant", "audit", "consent", "casusoverleg", "portal", "core")

# Models that hold personal data of youths, families or the access log.
PROTECTED = {
    "Youth",
    "Guardian",
    "Case",
    "Participant",
    "Meeting",
    "Invitation",
    "PrivacyNotice",
    "Attendance",
    "ChecklistAnswer",
    "Minutes",
    "MinutesEntry",
    "ActionItem",
    "Statement",
    "CaseDocument",
    "CoordinatorHandover",
    "SharedItem",
    "AccessEvent",
    # Retention (issue 7): holds name cases and youths; removals their pseudonymous ids.
    "LegalHold",
    "RetentionRun",
    "RetentionBatch",
    "RetentionRemoval",
}


def _thin_modules() -> list[Path]:
    """views, forms and templatetags modules (and packages) of every app."""
    found = []
    for app in APPS:
        base = ROOT / app
        for name in ("views", "forms", "templatetags"):
            found += [base / f"{name}.py"] if (base / f"{name}.py").exists() else []
            found += sorted((base / name).glob("*.py")) if (base / name).is_dir() else []
    return found


def _scan(source: str) -> list[str]:
    """`<line> <Model>.objects` for every direct query of a protected model in `source`."""
    tree = ast.parse(source)
    # `X.objects.none()` is allowed: the node of `X.objects` is then the value of `.none`.
    allowed = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "none"
    }
    return [
        f"{node.lineno} {node.value.id}.objects"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in PROTECTED
        and id(node) not in allowed
    ]


def test_views_forms_and_tags_do_not_query_protected_models():
    """Invariant 1 and 2: reads of personal data go through selectors (visible_to + audit)."""
    modules = _thin_modules()
    assert len(modules) > 10, "the scan found too few modules to mean anything"
    offences = [
        f"{path.relative_to(ROOT)}:{hit}" for path in modules for hit in _scan(path.read_text())
    ]
    assert not offences, offences


def test_the_scan_catches_a_direct_query():
    """The rule above can fail: a direct query is found, the empty placeholder is not."""
    source = "def v(r):\n    Case.objects.none()\n    return Case.objects.all()\n"
    assert _scan(source) == ["3 Case.objects"]


def test_every_protected_case_model_has_visible_to():
    """Issue 4, STYLE rule 3: every protected model has `visible_to(user)` for selectors to start
    from. The casusoverleg app's models all hold case data (the grant table is the access)."""
    from django.apps import apps

    missing = [
        model.__name__
        for model in apps.get_app_config("casusoverleg").get_models()
        if model.__name__ != "CaseUserObjectPermission"
        and not hasattr(model._default_manager, "visible_to")
    ]
    assert not missing, f"add visible_to(user) to: {missing}"
    unlisted = (
        {m.__name__ for m in apps.get_app_config("casusoverleg").get_models()}
        - PROTECTED
        - {"CaseUserObjectPermission"}
    )
    assert not unlisted, f"list {unlisted} in PROTECTED so views cannot query them directly"
