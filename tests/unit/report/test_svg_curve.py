"""The curve chart drawn straight to SVG, and cross-tables drawn as matrices (HTML) and tables
(Markdown).  Positions are checked against hand calculations of the axes."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from mlaudit.report._html import _block
from mlaudit.report._markdown import MAX_ROWS, _detail
from mlaudit.report._svgcurve import SQUARE, curve_svg
from mlaudit.results import CurveDetail, TableDetail


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _points(el: ET.Element) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in (p.split(",") for p in el.get("points", "").split())]


def test_every_finite_point_is_drawn_in_order_reference_first() -> None:
    d = CurveDetail(
        name="roc",
        curves={
            "current": {"x": [0.0, 0.2, math.nan, 1.0], "y": [0.0, 0.7, 0.8, 1.0]},
            "reference": {"x": [0.0, 0.5, 1.0], "y": [0.0, 0.6, 1.0]},
        },
    )
    root = _parse(curve_svg(d, label="roc"))
    lines = root.findall("polyline")
    assert [p.get("data-curve") for p in lines] == ["reference", "current"]
    assert [len(_points(p)) for p in lines] == [3, 3]  # the NaN point is left out
    assert curve_svg(d, label="roc") == curve_svg(d, label="roc")
    assert root.get("aria-label") == "roc"


def test_diagonal_on_a_square_plot_through_the_corners() -> None:
    d = CurveDetail(name="r", curves={"m": {"x": [0.1, 0.9], "y": [0.2, 0.8]}}, diagonal=True)
    root = _parse(curve_svg(d, label="r"))
    (diag,) = [e for e in root.iter("line") if e.get("class") == "diagonal"]
    x1, y1, x2, y2 = (float(diag.get(k, "nan")) for k in ("x1", "y1", "x2", "y2"))
    assert x2 - x1 == pytest.approx(SQUARE) and y1 - y2 == pytest.approx(SQUARE)
    # the point (0.1, 0.2): a tenth across, a fifth up the 0-to-1 axes
    (px0, py0), _ = _points(root.find("polyline"))  # type: ignore[arg-type]
    assert px0 == pytest.approx(x1 + 0.1 * SQUARE, abs=0.01)
    assert py0 == pytest.approx(y1 - 0.2 * SQUARE, abs=0.01)
    plain = _parse(curve_svg(d.model_copy(update={"diagonal": False}), label="r"))
    assert not [e for e in plain.iter("line") if e.get("class") == "diagonal"]


def test_log_axes_place_decades_evenly_and_drop_values_at_or_below_zero() -> None:
    d = CurveDetail(
        name="latency",
        curves={"p50": {"x": [1.0, 10.0, 100.0, 0.0], "y": [1.0, 10.0, 100.0, 5.0]}},
        x_scale="log",
        y_scale="log",
    )
    root = _parse(curve_svg(d, label="l"))
    (a, ya), (b, yb), (c, yc) = _points(root.find("polyline"))  # type: ignore[arg-type]
    assert b - a == pytest.approx(c - b, abs=0.02)  # 1 → 10 as wide as 10 → 100
    assert ya - yb == pytest.approx(yb - yc, abs=0.02)
    labels = {t.text for t in root.iter("text")}
    assert {"1", "10", "100"} <= labels
    assert len(root.findall("circle")) == 3 + 1  # three dots with values, one legend dot


def test_cross_table_becomes_a_matrix_with_row_shares() -> None:
    d = TableDetail(
        name="confusion_matrix",
        columns=["true \\ predicted", "negative", "positive"],
        rows=[["negative", 30, 10], ["positive", 5, 15]],
    )
    block = _block(d, charts=True, prefix="p")
    assert block.kind == "matrix"
    assert block.corner == ("true", "predicted")
    (_, neg), (_, pos) = block.matrix
    assert [c.text for c in neg] == ["30", "10"]
    assert [c.share for c in neg] == ["75.0%", "25.0%"]  # 30 / 40, 10 / 40
    assert [c.diagonal for c in pos] == [False, True]
    text = TableDetail(name="t", columns=["a \\ b", "x"], rows=[["r", "text"]])
    assert _block(text, charts=True, prefix="p").kind == "table"  # not counts: a plain table


def test_markdown_tables_are_capped_and_curves_summarised() -> None:
    rows = [[i, f"r{i}"] for i in range(MAX_ROWS + 5)]
    lines = _detail(TableDetail(name="t", columns=["n", "name"], rows=rows))
    assert lines[2:4] == ["| n | name |", "|---:|---|"]
    assert sum(ln.startswith("| ") for ln in lines) == 1 + MAX_ROWS
    assert "… 5 more rows (report.json holds them all)." in lines
    d = CurveDetail(
        name="roc", title="ROC curve", x_label="fpr", y_label="tpr", diagonal=True,
        curves={"current": {"x": [0.0, 0.5, 1.0], "y": [0.0, 0.75, 1.0]}},
    )  # fmt: skip
    (line, _) = _detail(d)
    assert line == (
        "Chart *ROC curve*: current (3 points); fpr 0 to 1, tpr 0 to 1; dashed diagonal y = x."
    )


def test_ice_lines_are_faint_background_lines_without_legend_or_dots() -> None:
    d = CurveDetail(
        name="pd",
        curves={
            "ICE row 3": {"x": [0.0, 1.0, 2.0], "y": [0.1, 0.5, 0.9]},
            "ICE row 8": {"x": [0.0, 1.0, 2.0], "y": [0.3, 0.2, 0.1]},
            "partial dependence": {"x": [0.0, 1.0, 2.0], "y": [0.2, 0.35, 0.5]},
        },
    )
    root = _parse(curve_svg(d, label="pd"))
    lines = root.findall("polyline")
    assert [p.get("data-curve") for p in lines] == ["ICE row 3", "ICE row 8", "partial dependence"]
    assert [p.get("stroke-width") for p in lines] == ["1", "1", "2"]
    assert len(root.findall("circle")) == 1 + 3  # one legend dot, the curve's three points
    texts = [t.text or "" for t in root.iter("text")]
    assert "partial dependence" in texts and not any(t.startswith("ICE") for t in texts)
