"""``performance.over_time``: realised metrics per window (scikit-learn as oracle) and alerts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn import metrics
from tests.unit.checks._monitoring import SCHEMA, make_period, reference

from mlaudit import Audit
from mlaudit.results import CheckResult, Status


def _run(current: pl.DataFrame, ref: pl.DataFrame | None, **options: object) -> CheckResult:
    result = Audit(
        current, reference=ref, suite="none", checks={"performance.over_time": options},
        schema=SCHEMA, windows={"every": "week"},
    ).run()  # fmt: skip
    return next(r for r in result.checks if r.id == "performance.over_time")


def test_metrics_per_window_equal_scikit_learn() -> None:
    cur = make_period(seed=11)
    res = _run(cur, reference())
    table = next(d for d in res.details if d.kind == "table")
    assert table.columns[2:7] == ["accuracy", "precision", "recall", "f1", "roc_auc"]
    weeks = cur["ts"].dt.truncate("1w")
    for row, week in zip(table.rows, weeks.unique().sort(), strict=True):
        part = cur.filter(weeks == week)
        y, p, s = part["y"].to_numpy(), part["pred"].to_numpy(), part["score"].to_numpy()
        assert row[1] == part.height
        assert row[2] == pytest.approx(metrics.accuracy_score(y, p), abs=1e-12)
        assert row[3] == pytest.approx(metrics.precision_score(y, p), abs=1e-12)
        assert row[4] == pytest.approx(metrics.recall_score(y, p), abs=1e-12)
        assert row[5] == pytest.approx(metrics.f1_score(y, p), abs=1e-12)
        assert row[6] == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
    assert res.status is Status.PASS
    assert res.params["metric"] == "roc_auc"


def test_concept_drift_drops_auc_below_the_control_limit() -> None:
    res = _run(make_period(concept_from=5, seed=12), reference())
    table = next(d for d in res.details if d.kind == "table")
    assert [row[-1] for row in table.rows] == ["ok"] * 5 + ["alert"] * 3
    assert res.status is Status.FAIL  # two or more windows
    ref = reference()
    expected_ref = metrics.roc_auc_score(ref["y"].to_numpy(), ref["score"].to_numpy())
    assert res.metrics["reference_roc_auc"] == pytest.approx(expected_ref, abs=1e-12)


def test_control_limit_from_reference_weeks() -> None:
    ref = reference()
    res = _run(make_period(seed=13), ref, metric="accuracy")
    weeks = ref["ts"].dt.truncate("1w")
    acc = [
        metrics.accuracy_score(ref.filter(weeks == w)["y"], ref.filter(weeks == w)["pred"])
        for w in weeks.unique().sort()
    ]
    expected = float(np.mean(acc) - 3 * np.std(acc, ddof=1))
    assert res.metrics["control_limit"] == pytest.approx(expected, abs=1e-12)


def test_regression_uses_mae() -> None:
    rng = np.random.default_rng(0)
    cur = (
        make_period(seed=14)
        .with_columns(
            y=pl.Series(rng.normal(10, 2, 12_000)), pred=pl.Series(rng.normal(10, 2, 12_000))
        )
        .drop("score")
    )
    schema = {"target": "y", "prediction": "pred", "timestamp": "ts"}
    result = Audit(cur, suite="none", checks={"performance.over_time": {}}, schema=schema,
                   windows={"every": "week"}).run()  # fmt: skip
    res = next(r for r in result.checks if r.id == "performance.over_time")
    assert res.params["metric"] == "mae"
    table = next(d for d in res.details if d.kind == "table")
    first = cur.filter(cur["ts"].dt.truncate("1w") == cur["ts"].dt.truncate("1w").min())
    assert table.rows[0][2] == pytest.approx(
        metrics.mean_absolute_error(first["y"], first["pred"]), rel=1e-12
    )
    assert "no labelled reference" in res.message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"metric": "mae"}, "does not apply to a binary model"),
        ({"positive_label": "yes"}, "positive_label 'yes' is not a value"),
    ],
)
def test_bad_options_are_explained(change: dict[str, object], message: str) -> None:
    res = _run(make_period(weeks=2, seed=15), None, **change)
    assert res.status is Status.SKIPPED and message in res.message
