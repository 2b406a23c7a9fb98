"""performance.calibration, performance.rating_grades and performance.score_stability.

Expected figures come from scikit-learn (``brier_score_loss``, ``calibration_curve``), scipy
(``binomtest``, ``beta``, ``chi2``), pandas (``crosstab``) and numpy by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from mlaudit import Audit
from mlaudit.results import CheckResult, Status, TableDetail

CAL, GRADES, PSI = (
    "performance.calibration",
    "performance.rating_grades",
    "performance.score_stability",
)


def _data(n: int, seed: int, *, shift: float = 0.0, score_shift: float = 0.0) -> pl.DataFrame:
    """A score that is the true probability (``shift`` adds to the true rate), grades by score."""
    rng = np.random.default_rng(seed)
    p = np.clip(rng.beta(2.0, 6.0, n) + score_shift, 0, 1)
    y = (rng.random(n) < np.clip(p + shift, 0, 1)).astype(np.int64)
    grade = np.digitize(p, [0.1, 0.2, 0.35, 0.5])
    return pl.DataFrame(
        {
            "id": np.arange(n),
            "x": rng.standard_normal(n),
            "p": p,
            "y": y,
            "rating": [f"R{g}" for g in grade],
        }
    )


def _run(
    cur: pl.DataFrame,
    ref: pl.DataFrame | None = None,
    *,
    checks: tuple[str, ...] = (CAL, GRADES, PSI),
    **schema: Any,
) -> dict[str, CheckResult]:
    decl = {"target": "y", "score": "p", "grade": "rating", "id": ["id"], **schema}
    decl = {k: v for k, v in decl.items() if v is not None}
    res = Audit(cur, reference=ref, suite="none", checks={c: {} for c in checks}, schema=decl).run()
    return {c.id: c for c in res.checks}


def _table(r: CheckResult, name: str) -> TableDetail:
    return next(d for d in r.details if isinstance(d, TableDetail) and d.name == name)


def test_calibrated_model_passes_every_check() -> None:
    res = _run(_data(5000, 1), _data(5000, 2))
    assert {r.status for r in res.values()} == {Status.PASS}, [r.message for r in res.values()]


def test_calibration_figures_match_scikit_learn() -> None:
    cur = _data(4000, 3, shift=0.06)
    r = _run(cur, checks=(CAL,))[CAL]
    p, y = cur["p"].to_numpy(), cur["y"].to_numpy()
    assert r.metrics["brier_score"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    counts = np.histogram(p, bins=np.linspace(0, 1, 11))[0]
    ece = np.sum(counts[counts > 0] * np.abs(prob_true - prob_pred)) / p.size
    assert r.metrics["ece"] == pytest.approx(ece, rel=1e-12)
    assert r.bounds["ece"].low <= r.metrics["ece"] <= r.bounds["ece"].high
    curve = next(d for d in r.details if d.kind == "curve")
    np.testing.assert_allclose(curve.curves["model"]["y"], prob_true, rtol=1e-12)
    terms = ("brier_reliability", "brier_resolution", "brier_uncertainty", "brier_within_bin")
    rel, res, unc, within = (r.metrics[k] for k in terms)
    assert rel - res + unc + within == pytest.approx(r.metrics["brier_score"], abs=1e-12)


def test_miscalibrated_model_fails_with_the_fix() -> None:
    r = _run(_data(5000, 4, shift=0.08), checks=(CAL,))[CAL]
    assert r.status is Status.FAIL
    assert r.bounds["ece"].low >= 0.05
    assert "miscalibrated" in r.message and "Recalibrate" in r.message
    assert r.metrics["hosmer_lemeshow_p_value"] < 1e-6


def test_grade_tests_and_migration_match_scipy_and_pandas() -> None:
    ref, cur = _data(3000, 5), _data(3000, 6, shift=0.04)
    r = _run(cur, ref, checks=(GRADES,))[GRADES]
    table = _table(r, "grades")
    pdf = cur.to_pandas()
    for row in table.rows:
        part = pdf[pdf["rating"] == row[0]]
        n, d, pd_ = len(part), int(part["y"].sum()), float(part["p"].mean())
        assert row[1:4] == [n, d, pytest.approx(pd_, abs=1e-6)]
        binom = stats.binomtest(d, n, pd_, alternative="greater").pvalue
        assert row[5] == pytest.approx(binom, rel=1e-3)
        assert row[6] == pytest.approx(stats.beta.cdf(pd_, d + 0.5, n - d + 0.5), rel=1e-3)
    assert r.status in (Status.WARN, Status.FAIL)
    mig = _table(r, "grade_migration")
    linked = ref.to_pandas().merge(pdf, on="id", suffixes=("_ref", "_cur"))
    cross = pd.crosstab(linked["rating_ref"], linked["rating_cur"], normalize="index")
    for row in mig.rows:
        expected = cross.loc[row[0]].reindex(sorted(cross.columns), fill_value=0.0)
        np.testing.assert_allclose(row[1:-1], expected.to_numpy(), atol=1e-4)


def test_without_an_id_the_grades_distribution_shift_is_shown() -> None:
    ref, cur = _data(2000, 7), _data(2000, 8, score_shift=0.1)
    r = _run(cur, ref, checks=(GRADES,), id=None)[GRADES]
    table = _table(r, "grade_distribution")
    rs = ref["rating"].value_counts(normalize=True).to_pandas().set_index("rating")
    cs = cur["rating"].value_counts(normalize=True).to_pandas().set_index("rating")
    for g, a, b, contrib in table.rows:
        ra = float(rs["proportion"].get(g, 0.0))
        cb = float(cs["proportion"].get(g, 0.0))
        assert (a, b) == (pytest.approx(ra, abs=1e-4), pytest.approx(cb, abs=1e-4))
        ra, cb = max(ra, 1e-4), max(cb, 1e-4)
        assert contrib == pytest.approx((cb - ra) * np.log(cb / ra), abs=1e-5)


def test_score_psi_by_hand_and_a_shifted_score_fails() -> None:
    ref, cur = _data(4000, 9), _data(4000, 10, score_shift=0.12)
    r = _run(cur, ref, checks=(PSI,))[PSI]
    rp, cp = ref["p"].to_numpy(), cur["p"].to_numpy()
    edges = np.quantile(rp, np.arange(1, 10) / 10)
    rs = np.histogram(rp, bins=[-np.inf, *edges, np.inf])[0] / rp.size
    cs = np.array([np.sum((cp > lo) & (cp <= hi)) for lo, hi in
                   zip([-np.inf, *edges], [*edges, np.inf], strict=True)]) / cp.size  # fmt: skip
    rs, cs = np.maximum(rs, 1e-4), np.maximum(cs, 1e-4)
    psi = float(np.sum((cs - rs) * np.log(cs / rs)))
    assert r.metrics["psi"] == pytest.approx(psi, rel=1e-9)
    stat = psi * rp.size * cp.size / (rp.size + cp.size)
    assert r.metrics["p_value"] == pytest.approx(stats.chi2.sf(stat, 9), rel=1e-9)
    assert r.status is Status.FAIL
    bands = _table(r, "score_bands")
    assert bands.rows[-1][-1] == pytest.approx(psi, abs=1e-5)
    feats = _table(r, "characteristic_stability")
    assert {row[0] for row in feats.rows} >= {"x", "rating"}


def test_tiny_samples_do_not_reach_the_psi_convention_by_chance() -> None:
    ref, cur = _data(60, 11), _data(60, 12)
    r = _run(cur, ref, checks=(PSI,))[PSI]
    assert r.status is Status.PASS  # a PSI near 0.1 by chance on 60 rows is not significant


@pytest.mark.parametrize(
    ("frame", "schema", "reason"),
    [
        (lambda d: d.with_columns(pl.col("p") * 3), {}, "not probabilities"),
        (lambda d: d.with_columns(pl.lit(0).alias("y")), {}, "one class"),
        (lambda d: d.head(20), {}, "min_rows"),
        (lambda d: d.with_columns(pl.lit(None, pl.Float64).alias("p")), {}, "every row"),
        (lambda d: d, {"score": None}, "score column"),
        (
            lambda d: d.with_columns(pl.col("y") + (pl.col("x") > 1).cast(pl.Int64)),
            {},
            "multiclass",
        ),
    ],
)
def test_bad_calibration_input_is_skipped_with_the_reason(
    frame: Any, schema: dict[str, Any], reason: str
) -> None:
    r = _run(frame(_data(500, 13)), checks=(CAL, GRADES), **schema)
    assert r[CAL].status is Status.SKIPPED and reason in r[CAL].message, r[CAL].message
    if reason == "one class":  # no default at all: a low-default portfolio, nothing understated
        assert r[GRADES].status is Status.PASS and r[GRADES].metrics["min_jeffreys_p"] > 0.5
    else:
        assert r[GRADES].status is Status.SKIPPED, r[GRADES].message


def test_nan_scores_are_left_out_and_said() -> None:
    cur = _data(2000, 14).with_columns(
        pl.when(pl.col("id") < 10).then(float("nan")).otherwise(pl.col("p")).alias("p")
    )
    r = _run(cur, checks=(CAL,))[CAL]
    assert r.status is Status.PASS
    assert r.metrics["rows_labelled"] == 1990


@pytest.mark.parametrize(
    ("change", "schema", "reason"),
    [
        (lambda d: d, {"grade": None}, "no rating grade column declared"),
        (lambda d: d.drop("rating"), {}, "not in the current data"),
        (lambda d: d.with_columns(pl.lit("A").alias("rating")), {}, "one grade only"),
    ],
)
def test_grade_problems_are_skipped_with_the_reason(
    change: Any, schema: dict[str, Any], reason: str
) -> None:
    r = _run(change(_data(500, 15)), checks=(GRADES,), **schema)[GRADES]
    assert r.status is Status.SKIPPED and reason in r.message


def test_tiny_grades_are_listed_not_tested() -> None:
    cur = _data(1000, 16).with_columns(
        pl.when(pl.col("id") < 5).then(pl.lit("tiny")).otherwise(pl.col("rating")).alias("rating")
    )
    r = _run(cur, checks=(GRADES,))[GRADES]
    rows = {row[0]: row for row in _table(r, "grades").rows}
    assert rows["tiny"][-1] == "not tested: too few rows"
    assert r.metrics["grades_tested"] == len(rows) - 1


def test_psi_chi_square_test_rejects_at_its_level_under_no_shift() -> None:
    from mlaudit.checks.performance.score_stability import score_bands

    rng = np.random.default_rng(17)
    runs, rejected = 1000, 0
    for _ in range(runs):
        edges, rs, cs = score_bands(rng.normal(size=300), rng.normal(size=300))
        rs, cs = np.maximum(rs, 1e-4), np.maximum(cs, 1e-4)
        psi = float(np.sum((cs - rs) * np.log(cs / rs)))
        rejected += stats.chi2.sf(psi * 150, edges.size) < 0.05
    assert 0.03 <= rejected / runs <= 0.08
