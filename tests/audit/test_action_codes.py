"""Every action has a kind and a NEN 7513 code, and docs/audit-log.md says the same (issue 5)."""

import re
from pathlib import Path

from audit.choices import ACTION_KIND, KIND_ACTION_CODE, Action, ActionKind

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit-log.md"


def test_every_action_has_a_kind_and_a_code():
    """R-10-2: an export in the NEN 7513 shape needs an EventActionCode for every event."""
    assert set(ACTION_KIND) == set(Action.values)
    assert set(ACTION_KIND.values()) <= set(ActionKind.values)
    assert set(KIND_ACTION_CODE) == set(ActionKind.values)
    assert set(KIND_ACTION_CODE.values()) <= set("CRUDE")


def test_the_documented_actions_match_the_code():
    """R-10-2: docs/audit-log.md §2 lists every action with the code and kind the code uses."""
    rows = dict(
        re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| [^|]+ \| ([^|]+) \|", DOC.read_text(), re.M)
    )
    expected = {
        action: f"{KIND_ACTION_CODE[kind]} ({kind})" for action, kind in ACTION_KIND.items()
    }
    assert {action: text.strip() for action, text in rows.items() if action in expected} == (
        expected
    )
