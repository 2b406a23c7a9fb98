"""Values with leading or trailing whitespace are quoted wherever a report prints a cell."""

from __future__ import annotations

from mlaudit.report._format import fmt_cell
from mlaudit.results import show_padding


def test_padded_text_is_quoted_with_other_whitespace_escaped() -> None:
    assert fmt_cell(" Private") == "' Private'"
    assert fmt_cell("Male\t") == "'Male\\t'"
    assert fmt_cell("\u00a0Yes") == "'\\xa0Yes'"
    assert fmt_cell("\u3000x") == "'\\u3000x'"


def test_other_values_are_unchanged() -> None:
    assert fmt_cell("Private") == "Private"
    assert fmt_cell("self employed") == "self employed"  # inner spaces are not padding
    assert fmt_cell("") == ""
    assert fmt_cell(3) == "3"
    assert show_padding("it's") == "it's"
