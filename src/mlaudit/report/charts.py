"""Charts for reports: Vega-Lite specifications built with altair, rendered to inline SVG.

Charts are decided here, from result details, never in checks.  Rendering uses
``vl_convert`` (offline, no browser).  Nothing is cached between calls and the output depends
only on the input, so the same result always gives the same SVG.  Non-finite values (NaN,
infinities) are left out of the plotted data: they have no position on an axis.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from textwrap import wrap
from typing import Any, ParamSpec, TypeVar

import altair as alt
import vl_convert as vlc
from altair.utils.schemapi import debug_mode

from mlaudit._numbers import finite_or_none as _num
from mlaudit.errors import ReportError
from mlaudit.report._chartdata import (
    HEIGHT,
    TITLE_CHARS,
    VEGA_CONFIG,
    WIDTH,
    DistributionRows,
    distribution_rows,
)
from mlaudit.results import CurveDetail, Detail, DistributionDetail, SeriesDetail

__all__ = [
    "DistributionRows",
    "curve_chart",
    "detail_chart",
    "distribution_chart",
    "distribution_rows",
    "missing_values_chart",
    "series_chart",
    "to_svg",
]

P = ParamSpec("P")
R = TypeVar("R")


def _unchecked(build: Callable[P, R]) -> Callable[P, R]:
    """Build a specification without altair's schema validation of every object.

    altair's "debug mode" validates each object against the Vega-Lite schema as it is created,
    deep-copying the data rows each time, and wraps shorthand strings through the same path:
    on the demo report (76 charts) that was two thirds of the specification time (1.1 s → 0.4 s
    with explicit channel objects and validation off).  The specifications here have fixed
    shapes that the tests render, and ``to_dict`` already skips validation.
    """

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with debug_mode(False):
            return build(*args, **kwargs)

    return wrapper


def _data(rows: list[dict[str, Any]]) -> Any:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _finish(chart: alt.TopLevelMixin | alt.Chart | alt.LayerChart, title: str) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    spec["config"] = VEGA_CONFIG
    if title:
        # A long title is wrapped rather than cut at the chart's width (an array is one line each).
        text: str | list[str] = title if len(title) <= TITLE_CHARS else wrap(title, TITLE_CHARS)
        spec["title"] = {"text": text, "anchor": "start", "fontSize": 13, "fontWeight": 600}
    return spec


_ID_RE = re.compile(r'\bid="([^"]+)"')


def to_svg(spec: dict[str, Any], *, label: str = "chart", prefix: str = "c") -> str:
    """Render a Vega-Lite ``spec`` to an SVG string fit for inlining in HTML.

    The namespace declarations are dropped (HTML does not need them), element ids are made
    unique with ``prefix`` so several charts can share a page, and ``role="img"`` with
    ``aria-label`` set to ``label`` makes the chart accessible.
    """
    try:
        svg: str = vlc.vegalite_to_svg(spec)
    except Exception as exc:  # vl_convert raises plain ValueError/RuntimeError
        raise ReportError(f"cannot draw chart {label!r}: {exc}", fix="report this bug") from None
    svg = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "")
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    for old in sorted(set(_ID_RE.findall(svg))):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    attrs = f'<svg role="img" aria-label="{html.escape(label)}" '
    return svg.replace("<svg ", attrs, 1)


@_unchecked
def distribution_chart(d: DistributionDetail) -> dict[str, Any]:
    """Overlaid histograms (numeric) or grouped bars (categorical) of each sample's shares.

    The Vega-Lite specification (for pages that draw charts themselves); reports draw the
    same chart directly with :func:`mlaudit.report.svg.distribution_svg`.
    """
    rows = distribution_rows(d)
    samples = rows.samples
    if d.edges:
        values = [
            {"sample": s, "lo": lo, "hi": hi, "share": sh, "zero": 0} for s, lo, hi, sh in rows.bins
        ]
        chart = (
            alt.Chart(_data(values))
            .mark_bar(opacity=0.55, binSpacing=0, stroke="#ffffff", strokeWidth=0.3)
            .encode(
                x=alt.X("lo:Q", title=d.column, scale=alt.Scale(zero=False)),
                x2=alt.X2("hi:Q"),
                y=alt.Y("share:Q", title="share of rows", stack=None, axis=alt.Axis(format="%")),
                y2=alt.Y2("zero:Q"),
                color=alt.Color("sample:N", title="sample", sort=samples),
            )
        )
    else:
        values = [{"sample": s, "category": c, "share": sh} for s, c, sh in rows.bars]
        chart = (
            alt.Chart(_data(values))
            .mark_bar()
            .encode(
                x=alt.X("category:N", title=d.column, sort=rows.categories,
                        axis=alt.Axis(labelLimit=120)),
                xOffset=alt.XOffset("sample:N", sort=samples),
                y=alt.Y("share:Q", title="share of rows", axis=alt.Axis(format="%")),
                color=alt.Color("sample:N", title="sample", sort=samples),
            )
        )  # fmt: skip
    return _finish(chart.properties(width=WIDTH, height=HEIGHT), rows.title)


def _x_type(xs: Sequence[object]) -> str:
    return "Q" if all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs) else "O"


@_unchecked
def series_chart(d: SeriesDetail) -> dict[str, Any]:
    """Lines per series over ``x``, with shaded bands (lower/upper) and dashed limit rules."""
    xt = _x_type(d.x)
    order = [str(x) for x in d.x] if xt == "O" else None
    x_enc = alt.X(f"x:{xt}", title=d.x_label or "", sort=order, scale=alt.Scale(zero=False))
    color = alt.Color("series:N", title="", sort=list(d.series))
    line_rows = [
        {"x": x, "series": name, "y": _num(v)}
        for name, values in d.series.items()
        for x, v in zip(d.x, values, strict=False)
    ]
    layers: list[Any] = []
    band_rows = [
        {"x": x, "series": name, "lo": _num(lo), "hi": _num(hi)}
        for name, lows in d.lower.items()
        for x, lo, hi in zip(d.x, lows, d.upper.get(name, []), strict=False)
        if _num(lo) is not None and _num(hi) is not None
    ]
    if band_rows:
        layers.append(
            alt.Chart(_data(band_rows))
            .mark_area(opacity=0.18)
            .encode(x=x_enc, y=alt.Y("lo:Q", title=d.y_label or ""), y2=alt.Y2("hi:Q"), color=color)
        )
    layers.append(
        alt.Chart(_data(line_rows))
        .mark_line(point=True, strokeWidth=2)
        .encode(x=x_enc, y=alt.Y("y:Q", title=d.y_label or "", scale=alt.Scale(zero=False)),
                color=color)
    )  # fmt: skip
    limit_rows = [{"limit": k, "y": v} for k, v in d.limits.items() if _num(v) is not None]
    if limit_rows:
        base = alt.Chart(_data(limit_rows))
        layers.append(base.mark_rule(color="#c00000", strokeDash=[6, 4]).encode(y=alt.Y("y:Q")))
        at_left = alt.XValue(0)  # type: ignore[no-untyped-call]
        layers.append(
            base.mark_text(align="left", dx=4, dy=-6, color="#c00000", fontSize=10).encode(
                y=alt.Y("y:Q"), x=at_left, text=alt.Text("limit:N")
            )
        )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)
    return _finish(chart, d.title or d.name)


@_unchecked
def curve_chart(d: CurveDetail) -> dict[str, Any]:
    """One line per curve, points kept in their given order (ROC, calibration, PDP...)."""
    rows = [
        {"curve": name, "i": i, "x": _num(x), "y": _num(y)}
        for name, xy in d.curves.items()
        for i, (x, y) in enumerate(zip(xy.get("x", []), xy.get("y", []), strict=False))
        if _num(x) is not None and _num(y) is not None
    ]
    chart = (
        alt.Chart(_data(rows))
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("x:Q", title=d.x_label or "x"),
            y=alt.Y("y:Q", title=d.y_label or "y"),
            order=alt.Order("i:Q"),
            color=alt.Color("curve:N", title="", sort=list(d.curves)),
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _finish(chart, d.title or d.name)


@_unchecked
def missing_values_chart(shares: Sequence[tuple[str, float]], *, title: str = "") -> dict[str, Any]:
    """Horizontal bars of the share of missing values per column, in the order given."""
    rows = [
        {"column": c, "share": _num(s), "flag": "missing" if (_num(s) or 0) > 0 else "complete"}
        for c, s in shares
    ]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("column:N", title="", sort=[c for c, _ in shares],
                    axis=alt.Axis(labelLimit=220)),
            x=alt.X("share:Q", title="share of rows missing", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, max([1e-9, *(r["share"] or 0 for r in rows)])])),
            color=alt.Color("flag:N", legend=None,
                            scale=alt.Scale(domain=["missing", "complete"],
                                            range=["#c55a11", "#9dc3e6"])),
        )
        .properties(width=WIDTH - 120, height=alt.Step(14))
    )  # fmt: skip
    return _finish(chart, title or "Missing values per column")


def detail_chart(detail: Detail) -> dict[str, Any] | None:
    """The chart specification for a detail block, or None if the block is not drawn."""
    if isinstance(detail, DistributionDetail):
        return distribution_chart(detail) if detail.counts else None
    if isinstance(detail, SeriesDetail):
        return series_chart(detail) if detail.x and detail.series else None
    if isinstance(detail, CurveDetail):
        return curve_chart(detail) if detail.curves else None
    return None
