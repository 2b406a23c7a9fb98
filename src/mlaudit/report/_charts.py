"""The chart still drawn through Vega-Lite: the missing-values overview, as a specification built
with altair and rendered to inline SVG.

Distributions, series and curves are drawn directly (:mod:`mlaudit.report._svg`, whose
``detail_svg`` picks the one renderer of each chart kind).  Charts are decided in the report,
from result details, never in checks.  Rendering uses ``vl_convert`` (offline, no browser).
Nothing is cached between calls and the output depends only on the input, so the same result
always gives the same SVG.  Non-finite values (NaN, infinities) are left out of the plotted
data: they have no position on an axis.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from textwrap import wrap
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from mlaudit._lazy import lazy_import
from mlaudit._numbers import finite_or_none
from mlaudit._printable import printable
from mlaudit.errors import ReportError
from mlaudit.report._chartdata import TITLE_CHARS, VEGA_CONFIG, WIDTH

if TYPE_CHECKING:
    import altair as alt
    import vl_convert as vlc
else:  # imported on first use (mlaudit._lazy): altair costs about 0.5 s to import
    alt = lazy_import("altair")
    vlc = lazy_import("vl_convert")

__all__ = [
    "NAME_CHARS",
    "missing_values_chart",
    "name_titles",
    "short_name",
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
        with alt.utils.schemapi.debug_mode(False):
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
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


def _vegalite_to_svg(spec: dict[str, Any]) -> str:
    """``spec`` as SVG; redrawn with astral characters as U+FFFD if they break the drawing.

    Vega cuts a label longer than its limit by UTF-16 code units, so a long name of emoji or
    other characters beyond U+FFFF can be cut between the two halves of a surrogate pair, which
    vl-convert then refuses ("unexpected end of hex escape").  Only then is the chart drawn
    again with those characters replaced; tables and the other formats keep the names whole.
    """
    try:
        return str(vlc.vegalite_to_svg(spec))
    except Exception:
        safe = _bmp_only(spec)
        if safe == spec:
            raise
        return str(vlc.vegalite_to_svg(safe))


def _bmp_only(value: Any) -> Any:
    if isinstance(value, str):
        return _ASTRAL_RE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_bmp_only(k): _bmp_only(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bmp_only(v) for v in value]
    return value


def _printable_spec(value: Any) -> Any:
    """``value`` with every text made printable: a control character in a column name made
    vl-convert abort the process (a Rust panic on text that is not XML), so none reaches it."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: _printable_spec(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable_spec(v) for v in value]
    return value


def to_svg(spec: dict[str, Any], *, label: str = "chart", prefix: str = "c") -> str:
    """Render a Vega-Lite ``spec`` to an SVG string fit for inlining in HTML.

    The namespace declarations are dropped (HTML does not need them), element ids are made
    unique with ``prefix`` so several charts can share a page, and ``role="img"`` with
    ``aria-label`` set to ``label`` makes the chart accessible.
    """
    try:
        svg: str = _vegalite_to_svg(_printable_spec(spec))
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


NAME_CHARS = 40
"""Column names longer than this are cut with an ellipsis on the missing-values chart's axis."""


def short_name(name: str) -> str:
    """``name`` cut to :data:`NAME_CHARS` characters with an ellipsis (axis labels), control
    characters shown as escapes (:func:`mlaudit._printable.printable`)."""
    name = printable(name)
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def name_titles(svg: str, names: Sequence[str]) -> str:
    """Give each cut axis label of ``svg`` its full name as an SVG ``<title>`` (a tooltip)."""
    for name in names:
        short = short_name(name)
        if short != printable(name):
            text = html.escape(short, quote=False)
            full = html.escape(printable(name), quote=False)
            svg = svg.replace(f">{text}</text>", f"><title>{full}</title>{text}</text>", 1)
    return svg


@_unchecked
def missing_values_chart(shares: Sequence[tuple[str, float]], *, title: str = "") -> dict[str, Any]:
    """Horizontal bars of the share of missing values per column, in the order given.

    Names longer than :data:`NAME_CHARS` are cut with an ellipsis (:func:`name_titles` puts the
    full name back as a tooltip); the left padding leaves room for the browser's font, wider
    than the one the chart was measured with, so no label is clipped; the share axis has about
    five ticks and drops a label that would overlap its neighbour.
    """
    longest = max((len(short_name(c)) for c, _ in shares), default=0)
    rows = [
        {
            "column": short_name(c),
            "share": finite_or_none(s),
            "flag": "missing" if (finite_or_none(s) or 0) > 0 else "complete",
        }
        for c, s in shares
    ]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("column:N", title="", sort=[short_name(c) for c, _ in shares],
                    axis=alt.Axis(labelLimit=0)),
            x=alt.X("share:Q", title="share of rows missing",
                    axis=alt.Axis(format="%", tickCount=5, labelOverlap="greedy",
                                  labelFlush=True),
                    scale=alt.Scale(domain=[0, max([1e-9, *(r["share"] or 0 for r in rows)])])),
            color=alt.Color("flag:N", legend=None,
                            scale=alt.Scale(domain=["missing", "complete"],
                                            range=["#c55a11", "#9dc3e6"])),
        )
        .properties(width=WIDTH - 120, height=alt.Step(14))
    )  # fmt: skip
    spec = _finish(chart, title or "Missing values per column")
    spec["padding"] = {"left": 5 + longest, "right": 15, "top": 5, "bottom": 5}
    return spec
