"""Scores on another scale (logits): declared threshold and direction, probability-only methods off.

Expected figures come from scikit-learn on the same rows, with the predicted classes made by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from sklearn import metrics

from mlaudit import Audit
from mlaudit.config import SchemaConfig
from mlaudit.results import AuditResult, Status

_CHECKS = (
    "performance.estimated",
    "performance.estimate_vs_actual",
    "performance.change_points",
    "performance.over_time",
)


def _logits(n: int, seed: int) -> pl.DataFrame:
    """A well-specified logistic model's logit (unbounded) and labels drawn from it."""
    rng = np.random.default_rng(seed)
    logit = 1.5 * rng.standard_normal(n) - 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    return pl.DataFrame({"x": rng.standard_normal(n), "logit": logit, "y": y})


def _audit(cur: pl.DataFrame, ref: pl.DataFrame, **schema: Any) -> AuditResult:
    return Audit(
        cur, reference=ref, suite="none", checks={c: {} for c in _CHECKS},
        schema={"target": "y", "score": "logit", **schema}, windows={"rows": 1000},
    ).run()  # fmt: skip


def _by_id(result: AuditResult) -> dict[str, Any]:
    return {c.id: c for c in result.checks}


def test_logits_at_threshold_zero_match_scikit_learn() -> None:
    cur, ref = _logits(5000, 1), _logits(5000, 2)
    res = _by_id(_audit(cur, ref, score_threshold=0.0))
    for cid in ("performance.estimated", "performance.estimate_vs_actual"):
        assert res[cid].status is Status.SKIPPED
        assert "not probabilities" in res[cid].message
    over = res["performance.over_time"]
    assert "predicted positive when logit ≥ 0" in over.message
    table = next(d for d in over.details if d.kind == "table")
    for i, row in enumerate(table.rows):
        part = cur.slice(1000 * i, 1000)
        y, s = part["y"].to_numpy(), part["logit"].to_numpy()
        p = (s >= 0).astype(int)
        assert row[2] == pytest.approx(metrics.accuracy_score(y, p), abs=1e-12)
        assert row[3] == pytest.approx(metrics.precision_score(y, p), abs=1e-12)
        assert row[4] == pytest.approx(metrics.recall_score(y, p), abs=1e-12)
        assert row[6] == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)
    errors = float(np.mean((cur["logit"].to_numpy() >= 0) != cur["y"].to_numpy()))
    assert res["performance.change_points"].metrics["error_rate"] == pytest.approx(errors)


def test_higher_is_negative_flips_classes_and_orients_the_score() -> None:
    cur, ref = _logits(3000, 3), _logits(3000, 4)
    flipped = cur.with_columns(-pl.col("logit")), ref.with_columns(-pl.col("logit"))
    res = _by_id(_audit(*flipped, score_threshold=0.0, score_direction="higher_is_negative"))
    over = res["performance.over_time"]
    assert "predicted positive when logit < 0" in over.message
    table = next(d for d in over.details if d.kind == "table")
    part = cur.slice(0, 1000)
    y, s = part["y"].to_numpy(), part["logit"].to_numpy()
    assert table.rows[0][2] == pytest.approx(metrics.accuracy_score(y, s > 0), abs=1e-12)
    assert table.rows[0][6] == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)


def test_probability_of_the_negative_class_is_read_as_one_minus_p() -> None:
    cur, ref = _logits(3000, 5), _logits(3000, 6)

    def p_negative(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns((1.0 / (1.0 + pl.col("logit").exp())).alias("logit"))  # P(y = 0)

    res = _by_id(_audit(p_negative(cur), p_negative(ref), score_direction="higher_is_negative"))
    assert res["performance.estimated"].status is Status.PASS
    part = cur.slice(0, 1000)
    y, s = part["y"].to_numpy(), part["logit"].to_numpy()
    row = next(d for d in res["performance.over_time"].details if d.kind == "table").rows[0]
    assert row[2] == pytest.approx(metrics.accuracy_score(y, s > 0), abs=1e-12)
    assert row[6] == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)


def test_logits_without_threshold_are_skipped_with_the_reason() -> None:
    res = _by_id(_audit(_logits(2000, 7), _logits(2000, 8)))
    for c in res.values():
        assert c.status is Status.SKIPPED
    assert "declare the threshold" in res["performance.change_points"].message
    assert "calibration and label-free estimation" in res["performance.estimated"].message


@pytest.mark.parametrize("seed", range(4))
def test_no_false_alarm_on_a_clean_logit_stream(seed: int) -> None:
    res = _by_id(_audit(_logits(6000, 10 + seed), _logits(6000, 20 + seed), score_threshold=0.0))
    for c in res.values():
        assert c.status in (Status.PASS, Status.SKIPPED), (c.id, c.message)


def test_threshold_must_be_finite_and_direction_known() -> None:
    assert SchemaConfig(score_threshold=650).score_threshold == 650
    with pytest.raises(ValueError, match="finite"):
        SchemaConfig(score_threshold=float("inf"))
    with pytest.raises(ValueError, match="higher_is_positive"):
        SchemaConfig(score_direction="up")  # type: ignore[arg-type]


def test_cli_options_reach_the_checks(tmp_path: Path, cli_run: Callable[..., Any]) -> None:
    cur, ref = _logits(2000, 30), _logits(2000, 31)
    cur.write_parquet(tmp_path / "cur.parquet")
    ref.write_parquet(tmp_path / "ref.parquet")
    common = ["audit", "--current", tmp_path / "cur.parquet", "--reference",
              tmp_path / "ref.parquet", "--target", "y", "--score", "logit", "--suite", "none",
              "--format", "json", "--out", tmp_path / "out"]  # fmt: skip
    bad = cli_run(*common, "--score-direction", "upwards")
    assert bad.exit_code == 2
    assert "higher_is_negative" in bad.output
    ok = cli_run(*common, "--score-threshold", "0", "--score-direction", "higher_is_negative")
    assert ok.exit_code == 0, ok.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["config"]["schema"]["score_threshold"] == 0


@pytest.fixture
def cli_run() -> Callable[..., Any]:
    from typer.testing import CliRunner

    from mlaudit.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
