"""The groups detail drawn: one dot and interval a group, the four-fifths line, the table."""

from __future__ import annotations

import re

import pytest

from mlaudit.report._svggroups import groups_svg, groups_table
from mlaudit.results import GroupsDetail

LEFT, NAME_W, PLOT_W = 56, 170, 360


def _detail() -> GroupsDetail:
    return GroupsDetail(
        name="groups", title="Groups of sex", attribute="sex", favourable="1",
        reference_group="m",
        groups=[
            {"group": "m", "n": 500, "sufficient": True, "reference": True,
             "selection_rate": 0.5, "selection_rate_ci": [0.45, 0.55], "impact_ratio": 1.0},
            {"group": "f", "n": 480, "sufficient": True, "reference": False,
             "selection_rate": 0.3, "selection_rate_ci": [0.26, 0.34], "impact_ratio": 0.6,
             "impact_ratio_ci": [0.5, 0.7]},
            {"group": "x", "n": 4, "sufficient": False, "reference": False,
             "selection_rate": 0.25, "selection_rate_ci": [0.05, 0.7]},
        ],
    )  # fmt: skip


def test_each_group_has_a_dot_at_its_rate_and_the_four_fifths_line() -> None:
    svg = groups_svg(_detail(), label="sex")
    assert svg is not None
    dots = [float(x) for x in re.findall(r'class="rate" cx="([0-9.]+)"', svg)]
    assert dots == pytest.approx([LEFT + NAME_W + PLOT_W * r for r in (0.5, 0.3, 0.25)], abs=0.01)
    line = float(re.search(r'class="four-fifths" x1="([0-9.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert line == pytest.approx(LEFT + NAME_W + PLOT_W * 0.8 * 0.5, abs=0.01)
    assert len(re.findall(r'class="ci"', svg)) == 3
    assert "#a5a5a5" in svg  # the small group drawn grey


def test_table_lists_figures_with_intervals_and_notes() -> None:
    columns, rows = groups_table(_detail())
    assert columns[:3] == ["sex", "rows", "selection rate"] and "impact ratio" in columns
    assert rows[1][2] == "0.3 [0.26, 0.34]"
    assert rows[0][-1] == "reference" and rows[2][-1] == "insufficient evidence"


def test_no_rate_no_chart() -> None:
    d = _detail().model_copy(update={"groups": [{"group": "a", "n": 3}]})
    assert groups_svg(d, label="x") is None
