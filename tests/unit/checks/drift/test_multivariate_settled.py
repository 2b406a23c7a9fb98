"""drift.multivariate stops growing trees once its verdict is decided: the stopped classifier
gives the same status as the classifier grown in full (compared on drifted and undrifted data,
with the stopping rule switched off as the oracle), with far fewer trees on strong drift; and
a rule that fires wrongly is caught by the refit."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score
from tests.unit.checks._schemas import simple_schema

from mlaudit.checks._base import CheckContext
from mlaudit.checks.drift import multivariate
from mlaudit.checks.drift.multivariate import (
    MultivariateDrift,
    SettledAbove,
    domain_classifier_scores,
)
from mlaudit.stats.boosting import GradientBoostedTrees
from mlaudit.summary import profile_frame

ROWS = 15_000  # per side: each half trains on 15,000 rows, so early stopping is on


def _frame(n: int, shift: float, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "a": rng.normal(shift, 1.0, n),
            "b": rng.normal(0.0, 1.0 + shift, n),
            "c": rng.normal(size=n),
            "k": rng.choice(["u", "v", "w"], n, p=[0.5, 0.3, 0.2]).tolist(),
        }
    )


def _ctx(ref: pl.DataFrame, cur: pl.DataFrame) -> CheckContext:
    schema = simple_schema(ref)
    return CheckContext(
        current=profile_frame(cur, schema),
        reference=profile_frame(ref, schema),
        schema=schema,
        seed=0,
    )


def _trees(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the number of trees of every classifier fitted from now on."""
    grown: list[int] = []
    fit = GradientBoostedTrees.fit

    def counting(self: GradientBoostedTrees, x: object, y: object) -> GradientBoostedTrees:
        out = fit(self, x, y)  # type: ignore[arg-type]
        grown.append(out.n_iter_)
        return out

    monkeypatch.setattr(GradientBoostedTrees, "fit", counting)
    return grown


@pytest.mark.parametrize(("shift", "status"), [(1.0, "fail"), (0.12, None), (0.0, "pass")])
def test_stopped_classifier_gives_the_full_classifiers_status(
    monkeypatch: pytest.MonkeyPatch, shift: float, status: str | None
) -> None:
    ctx = _ctx(_frame(ROWS, 0.0, 1), _frame(ROWS, shift, 2))
    grown = _trees(monkeypatch)
    stopped = MultivariateDrift().compute(ctx)
    stopped_trees = list(grown)
    with monkeypatch.context() as m:  # the oracle: the rule never fires, all trees grow
        m.setattr(SettledAbove, "__call__", lambda self, labels, log_odds: False)
        full = MultivariateDrift().compute(ctx)
    full_trees = grown[len(stopped_trees) :]
    assert stopped.status is full.status
    if status is not None:
        assert stopped.status.value == status
    if status == "fail":
        assert sum(stopped_trees) <= sum(full_trees) / 4, (stopped_trees, full_trees)
        assert (stopped.metrics["auc_low"] or 0) > 0.7
    else:  # nothing to stop: the very same classifier
        assert stopped_trees == full_trees and stopped.metrics == full.metrics


def test_settled_rule_is_the_hold_out_auc_interval_above_the_limit() -> None:
    rng = np.random.default_rng(5)
    y = np.r_[np.zeros(2000), np.ones(2000)]
    score = y * 1.5 + rng.normal(size=y.size)
    auc = roc_auc_score(y, score)  # about 0.86; its 99.9% interval is about ±0.03 wide
    assert SettledAbove(auc - 0.05)(y, score) and not SettledAbove(auc - 0.01)(y, score)
    rule = SettledAbove(0.7)
    assert not rule.fired and rule(y, score) and rule.fired


def test_stopped_trees_score_out_of_fold_above_the_limit() -> None:
    rng = np.random.default_rng(7)
    x = np.r_[rng.normal(0, 1, (15_000, 3)), rng.normal(0.8, 1, (15_000, 3))]
    y = np.r_[np.zeros(15_000, dtype=np.int64), np.ones(15_000, dtype=np.int64)]
    rule = SettledAbove(0.7)
    scores, model, _ = domain_classifier_scores(x, y, seed=0, settled=rule)
    full_scores, full_model, _ = domain_classifier_scores(x, y, seed=0)
    assert rule.fired and model.settled_ and not full_model.settled_
    assert model.n_iter_ % 5 == 0 and model.n_iter_ < full_model.n_iter_
    assert roc_auc_score(y, scores) > 0.7
    assert roc_auc_score(y, full_scores) - roc_auc_score(y, scores) < 0.02


def test_a_rule_that_fires_wrongly_is_overruled_by_the_full_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = _ctx(_frame(ROWS, 0.0, 3), _frame(ROWS, 0.0, 4))
    full = MultivariateDrift().compute(ctx)

    def always(self: SettledAbove, labels: object, log_odds: object) -> bool:
        self.fired = True
        return True

    monkeypatch.setattr(SettledAbove, "__call__", always)
    calls = {"n": 0}
    scores = multivariate.domain_classifier_scores

    def counted(*args: object, **kw: object) -> object:
        calls["n"] += 1
        return scores(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(multivariate, "domain_classifier_scores", counted)
    wrong = MultivariateDrift().compute(ctx)
    assert calls["n"] == 2  # stopped after 5 trees, not decided: refitted in full
    assert wrong.status is full.status and wrong.metrics == full.metrics
