"""A long label of characters beyond U+FFFF (emoji) no longer breaks a Vega-Lite chart: Vega
cut it between the halves of a surrogate pair and vl-convert refused the chart, which lost
the whole report set (found by the fuzz tier).  Curves are drawn directly now; the legend of a
plain Vega-Lite specification still cuts its labels."""

from __future__ import annotations

from typing import Any

from mlaudit.report._charts import to_svg
from mlaudit.report._svgcurve import curve_svg
from mlaudit.results import CurveDetail


def _legend_spec(name: str) -> dict[str, Any]:
    return {
        "data": {"values": [{"c": name, "x": 0.0, "y": 0.0}, {"c": name, "x": 1.0, "y": 1.0}]},
        "mark": "line",
        "encoding": {
            "x": {"field": "x", "type": "quantitative"},
            "y": {"field": "y", "type": "quantitative"},
            "color": {"field": "c", "type": "nominal"},
        },
    }


def test_a_long_emoji_legend_label_is_drawn() -> None:
    svg = to_svg(_legend_spec("a" * 3 + "\U0001f600" * 60), label="c")
    assert svg.startswith("<svg") and "</svg>" in svg
    assert "\ufffd" in svg  # the cut label is drawn with replacement characters


def test_a_short_emoji_name_is_drawn_unchanged() -> None:
    svg = to_svg(_legend_spec("ok \U0001f600"), label="c")
    assert "\U0001f600" in svg and "\ufffd" not in svg


def test_a_curve_keeps_a_long_emoji_name_whole() -> None:
    name = "a" * 3 + "\U0001f600" * 60
    detail = CurveDetail(name="c", curves={name: {"x": [0.0, 1.0], "y": [0.0, 1.0]}})
    svg = curve_svg(detail, label="c")
    assert name in svg and "\ufffd" not in svg
