"""What a distribution chart shows, whichever renderer draws it: shares by hand."""

from __future__ import annotations

import math

import pytest

from mlaudit.report._chartdata import distribution_rows, sample_order, shares
from mlaudit.results import DistributionDetail


def test_numeric_bins_carry_each_samples_share_by_hand() -> None:
    d = DistributionDetail(
        name="h", column="x", edges=[0, 1, 2, 3],
        counts={"current": [0, 0, 4], "reference": [1, 2, 1]},
    )  # fmt: skip
    rows = distribution_rows(d)
    assert rows.samples == ["reference", "current"]  # reference first, whatever the order given
    assert rows.title == "Distribution of x"
    assert rows.bins == [
        ("reference", 0.0, 1.0, 0.25), ("reference", 1.0, 2.0, 0.5), ("reference", 2.0, 3.0, 0.25),
        ("current", 0.0, 1.0, 0.0), ("current", 1.0, 2.0, 0.0), ("current", 2.0, 3.0, 1.0),
    ]  # fmt: skip
    assert rows.bars == [] and rows.categories == []


def test_categorical_keeps_the_30_most_frequent_with_shares_of_all_rows() -> None:
    cats = [f"c{i:02d}" for i in range(40)]
    d = DistributionDetail(
        name="h", column="x", categories=cats, counts={"reference": [float(i) for i in range(40)]}
    )
    rows = distribution_rows(d)
    assert rows.categories == cats[:9:-1]  # the 30 largest counts, most frequent first
    assert {c for _, c, _ in rows.bars} == set(cats[10:])
    assert "top 30 of 40" in rows.title
    # shares of all 780 rows (0 + 1 + ... + 39), not of the 735 kept
    assert math.isclose(sum(sh or 0 for *_, sh in rows.bars), 735 / 780)


def test_shares_leave_out_non_finite_counts_and_an_empty_sample() -> None:
    assert shares([1.0, math.nan, 3.0, math.inf]) == [0.25, 0.0, 0.75, 0.0]
    assert shares([0.0, 0.0]) == [None, None]
    assert sample_order(["b", "current", "a", "reference"]) == ["reference", "current", "b", "a"]


@pytest.mark.parametrize("edge", [math.nan, math.inf])
def test_a_bin_with_a_non_finite_edge_is_not_drawn(edge: float) -> None:
    d = DistributionDetail(name="h", column="x", edges=[0, 1, edge], counts={"reference": [1, 3]})
    assert distribution_rows(d).bins == [("reference", 0.0, 1.0, 0.25)]
