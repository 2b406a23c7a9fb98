from __future__ import annotations

import math

from mlaudit.report import charts
from mlaudit.results import CurveDetail, DistributionDetail, SeriesDetail


def test_distribution_shares_by_hand() -> None:
    d = DistributionDetail(
        name="h", column="x", edges=[0, 1, 2, 3],
        counts={"reference": [1, 2, 1], "current": [0, 0, 4]},
    )  # fmt: skip
    values = charts.distribution_chart(d)["data"]["values"]
    got = {(v["sample"], v["lo"]): v["share"] for v in values}
    assert got == {
        ("reference", 0): 0.25, ("reference", 1): 0.5, ("reference", 2): 0.25,
        ("current", 0): 0.0, ("current", 1): 0.0, ("current", 2): 1.0,
    }  # fmt: skip


def test_categorical_keeps_top_30() -> None:
    cats = [f"c{i:02d}" for i in range(40)]
    d = DistributionDetail(
        name="h", column="x", categories=cats, counts={"reference": [float(i) for i in range(40)]}
    )
    spec = charts.distribution_chart(d)
    kept = {v["category"] for v in spec["data"]["values"]}
    assert kept == set(cats[10:])  # the 30 largest counts
    assert "top 30 of 40" in spec["title"]["text"]
    assert math.isclose(sum(v["share"] for v in spec["data"]["values"]), 735 / 780)


def test_series_drops_non_finite_and_draws_limits() -> None:
    d = SeriesDetail(
        name="s", x=[1, 2, 3], series={"a": [0.1, math.nan, math.inf]}, limits={"fail": 0.5}
    )
    spec = charts.series_chart(d)
    lines = [layer for layer in spec["layer"] if layer["mark"]["type"] == "line"]
    ys = [v["y"] for v in lines[0]["data"]["values"]]
    assert ys == [0.1, None, None]
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"])
    svg = charts.to_svg(spec)
    assert svg.startswith("<svg ")


def test_svg_is_deterministic_accessible_and_namespaced() -> None:
    d = CurveDetail(name="roc", curves={"m": {"x": [0, 0.5, 1], "y": [0, 0.8, 1]}})
    a = charts.to_svg(charts.curve_chart(d), label='ROC "<x>"', prefix="p1")
    b = charts.to_svg(charts.curve_chart(d), label='ROC "<x>"', prefix="p1")
    assert a == b
    assert a.startswith('<svg role="img" aria-label="ROC &quot;&lt;x&gt;&quot;" ')
    assert "http" not in a
    assert 'id="' not in a or 'id="p1-' in a


def test_missing_values_chart_order() -> None:
    spec = charts.missing_values_chart([("b", 0.5), ("a", 0.0)])
    assert [v["column"] for v in spec["data"]["values"]] == ["b", "a"]
    assert spec["encoding"]["y"]["sort"] == ["b", "a"]
    assert charts.detail_chart(DistributionDetail(name="e", column="x", counts={})) is None
