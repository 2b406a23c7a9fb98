"""explain.reason_stability: overlaps recomputed by hand from reason_codes run with the same
seeds; an exact explainer is stable; no model is skipped."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.naive_bayes import GaussianNB

from mlaudit import Audit
from mlaudit.checks.explain._reasons import reason_codes
from mlaudit.models import load_model

N, ROWS = 600, 40


def _data() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(N, 6))
    logit = x[:, 0] + 0.2 * x[:, 1:].sum(axis=1)
    y = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pl.DataFrame({**{f"f{j}": x[:, j] for j in range(6)}, "y": y})


def _run(df: pl.DataFrame, model: object, **options: object) -> dict[str, object]:
    checks = {"explain.reason_stability": {"rows": ROWS, **options}}
    result = Audit(
        df, suite="none", schema={"target": "y"}, model=model, sample_size=N, checks=checks
    ).run()
    (r,) = [c for c in result.checks if c.id == "explain.reason_stability"]
    return {"status": r.status, "metrics": r.metrics, "message": r.message, "details": r.details}


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard by hand: shared reasons over reasons in either (1 for two empty sets)."""
    return len(a & b) / len(a | b) if a | b else 1.0


def test_overlaps_equal_a_hand_computation_from_the_same_runs() -> None:
    df = _data()
    features = df.drop("y")
    fitted = GaussianNB().fit(features.to_pandas(), df["y"].to_numpy())  # the agnostic path
    got = _run(df, fitted, runs=3, top=2, background=30)
    # With sample_size = N the sample is every row in order: the check explains the first ROWS
    # rows, drawing backgrounds from all rows, with seeds 0, 1, 2 (the audit's seed is 0).
    model = load_model(fitted)
    runs = [
        reason_codes(model, df.head(ROWS), top=2, reference=df, background=30, seed=seed,
                     adverse_only=True)
        for seed in range(3)
    ]  # fmt: skip
    # the declines, by scikit-learn: the rows each run explained, and only those
    declined = np.flatnonzero(fitted.predict(features.head(ROWS).to_pandas()) == 0).tolist()
    assert [[r.row for r in run] for run in runs] == [declined] * 3
    per_row = []
    for i in range(len(declined)):
        sets = [frozenset(p.feature for p in run[i].reasons) for run in runs]
        per_row.append(np.mean([_overlap(a, b) for a, b in itertools.combinations(sets, 2)]))
    metrics = got["metrics"]
    assert metrics["decisions"] == len(declined)  # type: ignore[index]
    assert metrics["mean_overlap"] == pytest.approx(np.mean(per_row))  # type: ignore[index]
    assert metrics["min_overlap"] == pytest.approx(min(per_row))  # type: ignore[index]
    assert runs[0][0].explainer == "PermutationExplainer"


def test_an_exact_explainer_gives_the_same_reasons_every_run() -> None:
    df = _data()
    fitted = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(
        df.drop("y").to_pandas(), df["y"].to_numpy()
    )
    got = _run(df, fitted)
    assert got["status"] == "pass"
    assert got["metrics"]["mean_overlap"] == 1.0  # type: ignore[index]
    assert got["metrics"]["same_first_reason"] == 1.0  # type: ignore[index]


def test_without_a_model_it_is_skipped() -> None:
    result = Audit(_data(), suite="none", checks={"explain.reason_stability": {}}).run()
    (r,) = [c for c in result.checks if c.id == "explain.reason_stability"]
    assert r.status == "skipped"
