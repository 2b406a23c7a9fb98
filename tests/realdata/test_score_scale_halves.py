"""COMPAS's risk deciles (1–10) as a score: no probability-only methods, metrics at the threshold.

ProPublica's analysis reads a decile of 5 or more as medium or high risk; with that declared
threshold the realised accuracy and recall must equal scikit-learn's on the same rows, and the
methods that read scores as probabilities (calibration, label-free estimation) are skipped with
the reason.  Random halves have no drift, so no alarm may follow.
"""

from __future__ import annotations

import polars as pl
import pytest
from sklearn import metrics

from mlaudit import Audit
from mlaudit.results import AuditResult, Status
from tests.realdata._tables import audit_halves, compas, random_halves

pytestmark = pytest.mark.realdata

_CHECKS = (
    "performance.estimated",
    "performance.estimate_vs_actual",
    "performance.change_points",
    "performance.over_time",
)
_SCHEMA = {"target": "two_year_recid", "score": "decile_score"}


def _audit(ref: pl.DataFrame, cur: pl.DataFrame, **schema: object) -> AuditResult:
    return Audit(
        cur, reference=ref, suite="none", checks={c: {} for c in _CHECKS},
        schema={**_SCHEMA, **schema}, windows={"rows": 600},
    ).run()  # fmt: skip


def _halves(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    df = compas().select("decile_score", "two_year_recid", "age", "priors_count")
    return random_halves(df, seed)


def test_deciles_with_threshold_five_give_scikit_learn_metrics() -> None:
    ref, cur = _halves(0)
    res = {c.id: c for c in _audit(ref, cur, score_threshold=5).checks}
    for cid in ("performance.estimated", "performance.estimate_vs_actual"):
        assert res[cid].status is Status.SKIPPED
        assert "not probabilities (from 1 to 10)" in res[cid].message
    over = res["performance.over_time"]
    assert "predicted positive when decile_score ≥ 5" in over.message
    assert over.metrics["score_threshold"] == 5
    assert (over.metrics["score_min"], over.metrics["score_max"]) == (1, 10)
    table = next(d for d in over.details if d.kind == "table")
    for i, row in enumerate(table.rows):
        part = cur.slice(600 * i, 600)
        y = part["two_year_recid"].to_numpy()
        p = (part["decile_score"].to_numpy() >= 5).astype(int)
        assert row[1] == part.height
        assert row[2] == pytest.approx(metrics.accuracy_score(y, p), abs=1e-12)
        assert row[4] == pytest.approx(metrics.recall_score(y, p), abs=1e-12)
        assert row[6] == pytest.approx(metrics.roc_auc_score(y, part["decile_score"]), abs=1e-12)


def test_deciles_without_threshold_skip_with_the_reason() -> None:
    ref, cur = _halves(1)
    for c in _audit(ref, cur).checks:
        assert c.status is Status.SKIPPED, c.id
        assert "not probabilities" in c.message


def test_no_alarm_on_random_halves() -> None:
    df = compas().select("decile_score", "two_year_recid", "age", "priors_count")
    refused = [s for s in Status if s not in (Status.PASS, Status.SKIPPED)]
    schema = {**_SCHEMA, "score_threshold": 5}
    options = {"schema": schema, "windows": {"rows": 600}}
    halves = audit_halves(df, range(6), {c: {} for c in _CHECKS}, refused=refused, **options)
    assert len(halves.all) >= 6 * len(_CHECKS)
