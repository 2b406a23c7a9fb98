"""The leakage checks: shared rows counted by pandas and judged by a hand-computed binomial tail,
feature and identifier AUCs against scikit-learn and scipy."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from mlaudit import Audit
from mlaudit.results import CheckResult, Status

SCHEMA = {"target": "y", "id": ["rid"]}


def _frame(n: int, seed: int, start: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "rid": np.arange(start, start + n),
            "x": rng.normal(size=n),
            "c": rng.choice(["a", "b", "c"], n),
            "y": rng.integers(0, 2, n),
        }
    )


def _run(
    cur: pl.DataFrame, check: str, ref: pl.DataFrame | None = None, **options: object
) -> CheckResult:
    schema = options.pop("schema", SCHEMA)
    audit = Audit(cur, reference=ref, schema=schema, suite="none", checks={check: options})
    return next(r for r in audit.run().checks if r.id == check)


# -- leakage.shared_rows ----------------------------------------------------------------------


def test_copied_training_rows_are_counted_and_fail() -> None:
    ref = _frame(4_000, 1)
    copied = ref.sample(80, seed=3).with_columns(pl.col("rid") + 1_000_000)  # new ids
    cur = pl.concat([_frame(2_000, 2, start=500_000), copied])
    res = _run(cur, "leakage.shared_rows", ref)
    feats = ["x", "c"]
    merged = cur.to_pandas().merge(ref.to_pandas()[feats].drop_duplicates(), on=feats)
    assert res.metrics["shared_rows"] == len(merged) == 80
    assert res.metrics["shared_share"] == pytest.approx(80 / cur.height)
    assert res.status is Status.FAIL, res.message
    # no row repeats within either set: every pooled group of two is one copy, and a random
    # split leaves a pair on both sides with probability 2 * Nc * Nr / (N * (N - 1))
    nc, nr = cur.height, ref.height
    n = nc + nr
    p_pair = 2 * nc * nr / (n * (n - 1))
    assert res.metrics["expected_shared_groups"] == pytest.approx(80 * p_pair)
    assert res.metrics["p_value"] == pytest.approx(p_pair**80, rel=1e-9)
    examples = next(d for d in res.details if d.kind == "examples")
    assert examples.columns[:2] == ["current row", "reference row"]
    assert len(examples.rows) > 0


def test_random_split_of_a_table_with_repeated_rows_passes_with_the_binomial_tail() -> None:
    rng = np.random.default_rng(5)
    n = 6_000
    df = pl.DataFrame(
        {
            "a": rng.integers(0, 6, n),
            "b": rng.choice(["u", "v", "w"], n),
            "c": rng.integers(0, 4, n),
            "y": rng.integers(0, 2, n),
        }
    )  # 72 feature combinations: nearly every row repeats another
    perm = rng.permutation(n)
    ref, cur = df[perm[: n // 2]], df[perm[n // 2 :]]
    res = _run(cur, "leakage.shared_rows", ref, schema={"target": "y"})
    assert res.status is Status.PASS, res.message
    pooled = df.to_pandas().groupby(["a", "b", "c"]).size()
    nc, nr = cur.height, ref.height
    total = nc + nr
    probs = [
        1 - math.comb(nr, m) / math.comb(total, m) - math.comb(nc, m) / math.comb(total, m)
        for m in pooled
    ]
    assert res.metrics["expected_shared_groups"] == pytest.approx(sum(probs), rel=1e-9)
    shared = cur.to_pandas().merge(ref.to_pandas()[["a", "b", "c"]].drop_duplicates())
    assert res.metrics["shared_rows"] == len(shared)


def test_shared_rows_skip_without_reference_or_target() -> None:
    cur = _frame(500, 1)
    assert _run(cur, "leakage.shared_rows").status is Status.SKIPPED
    unlabelled = cur.rename({"y": "z"}), _frame(500, 2).rename({"y": "z"})
    res = _run(unlabelled[0], "leakage.shared_rows", unlabelled[1], schema={"id": ["rid"]})
    assert res.status is Status.SKIPPED and "target" in res.message


def test_shared_rows_clean_random_splits_pass_at_the_nominal_rate() -> None:
    flagged = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = 2_000
        df = pl.DataFrame(
            {"a": rng.integers(0, 5, n), "b": rng.integers(0, 5, n), "y": rng.integers(0, 2, n)}
        )
        half = rng.permutation(n) < n // 2
        res = _run(df.filter(~half), "leakage.shared_rows", df.filter(half), schema={"target": "y"})
        flagged += res.status is not Status.PASS
    assert flagged <= 1


# -- leakage.target_proxy ---------------------------------------------------------------------


def test_a_feature_recorded_after_the_outcome_fails_with_sklearn_auc() -> None:
    cur = _frame(5_000, 7)
    y = cur["y"].to_numpy()
    rng = np.random.default_rng(7)
    recovered = np.where(y == 1, rng.uniform(100, 900, y.size), 0.0)
    recovered[:3] = 50.0  # a few defaulted loans with small recoveries, still separable
    cur = cur.with_columns(pl.Series("recovery_amount", recovered))
    res = _run(cur, "leakage.target_proxy")
    assert res.status is Status.FAIL, res.message
    table = res.details[0]
    top = table.rows[0]
    assert top[0] == "recovery_amount"
    assert top[1] == pytest.approx(roc_auc_score(y, recovered))
    x_row = next(r for r in table.rows if r[0] == "x")
    auc_x = roc_auc_score(y, cur["x"].to_numpy())
    assert x_row[1] == pytest.approx(max(auc_x, 1 - auc_x))
    assert "recovery_amount" in res.message


def test_a_category_that_gives_the_label_away_and_missing_as_a_tell() -> None:
    cur = _frame(4_000, 8)
    y = cur["y"].to_numpy()
    status = np.where(y == 1, "in collection", "current")
    closed = [None if v == 1 else 1.0 for v in y]  # filled only for loans that did not default
    cur = cur.with_columns(
        pl.Series("status", status), pl.Series("closed_flag", closed, dtype=pl.Float64)
    )
    res = _run(cur, "leakage.target_proxy")
    aucs = {r[0]: r[1] for r in res.details[0].rows}
    assert aucs["status"] == pytest.approx(1.0)
    assert aucs["closed_flag"] == pytest.approx(1.0)
    assert res.status is Status.FAIL


def test_ids_and_random_features_do_not_give_the_label_away() -> None:
    cur = _frame(4_000, 9).with_columns(pl.Series("code", [f"K{i:06d}" for i in range(4_000)]))
    res = _run(cur, "leakage.target_proxy")
    assert res.status is Status.PASS, res.message
    aucs = {r[0]: r[1] for r in res.details[0].rows}
    assert aucs["code"] == pytest.approx(0.5, abs=0.03)  # cross-fitted: every value is new


def test_target_proxy_skips_a_regression_target() -> None:
    cur = _frame(500, 1).with_columns(pl.Series("y", np.linspace(0, 1, 500)))
    res = _run(cur, "leakage.target_proxy")
    assert res.status is Status.SKIPPED and "binary" in res.message


# -- leakage.identifier -----------------------------------------------------------------------


def _ids_sorted_by_outcome(n: int, seed: int, noise: float) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    order = np.argsort(y + rng.normal(0, noise, n), kind="stable")
    rid = np.empty(n, dtype=np.int64)
    rid[order] = np.arange(n)
    return pl.DataFrame({"rid": rid, "x": rng.normal(size=n), "y": y})


def test_ids_numbered_after_the_outcome_are_flagged_with_scipy_figures() -> None:
    df = _ids_sorted_by_outcome(3_000, 1, noise=1.0)
    res = _run(df, "leakage.identifier")
    assert res.status in (Status.WARN, Status.FAIL), res.message
    [row] = res.details[0].rows
    y, rid = df["y"].to_numpy(), df["rid"].to_numpy()
    auc = roc_auc_score(y, rid)
    assert row[0] == "rid" and row[1] == pytest.approx(max(auc, 1 - auc))
    mw = stats.mannwhitneyu(rid[y == 1], rid[y == 0])
    assert mw.statistic / (y.sum() * (y.size - y.sum())) == pytest.approx(auc)
    assert row[4] < 1e-10  # scipy's Mann-Whitney agrees: far from chance
    assert mw.pvalue < 1e-10


def test_random_ids_pass_and_unique_text_is_id_like() -> None:
    rng = np.random.default_rng(3)
    n = 3_000
    df = pl.DataFrame(
        {
            "rid": rng.permutation(n),
            "ref": [f"R{v:07d}" for v in rng.permutation(n)],
            "y": rng.integers(0, 2, n),
        }
    )
    res = _run(df, "leakage.identifier")
    assert res.metrics["columns_tested"] == 2
    assert res.status is Status.PASS, res.message


def test_identifier_clean_data_flags_at_the_nominal_rate() -> None:
    flagged = sum(
        _run(
            _ids_sorted_by_outcome(1_000, seed, noise=1e9), "leakage.identifier", min_auc=0.5
        ).status
        is not Status.PASS
        for seed in range(40)
    )
    # alpha = 0.01: P(Binomial(40, 0.01) >= 3) < 0.01
    assert flagged <= 2


# -- leakage.event_time -----------------------------------------------------------------------


def _times(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    base = dt.datetime(2025, 1, 1)
    label = [base + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n)]
    lead = rng.integers(-5, 60, n)  # days the event precedes the label; negative: later
    event = [t - dt.timedelta(days=int(d)) for t, d in zip(label, lead, strict=True)]
    df = pl.DataFrame(
        {"x": rng.normal(size=n), "y": rng.integers(0, 2, n), "ev": event, "lab": label}
    )
    return df.with_columns(pl.when(pl.int_range(n) % 7 == 0).then(None).otherwise("ev").alias("ev"))


def test_events_after_the_label_are_counted_exactly() -> None:
    df = _times(3_000, 0)
    options = {
        "event_time": "ev",
        "label_time": "lab",
        "schema": {"target": "y", "ignore": ["ev", "lab"]},
    }
    res = _run(df, "leakage.event_time", **options)
    pdf = df.to_pandas()
    both = pdf["ev"].notna() & pdf["lab"].notna()
    later = both & (pdf["ev"] > pdf["lab"])
    assert res.metrics["later_rows"] == int(later.sum()) > 0
    assert res.metrics["rows_with_both"] == int(both.sum())
    assert res.status is Status.FAIL
    rows = next(d for d in res.details if d.kind == "examples").rows
    assert all(later.iloc[int(r[0])] for r in rows)


def test_events_before_the_label_pass_and_undeclared_skips() -> None:
    df = _times(1_000, 1).with_columns(pl.min_horizontal("ev", "lab").alias("ev"))
    options = {"event_time": "ev", "label_time": "lab", "schema": {"target": "y"}}
    assert _run(df, "leakage.event_time", **options).status is Status.PASS
    assert _run(df, "leakage.event_time", schema={"target": "y"}).status is Status.SKIPPED
