"""Group metrics of one grouping (an attribute, or an intersection of attributes) from rows.

The rows hold, per scored row: ``decision`` (1 when the model's decision is the favourable
outcome), ``label`` (1 when the actual outcome is favourable, null when unknown) and,
optionally, ``score`` (oriented so that higher is more favourable), plus the grouping's
columns.  Counts per group come from one polars ``group_by``; every rate, difference and ratio
then comes from :mod:`mlaudit.stats._fairness` on the counts (no per-row Python):

* the **selection rate** counts every row with a decision (labels are not needed);
* TPR, FPR, FNR, PPV, NPV and accuracy count the labelled rows;
* AUC per group (DeLong) and the mean score (t interval) need the scores;
* each group is compared with the **reference group**: the difference of each rate with
  Newcombe's interval and the gap's p-value, and the ratio of selection rates (the disparate
  impact, or impact ratio) with Katz's interval.

Dataset-level disparities are computed over the groups with at least ``min_group_size`` rows
(smaller groups are listed as insufficient evidence and take no part), as fairlearn defines them
over the groups it is given: the demographic-parity difference (largest − smallest selection
rate) and ratio (smallest ÷ largest), the equalised-odds difference (the larger of the TPR and
FPR ranges), the equal-opportunity difference (the TPR range), the predictive-parity
difference (the PPV range), and the average-odds difference (the group whose mean of its FPR
and TPR gaps to the reference is largest in size, signed).  Their intervals come from a seeded
parametric bootstrap of the groups' confusion cells (each group's four cells redrawn from a
multinomial with its own shares, which is resampling its rows), percentile method.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from mlaudit._lazy import lazy_import
from mlaudit.stats import (
    RATES,
    ConfusionCounts,
    delong_auc,
    gap_p_value,
    newcombe_difference,
    rate_parts,
    ratio_interval,
    theil_index,
    wilson_arrays,
)

if TYPE_CHECKING:
    from scipy import stats as scipy_stats
else:  # imported on first use (mlaudit._lazy)
    scipy_stats = lazy_import("scipy.stats")

__all__ = ["DISPARITIES", "UNKNOWN", "GroupTable", "group_table"]

UNKNOWN = "(unknown)"
"""The group of rows whose sensitive value is missing."""

DISPARITIES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equal_opportunity_difference",
    "average_odds_difference",
    "predictive_parity_difference",
)
"""Dataset-level disparities of a grouping (keys of :attr:`GroupTable.disparities`)."""

ReferenceRule = Literal["largest", "best_rate"]


@dataclass
class GroupTable:
    """One grouping's groups and disparities."""

    attribute: str
    """The grouping's name: a column, or columns joined by `` × ``."""
    reference_group: str | None
    """The group the others are compared with (None when no group has enough rows)."""
    groups: list[dict[str, Any]] = field(default_factory=list)
    """One object a group: ``attribute``, ``group``, ``n``, ``n_labelled``, ``sufficient``,
    each rate and ``<rate>_ci``, ``auc``/``mean_score`` with theirs, the comparison with the
    reference (``<rate>_diff``, ``<rate>_diff_ci``, ``<rate>_p_value``, ``impact_ratio``,
    ``impact_ratio_ci``)."""
    disparities: dict[str, float | None] = field(default_factory=dict)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    theil_index: float | None = None
    unknown_rows: int = 0


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _ci(low: float, high: float) -> list[float] | None:
    return None if not (math.isfinite(low) and math.isfinite(high)) else [float(low), float(high)]


def _counts(rows: pl.DataFrame, keys: list[str], has_score: bool) -> pl.DataFrame:
    labelled = pl.col("label").is_not_null()
    d, y = pl.col("decision"), pl.col("label")
    aggs = [
        pl.len().alias("n"),
        d.sum().alias("selected"),
        labelled.sum().alias("n_labelled"),
        (labelled & (d == 1) & (y == 1)).sum().alias("tp"),
        (labelled & (d == 1) & (y == 0)).sum().alias("fp"),
        (labelled & (d == 0) & (y == 0)).sum().alias("tn"),
        (labelled & (d == 0) & (y == 1)).sum().alias("fn"),
    ]
    if has_score:
        s = pl.col("score")
        aggs += [s.mean().alias("score_mean"), s.std().alias("score_sd"), s.count().alias("n_s")]
    return rows.group_by(keys).agg(aggs).sort("n", "group", descending=[True, False])


def group_table(
    rows: pl.DataFrame,
    keys: list[str],
    *,
    min_group_size: int = 30,
    reference: ReferenceRule | str = "largest",
    level: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> GroupTable:
    """The groups of ``rows`` by ``keys`` (see the module notes); ``reference`` is a rule or
    the name of a group (its key values joined by `` × ``)."""
    name = " × ".join(keys)
    has_score = "score" in rows.columns
    keyed = rows.with_columns(
        pl.concat_str(
            [pl.col(k).cast(pl.String).fill_null(UNKNOWN) for k in keys], separator=" × "
        ).alias("group")
    )
    table = _counts(keyed, ["group"], has_score)
    groups = table["group"].to_list()
    n = table["n"].to_numpy().astype(np.float64)
    counts = ConfusionCounts.of(*(table[c].to_numpy() for c in ("tp", "fp", "tn", "fn")))
    sufficient = n >= min_group_size
    parts = rate_parts(counts)
    parts["selection_rate"] = (table["selected"].to_numpy().astype(np.float64), n)
    out = GroupTable(attribute=name, reference_group=None)
    out.unknown_rows = int(sum(v for g, v in zip(groups, n, strict=True) if UNKNOWN in g))
    rates = {r: wilson_arrays(*parts[r], level=level) for r in RATES}
    ref = _reference(groups, sufficient, n, rates["selection_rate"].estimate, reference)
    out.reference_group = groups[ref] if ref is not None else None
    for i, group in enumerate(groups):
        row: dict[str, Any] = {
            "attribute": name,
            "group": group,
            "n": int(n[i]),
            "n_labelled": int(table["n_labelled"][i]),
            "sufficient": bool(sufficient[i]),
            "reference": ref == i,
        }
        for r in RATES:
            row[r] = _num(rates[r].estimate[i])
            row[f"{r}_ci"] = _ci(rates[r].low[i], rates[r].high[i])
        out.groups.append(row)
    if has_score:
        _score_columns(out, keyed, table, level)
    if ref is not None:
        _compare(out, parts, ref, level)
    _disparities(out, parts, counts, sufficient, ref, level, n_boot, seed)
    out.theil_index = _num(theil_index(counts))
    return out


def _reference(
    groups: list[str],
    sufficient: np.ndarray,
    n: np.ndarray,
    selection: np.ndarray,
    rule: str,
) -> int | None:
    if not sufficient.any():
        return None
    if rule == "largest":
        return int(np.argmax(np.where(sufficient, n, -1)))
    if rule == "best_rate":
        return int(np.nanargmax(np.where(sufficient, selection, -np.inf)))
    return groups.index(rule) if rule in groups else None


def _score_columns(out: GroupTable, keyed: pl.DataFrame, table: pl.DataFrame, level: float) -> None:
    for i, row in enumerate(out.groups):
        mean, sd, m = table["score_mean"][i], table["score_sd"][i], table["n_s"][i]
        row["mean_score"] = _num(mean) if mean is not None else None
        row["mean_score_ci"] = None
        if mean is not None and sd is not None and m and m > 1:
            half = float(scipy_stats.t.ppf(0.5 + level / 2, m - 1)) * sd / math.sqrt(m)
            row["mean_score_ci"] = _ci(mean - half, mean + half)
        row["auc"], row["auc_ci"] = None, None
    labelled = keyed.filter(pl.col("label").is_not_null() & pl.col("score").is_not_null())
    index = {g: i for i, g in enumerate(table["group"].to_list())}
    for (group,), part in labelled.group_by(["group"]):
        y = part["label"].to_numpy()
        if y.min() == y.max():
            continue  # one class only: no AUC
        auc = delong_auc(y.astype(np.int8), part["score"].to_numpy(), level=level)
        row = out.groups[index[str(group)]]
        row["auc"], row["auc_ci"] = _num(auc.auc), _ci(auc.low, auc.high)


def _compare(
    out: GroupTable, parts: dict[str, tuple[np.ndarray, np.ndarray]], ref: int, level: float
) -> None:
    for r in RATES:
        k, m = parts[r]
        diff = newcombe_difference(
            k, m, np.full_like(k, k[ref]), np.full_like(m, m[ref]), level=level
        )
        for i, row in enumerate(out.groups):
            row[f"{r}_diff"] = _num(diff.estimate[i])
            row[f"{r}_diff_ci"] = _ci(diff.low[i], diff.high[i])
            row[f"{r}_p_value"] = (
                None
                if i == ref
                else _num(gap_p_value(int(k[i]), int(m[i]), int(k[ref]), int(m[ref])))
            )
    k, m = parts["selection_rate"]
    ratio = ratio_interval(k, m, np.full_like(k, k[ref]), np.full_like(m, m[ref]), level=level)
    for i, row in enumerate(out.groups):
        row["impact_ratio"] = _num(ratio.estimate[i])
        row["impact_ratio_ci"] = _ci(ratio.low[i], ratio.high[i])


def _summary(
    sel: np.ndarray, tpr: np.ndarray, fpr: np.ndarray, ppv: np.ndarray, ref: int | None
) -> dict[str, np.ndarray]:
    """The disparities of the groups in the arrays' last axis (NaN-aware; NaN where every
    group's rate is undefined)."""

    def spread(a: np.ndarray) -> np.ndarray:
        return np.asarray(np.nanmax(a, axis=-1) - np.nanmin(a, axis=-1))

    out = {
        "demographic_parity_difference": spread(sel),
        "demographic_parity_ratio": np.nanmin(sel, axis=-1) / np.nanmax(sel, axis=-1),
        "equalized_odds_difference": np.maximum(spread(tpr), spread(fpr)),
        "equal_opportunity_difference": spread(tpr),
        "predictive_parity_difference": spread(ppv),
    }
    if ref is not None:
        avg = ((fpr - fpr[..., ref : ref + 1]) + (tpr - tpr[..., ref : ref + 1])) / 2
        worst = np.nanargmax(np.abs(np.nan_to_num(avg, nan=0.0)), axis=-1)
        out["average_odds_difference"] = np.take_along_axis(
            avg, np.expand_dims(worst, -1), axis=-1
        )[..., 0]
    return out


def _disparities(
    out: GroupTable,
    parts: dict[str, tuple[np.ndarray, np.ndarray]],
    counts: ConfusionCounts,
    sufficient: np.ndarray,
    ref: int | None,
    level: float,
    n_boot: int,
    seed: int,
) -> None:
    keep = np.flatnonzero(sufficient)
    if keep.size < 2:
        out.disparities = dict.fromkeys(DISPARITIES)
        return
    sub_ref = int(np.searchsorted(keep, ref)) if ref is not None and sufficient[ref] else None

    def rates(cells: list[np.ndarray], sel: np.ndarray, n: np.ndarray) -> dict[str, np.ndarray]:
        tp, fp, tn, fn = cells
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: no labels
            return _summary(sel / n, tp / (tp + fn), fp / (fp + tn), tp / (tp + fp), sub_ref)

    c = [a[keep] for a in (counts.tp, counts.fp, counts.tn, counts.fn)]
    sel_k, n_all = (a[keep] for a in parts["selection_rate"])
    point = rates(c, sel_k, n_all)
    out.disparities = {k: _num(float(v)) for k, v in point.items()}
    out.disparities.update({k: None for k in DISPARITIES if k not in out.disparities})
    if n_boot <= 0:
        return
    # Bootstrap: each group's four labelled cells redrawn, and its selections among all rows.
    rng = np.random.default_rng(seed)
    labelled = c[0] + c[1] + c[2] + c[3]
    cells = np.stack(c, axis=-1) / np.maximum(labelled, 1)[:, None]
    draws = np.stack(
        [rng.multinomial(int(m), cells[g], size=n_boot) for g, m in enumerate(labelled)], axis=1
    ).astype(np.float64)  # (n_boot, groups, 4)
    sel_draw = rng.binomial(n_all.astype(np.int64), sel_k / n_all, size=(n_boot, keep.size))
    boot = rates([draws[..., j] for j in range(4)], sel_draw.astype(np.float64), n_all)
    alpha = 1 - level
    for k, v in boot.items():
        finite = v[np.isfinite(v)]
        if finite.size >= n_boot // 2 and out.disparities.get(k) is not None:
            lo, hi = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
            out.intervals[k] = (float(lo), float(hi))
