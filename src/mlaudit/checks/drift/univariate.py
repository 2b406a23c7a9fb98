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

Decision: a column has drifted when its p-value, adjusted across all tested columns
(Benjamini–Hochberg by default), is below ``alpha`` **and** its effect size reaches the floor.
With a million rows a test finds shifts nobody cares about; the floor keeps those quiet.

* Numeric effect: W1 divided by the reference standard deviation (the shift in standard
  deviations for a location shift).  Floor 0.1: half of Cohen's "small" effect (0.2), the
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
"""

from __future__ import annotations

import json
import math
from typing import ClassVar, Literal, NamedTuple

import numpy as np
from pydantic import Field, field_validator

from mlaudit.checks.base import Check, CheckContext, register
from mlaudit.checks.drift._compare import ColumnDrift, compare_categorical, compare_numeric
from mlaudit.data.types import ColumnSchema, ColumnType, Role
from mlaudit.errors import ConfigError, MLAuditError
from mlaudit.results import Bound, CheckResult, Severity, Status, Threshold
from mlaudit.stats.drift import Correction, adjust_p_values, min_detectable_ks, underpowered
from mlaudit.summary.model import ColumnSummary
from mlaudit.summary.quantiles import QuantileSketch

__all__ = ["DriftOptions", "Method", "UnivariateDrift", "univariate_results"]

Method = Literal["auto", "ks", "wasserstein", "psi", "js", "chi2", "g_test"]
_NUMERIC_METHODS = ("ks", "wasserstein", "psi", "js")
_CATEGORICAL_METHODS = ("chi2", "g_test", "psi", "js")
_COMPARED_ROLES = (Role.FEATURE, Role.TARGET, Role.PREDICTION, Role.SCORE, Role.SENSITIVE)
_CATEGORICAL_TYPES = (ColumnType.CATEGORICAL, ColumnType.BOOLEAN)
_OVERRIDE_KEYS = frozenset({"alpha", "min_effect", "fail_multiple"})
_CACHE_PREFIX = "drift.univariate:"
_EXACT_VALUES = QuantileSketch().exact_capacity  # values per side compared exactly
_EFFECT_BOUND = {"ks": "wasserstein_normalized", "wasserstein": "wasserstein_normalized"}
_EXACT_NAME = {"ks": "KS", "wasserstein": "Wasserstein distance"}
_CORRECTION_NAMES = {
    "bh": "Benjamini-Hochberg adjusted",
    "holm": "Holm adjusted",
    "bonferroni": "Bonferroni adjusted",
    "none": "unadjusted",
}
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


class DriftOptions(Check):
    """Options shared by ``drift.univariate`` and ``drift.dataset`` (not registered)."""

    method: Method = "auto"
    """Test or distance; ``auto`` = KS for numeric, chi-square for categorical columns."""
    column_methods: dict[str, Method] = Field(default_factory=dict)
    """Column → method overriding ``method`` for that column."""
    alpha: float = Field(default=0.05, gt=0, lt=1)
    """Significance level applied to the adjusted p-values."""
    correction: Correction = "bh"
    """Multiple-testing correction across columns: bh (FDR), holm, bonferroni (FWER), none."""
    min_effect_numeric: float = Field(default=0.1, ge=0)
    """Floor on the normalised Wasserstein distance (shift in reference standard deviations)."""
    min_effect_categorical: float = Field(default=0.1, ge=0)
    """Floor on Cramér's V (and on the Jensen-Shannon distance when ``method="js"``)."""
    fail_multiple: float = Field(default=3.0, ge=1)
    """A drifted column fails when its effect is at least this many times the floor."""
    psi_limits: tuple[float, float] = (0.1, 0.25)
    """PSI limits (warn, fail) when ``method="psi"``."""
    columns_thresholds: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Column → overrides of ``alpha``, ``min_effect`` and ``fail_multiple`` for that column."""
    min_values: int = Field(default=30, ge=2)
    """Fewest non-missing finite values on each side for a column to be compared."""
    max_categories: int = Field(default=1000, ge=2)
    """Most distinct levels (both periods together) of a categorical column."""

    @field_validator("columns_thresholds")
    @classmethod
    def _known_keys(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for col, over in v.items():
            unknown = set(over) - _OVERRIDE_KEYS
            if unknown:
                raise ConfigError(
                    f"columns_thresholds[{col!r}] has unknown key(s) {sorted(unknown)}",
                    fix=f"use only: {', '.join(sorted(_OVERRIDE_KEYS))}",
                )
        return v

    def drift_options(self) -> dict[str, object]:
        """The options that decide the per-column table (the cache key)."""
        return self.model_dump(include=set(DriftOptions.model_fields), mode="json")


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
    cached = ctx.extras.get(key)
    if cached is None:
        cached = _compute(check, ctx)
        ctx.extras[key] = cached
    return list(cached)


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
            res, extra["method_used"] = _decide(check, r, p_adj, factor=factor), r.method
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


def _limits(check: DriftOptions, d: ColumnDrift) -> tuple[float, float, float]:
    """(alpha, effect floor, fail limit) for this column."""
    over = check.columns_thresholds.get(d.column, {})
    alpha = over.get("alpha", check.alpha)
    if d.method == "psi":
        warn, fail = check.psi_limits
        return alpha, over.get("min_effect", warn), fail
    if d.method == "js" or d.kind == "categorical":
        floor = over.get("min_effect", check.min_effect_categorical)
    else:
        floor = over.get("min_effect", check.min_effect_numeric)
    return alpha, floor, floor * over.get("fail_multiple", check.fail_multiple)


class _Limits(NamedTuple):
    alpha: float
    floor: float
    fail_at: float


class _Ranges(NamedTuple):
    """Where the true adjusted p-value and effect lie (a single point when exact)."""

    p_adjusted: tuple[float, float] | None  # None: the method has no p-value
    effect: tuple[float, float]


def _status_at(p_adj: float | None, effect: float, lim: _Limits) -> Status:
    """The verdict for one adjusted p-value (None: a distance, no test) and one effect size."""
    if (p_adj is not None and not p_adj < lim.alpha) or not effect >= lim.floor:
        return Status.PASS
    return Status.FAIL if effect >= lim.fail_at else Status.WARN


def _ranges(d: ColumnDrift, p_adj: float, factor: float) -> _Ranges:
    """The sketch's hard bounds on the adjusted p-value (p bound x factor) and on the effect."""
    p_range = None if d.p_value is None else (p_adj, p_adj)
    pb = d.bounds.get("p_value")
    if not d.exact and p_range is not None and pb is not None and None not in (pb.low, pb.high):
        assert pb.low is not None and pb.high is not None
        p_range = (min(pb.low * factor, 1.0), min(pb.high * factor, 1.0))
    eb = d.bounds.get(_EFFECT_BOUND.get(d.method, "")) if d.kind == "numeric" else None
    if d.exact or eb is None or eb.low is None or eb.high is None:
        return _Ranges(p_range, (d.effect_size, d.effect_size))
    return _Ranges(p_range, (float(eb.low), float(eb.high)))


def _straddles(r: tuple[float, float], threshold: float) -> bool:
    return r[0] < threshold <= r[1]


def _crossings(r: _Ranges, lim: _Limits, d: ColumnDrift) -> tuple[list[str], str]:
    """What straddles what, in words, and the change of threshold that decides it."""
    p_lo = r.p_adjusted[0] if r.p_adjusted is not None else None
    can_be_significant = p_lo is None or p_lo < lim.alpha
    lo, hi = r.effect
    out, fix = [], ""
    if r.p_adjusted is not None and _straddles(r.p_adjusted, lim.alpha) and hi >= lim.floor:
        a, b = r.p_adjusted
        out.append(
            f"the adjusted p-value lies between {_fmt_p(a)} and {_fmt_p(b)}, on both sides of "
            f"α = {lim.alpha:g}"
        )
        fix = f"set the effect floor above {hi:.3g} if an effect of this size does not matter"
    limits = (("floor", lim.floor), ("fail limit", lim.fail_at))
    sides = [f"the {name} {value:g}" for name, value in limits if _straddles(r.effect, value)]
    if sides and can_be_significant:
        out.append(
            f"the effect size ({d.effect_name}) lies between {lo:.3g} and {hi:.3g}, on both "
            f"sides of {' and of '.join(sides)}"
        )
        if _straddles(r.effect, lim.floor):
            fix = (
                f"raise the effect floor slightly, to {hi:.3g} or more (min_effect_numeric, or "
                "min_effect for this column in columns_thresholds)"
            )
        else:
            fix = f"raise fail_multiple slightly, so that the fail limit exceeds {hi:.3g}"
    return out, fix


def _decide(
    check: UnivariateDrift, d: ColumnDrift, p_adj: float, *, factor: float = 1.0
) -> CheckResult:
    lim = _Limits(*_limits(check, d))
    r = _ranges(d, p_adj, factor)
    p_hi = r.p_adjusted[1] if r.p_adjusted is not None else None
    p_lo = r.p_adjusted[0] if r.p_adjusted is not None else None
    least, most = _status_at(p_hi, r.effect[0], lim), _status_at(p_lo, r.effect[1], lim)
    drifted = least in (Status.WARN, Status.FAIL)  # at both ends of the bounds
    # Drifted for certain but unsure between warn and fail: a finding all the same (warn).
    status = least if least == most else (Status.WARN if drifted else Status.INCONCLUSIVE)
    n, m = int(d.metrics["n_reference"] or 0), int(d.metrics["n_current"] or 0)
    metrics = dict(d.metrics)
    metrics.update(
        statistic=d.statistic,
        p_value=d.p_value,
        p_value_adjusted=None if d.p_value is None else p_adj,
        effect_size=d.effect_size,
        effect_floor=lim.floor,
        drifted=int(drifted),
    )
    if d.kind == "numeric":
        metrics["min_detectable_statistic"] = min_detectable_ks(n, m, lim.alpha)
        metrics["underpowered"] = int(d.method == "ks" and underpowered(n, m, lim.alpha, lim.floor))
    undecided = _crossings(r, lim, d) if least != most else ([], "")
    weak = bool(metrics.get("underpowered"))
    outcome = (status, drifted, n, m)
    message = _message(check, d, (p_adj, lim.alpha, lim.floor), outcome, weak, undecided)
    threshold = Threshold(metric="effect_size", direction="max", warn=lim.floor, fail=lim.fail_at)
    return check.result(
        status,
        message,
        column=d.column,
        metrics=metrics,
        threshold=threshold,
        bounds=_bounds(d, r),
        exact=d.exact,
        details=d.details,
    )


def _bounds(d: ColumnDrift, r: _Ranges) -> dict[str, Bound]:
    """The sketch's bounds, plus those of the adjusted p-value and the effect size."""
    out = dict(d.bounds)
    if d.exact:
        return out
    method = "hard bound from the quantile sketches' rank errors"
    if r.p_adjusted is not None and "p_value" in d.bounds:
        out["p_value_adjusted"] = Bound(
            low=r.p_adjusted[0],
            high=r.p_adjusted[1],
            method=method + ", times the adjustment factor p_value_adjusted / p_value",
        )
    if r.effect[0] != r.effect[1]:
        out["effect_size"] = Bound(low=r.effect[0], high=r.effect[1], method=method)
    return out


def _fmt_p(p: float) -> str:
    return f"{p:.3g}" if p >= 1e-4 or p == 0 else f"{p:.2e}"


def _message(
    check: DriftOptions,
    d: ColumnDrift,
    test: tuple[float, float, float],
    outcome: tuple[Status, bool, int, int],
    weak: bool,
    undecided: tuple[list[str], str],
) -> str:
    p_adj, alpha, floor = test
    _status, drifted, n, m = outcome
    crossings, fix = undecided
    if crossings:
        what = (
            f"{d.column} has drifted, but whether it fails is inconclusive"
            if drifted
            else f"Drift of {d.column} is inconclusive"
        )
        head = (
            f"{what}: {' and '.join(crossings)}. The data is too large for "
            f"exact {_EXACT_NAME.get(d.method, d.method)}; the sketch's error bound covers the "
            "threshold, so the verdict differs between the ends of the bound"
        )
        parts = [head + f": {d.method} statistic {d.statistic:.4g}"]
    else:
        verdict = "has drifted" if drifted else "shows no drift that matters"
        parts = [f"{d.column} {verdict}: {d.method} statistic {d.statistic:.4g}"]
    if d.p_value is not None:
        parts.append(
            f"p = {_fmt_p(d.p_value)}, {_CORRECTION_NAMES[check.correction]} p = {_fmt_p(p_adj)} "
            f"({'<' if p_adj < alpha else '≥'} α = {alpha:g})"
        )
    rel = "≥" if d.effect_size >= floor else "<"
    parts.append(f"effect size {d.effect_size:.3g} ({d.effect_name}) {rel} floor {floor:g}")
    parts.append(f"{n:,} reference vs {m:,} current values")
    if not d.exact:
        parts.append("approximate (from quantile sketches; bounds in the metrics)")
    infinite = int(d.metrics.get("infinite_reference") or 0) + int(
        d.metrics.get("infinite_current") or 0
    )
    if infinite:
        parts.append(
            f"{d.metrics.get('infinite_reference')} reference and "
            f"{d.metrics.get('infinite_current')} current infinite values excluded"
        )
    if weak:
        parts.append(
            f"underpowered: with these sizes only a KS statistic ≥ "
            f"{min_detectable_ks(n, m, alpha):.3g} is detectable, more than a shift of {floor:g} "
            "standard deviations produces"
        )
    text = "; ".join(parts) + ". " + "; ".join(d.notes) + "."
    if crossings:
        text += (
            " If you need a yes/no answer, " + (f"{fix}, " if fix else "") + "or compare a "
            f"random sample of at most {_EXACT_VALUES:,} values per side, which is compared "
            "exactly."
        )
    return text if math.isfinite(d.statistic) else text + " (statistic undefined)"
