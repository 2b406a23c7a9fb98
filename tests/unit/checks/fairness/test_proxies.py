"""fairness.proxies: mutual information against scikit-learn, out-of-fold AUCs against a pandas
and scikit-learn recomputation, the macro interval's coverage, the verdicts and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats as scipy_stats
from sklearn.metrics import mutual_info_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from mlaudit import Audit
from mlaudit.results import CheckResult, NoteDetail, Status, TableDetail
from mlaudit.stats import entropy, mutual_information, out_of_fold_rates, ovr_auc


def _run(df: pl.DataFrame, sensitive: list[str], **options: object) -> list[CheckResult]:
    schema: dict[str, object] = {"target": "y", "sensitive": sensitive}
    result = Audit(df, suite="none", schema=schema, checks={"fairness.proxies": options}).run()
    return [c for c in result.checks if c.id == "fairness.proxies"]


def _table(r: CheckResult) -> dict[str, list[object]]:
    table = next(d for d in r.details if isinstance(d, TableDetail))
    return {str(row[0]): row for row in table.rows}


def _note(r: CheckResult) -> str:
    return " ".join(d.text for d in r.details if isinstance(d, NoteDetail))


def _oracle_oof(codes: np.ndarray, y: np.ndarray, splits: list, k: int, s: float) -> np.ndarray:
    """Out-of-fold smoothed bin shares with a pandas groupby, fold by fold."""
    out = np.zeros((y.size, k))
    frame = pd.DataFrame({"b": codes, "g": y})
    for train, test in splits:
        tr = frame.iloc[train]
        prior = tr["g"].value_counts(normalize=True).reindex(range(k), fill_value=0.0)
        counts = (
            tr.groupby(["b", "g"])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=range(k), fill_value=0)
        )
        rates = (counts + s * prior).div(counts.sum(axis=1) + s, axis=0)
        got = rates.reindex(frame["b"].iloc[test]).to_numpy().copy()
        missing = np.isnan(got).any(axis=1)
        got[missing] = prior.to_numpy()
        out[test] = got
    return out


# -- the statistics ------------------------------------------------------------------------------


def test_mutual_information_and_entropy_equal_sklearn_and_scipy() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 7, 3000)
    b = (a + rng.integers(0, 3, 3000)) % 4
    assert mutual_information(a, b) == pytest.approx(mutual_info_score(a, b), rel=1e-12)
    assert mutual_information(a, rng.integers(0, 4, 3000)) < 0.01
    assert entropy(b) == pytest.approx(scipy_stats.entropy(np.bincount(b)), rel=1e-12)
    assert mutual_information(b, b) == pytest.approx(entropy(b), rel=1e-12)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("smoothing", [0.0, 1.0, 5.0])
def test_out_of_fold_auc_equals_a_pandas_and_sklearn_recomputation(
    k: int, smoothing: float
) -> None:
    rng = np.random.default_rng(k)
    n = 2000
    y = rng.integers(0, k, n)
    codes = np.where(rng.random(n) < 0.4, y + 2 * rng.integers(0, 2, n), rng.integers(0, 12, n))
    rare = rng.random(n) < 0.01
    codes[rare] = 40 + np.arange(int(rare.sum()))  # bins of one row: unseen by the other folds
    splits = list(StratifiedKFold(5, shuffle=True, random_state=3).split(codes, y))
    fold = np.empty(n, dtype=np.int64)
    for i, (_, test) in enumerate(splits):
        fold[test] = i
    ours = out_of_fold_rates(codes, y, fold, n_groups=k, smoothing=smoothing)
    oracle = _oracle_oof(codes, y, splits, k, smoothing)
    np.testing.assert_allclose(ours, oracle, rtol=1e-12, atol=1e-12)
    auc = ovr_auc(y, ours)
    expected = (
        roc_auc_score(y, oracle[:, 1])
        if k == 2
        else roc_auc_score(y, oracle, multi_class="ovr", average="macro")
    )
    assert auc.auc == pytest.approx(expected, abs=1e-12)
    assert auc.low < auc.auc < auc.high


def test_a_bin_per_row_scores_at_chance_out_of_fold() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 4000)
    fold = rng.integers(0, 5, 4000)
    auc = ovr_auc(y, out_of_fold_rates(np.arange(4000), y, fold, n_groups=2))
    assert auc.low < 0.5 < auc.high


def test_the_macro_interval_covers_at_least_its_level() -> None:
    """Coverage by simulation against the true macro AUC (from 400,000 rows)."""
    rng = np.random.default_rng(7)

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.choice(3, n, p=[0.6, 0.3, 0.1])
        s = np.eye(3)[y] * 0.6 + rng.random((n, 3))
        return y, s / s.sum(axis=1, keepdims=True)

    truth = roc_auc_score(*draw(400_000), multi_class="ovr", average="macro")
    hits = 0
    for _ in range(300):
        got = ovr_auc(*draw(300))
        hits += got.low <= truth <= got.high
    assert hits / 300 >= 0.93  # nominal 0.95, conservative by design


# -- the check -----------------------------------------------------------------------------------


def _people(n: int = 4000, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.integers(0, 2, n)
    a, b = rng.integers(0, 2, n), rng.integers(0, 2, n)
    return pl.DataFrame(
        {
            "sex": np.where(sex == 1, "F", "M"),
            "race": rng.choice(["A", "B", "C"], n, p=[0.6, 0.3, 0.1]),
            # relationship: mostly determined by sex, as a household role is
            "relationship": np.where(
                rng.random(n) < 0.7, np.where(sex == 1, "wife", "husband"), "other"
            ),
            "hours": np.round(40 - 4 * sex + rng.normal(0, 8, n)),
            "noise": rng.normal(size=n),
            "noise_cat": rng.choice(list("pqrs"), n),
            "parity_a": a,  # with parity_b, predicts "club" only together (XOR)
            "parity_b": b,
            "club": np.where(a ^ b == 1, "in", "out"),
            "y": rng.integers(0, 2, n),
        }
    )


def test_a_planted_proxy_warns_and_noise_passes() -> None:
    df = _people().drop("club")
    sex, race = _run(df, ["sex", "race"])
    assert sex.column == "sex" and sex.status == Status.WARN
    rows = _table(sex)
    assert next(iter(rows)) == "relationship"
    assert "relationship" in sex.message and "indirect discrimination" in sex.message
    assert float(rows["noise"][2]) < 0.7 and float(rows["noise_cat"][2]) < 0.7  # lower bounds
    # MI in bits of the categorical feature, with identity bins
    expected = mutual_info_score(df["relationship"], df["sex"]) / math.log(2)
    assert float(rows["relationship"][4]) == pytest.approx(expected, rel=1e-9)
    share = mutual_info_score(df["relationship"], df["sex"]) / scipy_stats.entropy(
        df["sex"].value_counts()["count"].to_numpy()
    )
    assert float(rows["relationship"][5]) == pytest.approx(share, rel=1e-9)
    # the one-feature AUC against a recomputation with scikit-learn's folds (other folds: close)
    y = (df["sex"] == "F").to_numpy().astype(int)
    codes = pd.factorize(df["relationship"].to_numpy())[0]
    splits = list(StratifiedKFold(5, shuffle=True, random_state=0).split(codes, y))
    oracle = roc_auc_score(y, _oracle_oof(codes, y, splits, 2, 1.0)[:, 1])
    assert float(rows["relationship"][1]) == pytest.approx(oracle, abs=0.01)
    assert sex.metrics["joint_auc"] is not None and sex.metrics["joint_auc"] > 0.8
    assert race.status == Status.PASS and race.metrics["features_flagged"] == 0
    assert race.metrics["groups"] == 3


def test_features_that_predict_only_together_warn_through_the_joint_model() -> None:
    df = _people().select("club", "parity_a", "parity_b", "noise", "y")
    (r,) = _run(df, ["club"])
    assert r.status == Status.WARN
    assert r.metrics["features_flagged"] == 0 and r.metrics["max_auc"] < 0.6
    assert r.metrics["joint_auc_lower_bound"] > 0.95
    assert "together predict it" in r.message
    (alone,) = _run(df, ["club"], joint=False)
    assert alone.status == Status.PASS and alone.metrics["joint_auc"] is None


def test_the_check_is_deterministic() -> None:
    df = _people(1500)
    first = _run(df, ["sex"])[0]
    again = _run(df, ["sex"])[0]
    assert first.metrics == again.metrics


# -- bad input -----------------------------------------------------------------------------------


def test_no_sensitive_attribute_is_skipped() -> None:
    df = _people(200).select("hours", "noise", "y")
    result = Audit(df, suite="none", schema={"target": "y"}, checks={"fairness.proxies": {}}).run()
    (r,) = [c for c in result.checks if c.id == "fairness.proxies"]
    assert r.status == Status.SKIPPED and "sensitive" in r.message


def test_all_null_one_group_and_too_many_groups() -> None:
    n = 300
    rng = np.random.default_rng(2)
    df = pl.DataFrame(
        {
            "empty": pl.Series([None] * n, dtype=pl.String),
            "one": ["x"] * n,
            "tiny": ["a"] * (n - 10) + ["b"] * 10,
            "zip": [f"z{i % 50}" for i in range(n)],
            "f": rng.normal(size=n),
            "g": rng.choice(list("abc"), n),
            "y": rng.integers(0, 2, n),
        }
    )
    by = {r.column: r for r in _run(df, ["empty", "one", "tiny", "zip"])}
    assert by["empty"].status == Status.SKIPPED and "missing in every" in by["empty"].message
    assert by["one"].status == Status.INCONCLUSIVE and "insufficient" in by["one"].message
    assert by["tiny"].status == Status.INCONCLUSIVE
    assert by["zip"].status == Status.SKIPPED and "group it first" in by["zip"].message


def test_small_groups_and_missing_values_are_left_out_and_named() -> None:
    df = _people(1200).with_columns(
        pl.when(pl.int_range(pl.len()) < 100).then(None).otherwise(pl.col("sex")).alias("sex"),
    )
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) >= 1190).then(pl.lit("X")).otherwise("sex").alias("sex")
    )
    (r,) = _run(df.drop("club"), ["sex"])
    assert r.metrics["groups"] == 2 and r.metrics["sample_rows"] == 1200 - 100 - 10
    assert "missing, left out: 100" in _note(r) and "X (10)" in _note(r)


def test_text_and_identifier_features_are_not_scored_and_said_so() -> None:
    n = 500
    rng = np.random.default_rng(4)
    words = [" ".join(rng.choice(["alpha", "beta", "gamma", "delta"], 12)) for _ in range(n)]
    df = pl.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n),
            "comment": [f"{w} {i}" for i, w in enumerate(words)],
            "x": rng.normal(size=n),
            "y": rng.integers(0, 2, n),
        }
    )
    schema = {"target": "y", "sensitive": ["sex"], "types": {"comment": "text"}}
    result = Audit(df, suite="none", schema=schema, checks={"fairness.proxies": {}}).run()
    (r,) = [c for c in result.checks if c.id == "fairness.proxies"]
    assert "comment (text)" in _note(r)
    assert "comment" not in _table(r)
    assert r.metrics["features_scored"] == 1 and r.metrics["joint_auc"] is None


def test_no_feature_is_skipped_per_attribute() -> None:
    df = pl.DataFrame({"sex": ["F", "M"] * 50, "y": [0, 1] * 50})
    (r,) = _run(df, ["sex"])
    assert r.status == Status.SKIPPED and r.column == "sex"


def test_a_mostly_zero_number_is_split_at_zero_and_a_constant_is_not_scored() -> None:
    rng = np.random.default_rng(6)
    n = 3000
    sex = rng.integers(0, 2, n)
    gain = np.where(rng.random(n) < 0.95, 0.0, rng.exponential(5000, n))
    gain = np.where((sex == 1) & (rng.random(n) < 0.5), 0.0, gain)  # gains mostly men's
    df = pl.DataFrame(
        {
            "sex": np.where(sex == 1, "F", "M"),
            "gain": gain,
            "same": ["one value"] * n,
            "x": rng.normal(size=n),
            "y": rng.integers(0, 2, n),
        }
    )
    (r,) = _run(df, ["sex"])
    rows = _table(r)
    assert int(rows["gain"][6]) == 2  # zero and above zero
    split = (gain > 0).astype(int)
    expected = mutual_info_score(split, sex) / math.log(2)
    assert float(rows["gain"][4]) == pytest.approx(expected, rel=1e-9)
    assert "same (one value)" in _note(r)
