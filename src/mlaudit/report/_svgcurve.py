"""The curve chart (a :class:`~mlaudit.results.CurveDetail`) drawn straight to SVG.

ROC and precision–recall curves, reliability diagrams, latency over batch sizes, quality over
the trees kept: one line per curve, its points joined in their given order (a curve may turn
back, as a precision–recall curve does), over two numeric axes.  Reference first and current
second, so they keep the distribution charts' colours.

* ``diagonal``: the line y = x, dashed, under the curves, on a square plot whose two axes share
  one range (at least 0 to 1), so that the distance to the diagonal reads the same in both
  directions.
* ``x_scale`` / ``y_scale`` ``"log"``: the axis runs over whole decades, ticks at 1, 10, 100…
  (and at 2 and 5 times them when it spans at most two decades).  Values at or below 0 are not
  drawn on a log axis.
* Non-finite values are left out (they have no position); a curve of at most 40 points has a
  dot with its exact values at each point, a longer one a tooltip with its name.
* Curves named ``ICE …`` (the individual conditional expectation lines of a partial dependence
  plot, one per row) are drawn first, thin, grey and translucent, without dots or a legend
  entry: fifty of them show the spread of the rows under the partial dependence's line.

Part of :mod:`mlaudit.report._svg`, which picks the renderer of each chart kind; drawing one
takes well under a millisecond (through Vega-Lite and vl-convert it took about 40 ms).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from mlaudit._numbers import finite_or_none
from mlaudit.report._chartdata import HEIGHT, PALETTE, WIDTH, sample_order
from mlaudit.report._svgparts import (
    AXIS,
    BOTTOM,
    LEFT,
    RIGHT,
    TITLE_CHARS,
    clean,
    esc,
    fraction,
    frame,
    legend,
    nice_ticks,
    number,
    opening,
    px,
    spread,
    tick,
    title_lines,
    x_label,
    x_title,
    y_grid,
    y_title,
)
from mlaudit.results import CurveDetail

__all__ = ["curve_points", "curve_svg"]

SQUARE = 300
"""Side of the square plot of a chart with a diagonal."""
DOTS = 40
"""Curves of at most this many points have a dot with a tooltip at each point."""
FAINT_PREFIX = "ICE "
"""Curves whose name starts so are background lines (see the module docstring)."""


@dataclass(frozen=True)
class _Axis:
    """One numeric axis: its range (log10 of the values on a log axis) and its ticks."""

    log: bool
    lo: float
    hi: float
    ticks: list[float]
    labels: list[str]

    def at(self, v: float) -> float:
        """Where ``v`` (already on the axis's scale) lies, 0 at ``lo`` to 1 at ``hi``."""
        return fraction(v, self.lo, self.hi)


def _scaled(v: float, log: bool) -> float | None:
    f = finite_or_none(v)
    if f is None or (log and f <= 0):
        return None
    return math.log10(f) if log else f


def curve_points(d: CurveDetail) -> dict[str, list[tuple[float, float]]]:
    """Each curve's drawable points, on the axes' scales, in the order drawn (reference first).

    A point is drawn when both its values are finite (and above 0 on a log axis); the extra
    values of the longer list, if ``x`` and ``y`` differ in length, are left out.
    """
    xlog, ylog = d.x_scale == "log", d.y_scale == "log"
    out: dict[str, list[tuple[float, float]]] = {}
    for name in sample_order(d.curves):
        xy = d.curves[name]
        pts = []
        for x, y in zip(xy.get("x", []), xy.get("y", []), strict=False):
            sx, sy = _scaled(x, xlog), _scaled(y, ylog)
            if sx is not None and sy is not None:
                pts.append((sx, sy))
        out[name] = pts
    return out


def _linear(lo: float, hi: float, count: int) -> _Axis:
    lo, hi = spread(lo, hi)
    ticks = nice_ticks(lo, hi, count)
    if len(ticks) > 1:
        step = ticks[1] - ticks[0]
        if ticks[0] > lo:
            ticks.insert(0, clean(ticks[0] - step))
        if ticks[-1] < hi:
            ticks.append(clean(ticks[-1] + step))
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    step = ticks[1] - ticks[0] if len(ticks) > 1 else hi - lo
    return _Axis(False, lo, hi, ticks, [tick(t, step) for t in ticks])


def _logarithmic(lo: float, hi: float) -> _Axis:
    """Whole decades from below ``lo`` to above ``hi`` (log10 values)."""
    first, last = math.floor(lo), math.ceil(hi)
    if last <= first:
        last = first + 1
    steps = (1.0, 2.0, 5.0) if last - first <= 2 else (1.0,)
    ticks = [k + math.log10(m) for k in range(first, last + 1) for m in steps]
    ticks = [t for t in ticks if t <= last]
    return _Axis(True, float(first), float(last), ticks, [number(10.0**t) for t in ticks])


def _axis(values: list[float], log: bool, count: int) -> _Axis:
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    return _logarithmic(lo, hi) if log else _linear(lo, hi, count)


def curve_svg(d: CurveDetail, *, label: str) -> str:
    """The chart of a :class:`CurveDetail` as an inline SVG string (see the module docstring)."""
    points = curve_points(d)
    faint = [s for s in points if s.startswith(FAINT_PREFIX)]
    names = [s for s in points if not s.startswith(FAINT_PREFIX)]
    square = d.diagonal and d.x_scale == d.y_scale == "linear"
    width, height = (SQUARE, SQUARE) if square else (WIDTH, HEIGHT)
    total_w = LEFT + width + RIGHT
    # about 8 px a character of the bold title (see _svgparts.TITLE_CHARS)
    lines = title_lines(d.title or d.name, chars=min(TITLE_CHARS, (total_w - LEFT) // 8))
    has_legend = len(names) > 1 or any(names)
    top = 18 * len(lines) + (30 if has_legend else 12)
    xs = [x for pts in points.values() for x, _ in pts]
    ys = [y for pts in points.values() for _, y in pts]
    if square:  # one range for both axes, 0 to 1 at least
        xa = ya = _axis([0.0, 1.0, *xs, *ys], False, 6)
    else:
        xa, ya = _axis(xs, d.x_scale == "log", 8), _axis(ys, d.y_scale == "log", 5)
    out = opening(label, total_w, top + height + BOTTOM, lines)
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(names)}
    if has_legend:
        legend(out, names, colour, LEFT, 18 * len(lines) + 12, heading="")

    def xpos(v: float) -> float:
        return LEFT + width * xa.at(v)

    def ypos(v: float) -> float:
        return top + height - height * ya.at(v)

    labels = dict(zip(ya.ticks, ya.labels, strict=True))
    y_grid(out, ya.ticks, ypos, lambda t: labels[t], width=width)
    if d.diagonal and not (xa.log or ya.log):
        lo, hi = max(xa.lo, ya.lo), min(xa.hi, ya.hi)
        out.append(
            f'<line class="diagonal" x1="{px(xpos(lo))}" y1="{px(ypos(lo))}" '
            f'x2="{px(xpos(hi))}" y2="{px(ypos(hi))}" stroke="{AXIS}" stroke-dasharray="5 4">'
            "<title>y = x</title></line>"
        )
    for name in faint:
        _faint(out, name, points[name], (xpos, ypos))
    for name in names:
        _curve(out, name, points[name], colour[name], (xpos, ypos), d)
    base = top + height
    for t, text in zip(xa.ticks, xa.labels, strict=True):
        x = xpos(t)
        out.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{px(base)}" y2="{px(base + 5)}" stroke="{AXIS}"/>'
        )
        x_label(out, x, base, text, slanted=False)
    frame(out, top, width=width, height=height)
    if d.x_label:
        x_title(out, d.x_label, base + 34, width=width)
    if d.y_label:
        y_title(out, d.y_label, top, height=height)
    out.append("</svg>")
    return "".join(out)


def _faint(
    out: list[str],
    name: str,
    pts: list[tuple[float, float]],
    pos: tuple[Callable[[float], float], Callable[[float], float]],
) -> None:
    """A background line (an ICE line): thin, grey, translucent, its name as a tooltip."""
    xpos, ypos = pos
    if len(pts) > 1:
        coords = " ".join(f"{px(xpos(x))},{px(ypos(y))}" for x, y in pts)
        out.append(
            f'<polyline data-curve="{esc(name)}" points="{coords}" fill="none" '
            f'stroke="{AXIS}" stroke-opacity="0.35" stroke-width="1">'
            f"<title>{esc(name)}</title></polyline>"
        )


def _curve(
    out: list[str],
    name: str,
    pts: list[tuple[float, float]],
    colour: str,
    pos: tuple[Callable[[float], float], Callable[[float], float]],
    d: CurveDetail,
) -> None:
    """One curve: a polyline through its points, and dots with their values when few."""
    xpos, ypos = pos
    if len(pts) > 1:
        coords = " ".join(f"{px(xpos(x))},{px(ypos(y))}" for x, y in pts)
        out.append(
            f'<polyline data-curve="{esc(name)}" points="{coords}" fill="none" '
            f'stroke="{colour}" stroke-width="2" stroke-linejoin="round">'
            f"<title>{esc(name)}</title></polyline>"
        )
    if len(pts) > DOTS:
        return
    xlog, ylog = d.x_scale == "log", d.y_scale == "log"
    for x, y in pts:
        shown_x = number(10.0**x if xlog else x)
        shown_y = number(10.0**y if ylog else y)
        out.append(
            f'<circle cx="{px(xpos(x))}" cy="{px(ypos(y))}" r="2.5" fill="{colour}">'
            f"<title>{esc(name + ': ' if name else '')}{esc(d.x_label or 'x')} {esc(shown_x)}, "
            f"{esc(d.y_label or 'y')} {esc(shown_y)}</title></circle>"
        )
