"""The bars detail drawn: one bar a label and series, whiskers at the interval's ends, a zero
line that moves for negative values, shares as percentages; and its Markdown summary."""

from __future__ import annotations

import re

import pytest

from mlaudit.report._markdown import _chart_summary
from mlaudit.report._svg import detail_svg
from mlaudit.report._svgbars import MAX_BARS, bars_svg
from mlaudit.results import BarsDetail

LEFT, NAME_W, PLOT_W = 56, 180, 340


def _bars(svg: str) -> list[tuple[float, float]]:
    """Each bar's left edge and width."""
    found = re.findall(r'class="bar" x="([-0-9.]+)" y="[-0-9.]+" width="([0-9.]+)"', svg)
    return [(float(x), float(w)) for x, w in found]


def test_bars_are_proportional_and_whiskers_span_the_interval() -> None:
    d = BarsDetail(name="imp", labels=["a", "b", "c"],
                   series={"importance": [0.08, 0.04, 0.01]},
                   lower={"importance": [0.06, 0.03, None]},
                   upper={"importance": [0.10, 0.05, None]})  # fmt: skip
    svg = bars_svg(d, label="imp")
    assert svg is not None and detail_svg(d, label="imp") == svg
    # the axis runs 0 to 0.1 (ticks 0, 0.02, ..., 0.1): a value v sits at LEFT+NAME_W+PLOT_W*v/0.1
    at = [LEFT + NAME_W + PLOT_W * v / 0.1 for v in (0.08, 0.04, 0.01)]
    bars = _bars(svg)
    assert [x for x, _ in bars] == pytest.approx([LEFT + NAME_W] * 3, abs=0.01)
    assert [x + w for x, w in bars] == pytest.approx(at, abs=0.01)
    whiskers = re.findall(r'class="interval" x1="([0-9.]+)" x2="([0-9.]+)"', svg)
    ends = [float(v) for pair in whiskers for v in pair]
    assert ends == pytest.approx(
        [LEFT + NAME_W + PLOT_W * v / 0.1 for v in (0.06, 0.10, 0.03, 0.05)], abs=0.01
    )
    assert "<title>a, importance: 0.08</title>" in svg


def test_a_negative_value_draws_left_of_the_zero_line() -> None:
    d = BarsDetail(name="imp", labels=["up", "down"], series={"i": [0.2, -0.1]},
                   lower={"i": [0.1, -0.15]}, upper={"i": [0.3, -0.05]})  # fmt: skip
    svg = bars_svg(d, label="imp")
    assert svg is not None
    (x_up, w_up), (x_down, w_down) = _bars(svg)
    assert x_down + w_down == pytest.approx(x_up, abs=0.01)  # both bars meet at zero
    assert w_up == pytest.approx(2 * w_down, abs=0.01)


def test_shares_are_percentages_and_series_share_a_row() -> None:
    d = BarsDetail(name="cited", labels=["income", "debt"], share=True,
                   series={"reference": [0.5, 0.25], "current": [0.75, None]})  # fmt: skip
    svg = bars_svg(d, label="cited")
    assert svg is not None
    assert len(_bars(svg)) == 3  # the missing value has no bar
    assert ">75%<" in svg and ">50%<" in svg and "reference" in svg  # the legend
    assert bars_svg(BarsDetail(name="x", labels=["a"], series={"s": [None]}), label="x") is None


def test_more_labels_than_drawn_are_counted() -> None:
    n = MAX_BARS + 5
    d = BarsDetail(name="many", labels=[f"f{i}" for i in range(n)],
                   series={"v": [float(n - i) for i in range(n)]})  # fmt: skip
    svg = bars_svg(d, label="many")
    assert svg is not None and len(_bars(svg)) == MAX_BARS
    assert "5 more in the table" in svg


def test_markdown_summarises_the_first_bars() -> None:
    d = BarsDetail(name="cited", title="Reasons", labels=["income", "debt", "age", "x"],
                   series={"cited": [0.86, 0.73, 0.5, 0.1]}, share=True)  # fmt: skip
    assert _chart_summary(d) == (
        "Chart *Reasons*: bars of cited; first income 86.0%, debt 73.0%, age 50.0% and 1 more."
    )
