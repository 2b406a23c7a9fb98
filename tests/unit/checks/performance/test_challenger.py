"""performance.challenger: declared challenger columns and --challenger model files, compared
on the same rows.  Oracles: scikit-learn's AUC, statsmodels' McNemar test, pandas' cross-table;
equal models warn at most at the nominal rate over seeds; a planted better one is found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar
from typer.testing import CliRunner

from mlaudit import Audit
from mlaudit.cli import app
from mlaudit.results import CheckResult, Status, TableDetail

runner = CliRunner()


def _frame(n: int, seed: int, *, noise_b: float = 1.0) -> pl.DataFrame:
    """Two scores of one label: ``a`` with noise 1, ``b`` with noise ``noise_b``."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    common = rng.normal(0, 0.5, n)
    a = 1 / (1 + np.exp(-(1.2 * (y - 0.5) + common + rng.normal(0, 1.0, n))))
    b = 1 / (1 + np.exp(-(1.2 * (y - 0.5) + common + rng.normal(0, noise_b, n))))
    return pl.DataFrame({"x": rng.normal(size=n), "y": y, "a": a, "b": b})


def _run(frame: pl.DataFrame, schema: dict[str, Any]) -> CheckResult:
    result = Audit(frame, schema=schema, suite="none", checks={"performance.challenger": {}}).run()
    (check,) = result.checks
    return check


SCORES = {"target": "y", "score": "a", "challenger_score": "b"}


def test_a_better_challenger_is_found() -> None:
    frame = _frame(3000, 0, noise_b=0.3)
    check = _run(frame, SCORES)
    assert check.status == Status.WARN
    y = frame["y"].to_numpy()
    assert check.metrics["audited_roc_auc"] == pytest.approx(roc_auc_score(y, frame["a"]))
    assert check.metrics["challenger_roc_auc"] == pytest.approx(roc_auc_score(y, frame["b"]))
    assert check.metrics["p_value"] < 1e-6
    assert "significantly better" in check.message


def test_predictions_against_statsmodels_and_pandas() -> None:
    frame = _frame(2000, 1, noise_b=0.6).with_columns(
        pa=(pl.col("a") >= 0.5).cast(pl.Int64), pb=(pl.col("b") >= 0.5).cast(pl.Int64)
    )
    check = _run(frame, {"target": "y", "prediction": "pa", "challenger_prediction": "pb"})
    y, pa, pb = (frame[c].to_numpy() for c in ("y", "pa", "pb"))
    ra, rb = pa == y, pb == y
    table = [
        [int(np.sum(ra & rb)), int(np.sum(ra & ~rb))],
        [int(np.sum(~ra & rb)), int(np.sum(~ra & ~rb))],
    ]
    expected = sm_mcnemar(table, exact=False, correction=True).pvalue
    assert check.metrics["p_value"] == pytest.approx(expected, rel=1e-9)
    assert check.metrics["challenger_accuracy"] == pytest.approx(rb.mean())
    cross = pd.crosstab(pa, pb)
    disagreement = next(
        d for d in check.details if isinstance(d, TableDetail) and d.name == "disagreement"
    )
    assert disagreement.rows == [
        ["1", int(cross.loc[1, 1]), int(cross.loc[1, 0])],
        ["not 1", int(cross.loc[0, 1]), int(cross.loc[0, 0])],
    ]
    differ = pa != pb
    assert f"{np.mean(pa[differ] == y[differ]):.1%}" in disagreement.note


def test_equal_models_warn_at_most_at_the_nominal_rate() -> None:
    statuses = [_run(_frame(400, seed), SCORES).status for seed in range(40)]
    assert set(statuses) <= {Status.PASS, Status.WARN}
    warned = statuses.count(Status.WARN)
    # one-sided: a warning needs the challenger better (about 2.5 % of seeds); binomial(40,
    # 0.05) exceeds 6 with probability 0.2 %
    assert warned <= 6


def test_regression_challenger() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(0, 1, 1500)
    frame = pl.DataFrame(
        {"y": y, "a": y + rng.normal(0, 1.0, 1500), "b": y + rng.normal(0, 0.5, 1500)}
    )
    check = _run(frame, {"target": "y", "prediction": "a", "challenger_prediction": "b"})
    assert check.status == Status.WARN
    assert check.metrics["challenger_rmse"] == pytest.approx(
        np.sqrt(np.mean((frame["b"].to_numpy() - y) ** 2))
    )
    rows = next(d for d in check.details if d.name == "disagreement").rows  # type: ignore[union-attr]
    closer = np.abs(frame["b"].to_numpy() - y) < np.abs(frame["a"].to_numpy() - y)
    assert rows[0] == ["challenger closer", int(closer.sum())]


def test_no_challenger_and_one_class() -> None:
    frame = _frame(300, 4)
    check = Audit(frame, schema={"target": "y", "score": "a"}, suite="none",
                  checks={"performance.challenger": {}}).run().checks[0]  # fmt: skip
    assert check.status == Status.SKIPPED and "--challenger" in check.message
    check = _run(frame.with_columns(y=pl.lit(1)), SCORES)
    assert check.status == Status.SKIPPED and "one class" in check.message


def test_challenger_model_file_from_the_command_line(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 4000
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(x1 + 1.5 * x2**2 - 1.5)))).astype(int)
    frame = pl.DataFrame({"x1": x1, "x2": x2, "y": y})
    train = frame.slice(0, 2000).select("x1", "x2").to_pandas()
    sio.dump(LogisticRegression().fit(train, y[:2000]), tmp_path / "champion.skops")
    square = make_pipeline(PolynomialFeatures(2), LogisticRegression(max_iter=1000))
    sio.dump(square.fit(train, y[:2000]), tmp_path / "challenger.skops")
    frame.slice(2000).write_parquet(tmp_path / "cur.parquet")
    args = ["audit", "--current", str(tmp_path / "cur.parquet"), "--target", "y",
            "--model", str(tmp_path / "champion.skops"),
            "--challenger", str(tmp_path / "challenger.skops"),
            "--suite", "data_quality", "--format", "json,html",
            "--out", str(tmp_path / "r")]  # fmt: skip
    out = runner.invoke(app, args)
    assert out.exit_code in (0, 1), out.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [m["role"] for m in report["models"]] == ["model", "challenger"]
    assert report["models"][1]["columns"] == {"prediction": "challenger_prediction",
                                              "score": "challenger_score"}  # fmt: skip
    (check,) = [c for c in report["checks"] if c["id"] == "performance.challenger"]
    assert check["status"] == "warn"
    html = (tmp_path / "r" / "report.html").read_text()
    assert "Champion against challenger" in html and "audited \\ challenger" in html
    # the challenger's columns stay out of the other checks
    assert not any(c.get("column", "") and "challenger" in c["column"] for c in report["checks"])


def test_holm_equals_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    from mlaudit.checks.performance._versus import holm

    p = [0.01, 0.04, 0.03, 0.2, 0.005]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))


def test_challenger_path_in_a_config_file_is_relative_to_it(tmp_path: Path) -> None:
    from mlaudit.config import load_config

    (tmp_path / "audit.yaml").write_text("current: cur.parquet\nchallenger: models/b.skops\n")
    cfg = load_config(tmp_path / "audit.yaml")
    assert cfg.challenger == str(tmp_path / "models" / "b.skops")
