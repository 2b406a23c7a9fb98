"""The check reference in docs/ is generated from the code and must not go stale."""

from __future__ import annotations

from pathlib import Path

from mlaudit.checks._base import list_checks
from mlaudit.cli._docgen import render_check_reference

DOC = Path(__file__).parents[3] / "docs" / "checks.md"


def test_check_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render_check_reference(), (
        "docs/checks.md is stale: run 'make docs'"
    )


def test_every_check_is_documented_with_its_options() -> None:
    text = render_check_reference()
    for cls in list_checks():
        assert f"`{cls.id}`" in text
        assert cls.why, f"{cls.id} has no 'why' text"
        for name in cls.model_fields:
            assert f"| `{name}` |" in text
