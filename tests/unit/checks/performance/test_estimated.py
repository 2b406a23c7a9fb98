"""``performance.estimated`` and ``performance.estimate_vs_actual`` on data with a known truth.

The synthetic model is calibrated by construction (its score is the true probability), so
without concept drift the realised metrics must fall inside the estimated bands, and with a
planted concept drift they must not.  Oracles: scikit-learn on the realised labels, and the
exact expectation of accuracy computed by hand from the scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from sklearn import metrics
from tests.unit.checks._monitoring import SCHEMA, make_period, reference

from mlaudit import Audit
from mlaudit.results import CheckResult, Status

_IDS = ("performance.estimated", "performance.estimate_vs_actual")


def _run(
    current: pl.DataFrame, ref: pl.DataFrame | None, windows: dict[str, object] | None = None,
    **options: object,
) -> dict[str, CheckResult]:  # fmt: skip
    result = Audit(
        current, reference=ref, suite="none", checks={key: dict(options) for key in _IDS},
        schema=SCHEMA, windows=windows or {"every": "week"},
    ).run()  # fmt: skip
    return {r.id: r for r in result.checks}


def test_calibrated_model_without_concept_drift_matches_its_estimates() -> None:
    cur = make_period(seed=31)
    res = _run(cur, reference(), metric="accuracy")
    est, check = res["performance.estimated"], res["performance.estimate_vs_actual"]
    assert est.status is Status.PASS, est.message
    assert "Assumption: no concept drift" in est.message
    assert check.status is Status.PASS, check.message
    # Expected accuracy of a window = mean of p for predicted positives and 1 - p otherwise,
    # with p the calibrated score.  The model is calibrated by construction, and isotonic
    # regression on 18,000 reference rows recovers p closely: compare with the raw score.
    table = next(d for d in check.details if d.kind == "table")
    weeks = cur["ts"].dt.truncate("1w")
    for row, week in zip(table.rows, weeks.unique().sort(), strict=True):
        part = cur.filter(weeks == week)
        p, pred = part["score"].to_numpy(), part["pred"].to_numpy()
        expected = float(np.mean(np.where(pred == 1, p, 1 - p)))
        assert row[2] == pytest.approx(expected, abs=0.01)
        assert row[5] == pytest.approx(metrics.accuracy_score(part["y"], pred), abs=1e-12)
        assert row[3] <= row[5] <= row[4]


def test_covariate_drift_moves_the_estimate_and_reality_follows() -> None:
    # x1 shifts by +0.8 SD from week 4: more confident scores, higher accuracy; no concept drift.
    # (At +1.5 SD many scores lie beyond the reference's densest range, where the isotonic
    # calibration is flat and the estimate runs a little low: see docs/drift.md.)
    cur = make_period(seed=32, shift_from=4, shift=0.8)
    res = _run(cur, reference(), metric="accuracy")
    check = res["performance.estimate_vs_actual"]
    assert check.status is Status.PASS, check.message
    series = next(d for d in check.details if d.kind == "series")
    est = series.series["estimated"]
    assert min(est[4:]) > max(est[:4])  # type: ignore[type-var]


def test_concept_drift_breaks_the_estimate_and_is_caught() -> None:
    cur = make_period(seed=33, concept_from=5)
    res = _run(cur, reference())
    est, check = res["performance.estimated"], res["performance.estimate_vs_actual"]
    assert est.status is Status.PASS  # the scores look as good as ever: the estimate is blind
    assert check.status is Status.FAIL, check.message
    table = next(d for d in check.details if d.kind == "table")
    assert [row[-1] for row in table.rows] == ["ok"] * 5 + ["outside band"] * 3
    assert "assumption does not hold" in check.message


def test_labels_not_yet_arrived_give_estimates_only() -> None:
    cur = make_period(seed=34).with_columns(y=pl.lit(None, dtype=pl.Int64))
    res = _run(cur, reference())
    assert res["performance.estimated"].status is Status.PASS
    vs = res["performance.estimate_vs_actual"]
    assert vs.status is Status.SKIPPED and "no labels" in vs.message


def test_whole_period_is_one_window_without_window_config() -> None:
    cur = make_period(seed=35)
    result = Audit(cur, reference=reference(), suite="none", checks={key: {} for key in _IDS},
                   schema=SCHEMA).run()  # fmt: skip
    est = next(r for r in result.checks if r.id == "performance.estimated")
    series = next(d for d in est.details if d.kind == "series")
    assert series.x == ["all rows"]
    realised = metrics.roc_auc_score(cur["y"], cur["score"])
    low = series.lower["estimated roc_auc"][0]
    high = series.upper["estimated roc_auc"][0]
    assert low is not None and high is not None and low <= realised <= high


def test_reference_without_labels_is_explained() -> None:
    unlabelled = reference().with_columns(y=pl.lit(None, dtype=pl.Int64))
    res = _run(make_period(seed=36, weeks=2), unlabelled)
    assert res["performance.estimated"].status is Status.SKIPPED
    assert "cannot calibrate" in res["performance.estimated"].message


def test_bands_hold_the_calibration_error_of_a_small_reference() -> None:
    # A 3,000-row reference: each window's band is the sampling band widened by the spread of
    # the estimate over 50 bootstrap calibrators (stats.estimation, tested against scikit-learn
    # there); here the check must pass the bootstrap through, so its bands are wider.
    from mlaudit.stats._estimation import estimate_binary_metrics, fit_calibration

    ref, cur = reference(weeks=2), make_period(seed=37, weeks=4)
    check = _run(cur, ref, metric="roc_auc")["performance.estimate_vs_actual"]
    level = check.metrics["band_level"]
    assert isinstance(level, float)
    table = next(d for d in check.details if d.kind == "table")
    s_ref, y_ref = ref.sort("ts")["score"].to_numpy(), ref.sort("ts")["y"].to_numpy()
    plain = fit_calibration(s_ref, y_ref, seed=0)
    boot = fit_calibration(s_ref, y_ref, seed=0, n_boot=50)
    weeks = cur["ts"].dt.truncate("1w")
    for i, (row, week) in enumerate(zip(table.rows, weeks.unique().sort(), strict=True)):
        part = cur.filter(weeks == week).sort("ts")  # the check reads rows in time order
        s, pred = part["score"].to_numpy(), part["pred"].to_numpy()
        kw: dict[str, Any] = {"level": level, "seed": i, "min_rows": 100}
        narrow = estimate_binary_metrics(plain.transform(s), pred, s, **kw)["roc_auc"]
        wide = estimate_binary_metrics(boot.transform(s), pred, s, calibration=boot, **kw)
        value, low, high = (float(c) for c in row[2:5])  # type: ignore[arg-type]
        w = wide["roc_auc"]
        assert (value, low, high) == pytest.approx((w.value, w.low, w.high), abs=1e-12)
        assert high - low > 1.05 * (narrow.high - narrow.low)
    note = next(d for d in _run(cur, ref)["performance.estimated"].details if d.kind == "note")
    assert "50 calibrators fitted on bootstrap resamples" in note.text


def test_both_checks_share_one_estimation(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlaudit.checks.performance import _estimates

    calls: list[int] = []
    real = _estimates._compute

    def counting(check: object, ctx: object) -> object:
        calls.append(1)
        return real(check, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(_estimates, "_compute", counting)
    res = _run(make_period(seed=37, weeks=3), reference(), metric="accuracy")
    assert res["performance.estimated"].status is Status.PASS
    assert res["performance.estimate_vs_actual"].status is Status.PASS
    assert len(calls) == 1  # calibration and estimates are computed once, not per check


def test_the_calibration_note_says_when_a_subsample_was_fitted() -> None:
    from mlaudit.checks.performance._estimates import calibration_note
    from mlaudit.stats._calibration import fit_calibration

    rng = np.random.default_rng(5)
    s = rng.uniform(0, 1, 3000)
    y = (rng.uniform(0, 1, 3000) < s).astype(float)
    sub = calibration_note(fit_calibration(s, y, n_boot=2, bootstrap_rows=400, fit_rows=1600))
    assert f"a seeded subsample of 1,600 of the 3,000 reference rows ({int(y.sum()):,} " in sub
    assert "400 of its rows, the spread scaled by 0.5 = √(subsample ÷ rows fitted)" in sub
    whole = calibration_note(fit_calibration(s, y, n_boot=2, bootstrap_rows=400))
    assert f"Calibration on 3,000 reference rows ({int(y.sum()):,} positive) by" in whole
    assert "scaled by 0.365 = √(subsample ÷ reference rows)" in whole  # sqrt(400 / 3000)
