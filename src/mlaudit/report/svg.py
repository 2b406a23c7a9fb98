"""Distribution charts drawn straight to SVG, without a chart engine.

A drift report holds one distribution chart per compared column (reference against current), so
it is the chart a report draws most.  Rendering its Vega-Lite specification
(:func:`mlaudit.report.charts.distribution_chart`) with vl-convert took about 40 ms per chart
here: 0.9 s for a 20-column drift report, a third of the whole ``mlaudit drift`` run, and 8 s for
200 columns.  Writing the few rectangles, axes and labels of this one chart shape directly takes
well under a millisecond and gives the same picture: the same shares
(:func:`~mlaudit.report.charts.distribution_chart`'s), colours, fonts and sizes.  Other chart
kinds (time series with limits, curves) stay with Vega-Lite.

* Numeric columns: each sample's share of rows per bin as bars from bin edge to bin edge,
  overlaid (opacity 0.55), x from the first to the last finite edge, y from 0 to a "nice" upper
  bound above the largest share.
* Categorical columns: grouped bars, one group per category (the 30 most frequent over all
  samples, most frequent first, as in the Vega-Lite version), one bar per sample.

The output is deterministic (the same detail gives the same bytes), has ``role="img"`` and an
``aria-label``, a ``<title>`` per bar giving its exact share, and no element ids (so any number
of charts can share a page).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from textwrap import wrap

from mlaudit._numbers import finite_or_none
from mlaudit.report._chartdata import (
    FONT,
    HEIGHT,
    PALETTE,
    WIDTH,
    DistributionRows,
    distribution_rows,
)
from mlaudit.results import DistributionDetail, SeriesDetail

__all__ = ["distribution_svg", "nice_ticks", "series_svg"]

_LEFT, _RIGHT, _BOTTOM = 56, 24, 44
_GRID, _AXIS, _TEXT = "#eceff3", "#888", "#333"
_TITLE_CHARS = 68
"""Title characters per line: bold 13 px text takes about 8 px a character in the chart's
sans-serif fonts, and the chart is 600 px wide."""


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering ``[lo, hi]`` (steps of 1, 2 or 5 × 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [_clean(k * step) for k in range(first, last + 1)]


def _clean(v: float) -> float:
    out = float(f"{v:.12g}")
    return 0.0 if out == 0 else out


def _number(v: float) -> str:
    """A tick label: up to 4 significant digits, thousands separated, no trailing zeros."""
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e7:
        digits = max(0, 3 - math.floor(math.log10(abs(v))))
        text = f"{v:,.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{v:.3g}"


def _tick(v: float, step: float) -> str:
    """Tick label with as many decimals as the step needs (0.8 and 0.85 as 0.80 and 0.85)."""
    if not 1e-6 <= abs(step) < 1e9 or not 1e-6 <= abs(v) < 1e9:
        return _number(v)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{v:,.{decimals}f}"


def _percent(v: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step > 0 else 0
    return f"{v * 100:.{decimals}f}%"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _f(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def distribution_svg(d: DistributionDetail, *, label: str) -> str:
    """The distribution chart of ``d`` as an inline SVG string (see the module docstring)."""
    rows = distribution_rows(d)
    lines = [rows.title] if len(rows.title) <= _TITLE_CHARS else wrap(rows.title, _TITLE_CHARS)
    x0, y0 = _LEFT, 18 * len(lines) + 30  # title lines, then the legend
    slanted = bool(rows.categories) and (
        len(rows.categories) > 8 or max(len(c) for c in rows.categories) > 10
    )
    below = _BOTTOM + (40 if slanted else 0)
    total_w, total_h = x0 + WIDTH + _RIGHT, y0 + HEIGHT + below
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(rows.samples)}
    out = _opening(label, total_w, total_h, lines)
    _legend(out, rows.samples, colour, x0, 18 * len(lines) + 12)
    shares = [sh for *_, sh in rows.bins] + [sh for *_, sh in rows.bars]
    tallest = max((v for v in shares if v is not None), default=0.0)
    yticks = nice_ticks(0.0, tallest if tallest > 0 else 1.0)
    step = yticks[1] - yticks[0]
    if yticks[-1] < tallest:  # one more step covers the tallest bar
        yticks.append(_clean(yticks[-1] + step))
    ymax = yticks[-1]

    def ypos(v: float) -> float:
        return y0 + HEIGHT - HEIGHT * v / ymax

    for t in yticks:  # grid lines and y labels
        y = ypos(t)
        out.append(
            f'<line x1="{x0}" x2="{x0 + WIDTH}" y1="{_f(y)}" y2="{_f(y)}" stroke="{_GRID}"/>'
        )
        out.append(
            f'<text x="{x0 - 5}" y="{_f(y + 3.5)}" text-anchor="end" font-size="11" '
            f'fill="{_TEXT}">{_percent(t, step)}</text>'
        )
    if rows.categories:
        _category_bars(out, rows, colour, ypos, slanted)
    else:
        _numeric_bars(out, rows, colour, ypos)
    axis_y = y0 + HEIGHT
    out.append(
        f'<rect x="{x0}" y="{y0}" width="{WIDTH}" height="{HEIGHT}" fill="none" stroke="#d0d7de"/>'
    )
    out.append(
        f'<text x="{_f(x0 + WIDTH / 2)}" y="{axis_y + (74 if slanted else 34)}" '
        f'text-anchor="middle" font-size="11" font-weight="600" fill="{_TEXT}">'
        f"{_esc(d.column)}</text>"
    )
    out.append(
        f'<text transform="translate({x0 - 42},{_f(y0 + HEIGHT / 2)}) rotate(-90)" '
        f'text-anchor="middle" font-size="11" font-weight="600" fill="{_TEXT}">'
        "share of rows</text>"
    )
    out.append("</svg>")
    return "".join(out)


def _opening(label: str, width: int, height: int, title: list[str]) -> list[str]:
    """The ``<svg>`` element's opening, a white background and the title lines."""
    out = [
        f'<svg role="img" aria-label="{_esc(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{_esc(FONT)}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i, line in enumerate(title):
        out.append(
            f'<text x="{_LEFT}" y="{16 + 18 * i}" font-size="13" font-weight="600" '
            f'fill="#000">{_esc(line)}</text>'
        )
    return out


def _legend(
    out: list[str],
    samples: Sequence[str],
    colour: dict[str, str],
    x: int,
    y: int,
    *,
    heading: str = "sample",
) -> None:
    pos = x
    if heading:
        out.append(
            f'<text x="{x}" y="{y + 4}" font-size="11" font-weight="600" fill="{_TEXT}">'
            f"{_esc(heading)}</text>"
        )
        pos += 8 * len(heading) + 16
    for s in samples:
        out.append(f'<circle cx="{pos}" cy="{y}" r="5" fill="{colour[s]}" fill-opacity="0.7"/>')
        out.append(
            f'<text x="{pos + 9}" y="{y + 4}" font-size="11" fill="{_TEXT}">{_esc(s)}</text>'
        )
        pos += 26 + 7 * len(s)


def _numeric_bars(
    out: list[str], rows: DistributionRows, colour: dict[str, str], ypos: Callable[[float], float]
) -> None:
    ends = [lo for _, lo, _, _ in rows.bins] + [hi for _, _, hi, _ in rows.bins]
    lo, hi = (min(ends), max(ends)) if ends else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5

    def xpos(v: float) -> float:
        return _LEFT + WIDTH * (v - lo) / (hi - lo)

    base = ypos(0.0)
    for sample, a, b, share in rows.bins:
        if share is None:
            continue
        top = ypos(share)
        out.append(
            f'<rect x="{_f(xpos(a))}" y="{_f(top)}" width="{_f(max(xpos(b) - xpos(a), 0.5))}" '
            f'height="{_f(base - top)}" fill="{colour[sample]}" fill-opacity="0.55" '
            f'stroke="#ffffff" stroke-width="0.3"><title>{_esc(sample)}: {_esc(_number(a))} to '
            f"{_esc(_number(b))}: {share:.2%}</title></rect>"
        )
    xticks = nice_ticks(lo, hi, 8)
    xstep = xticks[1] - xticks[0] if len(xticks) > 1 else 1.0
    for t in xticks:
        x = xpos(t)
        out.append(
            f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{_f(base)}" y2="{_f(base + 5)}" '
            f'stroke="{_AXIS}"/>'
        )
        out.append(
            f'<text x="{_f(x)}" y="{_f(base + 17)}" text-anchor="middle" '
            f'font-size="11" fill="{_TEXT}">{_esc(_tick(t, xstep))}</text>'
        )


def _category_bars(
    out: list[str],
    rows: DistributionRows,
    colour: dict[str, str],
    ypos: Callable[[float], float],
    slanted: bool,
) -> None:
    group = WIDTH / len(rows.categories)
    inner = group * 0.8 / max(len(rows.samples), 1)
    where = {c: i for i, c in enumerate(rows.categories)}
    slot = {s: j for j, s in enumerate(rows.samples)}
    base = ypos(0.0)
    for sample, category, share in rows.bars:
        if share is None:
            continue
        x = _LEFT + group * where[category] + group * 0.1 + inner * slot[sample]
        top = ypos(share)
        out.append(
            f'<rect x="{_f(x)}" y="{_f(top)}" width="{_f(max(inner, 0.5))}" '
            f'height="{_f(base - top)}" fill="{colour[sample]}"><title>{_esc(sample)}: '
            f"{_esc(category)}: {share:.2%}</title></rect>"
        )
    for c, i in where.items():
        x = _LEFT + group * (i + 0.5)
        text = c if len(c) <= 20 else c[:19] + "…"
        if slanted:
            out.append(
                f'<text transform="translate({_f(x)},{_f(base + 10)}) rotate(-40)" '
                f'text-anchor="end" font-size="11" fill="{_TEXT}">{_esc(text)}</text>'
            )
        else:
            out.append(
                f'<text x="{_f(x)}" y="{_f(base + 17)}" text-anchor="middle" '
                f'font-size="11" fill="{_TEXT}">{_esc(text)}</text>'
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


def series_svg(d: SeriesDetail, *, label: str) -> str:
    """The chart of a :class:`SeriesDetail` as an inline SVG string.

    What :func:`mlaudit.report.charts.series_chart` specifies, drawn directly: one line with
    points per series over ``x`` (a numeric axis when every ``x`` is a number, else evenly
    spaced labels in the given order), shaded bands between ``lower`` and ``upper``, and dashed
    red rules at the ``limits`` with their names.  Missing and non-finite values are not drawn
    (they break the line).
    """
    title = d.title or d.name
    lines = [title] if len(title) <= _TITLE_CHARS else wrap(title, _TITLE_CHARS)
    names = list(d.series)
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(names)}
    legend = len(names) > 1 or any(names)
    x0 = _LEFT
    y0 = 18 * len(lines) + (30 if legend else 12)
    numeric_x = bool(d.x) and all(finite_or_none(x) is not None for x in d.x)
    labels = [str(x) for x in d.x]
    slanted = not numeric_x and (len(labels) > 12 or max(map(len, labels), default=0) > 10)
    total_w, total_h = x0 + WIDTH + _RIGHT, y0 + HEIGHT + _BOTTOM + (50 if slanted else 0)
    if numeric_x:
        xs = [float(x) for x in d.x]
        lo, hi = min(xs), max(xs)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        pos = [x0 + WIDTH * (x - lo) / (hi - lo) for x in xs]
    else:
        gap = WIDTH / max(len(labels), 1)
        pos = [x0 + gap * (i + 0.5) for i in range(len(labels))]
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
    yticks = nice_ticks(vmin, vmax)
    step = yticks[1] - yticks[0] if len(yticks) > 1 else (vmax - vmin)
    lo_y = min(yticks[0], vmin) if yticks else vmin
    hi_y = max(yticks[-1], vmax) if yticks else vmax
    if yticks and yticks[0] > vmin:
        lo_y = _clean(yticks[0] - step)
        yticks.insert(0, lo_y)
    if yticks and yticks[-1] < vmax:
        hi_y = _clean(yticks[-1] + step)
        yticks.append(hi_y)

    def ypos(v: float) -> float:
        return y0 + HEIGHT - HEIGHT * (v - lo_y) / (hi_y - lo_y)

    out = _opening(label, total_w, total_h, lines)
    if legend:
        _legend(out, names, colour, x0, 18 * len(lines) + 12, heading="")
    for t in yticks:
        y = ypos(t)
        out.append(
            f'<line x1="{x0}" x2="{x0 + WIDTH}" y1="{_f(y)}" y2="{_f(y)}" stroke="{_GRID}"/>'
        )
        out.append(
            f'<text x="{x0 - 5}" y="{_f(y + 3.5)}" text-anchor="end" font-size="11" '
            f'fill="{_TEXT}">{_esc(_tick(t, step))}</text>'
        )
    for name in names:  # bands under the lines, broken where a bound is missing
        lows, highs = d.lower.get(name, []), d.upper.get(name, [])
        run: list[tuple[float, float, float]] = []
        for p, a, b in [*zip(pos, lows, highs, strict=False), (0.0, None, None)]:
            fa, fb = finite_or_none(a), finite_or_none(b)
            if fa is not None and fb is not None:
                run.append((p, fa, fb))
                continue
            if run:
                top = " ".join(f"{_f(q)},{_f(ypos(hi_))}" for q, _, hi_ in run)
                bottom = " ".join(f"{_f(q)},{_f(ypos(lo_))}" for q, lo_, _ in reversed(run))
                out.append(
                    f'<polygon points="{top} {bottom}" fill="{colour[name]}" fill-opacity="0.18"/>'
                )
            run = []
    for name in names:
        ys = [finite_or_none(v) for v in d.series[name]]
        for stretch in _runs(list(zip(pos, ys, strict=False))):
            if len(stretch) < 2:  # a lone point: its circle below shows it
                continue
            pts = " ".join(f"{_f(p)},{_f(ypos(v))}" for p, v in stretch)
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour[name]}" stroke-width="2"/>'
            )
        for p, v, xl in zip(pos, ys, labels, strict=False):
            if v is not None:
                out.append(
                    f'<circle cx="{_f(p)}" cy="{_f(ypos(v))}" r="2.5" fill="{colour[name]}">'
                    f"<title>{_esc(name + ': ' if name else '')}{_esc(xl)}: "
                    f"{_esc(_number(v))}</title></circle>"
                )
    placed: list[tuple[float, float]] = []  # (y, x after the label) of the limit labels
    for limit, value in sorted(d.limits.items(), key=lambda kv: kv[1]):
        v = finite_or_none(value)
        if v is None:
            continue
        y = ypos(v)
        out.append(
            f'<line x1="{x0}" x2="{x0 + WIDTH}" y1="{_f(y)}" y2="{_f(y)}" stroke="#c00000" '
            f'stroke-dasharray="6 4"/>'
        )
        # limits at about the same height get their labels side by side, not on top
        x = max([end for py, end in placed if abs(py - y) < 12], default=x0 + 4.0)
        placed.append((y, x + 6 * len(limit) + 12))
        out.append(
            f'<text x="{_f(x)}" y="{_f(y - 6)}" font-size="10" fill="#c00000">{_esc(limit)}</text>'
        )
    base = y0 + HEIGHT
    if numeric_x:
        xticks = nice_ticks(lo, hi, 8)
        xstep = xticks[1] - xticks[0] if len(xticks) > 1 else 1.0
        for t in xticks:
            x = x0 + WIDTH * (t - lo) / (hi - lo)
            out.append(
                f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{base}" y2="{base + 5}" stroke="{_AXIS}"/>'
            )
            out.append(
                f'<text x="{_f(x)}" y="{base + 17}" text-anchor="middle" font-size="11" '
                f'fill="{_TEXT}">{_esc(_tick(t, xstep))}</text>'
            )
    else:
        every = max(1, math.ceil(len(labels) / 24))  # at most about 24 labels
        for i in range(0, len(labels), every):
            text = labels[i] if len(labels[i]) <= 20 else labels[i][:19] + "…"
            if slanted:
                out.append(
                    f'<text transform="translate({_f(pos[i])},{base + 10}) rotate(-40)" '
                    f'text-anchor="end" font-size="11" fill="{_TEXT}">{_esc(text)}</text>'
                )
            else:
                out.append(
                    f'<text x="{_f(pos[i])}" y="{base + 17}" text-anchor="middle" '
                    f'font-size="11" fill="{_TEXT}">{_esc(text)}</text>'
                )
    out.append(
        f'<rect x="{x0}" y="{y0}" width="{WIDTH}" height="{HEIGHT}" fill="none" stroke="#d0d7de"/>'
    )
    if d.x_label:
        out.append(
            f'<text x="{_f(x0 + WIDTH / 2)}" y="{base + (84 if slanted else 34)}" '
            f'text-anchor="middle" font-size="11" font-weight="600" fill="{_TEXT}">'
            f"{_esc(d.x_label)}</text>"
        )
    if d.y_label:
        out.append(
            f'<text transform="translate({x0 - 42},{_f(y0 + HEIGHT / 2)}) rotate(-90)" '
            f'text-anchor="middle" font-size="11" font-weight="600" fill="{_TEXT}">'
            f"{_esc(d.y_label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
