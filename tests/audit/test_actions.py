"""Each audit action is its own number, written by some code path and asserted by some test."""

import re
from pathlib import Path

from advocacy.audit.actions import Action

ROOT = Path(__file__).resolve().parents[2]
CODE = [*(ROOT / "advocacy").rglob("*.py"), *(ROOT / "workflows").rglob("*.py")]
TESTS = [p for p in (ROOT / "tests").rglob("*.py") if p.name != Path(__file__).name]


def _names_in(paths) -> set[str]:
    found = set()
    for path in paths:
        found |= set(re.findall(r"Action\.([A-Z_]+)\b", path.read_text(encoding="utf-8")))
    return found


def test_every_action_is_written_by_some_code_path():
    written = _names_in(p for p in CODE if p.name != "actions.py")
    assert {a.name for a in Action} - written == set()


def test_every_action_is_asserted_by_some_test():
    assert {a.name for a in Action} - _names_in(TESTS) == set()
