"""performance.benchmark: a planted better model is found, the best possible model is not beaten,
the time box holds, the tuned parameters are reported, bad input gives clear skipped results.

The significance tests themselves are checked against independent oracles in
tests/unit/stats/test_compare.py; here the oracle is the construction of the data (the true
probabilities are known, so the Bayes-optimal score cannot be beaten)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from skl2onnx import to_onnx
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from mlaudit import Audit
from mlaudit.checks.performance import _fit
from mlaudit.errors import ExtraNotInstalledError
from mlaudit.report import write_reports
from mlaudit.results import CheckResult, NoteDetail, Status, TableDetail

FAST = {"time_budget": 2.0, "max_trials": 4}


def _data(n: int, seed: int) -> pl.DataFrame:
    """x2 acts through its square (a linear model misses it); ``p`` is the true probability."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    region = rng.choice(["north", "south", "east"], n)
    logit = 1.2 * x1 + 1.5 * x2**2 - 1.5 + 0.8 * (region == "north")
    p = 1 / (1 + np.exp(-logit))
    y = (rng.random(n) < p).astype(int)
    return pl.DataFrame({"x1": x1, "x2": x2, "region": region.tolist(), "y": y, "p": p})


def _with_score(frame: pl.DataFrame, score: np.ndarray) -> pl.DataFrame:
    return frame.with_columns(score=pl.Series(score)).drop("p")


def _run(cur: Any, ref: Any, options: dict[str, Any], **kwargs: Any) -> CheckResult:
    schema = kwargs.pop("schema", {"target": "y", "score": "score"})
    result = Audit(
        cur, reference=ref, schema=schema, suite="none",
        checks={"performance.benchmark": {**FAST, **options}}, **kwargs,
    ).run()  # fmt: skip
    (check,) = result.checks
    return check


def _table(check: CheckResult) -> dict[str, list[Any]]:
    table = next(d for d in check.details if isinstance(d, TableDetail))
    return {row[0]: row for row in table.rows}


def test_a_planted_better_model_is_found() -> None:
    ref, cur = _data(3000, 1), _data(3000, 2)
    linear = LogisticRegression().fit(ref.select("x1", "x2").to_numpy(), ref["y"].to_numpy())
    score = linear.predict_proba(cur.select("x1", "x2").to_numpy())[:, 1]
    check = _run(_with_score(cur, score), _with_score(ref, np.zeros(ref.height)), {})
    assert check.status == Status.WARN, check.message
    rows = _table(check)
    boosted = rows["gradient-boosted trees (tuned)"]
    # the oracle: scikit-learn's AUC of the audited score on the same rows
    y = cur["y"].to_numpy()
    assert check.metrics["audited_roc_auc"] == pytest.approx(roc_auc_score(y, score))
    assert boosted[9] == "yes" and boosted[3] > check.metrics["audited_roc_auc"]
    assert set(_fit.boosted_space()) == set(__import__("json").loads(boosted[10]))
    assert check.bounds["boosted_roc_auc"].low < boosted[3] < check.bounds["boosted_roc_auc"].high
    assert "gradient-boosted trees (tuned)" in check.message
    assert any("seeded sample" in d.text for d in check.details if isinstance(d, NoteDetail))


@pytest.mark.parametrize("seed", [3, 4])
def test_the_best_possible_model_is_not_beaten(seed: int) -> None:
    ref, cur = _data(2000, seed), _data(2000, seed + 10)
    check = _run(_with_score(cur, cur["p"].to_numpy()), _with_score(ref, ref["p"].to_numpy()), {})
    assert check.status == Status.PASS, check.message
    assert all(row[9] in ("", "no") for row in _table(check).values())


def test_worse_than_the_dummy_model_fails() -> None:
    ref, cur = _data(2000, 5), _data(2000, 6)
    check = _run(
        _with_score(cur, 1 - cur["p"].to_numpy()), _with_score(ref, ref["p"].to_numpy()), {}
    )
    assert check.status == Status.FAIL
    assert "class prior" in check.message and "do not use it" in check.message


def test_time_box_is_respected() -> None:
    ref, cur = _data(4000, 7), _data(1000, 8)
    started = time.monotonic()
    check = _run(
        _with_score(cur, cur["p"].to_numpy()), _with_score(ref, ref["p"].to_numpy()),
        {"time_budget": 3.0, "max_trials": 10_000},
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 15, elapsed  # generous: the machine may be loaded
    assert check.metrics["boosted_trials"] >= 1
    assert check.metrics["boosted_search_seconds"] < 3 + 15


def test_the_audited_estimator_is_tuned_and_the_report_shows_the_table(tmp_path: Path) -> None:
    ref, cur = _data(2000, 9), _data(2000, 10)
    est = LogisticRegression(C=0.5).fit(ref.select("x1", "x2").to_pandas(), ref["y"].to_numpy())
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    events: list[tuple[str, str]] = []

    class Recorder:
        def start(self, key: str, description: str, total: int | None) -> None:
            events.append(("start", key))

        def advance(self, key: str, amount: int) -> None:
            events.append(("advance", key))

        def finish(self, key: str) -> None:
            events.append(("finish", key))

    result = Audit(
        cur.drop("p"), reference=ref.drop("p"), schema={"target": "y"}, suite="none",
        model=path, checks={"performance.benchmark": FAST}, progress=Recorder(),
    ).run()  # fmt: skip
    check = next(c for c in result.checks if c.id == "performance.benchmark")
    tuned = _table(check)["audited model, tuned"]
    params = __import__("json").loads(tuned[10])
    assert 0.05 <= params["C"] <= 5.0  # searched around C = 0.5, a factor 10 either side
    assert check.metrics["refit_trials"] >= 1
    assert ("start", "benchmark") in events and ("finish", "benchmark") in events
    assert ("advance", "benchmark") in events
    written = write_reports(result, tmp_path / "r", formats=["html", "json"])
    html = written["html"].read_text()
    assert "Benchmark models on the current" in html and "tuned parameters" in html
    assert "audited model, tuned" in html


def test_a_model_that_cannot_be_refitted_is_said_so(tmp_path: Path) -> None:
    ref, cur = _data(1500, 11), _data(1500, 12)
    x = ref.select("x1", "x2").to_numpy().astype(np.float32)
    est = LogisticRegression().fit(x, ref["y"].to_numpy())
    path = tmp_path / "model.onnx"
    path.write_bytes(to_onnx(est, x[:1]).SerializeToString())
    schema = {"target": "y", "ignore": ["region"]}
    check = _run(cur.drop("p"), ref.drop("p"), {}, schema=schema, model=path)
    assert check.status in (Status.PASS, Status.WARN)
    notes = " ".join(d.text for d in check.details if isinstance(d, NoteDetail))
    assert "not a refittable scikit-learn estimator" in notes
    assert "audited model, tuned" not in _table(check)


def test_bad_input_gives_clear_skipped_results() -> None:
    ref, cur = _data(500, 13), _data(500, 14)
    one_class = _with_score(ref, ref["p"].to_numpy()).with_columns(y=pl.lit(1))
    check = _run(_with_score(cur, cur["p"].to_numpy()), one_class, {})
    assert check.status == Status.SKIPPED and "one class only" in check.message
    no_labels = _with_score(cur, cur["p"].to_numpy()).drop("y")
    check = _run(no_labels, no_labels, {}, schema={"score": "score"})
    assert check.status == Status.SKIPPED and "target" in check.message
    ref_unlabelled = _with_score(ref, ref["p"].to_numpy()).with_columns(y=pl.lit(None, pl.Int64))
    check = _run(_with_score(cur, cur["p"].to_numpy()), ref_unlabelled, {})
    assert check.status == Status.SKIPPED and "labelled rows" in check.message
    check = Audit(
        _with_score(cur, cur["p"].to_numpy()), schema={"target": "y", "score": "score"},
        suite="none", checks={"performance.benchmark": FAST},
    ).run().checks[0]  # fmt: skip
    assert check.status == Status.SKIPPED and "reference" in check.message


@pytest.mark.parametrize("task", ["regression", "multiclass"])
def test_other_tasks(task: str) -> None:
    rng = np.random.default_rng(15)
    n = 1200
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    if task == "regression":
        y = x1 + x2**2 + rng.normal(0, 0.3, n)
        pred = x1 + 1.0  # misses the square: the trees do significantly better
    else:
        y = np.digitize(x1 + 0.3 * rng.normal(size=n), [-0.5, 0.5])
        pred = np.digitize(x1, [-0.5, 0.5])
    frame = pl.DataFrame({"x1": x1, "x2": x2, "y": y, "pred": pred})
    schema = {"target": "y", "prediction": "pred"}
    check = _run(frame.slice(600), frame.slice(0, 600), {}, schema=schema)
    metric = "rmse" if task == "regression" else "accuracy"
    assert f"audited_{metric}" in check.metrics, check.message
    if task == "regression":
        err = frame.slice(600)["pred"].to_numpy() - frame.slice(600)["y"].to_numpy()
        assert check.metrics["audited_rmse"] == pytest.approx(np.sqrt(np.mean(err**2)))
        assert check.status == Status.WARN
    else:
        right = frame.slice(600)["pred"].to_numpy() == frame.slice(600)["y"].to_numpy()
        assert check.metrics["audited_accuracy"] == pytest.approx(right.mean())


def test_random_search_without_optuna(monkeypatch: pytest.MonkeyPatch) -> None:
    class Missing:
        def __getattr__(self, name: str) -> Any:
            raise ExtraNotInstalledError("optuna", "tuning")

    monkeypatch.setattr(_fit, "optuna", Missing())
    ref, cur = _data(800, 16), _data(800, 17)
    check = _run(_with_score(cur, cur["p"].to_numpy()), _with_score(ref, ref["p"].to_numpy()), {})
    assert check.metrics["boosted_trials"] >= 1
    assert check.status in (Status.PASS, Status.WARN)
