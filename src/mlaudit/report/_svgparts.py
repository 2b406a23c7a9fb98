"""The parts every chart drawn straight to SVG is made of: ticks, labels, title, legend, axes.

Shared by the distribution chart (:mod:`mlaudit.report._svg`) and the series chart
(:mod:`mlaudit.report._svgseries`), so that both look alike: the same margins, fonts, grid,
tick labels and frame.  Each drawing function appends SVG elements to a list of strings.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from textwrap import wrap

from mlaudit.report._chartdata import FONT, HEIGHT, WIDTH

__all__ = [
    "AXIS",
    "BOTTOM",
    "LEFT",
    "RIGHT",
    "TEXT",
    "TITLE_CHARS",
    "clean",
    "esc",
    "fraction",
    "frame",
    "legend",
    "nice_ticks",
    "number",
    "opening",
    "percent",
    "px",
    "spread",
    "tick",
    "title_lines",
    "x_label",
    "x_ticks",
    "x_title",
    "y_grid",
    "y_title",
]

LEFT, RIGHT, BOTTOM = 56, 24, 44
GRID, AXIS, TEXT = "#eceff3", "#888", "#333"
TITLE_CHARS = 68
"""Title characters per line: bold 13 px text takes about 8 px a character in the chart's
sans-serif fonts, and the chart is 600 px wide."""


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering ``[lo, hi]`` (steps of 1, 2 or 5 × 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    n = max(count, 1)
    raw = hi / n - lo / n  # divided first: hi - lo overflows for a range wider than 1.8e308
    power = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 0.0
    if not (power > 0 and math.isfinite(lo / power) and math.isfinite(hi / power)):
        return [clean(lo), clean(hi)]  # a range of subnormal width: its two ends
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [clean(k * step) for k in range(first, last + 1)]


def fraction(v: float, lo: float, hi: float) -> float:
    """Where ``v`` lies from ``lo`` (0) to ``hi`` (1).

    A range wider than the float maximum (1.8e308), whose width overflows to infinity, is
    halved first (exact for such large values; halving would lose a subnormal range instead).
    """
    if math.isfinite(hi - lo):
        return (v - lo) / (hi - lo)
    return (v / 2 - lo / 2) / (hi / 2 - lo / 2)


def spread(lo: float, hi: float) -> tuple[float, float]:
    """``(lo, hi)``, widened around a single value so that it has a width.

    By 0.5 each side, or by a billionth of the value where 0.5 would be lost in rounding
    (beyond 2**52 it is).
    """
    if hi > lo:
        return lo, hi
    pad = max(0.5, abs(lo) * 1e-9)
    return lo - pad, hi + pad


def clean(v: float) -> float:
    """``v`` rounded to 12 significant digits (0.30000000000000004 → 0.3), without -0."""
    out = float(f"{v:.12g}")
    return 0.0 if out == 0 else out


def number(v: float) -> str:
    """A tick label: up to 4 significant digits, thousands separated, no trailing zeros."""
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e7:
        digits = max(0, 3 - math.floor(math.log10(abs(v))))
        text = f"{v:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{v:.3g}"


def tick(v: float, step: float) -> str:
    """Tick label with as many decimals as the step needs (0.8 and 0.85 as 0.80 and 0.85)."""
    if not 1e-6 <= abs(step) < 1e9 or not 1e-6 <= abs(v) < 1e9:
        return number(v)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{v:,.{decimals}f}"


def percent(v: float, step: float) -> str:
    """A share as a percentage with as many decimals as the step needs."""
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step > 0 else 0
    return f"{v * 100:.{decimals}f}%"


def esc(text: str) -> str:
    """``text`` escaped for an attribute or element of the SVG."""
    return html.escape(text, quote=True)


def px(v: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    return f"{v:.2f}".rstrip("0").rstrip(".")


def title_lines(title: str, chars: int = TITLE_CHARS) -> list[str]:
    """The chart title, wrapped to lines of at most ``chars`` characters (the chart's width)."""
    return [title] if len(title) <= chars else wrap(title, chars)


def opening(label: str, width: int, height: int, title: list[str]) -> list[str]:
    """The ``<svg>`` element's opening, a white background and the title lines."""
    out = [
        f'<svg role="img" aria-label="{esc(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{esc(FONT)}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i, line in enumerate(title):
        out.append(
            f'<text x="{LEFT}" y="{16 + 18 * i}" font-size="13" font-weight="600" '
            f'fill="#000">{esc(line)}</text>'
        )
    return out


def legend(
    out: list[str],
    samples: Sequence[str],
    colour: dict[str, str],
    x: int,
    y: int,
    *,
    heading: str = "sample",
) -> None:
    """A coloured dot and the name of each sample (or series), after an optional heading."""
    pos = x
    if heading:
        out.append(
            f'<text x="{x}" y="{y + 4}" font-size="11" font-weight="600" fill="{TEXT}">'
            f"{esc(heading)}</text>"
        )
        pos += 8 * len(heading) + 16
    for s in samples:
        out.append(f'<circle cx="{pos}" cy="{y}" r="5" fill="{colour[s]}" fill-opacity="0.7"/>')
        out.append(f'<text x="{pos + 9}" y="{y + 4}" font-size="11" fill="{TEXT}">{esc(s)}</text>')
        pos += 26 + 7 * len(s)


def y_grid(
    out: list[str],
    ticks: Sequence[float],
    ypos: Callable[[float], float],
    text: Callable[[float], str],
    *,
    width: float = WIDTH,
) -> None:
    """A grid line across the plot (``width`` wide) and a label left of it at each y tick."""
    for t in ticks:
        y = ypos(t)
        out.append(
            f'<line x1="{LEFT}" x2="{px(LEFT + width)}" y1="{px(y)}" y2="{px(y)}" stroke="{GRID}"/>'
        )
        out.append(
            f'<text x="{LEFT - 5}" y="{px(y + 3.5)}" text-anchor="end" font-size="11" '
            f'fill="{TEXT}">{esc(text(t))}</text>'
        )


def x_label(out: list[str], x: float, base: float, text: str, *, slanted: bool) -> None:
    """One label under the x axis at ``x``: centred, or slanted when labels are long or many."""
    if slanted:
        out.append(
            f'<text transform="translate({px(x)},{px(base + 10)}) rotate(-40)" '
            f'text-anchor="end" font-size="11" fill="{TEXT}">{esc(text)}</text>'
        )
    else:
        out.append(
            f'<text x="{px(x)}" y="{px(base + 17)}" text-anchor="middle" '
            f'font-size="11" fill="{TEXT}">{esc(text)}</text>'
        )


def x_ticks(
    out: list[str], lo: float, hi: float, base: float, *, width: float = WIDTH, count: int = 8
) -> None:
    """Tick marks and round labels under a numeric x axis running from ``lo`` to ``hi``."""
    ticks = nice_ticks(lo, hi, count)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for t in ticks:
        x = LEFT + width * fraction(t, lo, hi)
        out.append(
            f'<line x1="{px(x)}" x2="{px(x)}" y1="{px(base)}" y2="{px(base + 5)}" stroke="{AXIS}"/>'
        )
        x_label(out, x, base, tick(t, step), slanted=False)


def frame(out: list[str], y0: int, *, width: float = WIDTH, height: float = HEIGHT) -> None:
    """The plot area's border."""
    out.append(
        f'<rect x="{LEFT}" y="{y0}" width="{px(width)}" height="{px(height)}" fill="none" '
        'stroke="#d0d7de"/>'
    )


def x_title(out: list[str], text: str, y: float, *, width: float = WIDTH) -> None:
    """The x axis's title, centred under the plot at height ``y``."""
    out.append(
        f'<text x="{px(LEFT + width / 2)}" y="{px(y)}" text-anchor="middle" font-size="11" '
        f'font-weight="600" fill="{TEXT}">{esc(text)}</text>'
    )


def y_title(out: list[str], text: str, y0: int, *, height: float = HEIGHT) -> None:
    """The y axis's title, turned upright, left of the plot that starts at height ``y0``."""
    out.append(
        f'<text transform="translate({LEFT - 42},{px(y0 + height / 2)}) rotate(-90)" '
        f'text-anchor="middle" font-size="11" font-weight="600" fill="{TEXT}">{esc(text)}</text>'
    )
