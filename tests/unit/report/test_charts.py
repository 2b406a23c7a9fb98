"""The chart still drawn through Vega-Lite: the missing-values overview."""

from __future__ import annotations

from mlaudit.report import _charts as charts


def test_svg_is_deterministic_accessible_and_namespaced() -> None:
    spec = charts.missing_values_chart([("b", 0.5), ("a", 0.0)])
    a = charts.to_svg(spec, label='missing "<x>"', prefix="p1")
    b = charts.to_svg(spec, label='missing "<x>"', prefix="p1")
    assert a == b
    assert a.startswith('<svg role="img" aria-label="missing &quot;&lt;x&gt;&quot;" ')
    assert "http" not in a
    assert 'id="' not in a or 'id="p1-' in a


def test_missing_values_chart_order() -> None:
    spec = charts.missing_values_chart([("b", 0.5), ("a", 0.0)])
    assert [v["column"] for v in spec["data"]["values"]] == ["b", "a"]
    assert spec["encoding"]["y"]["sort"] == ["b", "a"]
