"""The series chart (a :class:`~mlaudit.results.SeriesDetail`) drawn straight to SVG.

One line with points per series over ``x`` (a numeric axis when every ``x`` is a number, else
evenly spaced labels in the given order), shaded bands between ``lower`` and ``upper``, and
dashed red rules at the ``limits`` with their names.  Missing and non-finite values are not
drawn (they break the line).  Part of :mod:`mlaudit.report._svg`, which re-exports
:func:`series_svg`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlaudit._numbers import finite_or_none
from mlaudit.report._chartdata import HEIGHT, PALETTE, WIDTH
from mlaudit.report._svgparts import (
    BOTTOM,
    LEFT,
    RIGHT,
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
    x_ticks,
    x_title,
    y_grid,
    y_title,
)
from mlaudit.results import SeriesDetail

__all__ = ["series_svg"]


@dataclass(frozen=True)
class _XAxis:
    """Where each point sits across the plot."""

    numeric: bool  # every x is a finite number: points placed by value
    labels: list[str]
    slanted: bool  # labels too many or too long to stand upright
    pos: list[float]  # pixel x of each point
    lo: float  # the numeric axis's range (0 to 1 when not numeric)
    hi: float


@dataclass(frozen=True)
class _YAxis:
    """The value axis: its ticks and the range the plot's height covers."""

    top: int  # pixel y of the plot's top
    ticks: list[float]
    step: float
    lo: float
    hi: float

    def pos(self, v: float) -> float:
        """Pixel y of the value ``v``."""
        return self.top + HEIGHT - HEIGHT * fraction(v, self.lo, self.hi)


@dataclass(frozen=True)
class _Plot:
    x: _XAxis
    y: _YAxis
    colour: dict[str, str]


def series_svg(d: SeriesDetail, *, label: str) -> str:
    """The chart of a :class:`SeriesDetail` as an inline SVG string (see the module docstring)."""
    lines = title_lines(d.title or d.name)
    names = list(d.series)
    has_legend = len(names) > 1 or any(names)
    top = 18 * len(lines) + (30 if has_legend else 12)
    xa = _x_axis(d)
    plot = _Plot(xa, _y_axis(d, top), {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(names)})
    total_w, total_h = LEFT + WIDTH + RIGHT, top + HEIGHT + BOTTOM + (50 if xa.slanted else 0)
    out = opening(label, total_w, total_h, lines)
    if has_legend:
        legend(out, names, plot.colour, LEFT, 18 * len(lines) + 12, heading="")
    y_grid(out, plot.y.ticks, plot.y.pos, lambda t: tick(t, plot.y.step))
    for name in names:  # bands under the lines
        _bands(out, d, name, plot)
    for name in names:
        _line(out, d, name, plot)
    _limits(out, d, plot.y)
    base = top + HEIGHT
    _x_labels(out, xa, base)
    frame(out, top)
    if d.x_label:
        x_title(out, d.x_label, base + (84 if xa.slanted else 34))
    if d.y_label:
        y_title(out, d.y_label, top)
    out.append("</svg>")
    return "".join(out)


def _x_axis(d: SeriesDetail) -> _XAxis:
    numeric = bool(d.x) and all(finite_or_none(x) is not None for x in d.x)
    labels = [str(x) for x in d.x]
    slanted = not numeric and (len(labels) > 12 or max(map(len, labels), default=0) > 10)
    if not numeric:
        gap = WIDTH / max(len(labels), 1)
        return _XAxis(False, labels, slanted, [LEFT + gap * (i + 0.5) for i in range(len(labels))],
                      0.0, 1.0)  # fmt: skip
    xs = [float(x) for x in d.x]
    lo, hi = min(xs), max(xs)
    lo, hi = spread(lo, hi)
    pos = [LEFT + WIDTH * fraction(x, lo, hi) for x in xs]
    return _XAxis(True, labels, slanted, pos, lo, hi)


def _y_axis(d: SeriesDetail, top: int) -> _YAxis:
    """Round ticks covering every finite value, band bound and limit (padded when flat)."""
    values = [
        f
        for group in (d.series, d.lower, d.upper)
        for vs in group.values()
        for v in vs
        if (f := finite_or_none(v)) is not None
    ] + [f for v in d.limits.values() if (f := finite_or_none(v)) is not None]
    vmin, vmax = (min(values), max(values)) if values else (0.0, 1.0)
    if vmax <= vmin:
        pad = abs(vmin) * 0.1 or 0.5
        vmin, vmax = vmin - pad, vmax + pad
    ticks = nice_ticks(vmin, vmax)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else (vmax - vmin)
    lo = min(ticks[0], vmin) if ticks else vmin
    hi = max(ticks[-1], vmax) if ticks else vmax
    if ticks and ticks[0] > vmin:
        lo = clean(ticks[0] - step)
        ticks.insert(0, lo)
    if ticks and ticks[-1] < vmax:
        hi = clean(ticks[-1] + step)
        ticks.append(hi)
    return _YAxis(top, ticks, step, lo, hi)


def _bands(out: list[str], d: SeriesDetail, name: str, plot: _Plot) -> None:
    """The shaded band between a series' lower and upper bounds, broken where one is missing."""
    lows, highs = d.lower.get(name, []), d.upper.get(name, [])
    ypos = plot.y.pos
    run: list[tuple[float, float, float]] = []
    for p, a, b in [*zip(plot.x.pos, lows, highs, strict=False), (0.0, None, None)]:
        fa, fb = finite_or_none(a), finite_or_none(b)
        if fa is not None and fb is not None:
            run.append((p, fa, fb))
            continue
        if run:
            upper = " ".join(f"{px(q)},{px(ypos(hi))}" for q, _, hi in run)
            lower = " ".join(f"{px(q)},{px(ypos(lo))}" for q, lo, _ in reversed(run))
            out.append(
                f'<polygon points="{upper} {lower}" fill="{plot.colour[name]}" '
                'fill-opacity="0.18"/>'
            )
        run = []


def _line(out: list[str], d: SeriesDetail, name: str, plot: _Plot) -> None:
    """A series' line, broken at missing values, and a point with its value at each value."""
    ypos, colour = plot.y.pos, plot.colour[name]
    ys = [finite_or_none(v) for v in d.series[name]]
    for stretch in _runs(list(zip(plot.x.pos, ys, strict=False))):
        if len(stretch) < 2:  # a lone point: its circle below shows it
            continue
        pts = " ".join(f"{px(p)},{px(ypos(v))}" for p, v in stretch)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for p, v, xl in zip(plot.x.pos, ys, plot.x.labels, strict=False):
        if v is not None:
            out.append(
                f'<circle cx="{px(p)}" cy="{px(ypos(v))}" r="2.5" fill="{colour}">'
                f"<title>{esc(name + ': ' if name else '')}{esc(xl)}: "
                f"{esc(number(v))}</title></circle>"
            )


def _runs(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Consecutive stretches of points with a value (a missing value breaks the line)."""
    out: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append((x, y))
    return [r for r in out if r]


def _limits(out: list[str], d: SeriesDetail, y: _YAxis) -> None:
    """A dashed red rule and its name at each finite limit, lowest first."""
    placed: list[tuple[float, float]] = []  # (y, x after the label) of the limit labels
    for limit, value in sorted(d.limits.items(), key=lambda kv: kv[1]):
        v = finite_or_none(value)
        if v is None:
            continue
        at = y.pos(v)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + WIDTH}" y1="{px(at)}" y2="{px(at)}" stroke="#c00000" '
            f'stroke-dasharray="6 4"/>'
        )
        # limits at about the same height get their labels side by side, not on top
        x = max([end for py, end in placed if abs(py - at) < 12], default=LEFT + 4.0)
        placed.append((at, x + 6 * len(limit) + 12))
        out.append(
            f'<text x="{px(x)}" y="{px(at - 6)}" font-size="10" fill="#c00000">{esc(limit)}</text>'
        )


def _x_labels(out: list[str], xa: _XAxis, base: int) -> None:
    """Round ticks under a numeric axis; else the labels, at most about 24 of them."""
    if xa.numeric:
        x_ticks(out, xa.lo, xa.hi, base)
        return
    every = max(1, math.ceil(len(xa.labels) / 24))
    for i in range(0, len(xa.labels), every):
        text = xa.labels[i] if len(xa.labels[i]) <= 20 else xa.labels[i][:19] + "…"
        x_label(out, xa.pos[i], base, text, slanted=xa.slanted)
