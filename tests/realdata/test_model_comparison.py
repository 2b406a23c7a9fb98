"""performance.challenger and performance.benchmark on clean random halves of real tables.

Two logistic models fitted the same way on two disjoint halves of the reference half are equally
good by construction: the challenger check must not fail, and may warn only at about its nominal
rate (a one-sided 2.5 % at alpha 0.05).  The benchmark's own linear baseline, fitted exactly as
the audited model was, must never be "significantly better", and the dummy model never beats a
real model (no failure).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from mlaudit import Audit
from mlaudit.checks.performance._fit import Features, _one_hot
from mlaudit.results import Status, TableDetail
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

TABLES: dict[str, tuple[Callable[[], pl.DataFrame], str, str]] = {
    "german": (t.german, "credit_risk", "2"),
    "adult": (t.adult, "income", ">50K"),
    "breast_cancer": (t.breast_cancer, "target", "1"),
}
SEEDS = range(4)


def _fit(frame: pl.DataFrame, target: str, positive: str) -> tuple[object, Features]:
    names = [c for c in frame.columns if c != target]
    features = Features.of(frame, names)
    model = make_pipeline(_one_hot(features), LogisticRegression(C=1.0, max_iter=1000))
    y = (frame[target].cast(pl.String) == positive).to_numpy().astype(int)
    model.fit(features.pandas(frame), y)
    return model, features


def _score(model: object, features: Features, frame: pl.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(features.pandas(frame))[:, 1])  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(TABLES))
def test_equal_challengers_on_random_halves(name: str) -> None:
    load, target, positive = TABLES[name]
    statuses = []
    for seed in SEEDS:
        ref, cur = t.random_halves(load(), seed)
        one, two = t.random_halves(ref, seed + 100)
        a, fa = _fit(one, target, positive)
        b, fb = _fit(two, target, positive)
        scored = cur.with_columns(a=pl.Series(_score(a, fa, cur)), b=pl.Series(_score(b, fb, cur)))
        check = Audit(
            scored, schema={"target": target, "score": "a", "challenger_score": "b"},
            suite="none", checks={"performance.challenger": {"positive_label": positive}},
        ).run().checks[0]  # fmt: skip
        statuses.append(check.status)
    assert Status.FAIL not in statuses and Status.SKIPPED not in statuses, statuses
    assert statuses.count(Status.WARN) <= 1, statuses


@pytest.mark.parametrize("name", ["german", "breast_cancer"])
def test_benchmark_on_random_halves(name: str) -> None:
    load, target, positive = TABLES[name]
    for seed in range(2):
        ref, cur = t.random_halves(load(), seed)
        model, features = _fit(ref, target, positive)
        scored = [f.with_columns(score=pl.Series(_score(model, features, f))) for f in (ref, cur)]
        check = Audit(
            scored[1], reference=scored[0], schema={"target": target, "score": "score"},
            suite="none", checks={"performance.benchmark": {
                "positive_label": positive, "time_budget": 3.0, "max_trials": 5}},
        ).run().checks[0]  # fmt: skip
        assert check.status in (Status.PASS, Status.WARN), check.message
        table = next(d for d in check.details if isinstance(d, TableDetail))
        rows = {r[0]: r for r in table.rows}
        assert rows["linear (logistic)"][9] == "no"
        assert rows["dummy (class prior)"][9] == "no"
