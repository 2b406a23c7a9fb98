"""operations.*: latency figures, pruning against the libraries' own staged predictions, ONNX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl
import pytest
import xgboost as xgb
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mean_absolute_error, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlaudit import Audit

N = 3000


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(N, 3))
    y = (x[:, 0] - x[:, 1] + rng.normal(size=N) > 0).astype(int)
    return pl.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y})


def _one(data: pl.DataFrame, model: Any, check: str, **options: Any) -> Any:
    result = Audit(
        data, schema={"target": "y"}, model=model, suite="none", sample_size=N,
        checks={check: {"rows": N, **options} if check != "operations.latency" else options},
    ).run()  # fmt: skip
    (found,) = [c for c in result.checks if c.id == check]
    return found


def _x(data: pl.DataFrame) -> Any:
    return data.select("a", "b", "c").to_pandas()


def test_latency_reports_each_batch_size(data: pl.DataFrame) -> None:
    model = LogisticRegression().fit(_x(data), data["y"])
    result = _one(data, model, "operations.latency", batch_sizes=[1, 50, 4000], time_budget=1.0)
    assert result.status == "pass"
    table = result.details[0]
    assert [r[0] for r in table.rows] == [1, 50, 4000]
    for size, p50, p99, rate, calls in table.rows:
        assert 0 < p50 <= p99 and calls >= 3
        assert rate == pytest.approx(size / (p50 / 1000))
    assert result.metrics["model_size_mb"] > 0  # pickled object's size
    over = _one(data, model, "operations.latency", max_p99_ms=1e-9, time_budget=0.3)
    assert over.status == "warn" and "Over budget" in over.message


def test_pruning_equals_staged_predictions_of_sklearn(data: pl.DataFrame) -> None:
    gb = GradientBoostingClassifier(n_estimators=40, random_state=0).fit(_x(data), data["y"])
    result = _one(data, gb, "operations.pruning", fractions=[0.25, 0.5])
    rows = {r[0]: r for r in result.details[0].rows}
    assert sorted(rows) == [10, 20, 40]
    staged = list(gb.staged_predict_proba(_x(data)))
    for k, row in rows.items():
        assert row[2] == pytest.approx(roc_auc_score(data["y"], staged[k - 1][:, 1]), abs=1e-12)
    assert result.metrics["trees"] == 40


def test_pruning_of_a_forest_regressor(data: pl.DataFrame) -> None:
    target = data["a"] * 2 + data["b"]
    frame = data.with_columns(y=target)
    rf = RandomForestRegressor(n_estimators=20, random_state=0).fit(_x(frame), target)
    result = _one(frame, rf, "operations.pruning", fractions=[0.5])
    rows = {r[0]: r for r in result.details[0].rows}
    half = np.mean([t.predict(_x(frame).to_numpy()) for t in rf.estimators_[:10]], axis=0)
    assert rows[10][2] == pytest.approx(mean_absolute_error(target, half), rel=1e-9)
    assert rows[20][2] == pytest.approx(
        mean_absolute_error(target, rf.predict(_x(frame))), rel=1e-9
    )


def test_pruning_of_native_boosters(data: pl.DataFrame, tmp_path: Path) -> None:
    x, y = _x(data), data["y"].to_numpy()
    lgbm = lgb.LGBMClassifier(n_estimators=30, verbose=-1).fit(x, y)
    lgbm.booster_.save_model(tmp_path / "m.txt")
    xg = xgb.XGBClassifier(n_estimators=30).fit(x, y)
    xg.get_booster().save_model(tmp_path / "m.json")
    for path, staged in [
        (tmp_path / "m.txt", lambda k: lgbm.predict_proba(x, num_iteration=k)[:, 1]),
        (tmp_path / "m.json", lambda k: xg.predict_proba(x, iteration_range=(0, k))[:, 1]),
    ]:
        result = _one(data, path, "operations.pruning", fractions=[0.1, 0.5])
        rows = {r[0]: r for r in result.details[0].rows}
        assert sorted(rows) == [3, 15, 30]
        for k, row in rows.items():
            assert row[2] == pytest.approx(roc_auc_score(y, staged(k)), abs=1e-9), (path, k)


def test_pruning_skips_models_without_trees(data: pl.DataFrame) -> None:
    model = LogisticRegression().fit(_x(data), data["y"])
    result = _one(data, model, "operations.pruning")
    assert result.status == "skipped" and "tree ensemble" in result.message


def test_onnx_conversion_agrees_with_the_model(data: pl.DataFrame) -> None:
    model = LogisticRegression().fit(_x(data), data["y"])
    result = _one(data, model, "operations.onnx_conversion")
    assert result.status == "pass"
    assert result.metrics["agreement"] >= 0.999
    assert result.metrics["largest_difference"] < 1e-5
    assert result.metrics["speedup_one_row"] > 0


def test_onnx_conversion_skips_what_it_cannot_convert(data: pl.DataFrame, tmp_path: Path) -> None:
    lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(_x(data), data["y"]).booster_.save_model(
        tmp_path / "m.txt"
    )
    native = _one(data, tmp_path / "m.txt", "operations.onnx_conversion")
    assert native.status == "skipped" and "scikit-learn" in native.message


def test_onnx_conversion_of_a_pipeline_over_text(data: pl.DataFrame) -> None:
    frame = data.with_columns(region=pl.Series(np.resize(["n", "s", "e"], N)))
    pipe = make_pipeline(
        make_column_transformer((StandardScaler(), ["a", "b"]), (OneHotEncoder(), ["region"])),
        LogisticRegression(),
    ).fit(frame.select("a", "b", "region").to_pandas(), frame["y"])
    result = _one(frame, pipe, "operations.onnx_conversion")
    assert result.status == "pass", result.message
    assert result.metrics["agreement"] >= 0.999
