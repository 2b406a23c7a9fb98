"""A long label of characters beyond U+FFFF (emoji) no longer breaks a Vega-Lite chart: Vega
cut it between the halves of a surrogate pair and vl-convert refused the chart, which lost
the whole report set (found by the fuzz tier)."""

from __future__ import annotations

from mlaudit.report._charts import curve_chart, to_svg
from mlaudit.results import CurveDetail


def test_a_long_emoji_curve_name_is_drawn() -> None:
    name = "a" * 3 + "\U0001f600" * 60
    detail = CurveDetail(name="c", curves={name: {"x": [0.0, 1.0], "y": [0.0, 1.0]}})
    svg = to_svg(curve_chart(detail), label="c")
    assert svg.startswith("<svg") and "</svg>" in svg
    assert "\ufffd" in svg  # the cut label is drawn with replacement characters


def test_a_short_emoji_name_is_drawn_unchanged() -> None:
    detail = CurveDetail(name="c", curves={"ok \U0001f600": {"x": [0.0, 1.0], "y": [0.0, 1.0]}})
    svg = to_svg(curve_chart(detail), label="c")
    assert "\U0001f600" in svg and "\ufffd" not in svg
