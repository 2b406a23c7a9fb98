"""Charts drawn straight to SVG: the shares drawn are the data's, by hand."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from mlaudit.report._svg import detail_svg, distribution_svg, nice_ticks, series_svg
from mlaudit.results import CurveDetail, DistributionDetail, SeriesDetail, TableDetail


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def _bars(root: ET.Element) -> list[tuple[str, float, float, float]]:
    """(title, x, width, height) of every rect that carries a title (the data's bars)."""
    out = []
    for r in root.iter("rect"):
        t = r.find("title")
        if t is not None:
            out.append(
                (
                    t.text or "",
                    float(r.get("x", 0)),
                    float(r.get("width", 0)),
                    float(r.get("height", 0)),
                )
            )
    return out


@pytest.mark.parametrize(
    ("lo", "hi", "count", "expected"),
    [
        (0.0, 0.37, 5, [0.0, 0.1, 0.2, 0.3]),  # step 0.074 -> 0.1
        (-3.2, 7.9, 8, [-2.0, 0.0, 2.0, 4.0, 6.0]),  # step 1.39 -> 2
        (0.0, 1.0, 5, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),  # step 0.2 exactly
        (1e6, 1.5e6, 5, [1e6, 1.1e6, 1.2e6, 1.3e6, 1.4e6, 1.5e6]),
        (2.0, 2.0, 5, [2.0]),
    ],
)
def test_nice_ticks_by_hand(lo: float, hi: float, count: int, expected: list[float]) -> None:
    assert nice_ticks(lo, hi, count) == expected


def test_numeric_distribution_bars_have_the_shares_heights() -> None:
    d = DistributionDetail(
        name="h", column="income", edges=[0, 1000, 2000, 3000],
        counts={"reference": [1, 2, 1], "current": [0, 0, 4]},
    )  # fmt: skip
    svg = distribution_svg(d, label='income "<x>"')
    root = _parse(svg)
    assert root.get("aria-label") == 'income "<x>"' and root.get("role") == "img"
    bars = {t: (x, w, h) for t, x, w, h in _bars(root)}
    # shares by hand: reference 1/4, 2/4, 1/4; current 0, 0, 1
    assert len(bars) == 6
    assert bars["reference: 0 to 1,000: 25.00%"][2] * 2 == pytest.approx(
        bars["reference: 1,000 to 2,000: 50.00%"][2], abs=0.02
    )
    assert bars["current: 2,000 to 3,000: 100.00%"][2] == pytest.approx(
        4 * bars["reference: 2,000 to 3,000: 25.00%"][2], abs=0.02
    )
    assert bars["current: 0 to 1,000: 0.00%"][2] == 0
    widths = {round(w, 1) for _, w, _ in bars.values()}
    assert len(widths) == 1  # equal bins, equal widths
    assert 'id="' not in svg  # nothing to clash when many charts share a page
    assert distribution_svg(d, label='income "<x>"') == svg  # deterministic


def test_categorical_distribution_keeps_the_30_most_frequent() -> None:
    cats = [f"c{i:02d}" for i in range(40)]
    d = DistributionDetail(
        name="h", column="x", categories=cats, counts={"reference": [float(i) for i in range(40)]}
    )
    root = _parse(distribution_svg(d, label="x"))
    bars = _bars(root)
    assert {t.split(": ")[1] for t, *_ in bars} == set(cats[10:])
    tallest = max(bars, key=lambda b: b[3])
    assert tallest[0] == f"reference: c39: {39 / 780:.2%}"
    shortest = min(bars, key=lambda b: b[3])
    assert shortest[3] / tallest[3] == pytest.approx(10 / 39, abs=0.01)
    title = next(t for t in root.iter("text") if "top 30 of 40" in (t.text or ""))
    assert title is not None


def test_series_breaks_at_missing_values_and_draws_bands_and_limits() -> None:
    d = SeriesDetail(
        name="s", title="AUC per week", x=["w1", "w2", "w3", "w4", "w5"],
        series={"realised": [0.8, 0.7, math.nan, 0.6, math.inf], "estimated": [0.8] * 5},
        lower={"estimated": [0.75] * 5}, upper={"estimated": [0.85] * 5},
        limits={"lower control limit": 0.65},
    )  # fmt: skip
    root = _parse(series_svg(d, label="AUC"))
    lines = list(root.iter("polyline"))
    assert len(lines) == 2  # realised: w1-w2 (w4 alone is a point); estimated: one line
    assert len(list(root.iter("circle"))) - 2 == 3 + 5  # legend circles, then finite points
    assert len(list(root.iter("polygon"))) == 1
    dashed = [ln for ln in root.iter("line") if ln.get("stroke-dasharray")]
    assert len(dashed) == 1
    # the limit line sits where 0.65 is on the y axis the labels give
    ticks = {
        float(t.text): float(t.get("y", 0)) - 3.5
        for t in root.iter("text")
        if t.get("text-anchor") == "end" and re.fullmatch(r"[0-9.]+", t.text or "")
    }
    (a, ya), (b, yb) = sorted(ticks.items())[:2]
    y_limit = float(dashed[0].get("y1", 0))
    assert y_limit == pytest.approx(ya + (0.65 - a) * (yb - ya) / (b - a), abs=0.02)


def test_series_on_a_numeric_axis_places_points_by_value() -> None:
    d = SeriesDetail(name="s", x=[0, 1, 4], series={"": [1.0, 2.0, 3.0]})
    root = _parse(series_svg(d, label="s"))
    xs = [float(c.get("cx", 0)) for c in root.iter("circle")]
    assert (xs[1] - xs[0]) * 4 == pytest.approx(xs[2] - xs[0], abs=0.02)


def test_each_chart_kind_has_one_renderer() -> None:
    dist = DistributionDetail(name="h", column="x", edges=[0, 1], counts={"reference": [1]})
    series = SeriesDetail(name="s", x=[1, 2], series={"a": [1.0, 2.0]})
    assert detail_svg(dist, label="d") == distribution_svg(dist, label="d")
    assert detail_svg(series, label="s") == series_svg(series, label="s")
    curve = CurveDetail(name="roc", curves={"m": {"x": [0, 1], "y": [0, 1]}})
    drawn = detail_svg(curve, label="roc", prefix="p7")
    assert drawn is not None and drawn.startswith('<svg role="img" aria-label="roc" ')
    assert detail_svg(CurveDetail(name="roc", curves={}), label="roc") is None
    assert detail_svg(TableDetail(name="t", columns=["a"], rows=[[1]]), label="t") is None


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        # found by the fuzz tier: a range of subnormal width (log10 of 0), and one wider than
        # the float maximum (hi - lo overflows): raw step 6.8e307 rounds up to 1e308 by hand.
        (0.0, 5e-324, [0.0, 5e-324]),
        (-1.7e308, 1.7e308, [-1e308, 0.0, 1e308]),
    ],
)
def test_nice_ticks_at_the_float_limits(lo: float, hi: float, expected: list[float]) -> None:
    assert nice_ticks(lo, hi, 5) == expected


@pytest.mark.parametrize("x", [[4503599627370498.0], [-1.7e308, 1.7e308], [1.7976931348623157e308]])
def test_a_series_over_huge_x_values_is_drawn(x: list[float]) -> None:
    # found by the fuzz tier: one x of 2**52 + 2 divided by zero (x - 0.5 == x there), and a
    # range wider than the float maximum overflowed; the points must lie inside the plot.
    d = SeriesDetail(name="s", x=x, series={"a": [1.0] * len(x)})
    svg = series_svg(d, label="s")
    ET.fromstring(svg)
    xs = [float(v) for v in re.findall(r'<circle[^>]*\bcx="([^"]+)"', svg)]
    assert xs and all(56 <= v <= 56 + 520 for v in xs), xs  # LEFT, LEFT + WIDTH
