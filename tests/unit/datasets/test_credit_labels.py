"""The credit sample's conflicting labels and label shift, recomputed with pandas."""

from __future__ import annotations

import pytest

from mlaudit.datasets import CreditSample, make_credit_sample

NOT_FEATURES = ["application_id", "application_date", "default", "score", "prediction"]


@pytest.fixture(scope="module")
def sample() -> CreditSample:
    return make_credit_sample(seed=7)


def test_conflicting_labels_are_exactly_the_planted_pairs(sample: CreditSample) -> None:
    issue = sample.ground_truth.issue("quality.conflicting_labels.default")
    pdf = sample.current.to_pandas()
    feats = [c for c in pdf.columns if c not in NOT_FEATURES]
    g = pdf.groupby(feats, dropna=False)["default"].transform("nunique")
    rows = sorted(int(i) for i in pdf.index[g > 1])
    assert rows == sorted([*issue.rows, *issue.related_rows])
    assert len(issue.rows) == issue.count == 8
    assert (pdf.loc[list(issue.rows), "default"] == 0).all()
    assert (pdf.loc[list(issue.related_rows), "default"] == 1).all()
    assert issue.expected == {"conflicting_groups": 8, "conflicting_rows": 16}


def test_label_shift_rates_equal_the_frames(sample: CreditSample) -> None:
    issue = sample.ground_truth.issue("drift.label_shift.default")
    ref = sample.reference["default"].to_pandas().mean()
    cur = sample.current["default"].to_pandas().mean()
    assert issue.expected["default_rate_reference"] == pytest.approx(ref, rel=1e-12)
    assert issue.expected["default_rate_current"] == pytest.approx(cur, rel=1e-12)
