"""``drift.univariate``: has each column's distribution changed since the reference?

One result per compared column: features, and also target, prediction, score and (non-personal)
sensitive columns (the role is in ``params["role"]``).  Id, timestamp and ignored columns are
not compared; personal, free-text and datetime columns get a ``skipped`` result saying why.

Method (``method="auto"``): the two-sample Kolmogorov–Smirnov test for numeric columns
(distribution-free, sensitive to any change of location, spread or shape; exact with scipy while
the quantile sketches hold every value, else a sketch estimate with a hard error bound), the
chi-square test of homogeneity for categorical ones (every category's frequency counts, new and
vanished categories included).  ``"wasserstein"``, ``"psi"`` and ``"js"`` are distances with no
p-value: the verdict is the distance against its limit.  A global method that does not fit a
column's kind falls back to ``auto`` for that column; a per-column method that does not fit
skips the column.

Two-level columns (boolean, or numeric with exactly two values such as a 0/1 default flag;
numeric ones while the sketches are exact) are compared as a rate under ``method="auto"``:
both rates, the difference with Newcombe's hybrid score interval, the pooled two-proportion
z-test (``z²`` is the 2×2 chi-square) in the same multiple-testing family, effect Cohen's h
against the numeric floor (:mod:`mlaudit.stats.drift._proportion`).

Decision: a column has drifted when its p-value, adjusted across all tested columns
(Benjamini–Hochberg by default), is below ``alpha`` **and** its effect size reaches the floor.
With a million rows a test finds shifts nobody cares about; the floor keeps those quiet.

* Numeric effect: W1 between both periods clipped to their 1st-99th percentile range (so a
  handful of extreme values cannot inflate it), divided by the reference's robust standard
  deviation IQR / 1.349 (the reference standard deviation when the IQR is 0): the shift in
  standard deviations for a location shift.  The unclipped W1 / standard deviation is stated
  beside it (``wasserstein_normalized``).  Floor 0.1: half of Cohen's "small" effect (0.2), the
  smallest shift a credit or pricing model usually reacts to measurably.
* Categorical effect: Cramér's V (= Cohen's w for a 2×k table).  Floor 0.1: Cohen's "small".
* Distances: the Jensen–Shannon distance uses the categorical floor, PSI the industry limits
  (``psi_limits``: 0.1 moderate, 0.25 significant).

Status: ``warn`` for a drifted column, ``fail`` when the effect is at least ``fail_multiple``
(default 3) times the floor (0.3: Cohen's "medium" effect), or PSI ≥ 0.25; ``pass`` otherwise.

Inconclusive: above the sketch's exact capacity (131,072 values per side) KS and W1 come from
quantile sketches with hard error bounds (``bounds``: ``ks_statistic``, ``p_value``,
``wasserstein_normalized``).  The adjusted p-value's range is the p-value bound times the
column's adjustment factor ``p_adjusted / p``.  The verdict is monotone (a smaller p-value or a
larger effect never lowers it), so it is evaluated at the two extreme corners of the bounds —
largest p-value with smallest effect, smallest p-value with largest effect; when they differ
(a bound straddles α or the effect floor) the status is ``inconclusive`` and the message names
the bound, the threshold and how to get a decisive answer.  A column that drifted at both
corners and is only unsure between warn and fail is a finding all the same: ``warn``, with the
same explanation.  ``drifted`` is 1 only when the column drifted at both corners.
Columns with fewer than ``min_values`` (30) non-missing finite values on either side, all-null
columns, type changes and columns with more than ``max_categories`` levels are ``skipped`` with
the reason.  The result table is computed once per option set and cached in ``ctx.extras``.
The options are in :mod:`._drift_options`, the verdict and its message in :mod:`._verdict`.
"""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np

from mlaudit.checks._base import CheckContext, register
from mlaudit.checks.drift._compare import (
    ColumnDrift,
    compare_categorical,
    compare_numeric,
    compare_rate,
    two_levels,
)
from mlaudit.checks.drift._drift_options import DriftOptions, Method
from mlaudit.checks.drift._verdict import decide
from mlaudit.data import ColumnSchema, ColumnType, Role
from mlaudit.errors import MLAuditError
from mlaudit.results import CheckResult, Severity, Status
from mlaudit.stats.drift import adjust_p_values
from mlaudit.summary import ColumnSummary

__all__ = ["DriftOptions", "Method", "UnivariateDrift", "univariate_results"]

_NUMERIC_METHODS = ("ks", "wasserstein", "psi", "js")
_CATEGORICAL_METHODS = ("chi2", "g_test", "psi", "js")
_COMPARED_ROLES = (Role.FEATURE, Role.TARGET, Role.PREDICTION, Role.SCORE, Role.SENSITIVE)
_CATEGORICAL_TYPES = (ColumnType.CATEGORICAL, ColumnType.BOOLEAN)
_CACHE_PREFIX = "drift.univariate:"
_WHY_RATE = (
    "the column has two levels (a flag or a 0/1 rate), so what matters is the rate: both "
    "periods' rates and their difference, tested with the two-proportion z-test"
)
_WHY_METHOD = {
    ("auto", "numeric"): "Kolmogorov-Smirnov, the default for numeric columns: it needs no "
    "assumption about the distribution and reacts to changes of location, spread or shape",
    ("auto", "categorical"): "chi-square test of homogeneity, the default for categorical "
    "columns: it compares every category's frequency, new and vanished categories included",
    "ks": "Kolmogorov-Smirnov, as configured",
    "wasserstein": "normalised Wasserstein distance, as configured (a distance: no p-value)",
    "psi": "population stability index, as configured (a distance: no p-value)",
    "js": "Jensen-Shannon distance, as configured (a distance: no p-value)",
    "chi2": "chi-square test of homogeneity, as configured",
    "g_test": "G-test (log-likelihood ratio), as configured",
}


@register
class UnivariateDrift(DriftOptions):
    """Compare each column's distribution in the current data with the reference."""

    id: ClassVar[str] = "drift.univariate"
    family: ClassVar[str] = "drift"
    title: ClassVar[str] = "Column distributions match the reference"
    why: ClassVar[str] = (
        "A model is only as good as the match between the data it learned from and the data it "
        "now scores; a column whose distribution moved can silently degrade predictions."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True

    def compute(self, ctx: CheckContext) -> list[CheckResult]:
        """One result per compared column (cached in ``ctx.extras`` by option set)."""
        return univariate_results(ctx, self)


def univariate_results(ctx: CheckContext, options: DriftOptions) -> list[CheckResult]:
    """Per-column drift results for ``options``, computed once per option set and cached."""
    check = (
        options
        if isinstance(options, UnivariateDrift)
        else UnivariateDrift(**options.drift_options())
    )
    key = _CACHE_PREFIX + json.dumps(check.drift_options(), sort_keys=True)
    return list(ctx.shared(key, lambda: _compute(check, ctx)))


def _compute(check: UnivariateDrift, ctx: CheckContext) -> list[CheckResult]:
    if ctx.reference is None:
        return [check.skipped("needs reference data; pass --reference to run it")]
    names = check.target_columns(
        ctx, [c.name for c in ctx.schema.columns if c.role in _COMPARED_ROLES]
    )
    rows: list[tuple[ColumnSchema, ColumnDrift | CheckResult]] = []
    for name in names:
        col = ctx.schema[name]
        try:
            rows.append((col, _compare(check, ctx, col)))
        except (MLAuditError, ValueError, ArithmeticError) as exc:
            msg = f"drift of {name} could not be computed: {exc}"
            rows.append((col, check.result(Status.ERROR, msg, column=name)))
    drifts = [r for _, r in rows if isinstance(r, ColumnDrift)]
    p = np.array([np.nan if d.p_value is None else d.p_value for d in drifts])
    adjusted = dict(zip([id(d) for d in drifts], adjust_p_values(p, check.correction), strict=True))
    # p = 0 has no ratio p_adjusted / p: take the largest factor any correction applies (m)
    largest = 1.0 if check.correction == "none" else float(np.count_nonzero(~np.isnan(p)))
    out = []
    for col, r in rows:
        extra = {"role": col.role.value}
        if isinstance(r, ColumnDrift):
            p_adj = float(adjusted[id(r)])
            factor = p_adj / r.p_value if r.p_value else largest
            res, extra["method_used"] = decide(check, r, p_adj, factor=factor), r.method
        else:
            res = r
        out.append(res.model_copy(update={"params": {**res.params, **extra}}))
    return out


def _skip_reason(check: DriftOptions, ctx: CheckContext, col: ColumnSchema) -> str | None:
    assert ctx.reference is not None
    ref, cur = ctx.reference.columns.get(col.name), ctx.current.columns.get(col.name)
    if ref is None or cur is None:
        return f"{col.name} is not in the {'reference' if ref is None else 'current'} data"
    if col.personal or ref.personal or cur.personal:
        return f"{col.name} holds personal data: its values are hashed and not compared"
    if (ref.numeric is None) != (cur.numeric is None):
        was, now = ("numeric", "non-numeric") if cur.numeric is None else ("non-numeric", "numeric")
        return (
            f"{col.name} changed type: {was} in the reference ({ref.dtype}), {now} now "
            f"({cur.dtype}); see quality.schema_match"
        )
    if col.type in (ColumnType.TEXT, ColumnType.DATETIME, ColumnType.ID, ColumnType.UNKNOWN):
        return f"{col.name} is {col.type.value}: its distribution is not compared for drift"
    for side, s in (("reference", ref), ("current", cur)):
        if s.non_null == 0:
            return f"{col.name} has no non-missing values in the {side} data"
        n = _usable(s)
        if n < check.min_values:
            return (
                f"{col.name} has only {n:,} usable values in the {side} data (fewer than "
                f"min_values={check.min_values}): too few for a reliable comparison"
            )
    return None


def _usable(s: ColumnSummary) -> int:
    if s.numeric is not None and s.type.is_numeric:
        return s.numeric.sketch.n if s.numeric.sketch is not None else 0
    return s.non_null


def _method_for(check: DriftOptions, name: str, kind: str) -> tuple[str, str] | str:
    """(method, why) for this column, or a skip reason when the configured method cannot apply."""
    fits = _NUMERIC_METHODS if kind == "numeric" else _CATEGORICAL_METHODS
    auto = "ks" if kind == "numeric" else "chi2"
    if name in check.column_methods:
        m = check.column_methods[name]
        if m == "auto":
            return auto, _WHY_METHOD[("auto", kind)]
        if m not in fits:
            return f"method {m!r} configured for {name} does not apply to {kind} columns"
        return m, _WHY_METHOD[m]
    if check.method != "auto" and check.method in fits:
        return check.method, _WHY_METHOD[check.method]
    why = _WHY_METHOD[("auto", kind)]
    if check.method != "auto":
        why += f" ({check.method!r} does not apply to {kind} columns)"
    return auto, why


def _compare(
    check: UnivariateDrift, ctx: CheckContext, col: ColumnSchema
) -> ColumnDrift | CheckResult:
    reason = _skip_reason(check, ctx, col)
    if reason is not None:
        return check.skipped(reason, column=col.name)
    assert ctx.reference is not None
    ref, cur = ctx.reference.columns[col.name], ctx.current.columns[col.name]
    numeric = col.type.is_numeric and ref.numeric is not None and cur.numeric is not None
    if not numeric and (ref.categories is None or cur.categories is None):
        return check.skipped(
            f"{col.name} has no comparable summary in both periods", column=col.name
        )
    kind = "numeric" if numeric else "categorical"
    if check.method == "auto" and check.column_methods.get(col.name, "auto") == "auto":
        levels2 = two_levels(ref, cur)
        if levels2 is not None:
            d = compare_rate(col.name, *levels2)
            d.notes.insert(0, f"Why this method: {_WHY_RATE}")
            return d
    chosen = _method_for(check, col.name, kind)
    if isinstance(chosen, str):
        return check.skipped(chosen, column=col.name)
    method, why = chosen
    if numeric:
        d = compare_numeric(ref, cur, method)
    else:
        levels = _levels_problem(check, col.name, ref, cur)
        if levels:
            return check.skipped(levels, column=col.name)
        d = compare_categorical(ref, cur, method)
    d.notes.insert(0, f"Why this method: {why}")
    return d


def _levels_problem(
    check: DriftOptions, name: str, ref: ColumnSummary, cur: ColumnSummary
) -> str | None:
    assert ref.categories is not None and cur.categories is not None
    if not (ref.categories.exact and cur.categories.exact):
        return (
            f"{name} has more than {ref.categories.cap:,} distinct values: only approximate "
            "heavy-hitter counts exist, too many levels for a categorical test"
        )
    k = len(set(ref.categories.counts) | set(cur.categories.counts))
    if k > check.max_categories:
        return (
            f"{name} has {k:,} distinct levels (more than max_categories="
            f"{check.max_categories:,}): a test over so many sparse cells is unreliable; "
            "group the levels or treat the column as text or id"
        )
    return None
