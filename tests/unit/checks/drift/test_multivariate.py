"""drift.multivariate: the domain classifier finds joint-only drift and passes on one
distribution; the AUC is recomputed from our classifier's 2-fold cross-fitting with
scikit-learn's ``roc_auc_score`` and held within 0.03 of scikit-learn's histogram gradient
boosting on the same folds; the grouped permutation importance is checked against hand
reasoning; the check loads neither scikit-learn nor scipy.stats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from tests.unit.checks._schemas import simple_schema
from threadpoolctl import threadpool_limits

from mlaudit.checks._base import CheckContext, list_checks
from mlaudit.checks.drift.multivariate import MultivariateDrift, grouped_importance
from mlaudit.data._types import Role
from mlaudit.results import NoteDetail, Status, TableDetail
from mlaudit.stats.boosting import GradientBoostedTrees, stratified_folds
from mlaudit.summary import profile_frame


def _ctx(ref: pl.DataFrame, cur: pl.DataFrame, seed: int = 0, **kw: object) -> CheckContext:
    schema = simple_schema(ref, **kw)  # type: ignore[arg-type]
    return CheckContext(
        current=profile_frame(cur, schema),
        reference=profile_frame(ref, schema),
        schema=schema,
        seed=seed,
    )


def _frame(n: int, rho: float, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    xy = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=n)
    return pl.DataFrame(
        {
            "a": xy[:, 0],
            "b": xy[:, 1],
            "c": rng.normal(size=n),
            "k": rng.choice(["u", "v", "w"], n, p=[0.5, 0.3, 0.2]).tolist(),
        }
    )


def test_drift_only_in_a_correlation_is_found() -> None:
    ref, cur = _frame(2000, 0.0, 1), _frame(2000, 0.9, 2)
    # oracle that the marginals are unchanged: two-sample KS tests do not reject
    for c in ("a", "b"):
        assert stats.ks_2samp(ref[c].to_numpy(), cur[c].to_numpy()).pvalue > 0.01
    r = MultivariateDrift().compute(_ctx(ref, cur))
    assert r.status is Status.FAIL
    assert (r.metrics["auc_low"] or 0) > 0.7
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert {table.rows[0][0], table.rows[1][0]} == {"a", "b"}
    assert all(float(row[1]) < 0.02 for row in table.rows[2:])  # type: ignore[arg-type]
    assert r.bounds["auc"].method == "DeLong"
    assert r.threshold is not None and r.threshold.metric == "auc_low"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_distribution_passes(seed: int) -> None:
    ref, cur = _frame(1500, 0.3, 10 + seed), _frame(1500, 0.3, 20 + seed)
    r = MultivariateDrift().compute(_ctx(ref, cur, seed=seed))
    assert r.status is Status.PASS, r.message
    assert (r.metrics["auc_low"] or 1) <= 0.55
    assert r.metrics["features"] == 4


def test_auc_is_our_cross_fitting_and_close_to_sklearns() -> None:
    ref, cur = _frame(800, 0.0, 3), _frame(800, 0.6, 4)
    ref, cur = ref.drop("k"), cur.drop("k")
    ctx = _ctx(ref, cur, seed=5)
    r = MultivariateDrift().compute(ctx)
    assert ctx.reference is not None and ctx.reference.sample is not None
    assert ctx.current.sample is not None
    x = np.vstack(
        [
            ctx.reference.sample.select("a", "b", "c").to_numpy(),
            ctx.current.sample.select("a", "b", "c").to_numpy(),
        ]
    )
    y = np.r_[np.zeros(800, dtype=np.int64), np.ones(800, dtype=np.int64)]
    # the check's AUC is 2-fold cross-fitting of our classifier, AUC by scikit-learn
    oof = np.empty(len(y))
    for train, test in stratified_folds(y, 2, 5):
        model = GradientBoostedTrees(seed=5).fit(x[train], y[train])
        oof[test] = model.predict_proba(x[test])[:, 1]
    assert r.metrics["auc"] == pytest.approx(roc_auc_score(y, oof), abs=1e-12)
    low, high = r.metrics["auc_low"] or 0, r.metrics["auc_high"] or 0
    assert low < r.metrics["auc"] < high  # type: ignore[operator]
    assert (r.metrics["n_reference"], r.metrics["n_current"]) == (800, 800)
    # and it is about as strong as scikit-learn's histogram gradient boosting, same folds
    sk_oof = np.empty(len(y))
    with threadpool_limits(limits=1, user_api="openmp"):
        for train, test in stratified_folds(y, 2, 5):
            sk = HistGradientBoostingClassifier(random_state=5, max_iter=100)
            sk_oof[test] = sk.fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    assert r.metrics["auc"] == pytest.approx(roc_auc_score(y, sk_oof), abs=0.03)


def test_the_check_loads_neither_scikit_learn_nor_scipy_stats() -> None:
    # a fresh interpreter: run the check, then list the heavy modules it loaded
    code = (
        "import sys, numpy as np, polars as pl\n"
        "from mlaudit.checks._base import CheckContext\n"
        "from mlaudit.checks.drift.multivariate import MultivariateDrift\n"
        "from mlaudit.summary import profile_frame\n"
        "from tests.unit.checks._schemas import simple_schema\n"
        "rng = np.random.default_rng(0)\n"
        "ref = pl.DataFrame({'a': rng.normal(size=600), 'b': rng.normal(size=600)})\n"
        "cur = pl.DataFrame({'a': rng.normal(2, 1, 600), 'b': rng.normal(size=600)})\n"
        "schema = simple_schema(ref)\n"
        "ctx = CheckContext(current=profile_frame(cur, schema),\n"
        "                   reference=profile_frame(ref, schema), schema=schema)\n"
        "r = MultivariateDrift().compute(ctx)\n"
        "assert r.status.value == 'fail' and r.details[0].rows, r.message\n"
        "heavy = ('sklearn', 'scipy.stats', 'threadpoolctl', 'pandas')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    root = Path(__file__).resolve().parents[4]
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", run.stdout


def test_importance_is_skipped_when_the_periods_cannot_be_told_apart() -> None:
    ref, cur = _frame(1500, 0.3, 30), _frame(1500, 0.3, 31)
    r = MultivariateDrift().compute(_ctx(ref, cur, seed=3))
    assert (r.metrics["auc_low"] or 1) <= 0.5 <= (r.metrics["auc_high"] or 0)
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert table.rows == []
    assert "Not computed" in table.note
    assert "Most telling" not in r.message


class _FirstColumnModel:
    """A stub classifier whose score is the first encoded column: P(current) = x[:, 0]."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = x[:, 0]
        return np.column_stack([1 - p, p])


def test_grouped_importance_shuffles_a_group_together() -> None:
    rng = np.random.default_rng(0)
    n = 400
    y = np.r_[np.zeros(n // 2, dtype=np.int64), np.ones(n // 2, dtype=np.int64)]
    # column 0 is the model's score (separates perfectly); columns 1-2 one-hot "k"; 3 noise
    score = np.where(y == 1, 0.9, 0.1)
    k = rng.integers(0, 2, n)
    x = np.column_stack([score, k == 0, k == 1, rng.normal(size=n)]).astype(np.float64)
    ranked = grouped_importance(_FirstColumnModel(), x, y, ["s", "k", "k", "z"], seed=1)
    by = {g: (m, sd) for g, m, sd in ranked}
    assert next(g for g, _, _ in ranked) == "s"
    assert len(ranked) == 3  # one entry per original column
    # hand reasoning: the model ignores k and z, so shuffling them changes no score
    assert by["k"] == (0.0, 0.0) and by["z"] == (0.0, 0.0)
    # shuffled scores are independent of the labels: AUC near 0.5, so the drop is near 1 - 0.5
    assert 0.4 < by["s"][0] < 0.6
    # oracle for one repeat: the same permutation of rows applied by hand, AUC by scikit-learn
    perm = np.random.default_rng(1).permutation(n)
    one = 1.0 - roc_auc_score(y, x[perm, 0])
    first = grouped_importance(_FirstColumnModel(), x, y, ["s", "k", "k", "z"], seed=1, n_repeats=1)
    assert {g: m for g, m, _ in first}["s"] == pytest.approx(one, abs=1e-12)


def test_categorical_shift_and_new_level_are_found() -> None:
    ref = _frame(1000, 0.0, 5)
    rng = np.random.default_rng(6)
    cur = _frame(1000, 0.0, 6).with_columns(
        k=pl.Series(rng.choice(["u", "v", "w", "new"], 1000, p=[0.2, 0.3, 0.2, 0.3]).tolist())
    )
    r = MultivariateDrift(columns=["k"]).compute(_ctx(ref, cur))
    assert r.metrics["features"] == 1
    # hand calculation of the best possible AUC from k alone (reference u .5, v .3, w .2;
    # current u .2, v .3, w .2, new .3): 'new' beats every reference row (.3); current v/w
    # beat reference u (.5 x .5) and tie reference v/w (.5 x .5 / 2); current u ties
    # reference u (.2 x .5 / 2): .3 + .25 + .125 + .05 = .725
    assert r.metrics["auc"] == pytest.approx(0.725, abs=0.03)
    assert r.status in (Status.WARN, Status.FAIL)
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert table.rows[0][0] == "k"
    assert len({row[0] for row in table.rows}) == len(table.rows)  # one row per column


def test_larger_sample_is_subsampled_and_roles_are_respected() -> None:
    ref, cur = _frame(1500, 0.0, 7), _frame(500, 0.0, 8)
    # columns that separate the periods perfectly but must be left out
    ref = ref.with_columns(t=pl.Series(np.arange(1500.0)), p=pl.Series(np.zeros(1500)))
    cur = cur.with_columns(t=pl.Series(np.arange(1500.0, 2000.0)), p=pl.Series(np.ones(500)))
    r = MultivariateDrift().compute(_ctx(ref, cur, roles={"t": Role.TIMESTAMP}, personal=("p",)))
    assert (r.metrics["n_reference"], r.metrics["n_current"]) == (500, 500)
    assert r.metrics["features"] == 4
    assert r.status is Status.PASS
    note = next(d for d in r.details if isinstance(d, NoteDetail))
    assert " t," not in note.text and "p," not in note.text


def test_missing_values_drift_is_found_and_inf_does_not_crash() -> None:
    ref = _frame(800, 0.0, 9)
    cur = _frame(800, 0.0, 10)
    a = cur["a"].to_numpy().copy()
    a[::3] = np.nan
    a[1] = np.inf
    cur = cur.with_columns(a=pl.Series(a))
    r = MultivariateDrift().compute(_ctx(ref, cur))
    # hand calculation: a third of current rows are missing (told apart for sure), the rest
    # look like reference rows (ties): AUC = 1/3 + 2/3 x 1/2 = 2/3
    assert r.metrics["auc"] == pytest.approx(2 / 3, abs=0.03)
    assert r.status is Status.WARN
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert table.rows[0][0] == "a"


def test_deterministic_with_the_seed() -> None:
    ref, cur = _frame(600, 0.0, 11), _frame(900, 0.5, 12)
    a = MultivariateDrift().compute(_ctx(ref, cur, seed=4))
    b = MultivariateDrift().compute(_ctx(ref, cur, seed=4))
    assert a.model_dump() == b.model_dump()


def _empty_like(df: pl.DataFrame) -> pl.DataFrame:
    return df.head(0)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda r, c: (r, _empty_like(c)), "current sample has 0 rows"),
        (lambda r, c: (r.head(20), c), "reference sample has 20 rows"),
        (
            lambda r, c: (
                r.select("k", "a", "c").with_columns(
                    k=pl.lit("x"), a=pl.lit(None, dtype=pl.Float64), c=pl.lit(1.0)
                ),
                c.select("k", "a", "c").with_columns(
                    k=pl.lit("x"), a=pl.lit(None, dtype=pl.Float64), c=pl.lit(1.0)
                ),
            ),
            "no usable feature",
        ),
    ],
)
def test_edge_inputs_are_skipped(make: object, reason: str) -> None:
    ref, cur = make(_frame(200, 0.0, 1), _frame(200, 0.0, 2))  # type: ignore[operator]
    r = MultivariateDrift().compute(_ctx(ref, cur))
    assert r.status is Status.SKIPPED
    assert reason in r.message


def test_no_reference_and_config() -> None:
    df = _frame(100, 0.0, 1)
    schema = simple_schema(df)
    ctx = CheckContext(current=profile_frame(df, schema), schema=schema)
    assert MultivariateDrift().compute(ctx).status is Status.SKIPPED
    with pytest.raises(ValueError, match="fail_auc"):
        MultivariateDrift(warn_auc=0.8, fail_auc=0.6)
    assert MultivariateDrift.needs_reference
    assert MultivariateDrift in list_checks()


def test_importance_rows_are_a_balanced_subset_of_the_held_out_rows() -> None:
    from mlaudit.checks.drift.multivariate import _IMPORTANCE_ROWS, _importance_rows

    y = np.r_[np.zeros(15_000, dtype=np.int64), np.ones(15_000, dtype=np.int64)]
    test = np.arange(0, 30_000, 2, dtype=np.int64)  # 7,500 held-out rows per class
    rows = _importance_rows(y, test, seed=3)
    assert rows.size == _IMPORTANCE_ROWS
    assert set(rows.tolist()) <= set(test.tolist())
    assert int(y[rows].sum()) == _IMPORTANCE_ROWS // 2  # as many current as reference rows
    assert np.array_equal(rows, _importance_rows(y, test, seed=3))  # seeded
    small = test[:100]
    assert np.array_equal(_importance_rows(y, small, seed=3), small)  # few rows: all kept
