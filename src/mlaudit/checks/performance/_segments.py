"""Slices of one or two features, their sizes and metric sums, and which are weak.

Used by ``performance.weak_segments``: each row carries a value (1 for an error and 0 otherwise,
or the absolute error of a regression); a slice's figures are the count, sum and sum of squares
of those values over its rows, from ``numpy.bincount`` over level codes.

**Overlapping findings.**  Slices overlap: ``region = "north"`` holds ``income < 30,000 and
region = "north"``, a bin lies inside a split.  Among the weak slices, first a slice inside
another weak one is dropped when it is not significantly worse than the rest of the larger slice
(one-sided, at ``alpha``): it only repeats the larger finding.  Then, worst first, a weak slice
is kept only if, with the rows of the findings already kept set aside, what is left of it is
still significantly worse than the rows outside it (one-sided, at ``alpha``): a slice whose
weakness is a stronger finding's (``region = "north"`` around the weak incomes in the north, or
a slice that overlaps it partly) is not listed again.  These follow-up tests only thin the
list; every slice listed passed the Benjamini-Hochberg test first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from mlaudit._lazy import lazy_import
from mlaudit.stats import FeatureLevels, fisher_greater, welch_greater

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["Slices", "enumerate_slices", "judge_slices", "prune_nested"]

_MAX_NESTED = 300
"""Most weak slices (the worst first) compared with each other for nesting."""


@dataclass
class Slices:
    """Every slice tested: its rule, its conditions, size and metric sums."""

    rules: list[str] = field(default_factory=list)
    conds: list[tuple[tuple[int, int], ...]] = field(default_factory=list)
    """Each slice's conditions: (index into the feature levels, level)."""
    rows: np.ndarray = field(default_factory=lambda: np.empty(0))
    sums: np.ndarray = field(default_factory=lambda: np.empty(0))
    squares: np.ndarray = field(default_factory=lambda: np.empty(0))
    p_value: np.ndarray = field(default_factory=lambda: np.empty(0))
    adjusted: np.ndarray = field(default_factory=lambda: np.empty(0))
    """Benjamini-Hochberg adjusted p-values (q-values) across every slice tested."""


def _stats(codes: np.ndarray, size: int, value: np.ndarray) -> tuple[np.ndarray, ...]:
    keep = codes >= 0
    c, v = codes[keep], value[keep]
    return (
        np.bincount(c, minlength=size).astype(np.float64),
        np.bincount(c, weights=v, minlength=size),
        np.bincount(c, weights=v * v, minlength=size),
    )


def enumerate_slices(
    levels: list[FeatureLevels], value: np.ndarray, *, min_rows: int, pairs: bool
) -> Slices:
    """Every slice of one feature, and of two different features when ``pairs``, with
    ``min_rows`` rows or more and at least one row outside it; a rule met twice (a split's side
    equal to a bin) is kept once."""
    out = Slices()
    parts: list[tuple[np.ndarray, ...]] = []
    seen: set[str] = set()
    for i, f in enumerate(levels):
        figures = _stats(f.codes, len(f.rules), value)
        parts.append(_add(out, seen, [(i, f)], figures, (min_rows, value.size)))
    for i in range(len(levels) if pairs else 0):
        for j in range(i + 1, len(levels)):
            a, b = levels[i], levels[j]
            if a.name == b.name:
                continue
            width = len(b.rules)
            both = (a.codes >= 0) & (b.codes >= 0)
            codes = np.where(both, a.codes * width + b.codes, -1)
            figures = _stats(codes, len(a.rules) * width, value)
            parts.append(_add(out, seen, [(i, a), (j, b)], figures, (min_rows, value.size)))
    if parts:
        out.rows, out.sums, out.squares = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return out


def _add(
    out: Slices,
    seen: set[str],
    feats: list[tuple[int, FeatureLevels]],
    figures: tuple[np.ndarray, ...],
    sizes: tuple[int, int],
) -> tuple[np.ndarray, ...]:
    """Add the slices of one feature or a pair (codes ``a * width + b``) with at least
    ``sizes[0]`` rows and fewer than all ``sizes[1]`` to ``out``."""
    n = figures[0]
    kept: list[int] = []
    for code in np.flatnonzero((n >= sizes[0]) & (n < sizes[1])):
        conds: tuple[tuple[int, int], ...]
        if len(feats) == 1:
            conds = ((feats[0][0], int(code)),)
        else:
            la, lb = divmod(int(code), len(feats[1][1].rules))
            conds = ((feats[0][0], la), (feats[1][0], lb))
        rule = " and ".join(f.rules[lv] for (_, f), (_, lv) in zip(feats, conds, strict=True))
        if rule in seen:
            continue
        seen.add(rule)
        kept.append(int(code))
        out.rules.append(rule)
        out.conds.append(conds)
    idx = np.asarray(kept, dtype=np.int64)
    return tuple(f[idx] for f in figures)


def _test(
    k: np.ndarray, n: np.ndarray, q: np.ndarray, within: tuple[np.ndarray, ...], binary: bool
) -> np.ndarray:
    """One-sided p-values of slices (errors or sums ``k``, squares ``q``, sizes ``n``) against
    the rest of ``within`` (its sums, squares and sizes)."""
    ws, wq, wn = within
    if binary:
        p = scipy_stats.hypergeom.sf(k.round() - 1, wn, ws.round(), n)
        return np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
    out = np.ones(k.size)
    for t in range(k.size):  # few nested pairs: one Welch test each
        totals = (float(ws[t]), float(wq[t]), round(float(wn[t])))
        out[t] = welch_greater(k[t : t + 1], q[t : t + 1], n[t : t + 1], totals)[0][0]
    return out


def judge_slices(slices: Slices, value: np.ndarray, *, binary_value: bool) -> None:
    """Set each slice's one-sided p-value against the rest and the BH-adjusted p-values."""
    if not slices.rules:
        return
    total = value.size
    if binary_value:
        p = fisher_greater(slices.sums.round(), slices.rows, round(float(value.sum())), total)
    else:
        totals = (float(value.sum()), float((value * value).sum()), total)
        p, _ = welch_greater(slices.sums, slices.squares, slices.rows, totals)
    slices.p_value = p
    slices.adjusted = np.asarray(scipy_stats.false_discovery_control(p, method="bh"))


def prune_nested(
    slices: Slices,
    found: list[int],
    levels: list[FeatureLevels],
    value: np.ndarray,
    *,
    alpha: float,
    binary: bool,
) -> list[int]:
    """``found`` (weak slices, worst first) without those other findings explain (module
    docstring)."""
    found = found[:_MAX_NESTED]
    if len(found) < 2:
        return found
    masks = np.stack([_mask(slices.conds[i], levels) for i in found])
    n, s, q = slices.rows[found], slices.sums[found], slices.squares[found]
    as_float = masks.astype(np.float32)
    inter = as_float @ as_float.T
    inside = (np.abs(inter - n[:, None]) < 0.5) & (n[:, None] < n[None, :])  # [a, b]: a in b
    a_idx, b_idx = np.nonzero(inside)
    p_sub = _test(s[a_idx], n[a_idx], q[a_idx], (s[b_idx], q[b_idx], n[b_idx]), binary)
    repeats = set(a_idx[p_sub >= alpha].tolist())
    kept: list[int] = []
    union = np.zeros(value.size, dtype=bool)
    squares = value * value
    for k in range(len(found)):
        if k in repeats:
            continue
        if kept:  # is the slice still worse once the rows of stronger findings are set aside?
            own, rest = masks[k] & ~union, ~masks[k] & ~union
            within = own | rest
            figures = [
                np.array([float(x[m].sum())]) for x in (value, squares) for m in (own, within)
            ]
            p = _test(
                figures[0], np.array([float(own.sum())]), figures[2],
                (figures[1], figures[3], np.array([float(within.sum())])), binary,
            )  # fmt: skip
            if own.sum() == 0 or p[0] >= alpha:
                continue
        kept.append(k)
        union |= masks[k]
    return [found[k] for k in kept]


def _mask(conds: tuple[tuple[int, int], ...], levels: list[FeatureLevels]) -> np.ndarray:
    mask = np.ones(levels[0].codes.size, dtype=bool)
    for f, level in conds:
        mask &= levels[f].codes == level
    return mask
