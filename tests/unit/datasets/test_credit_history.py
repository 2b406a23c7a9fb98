"""The demo's history of earlier quarters: sizes, dates, the reference halves, determinism."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from mlaudit.datasets import HISTORY_QUARTERS, CreditSample, history_frames, make_credit_sample
from mlaudit.datasets._history import PEAK_ROWS, QUARTER_ROWS


@pytest.fixture(scope="module")
def sample() -> CreditSample:
    return make_credit_sample(seed=7)


@pytest.fixture(scope="module")
def frames(sample: CreditSample) -> list[tuple[str, pl.DataFrame]]:
    t = sample.ground_truth.decision_threshold
    return history_frames(7, sample.reference, sample.model, sample.feature_columns, t)


def test_eight_quarters_oldest_first_with_a_summer_peak(
    frames: list[tuple[str, pl.DataFrame]],
) -> None:
    labels = [label for label, _ in frames]
    assert labels == [*HISTORY_QUARTERS, "2025-Q1", "2025-Q2"]
    for label, frame in frames:
        year, q = int(label[:4]), int(label[-1])
        dates = frame["application_date"]
        assert dates.min() >= datetime(year, 3 * q - 2, 1)  # type: ignore[operator]
        end = datetime(year + 1, 1, 1) if q == 4 else datetime(year, 3 * q + 1, 1)
        assert dates.max() < end  # type: ignore[operator]
        base = PEAK_ROWS if q == 3 else QUARTER_ROWS
        assert abs(frame.height / base - 1) < 0.06, (label, frame.height)  # 4 sd of 1.5 %


def test_the_last_two_quarters_are_the_reference(
    sample: CreditSample, frames: list[tuple[str, pl.DataFrame]]
) -> None:
    halves = pl.concat([frames[-2][1], frames[-1][1]])
    assert_frame_equal(halves, sample.reference)


def test_drawn_quarters_are_scored_like_the_reference(
    sample: CreditSample, frames: list[tuple[str, pl.DataFrame]]
) -> None:
    _, frame = frames[0]
    assert frame.columns == sample.reference.columns
    features = frame.select(sample.feature_columns).to_pandas()
    expected = sample.model.predict_proba(features)[:, 1]
    np.testing.assert_allclose(frame["score"].to_numpy(), expected)
    threshold = sample.ground_truth.decision_threshold
    assert (frame["prediction"].to_numpy() == (expected >= threshold)).all()
    assert frame["income"].null_count() == 0 and frame["channel"].n_unique() == 3


def test_same_seed_same_history(
    sample: CreditSample, frames: list[tuple[str, pl.DataFrame]]
) -> None:
    t = sample.ground_truth.decision_threshold
    again = history_frames(7, sample.reference, sample.model, sample.feature_columns, t)
    for (a, fa), (b, fb) in zip(frames, again, strict=True):
        assert a == b
        assert_frame_equal(fa, fb)


def test_ground_truth_lists_the_history_findings(
    sample: CreditSample, frames: list[tuple[str, pl.DataFrame]]
) -> None:
    rows = sample.ground_truth.issue("quality.metric_history.rows")
    peaks = [f.height for label, f in frames if label.endswith("Q3")]
    assert rows.expected["rows_same_quarter_median"] == np.median(peaks)
    assert rows.expected["rows"] == sample.current.height == 10_000
    effects = sample.ground_truth.issue("quality.metric_history.planted_effects")
    cur = sample.current
    assert effects.expected["income.missing_share"] == pytest.approx(0.12)
    assert effects.expected["employment_status.distinct"] == cur["employment_status"].n_unique()
    assert effects.expected["default.mean"] == pytest.approx(cur["default"].mean())
