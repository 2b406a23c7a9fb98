"""robustness.*: flip shares against closed forms, failures named, metrics against sklearn."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from mlaudit import Audit

N = 20_000


class SignOfA:
    """Class 1 exactly when a > 0 (a missing a reads as not positive)."""

    classes_ = np.array([0, 1])
    feature_names_in_ = np.array(["a"])

    def predict_proba(self, frame: Any) -> np.ndarray:
        p = (frame["a"].to_numpy(dtype=float, na_value=np.nan) > 0).astype(float)
        return np.column_stack([1 - p, p])

    def predict(self, frame: Any) -> np.ndarray:
        return self.predict_proba(frame)[:, 1].astype(int)


class IsX:
    """Class 1 exactly when c == "x"."""

    classes_ = np.array([0, 1])
    feature_names_in_ = np.array(["c"])

    def predict_proba(self, frame: Any) -> np.ndarray:
        p = (frame["c"].astype(object) == "x").to_numpy().astype(float)
        return np.column_stack([1 - p, p])

    def predict(self, frame: Any) -> np.ndarray:
        return self.predict_proba(frame)[:, 1].astype(int)


class Identity:
    """A regressor predicting a."""

    feature_names_in_ = np.array(["a"])

    def predict(self, frame: Any) -> np.ndarray:
        return frame["a"].to_numpy(dtype=float)


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    return pl.DataFrame(
        {
            "a": rng.normal(size=N),
            "c": rng.choice(["x", "y", "z"], N).tolist(),
            "y": rng.integers(0, 2, N),
        }
    )


def _run(data: pl.DataFrame, model: Any, check: str, **options: Any) -> Any:
    result = Audit(
        data, schema={"target": "y"}, model=model, suite="none", sample_size=N,
        checks={check: {"rows": N, **options}},
    ).run()  # fmt: skip
    (found,) = [c for c in result.checks if c.id == check]
    return found


def _covers(result: Any, expected: float) -> None:
    low, high = result.metrics["flip_share_low"], result.metrics["flip_share_high"]
    # a 99.9 % interval around the estimate, wider than the reported 95 % one
    share, n = result.metrics["flip_share"], result.metrics["rows"]
    half = 3.3 * math.sqrt(expected * (1 - expected) / n)
    assert abs(share - expected) < half, (share, expected)
    assert low <= share <= high


def test_noise_on_a_sign_flips_at_arctan_over_pi(data: pl.DataFrame) -> None:
    # a ~ N(0, 1), noise e ~ N(0, s^2): P(sign(a) != sign(a + e)) = arctan(s) / pi
    for noise in (0.05, 0.2):
        result = _run(data, SignOfA(), "robustness.numeric_noise", noise=noise, warn=0.5, fail=0.9)
        _covers(result, math.atan(noise) / math.pi)
        assert result.status == "pass"


def test_outliers_do_not_inflate_the_noise_and_values_stay_in_range(data: pl.DataFrame) -> None:
    # 1 % of rows at a = 1000 make the standard deviation about 100; the noise scale is the
    # interquartile range / 1.349 of the rest, so the flip share stays near arctan(s)/pi of the
    # normal rows (the outliers never flip: a in [999, 1000] stays positive).
    n_out = N // 100
    spiked = data.with_columns(
        pl.when(pl.int_range(pl.len()) < n_out).then(1000.0).otherwise(pl.col("a")).alias("a")
    )
    iqr = np.subtract(*np.percentile(spiked["a"].to_numpy(), [75, 25])) / 1.349
    result = _run(spiked, SignOfA(), "robustness.numeric_noise", noise=0.2, warn=0.5, fail=0.9)
    _covers(result, (N - n_out) / N * math.atan(0.2 * iqr) / math.pi)


def test_budgets_decide_the_status(data: pl.DataFrame) -> None:
    # arctan(0.5)/pi = 14.8 % of decisions flip: above a 10 % fail budget, below 20 %
    assert _run(data, SignOfA(), "robustness.numeric_noise", noise=0.5).status == "fail"
    loose = _run(data, SignOfA(), "robustness.numeric_noise", noise=0.5, warn=0.14, fail=0.2)
    assert loose.status == "warn"


def test_category_swap_flips_two_thirds_of_the_swapped(data: pl.DataFrame) -> None:
    # swapped rows: an x always leaves x, a y or z becomes x half of the time: P = s * 2/3
    result = _run(data, IsX(), "robustness.category_swap", share=0.3)
    _covers(result, 0.3 * 2 / 3)


def test_missing_values_flip_the_positives_they_hit(data: pl.DataFrame) -> None:
    # a missing a reads as not positive: flips = share * P(a > 0) = share / 2
    result = _run(data, SignOfA(), "robustness.missing_values", share=0.1)
    _covers(result, 0.1 / 2)


def test_regressor_moves_beyond_the_tolerance(data: pl.DataFrame) -> None:
    # prediction = a: noise of 0.05 sd moves it by more than 0.1 sd (the tolerance, in sds of
    # the predictions, which are a's) with P = 2 Phi(-0.1 / 0.05)
    result = _run(data, Identity(), "robustness.numeric_noise", noise=0.05, tolerance=0.1)
    _covers(result, float(2 * stats.norm.cdf(-2.0)))
    assert result.metrics["mae_before"] == pytest.approx(
        float(np.mean(np.abs(data["a"].to_numpy() - data["y"].to_numpy())))
    )


def test_accuracy_before_equals_sklearn(data: pl.DataFrame) -> None:
    result = _run(data, SignOfA(), "robustness.numeric_noise")
    expected = accuracy_score(data["y"], (data["a"] > 0).cast(int))
    assert result.metrics["accuracy_before"] == pytest.approx(expected)


def test_a_model_that_cannot_take_missing_values_fails_with_its_error(data: pl.DataFrame) -> None:
    frame = data.select("a", "y").to_pandas()
    model = LogisticRegression().fit(frame[["a"]], frame["y"])
    result = _run(data, model, "robustness.missing_values")
    assert result.status == "fail"
    assert "NaN" in result.message and "imputer" in result.message


def test_skipped_without_a_model_or_an_eligible_feature(data: pl.DataFrame) -> None:
    no_model = Audit(data, suite="none", checks={"robustness.numeric_noise": {}}).run()
    assert [c.status for c in no_model.checks] == ["skipped"]
    assert "--model" in no_model.checks[0].message
    only_text = _run(data, IsX(), "robustness.numeric_noise")
    assert only_text.status == "skipped" and "no feature" in only_text.message


def test_model_checks_join_the_default_suite_with_a_model(data: pl.DataFrame) -> None:
    result = Audit(data, schema={"target": "y"}, model=SignOfA(), suite="data_quality").run()
    ids = {c.id for c in result.checks}
    assert {"robustness.numeric_noise", "robustness.missing_values"} <= ids
