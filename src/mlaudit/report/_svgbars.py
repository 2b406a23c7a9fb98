"""The bars chart (a :class:`~mlaudit.results.BarsDetail`) drawn straight to SVG.

One row a label, in the detail's order (largest first), at most :data:`MAX_BARS`; in each row
one horizontal bar a series (reference and current side by side), the label on the left and
the value at the bar's end.  A bar with an interval gets a whisker from its low to its high end
with caps, so a feature whose importance interval crosses zero shows it.  The value axis starts
at zero, or below it when a value or interval is negative (a permutation importance can be),
with a darker line at zero.  Shares are drawn as percentages.
"""

from __future__ import annotations

import math

from mlaudit.report._chartdata import PALETTE
from mlaudit.report._format import fmt_cell
from mlaudit.report._svgparts import (
    AXIS,
    GRID,
    LEFT,
    TEXT,
    esc,
    legend,
    nice_ticks,
    opening,
    percent,
    px,
    tick,
    title_lines,
)
from mlaudit.results import BarsDetail

__all__ = ["MAX_BARS", "bars_svg"]

MAX_BARS = 30
_NAME_W, _PLOT_W, _BAR_H, _GAP = 180, 340, 12, 8

_Bar = tuple[str, float | None, float | None, float | None]
"""A series' bar in a row: the series, its value, the interval's low and high ends."""


def _at(values: list[float | int | None], i: int) -> float | None:
    v = values[i] if i < len(values) else None
    return float(v) if v is not None and math.isfinite(v) else None


def _rows(d: BarsDetail) -> list[tuple[str, list[_Bar]]]:
    out = []
    for i, name in enumerate(d.labels[:MAX_BARS]):
        bars = [(s, _at(v, i), _at(d.lower.get(s, []), i), _at(d.upper.get(s, []), i))
                for s, v in d.series.items()]  # fmt: skip
        if any(b[1] is not None for b in bars):
            out.append((name, bars))
    return out


def bars_svg(d: BarsDetail, *, label: str) -> str | None:
    """The chart of ``d`` as inline SVG; None when no bar has a value."""
    rows = _rows(d)
    if not rows:
        return None
    ends = [v for _, bars in rows for b in bars for v in b[1:] if v is not None]
    ticks = nice_ticks(min(0.0, *ends), max(0.0, *ends), 5) or [0.0]
    lo, hi = min(ticks[0], *ends, 0.0), max(ticks[-1], *ends, 0.0)
    hi = hi if hi > lo else lo + 1.0
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    names = list(d.series)
    colour = {s: PALETTE[k % len(PALETTE)] for k, s in enumerate(names)}
    row_h = _BAR_H * len(names) + _GAP

    def x(v: float) -> float:
        return LEFT + _NAME_W + _PLOT_W * (v - lo) / (hi - lo)

    def text(v: float) -> str:
        return percent(v, step) if d.share else fmt_cell(v)

    title = title_lines(d.title or d.name)
    top = 18 * len(title) + (30 if len(names) > 1 else 10)
    bottom = top + row_h * len(rows)
    height = bottom + (52 if d.value_label else 36)
    width = LEFT + _NAME_W + _PLOT_W + 70
    out = opening(label, width, height, title)
    if len(names) > 1:
        legend(out, names, colour, LEFT + _NAME_W, 18 * len(title) + 8, heading="")
    for t in ticks:
        out.append(f'<line x1="{px(x(t))}" x2="{px(x(t))}" y1="{top}" y2="{bottom}" '
                   f'stroke="{GRID}"/>')  # fmt: skip
        shown = percent(t, step) if d.share else tick(t, step)
        out.append(f'<text x="{px(x(t))}" y="{bottom + 16}" text-anchor="middle" '
                   f'font-size="11" fill="{TEXT}">{esc(shown)}</text>')  # fmt: skip
    for i, (name, bars) in enumerate(rows):
        y = top + row_h * i + _GAP / 2
        short = name if len(name) <= 28 else name[:27] + "…"
        out.append(f'<text x="{LEFT + _NAME_W - 8}" y="{px(y + row_h / 2)}" text-anchor="end" '
                   f'font-size="11" fill="{TEXT}">{esc(short)}</text>')  # fmt: skip
        for k, (series, value, low, high) in enumerate(bars):
            if value is not None:
                _bar(out, (x(0.0), x(value), x(low) if low is not None else None,
                           x(high) if high is not None else None), y + _BAR_H * k,
                     colour[series], f"{name}, {series}: {text(value)}", text(value))  # fmt: skip
    out.append(f'<line x1="{px(x(0.0))}" x2="{px(x(0.0))}" y1="{top}" y2="{bottom}" '
               f'stroke="{AXIS}"/>')  # fmt: skip
    if d.value_label:
        out.append(f'<text x="{px(LEFT + _NAME_W + _PLOT_W / 2)}" y="{bottom + 34}" '
                   f'text-anchor="middle" font-size="11" fill="{TEXT}">'
                   f"{esc(d.value_label)}</text>")  # fmt: skip
    hidden = len(d.labels) - MAX_BARS
    if hidden > 0:
        out.append(f'<text x="{LEFT}" y="{height - 4}" font-size="11" fill="{TEXT}">'
                   f"{hidden} more in the table</text>")  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)


def _bar(
    out: list[str],
    xs: tuple[float, float, float | None, float | None],
    y: float,
    colour: str,
    tip: str,
    shown: str,
) -> None:
    """One bar from ``xs[0]`` (zero) to ``xs[1]``, its whisker from ``xs[2]`` to ``xs[3]``."""
    zero, end, low, high = xs
    x0, x1 = sorted((zero, end))
    wide = px(max(x1 - x0, 0.5))
    out.append(f'<rect class="bar" x="{px(x0)}" y="{px(y + 1)}" width="{wide}" height="'
               f'{_BAR_H - 2}" fill="{colour}"><title>{esc(tip)}</title></rect>')  # fmt: skip
    mid = px(y + _BAR_H / 2)
    if low is not None and high is not None:
        out.append(f'<line class="interval" x1="{px(low)}" x2="{px(high)}" y1="{mid}" '
                   f'y2="{mid}" stroke="#000" stroke-width="1.2"/>')  # fmt: skip
        for v in (low, high):
            out.append(f'<line x1="{px(v)}" x2="{px(v)}" y1="{px(y + 2)}" '
                       f'y2="{px(y + _BAR_H - 2)}" stroke="#000" stroke-width="1.2"/>')  # fmt: skip
    label_x = max(end, high if high is not None else end, zero) + 4
    out.append(f'<text x="{px(label_x)}" y="{px(y + _BAR_H - 2)}" font-size="10" '
               f'fill="{TEXT}">{esc(shown)}</text>')  # fmt: skip
