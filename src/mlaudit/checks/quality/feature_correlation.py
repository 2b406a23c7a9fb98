"""``quality.feature_correlation``: nearly redundant features, VIFs, and correlations that changed.

The scan summarises every pair of features (``mlaudit.summary.Correlations``: feature columns
that are not personal; the first 200 numeric features, and categorical features with at most
50 values):

* **Numeric pairs**: Pearson's r from co-moments merged across batches, over the rows where both
  values are present (pairwise-complete deletion, as ``pandas.DataFrame.corr``); exact to
  rounding.  Spearman's rho from the scan's seeded sample (average ranks of each column over its
  own present values, then Pearson's r of the ranks over the rows where both are present): exact
  when the data has at most ``sample_size`` rows (20,000 by default) and no missing values,
  otherwise an estimate whose standard error is about ``(1 - rho²) / sqrt(rows of the sample)``
  (below 0.001 for the rho near 0.95 that matter here).
* **Categorical pairs**: Cramér's V without bias correction, from the exact contingency table.
* **Mixed pairs**: the correlation ratio eta of the numeric feature grouped by the categories,
  on the seeded sample (exact up to ``sample_size`` rows; the per-category moments of every pair
  in the scan cost 15 % of the profile time of 1M rows × 20 columns).
* **Variance inflation factors** of the numeric features, the diagonal of the inverse of their
  correlation matrix: equal to statsmodels' ``variance_inflation_factor`` on the features with
  a constant added, when no value is missing (with missing values the matrix is pairwise, so
  the factors are an approximation, said in a note).

A pair is **nearly redundant** when ``|r|``, ``|rho|``, V or eta reaches ``redundant`` (0.95), and
a feature's VIF at or above ``vif`` (10) is a warning: both are conventions of practice (a VIF
of 10 means 90 % of the feature's variance is explained by the others), not tests.  Redundancy
is a property of the data, often a real finding (years of education and its coded level), so
it warns, never fails.

With a reference, a numeric pair whose correlation **changed** is one where the Fisher z test of
equal correlations in two independent samples rejects at ``alpha`` after Holm's correction
across the pairs tested, *and* r moved by at least ``min_change`` (0.1).  Fisher's variance of z,
``1/(n-3)``, holds for bivariate normal data; skewed and heavy-tailed features (counts, amounts)
have a wider one, and the classic test flagged 14 of 20 clean random halves of scikit-learn's
breast cancer table.  So each pair's variance is widened by the factor ``n·Var(r) / (1-r²)²``
estimated from fourth moments of the seeded samples (the delta method, 1 for normal data), the
larger of the two periods' estimates: 1 of 80 clean halves of Adult, German credit, COMPAS and
breast cancer then reports a changed pair, at the nominal 1 %.  The floor keeps the finding to
changes that matter on large data.  Such pairs are what a multivariate drift check sees when
each column alone has not moved; categorical and mixed pairs are not tested for change.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import ClassVar

import numpy as np
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, Share
from mlaudit.checks.quality._association import (
    category_moments,
    cramers_v,
    eta,
    fisher_z_p,
    holm,
    kurtosis_factor,
    spearman_matrix,
    vif,
)
from mlaudit.checks.quality.completeness import checked_columns
from mlaudit.results import Cell, CheckResult, Severity, Status, TableDetail
from mlaudit.summary import LEVEL_CAP, NUMERIC_CAP, Correlations, DatasetProfile, ScanPlan

__all__ = ["FeatureCorrelation"]

_ROWS = 20
Pair = tuple[str, str, str, float, int]
"""feature a, feature b, measure, value, rows."""


@register
class FeatureCorrelation(Check):
    """Nearly redundant features and high VIFs; with a reference, correlations that changed."""

    id: ClassVar[str] = "quality.feature_correlation"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Features are not redundant and their correlations are stable"
    why: ClassVar[str] = (
        "Two features that say the same thing (a copy, a unit conversion, a code of the other) "
        "make a model's coefficients unstable and its explanations split between them; a "
        "correlation that changed between periods breaks what the model learned even when each "
        "feature alone looks unchanged."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()
    cost: ClassVar[int] = 2

    redundant: Share = 0.95
    """A pair is nearly redundant when |Pearson|, |Spearman|, Cramér's V or eta reaches this."""
    vif: float = Field(default=10.0, ge=1.0, allow_inf_nan=False)
    """A numeric feature's variance inflation factor at or above this is a warning."""
    alpha: Alpha = 0.01
    """With a reference: family-wise significance level (Holm) of the changed-correlation tests."""
    min_change: Share = 0.1
    """With a reference: smallest change of Pearson's r that counts, however significant."""

    def scan_plan(self, plan: ScanPlan) -> ScanPlan:
        """Ask the scan for the pair summaries."""
        return replace(plan, correlations=True)

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the data set."""
        corr = ctx.current.correlations
        if corr is None:
            return self.skipped("the scan did not summarise the feature pairs")
        names = set(checked_columns(self, ctx))
        numeric = [n for n in corr.numeric if n in names]
        cats = [n for n in corr.categorical if n in corr.levels and n in names]
        if len(numeric) + len(cats) < 2:
            return self.skipped(
                "fewer than two features to pair (numeric, or categorical with at most "
                f"{LEVEL_CAP} values, not personal)"
            )
        pairs = _pairs(ctx, corr, numeric, cats)
        redundant = [p for p in pairs if abs(p[3]) >= self.redundant]
        vifs = _vifs(corr, numeric)
        high = [(n, v) for n, v in vifs if v >= self.vif]
        changed = self._changed(ctx, corr, numeric)
        metrics: dict[str, float | int | None] = {
            "numeric_features": len(numeric),
            "categorical_features": len(cats),
            "pairs": len({(a, b) for a, b, *_ in pairs}),
            "redundant_pairs": len({(a, b) for a, b, *_ in redundant}),
            "max_abs_correlation": max((abs(p[3]) for p in pairs), default=None),
            "max_vif": max((v for _, v in vifs), default=None),
            "high_vif_features": len(high),
        }
        if changed is not None:
            metrics["changed_pairs"] = len(changed)
        details = _details(pairs, vifs, changed, self.redundant)
        notes = _notes(corr, ctx)
        if notes:
            details.append(
                TableDetail(
                    name="coverage",
                    title="What was paired",
                    columns=["note"],
                    rows=[[n] for n in notes],
                )
            )
        findings = _findings(redundant, high, changed, self)
        if not findings:
            return self.result(
                Status.PASS,
                f"no nearly redundant pair among {len(numeric) + len(cats)} features "
                f"(largest |association| {_num(metrics['max_abs_correlation'])}), no VIF "
                f"at or above {self.vif:g}"
                + ("; no correlation changed against the reference" if changed is not None else ""),
                metrics=metrics,
                details=details,
            )
        return self.result(Status.WARN, "; ".join(findings), metrics=metrics, details=details)

    def _changed(
        self, ctx: CheckContext, corr: Correlations, numeric: list[str]
    ) -> list[list[Cell]] | None:
        ref = ctx.reference.correlations if ctx.reference is not None else None
        if ref is None:
            return None
        ipos = {n: i for i, n in enumerate(ref.numeric)}
        both = [n for n in numeric if n in ipos]
        ic, ir = [corr.numeric.index(n) for n in both], [ipos[n] for n in both]
        r_cur, n_cur = corr.pearson()[np.ix_(ic, ic)], corr.n[np.ix_(ic, ic)]
        r_ref, n_ref = ref.pearson()[np.ix_(ir, ir)], ref.n[np.ix_(ir, ir)]
        # the larger of the two periods' factors: under no change both estimate the same one,
        # and a heavy tail that one period's sample happens to show widens both
        k = np.fmax(_widening(ctx.current, both), _widening(ctx.reference, both))
        tests: list[tuple[str, str, float, float, float]] = []
        for i, j in zip(*np.triu_indices(len(both), 1), strict=True):
            p = fisher_z_p(
                r_cur[i, j], n_cur[i, j], r_ref[i, j], n_ref[i, j], k1=k[i, j], k2=k[i, j]
            )
            if math.isfinite(p):
                tests.append((both[i], both[j], float(r_ref[i, j]), float(r_cur[i, j]), p))
        adjusted = holm([t[4] for t in tests])
        kept = [
            (a, b, rr, rc, q)
            for (a, b, rr, rc, _), q in zip(tests, adjusted, strict=True)
            if q < self.alpha and abs(rc - rr) >= self.min_change
        ]
        kept.sort(key=lambda t: (-abs(t[3] - t[2]), t[0], t[1]))
        return [
            [a, b, round(rr, 4), round(rc, 4), round(rc - rr, 4), q] for a, b, rr, rc, q in kept
        ]


def _widening(profile: DatasetProfile | None, names: list[str]) -> np.ndarray:
    """Each pair's variance factor of Fisher's z from the profile's sample (1 when unknown)."""
    sample = profile.sample if profile is not None else None
    if sample is None or not set(names) <= set(sample.columns) or len(names) < 2:
        return np.ones((len(names), len(names)))
    k = kurtosis_factor(sample.select(names))
    return np.where(np.isfinite(k), k, 1.0)


def _pairs(
    ctx: CheckContext, corr: Correlations, numeric: list[str], cats: list[str]
) -> list[Pair]:
    """Every pair's association: Pearson and Spearman, Cramér's V, eta."""
    out: list[Pair] = []
    idx = [corr.numeric.index(n) for n in numeric]
    r = corr.pearson()
    rho, rho_n = _spearman(ctx, numeric)
    for x, i in enumerate(idx):
        for y in range(x + 1, len(idx)):
            j = idx[y]
            if math.isfinite(r[i, j]):
                out.append((numeric[x], numeric[y], "pearson", float(r[i, j]), int(corr.n[i, j])))
            if rho is not None and math.isfinite(rho[x, y]):
                out.append((numeric[x], numeric[y], "spearman", float(rho[x, y]), int(rho_n[x, y])))
    for (a, b), table in corr.tables.items():
        v = cramers_v(table)
        if a in cats and b in cats and math.isfinite(v):
            out.append((a, b, "cramers_v", v, int(table.sum())))
    out += _mixed(ctx, numeric, cats)
    out.sort(key=lambda p: (-abs(p[3]), p[0], p[1], p[2]))
    return out


def _mixed(ctx: CheckContext, numeric: list[str], cats: list[str]) -> list[Pair]:
    """Eta of every categorical-numeric pair, on the seeded sample."""
    sample = ctx.current.sample
    if sample is None or not numeric or not set(numeric + cats) <= set(sample.columns):
        return []
    out: list[Pair] = []
    for a in cats:
        for v, groups in category_moments(sample, a, numeric).items():
            e, n = eta(groups)
            if math.isfinite(e):
                out.append((a, v, "eta", e, n))
    return out


def _spearman(ctx: CheckContext, numeric: list[str]) -> tuple[np.ndarray | None, np.ndarray]:
    sample = ctx.current.sample
    if sample is None or len(numeric) < 2 or not set(numeric) <= set(sample.columns):
        return None, np.empty((0, 0))
    return spearman_matrix(sample.select(numeric))


def _vifs(corr: Correlations, numeric: list[str]) -> list[tuple[str, float]]:
    """VIF of each numeric feature (constant features left out), largest first."""
    idx = [corr.numeric.index(n) for n in numeric]
    r = corr.pearson()[np.ix_(idx, idx)]
    usable = (
        [k for k in range(len(idx)) if np.isfinite(np.delete(r[k], k)).all()]
        if len(idx) > 1
        else []
    )
    if len(usable) < 2:
        return []
    sub = r[np.ix_(usable, usable)]
    values = vif(sub)
    out = [(numeric[k], float(v)) for k, v in zip(usable, values, strict=True)]
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def _findings(
    redundant: list[Pair],
    high: list[tuple[str, float]],
    changed: list[list[Cell]] | None,
    check: FeatureCorrelation,
) -> list[str]:
    out = []
    if redundant:
        seen: dict[tuple[str, str], Pair] = {}
        for p in redundant:
            seen.setdefault((p[0], p[1]), p)
        shown = ", ".join(
            f"{a} and {b} ({_measure(m)} {v:.3f})" for a, b, m, v, _ in list(seen.values())[:3]
        )
        out.append(
            f"{len(seen)} pair{'s' if len(seen) != 1 else ''} of features nearly redundant "
            f"(association at or above {check.redundant:g}): {shown}; keep one of each pair, "
            "or confirm both are meant to be there"
        )
    if high:
        shown = ", ".join(f"{n} ({_num(v)})" for n, v in high[:3])
        out.append(
            f"{len(high)} feature{'s' if len(high) != 1 else ''} with a variance inflation "
            f"factor at or above {check.vif:g} (mostly explained by the other features): {shown}"
        )
    if changed:
        shown = ", ".join(f"{r[0]} and {r[1]} (r {r[2]} -> {r[3]})" for r in changed[:3])
        out.append(
            f"the correlation of {len(changed)} pair{'s' if len(changed) != 1 else ''} changed "
            f"against the reference (Fisher z test, Holm-corrected at {check.alpha:g}, change at "
            f"least {check.min_change:g}): {shown}; find what changed in how these features are "
            "produced before trusting the model on this period"
        )
    return out


def _measure(m: str) -> str:
    return {
        "pearson": "Pearson r",
        "spearman": "Spearman rho",
        "cramers_v": "Cramér's V",
        "eta": "eta",
    }[m]


def _num(v: float | int | None) -> str:
    if v is None:
        return "n/a"
    return "inf" if not math.isfinite(v) else f"{v:.3g}"


def _details(
    pairs: list[Pair], vifs: list[tuple[str, float]], changed: list[list[Cell]] | None, limit: float
) -> list[TableDetail]:
    out = [
        TableDetail(
            name="top_pairs",
            title="Most associated feature pairs",
            columns=["feature", "other feature", "measure", "value", "rows", "nearly redundant"],
            rows=[
                [a, b, _measure(m), round(v, 4), n, abs(v) >= limit]
                for a, b, m, v, n in pairs[:_ROWS]
            ],
            note=f"the {_ROWS} strongest of {len(pairs):,}" if len(pairs) > _ROWS else "",
        )
    ]
    if vifs:
        out.append(
            TableDetail(
                name="vif",
                title="Variance inflation factors of the numeric features",
                columns=["feature", "VIF"],
                rows=[[n, round(v, 3) if math.isfinite(v) else None] for n, v in vifs[:_ROWS]],
                note="no value means perfectly collinear (infinite)",
            )
        )
    if changed:
        out.append(
            TableDetail(
                name="changed_pairs",
                title="Pairs whose correlation changed against the reference",
                columns=[
                    "feature",
                    "other feature",
                    "reference r",
                    "current r",
                    "change",
                    "p (Holm)",
                ],
                rows=changed[:_ROWS],
            )
        )
    return out


def _notes(corr: Correlations, ctx: CheckContext) -> list[str]:
    notes = []
    if corr.left_out:
        notes.append(
            f"only the first {NUMERIC_CAP} numeric features are paired; {corr.left_out} left out"
        )
    if corr.over_cap:
        notes.append(
            f"categorical features with more than {LEVEL_CAP} values are not paired: "
            + ", ".join(corr.over_cap[:10])
        )
    missing = any(float(v) < ctx.current.n_rows for v in np.diag(corr.n))
    if missing:
        notes.append(
            "some values are missing: each pair uses the rows where both are present, so the "
            "VIFs come from a pairwise correlation matrix (approximate)"
        )
    if ctx.current.sample is not None and ctx.current.sample.height < ctx.current.n_rows:
        rows = ctx.current.sample.height
        notes.append(f"Spearman's rho and eta are estimated on the seeded sample of {rows:,} rows")
    return notes
