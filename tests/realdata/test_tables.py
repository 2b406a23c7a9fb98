"""The real tables load as published: sizes and a few values checked against the UCI and
ProPublica descriptions."""

from __future__ import annotations

import pytest

from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata


def test_adult_as_published() -> None:
    df = t.adult()
    assert df.shape == (32_561, 15)
    assert df["income"].value_counts().sort("income")["count"].to_list() == [24_720, 7_841]
    assert df["workclass"].null_count() == 1_836  # '?' in adult.names' description


def test_german_as_published() -> None:
    df = t.german()
    assert df.shape == (1_000, 21)
    assert df["credit_risk"].value_counts().sort("credit_risk")["count"].to_list() == [700, 300]


def test_compas_as_published() -> None:
    df = t.compas()
    assert df.height == 7_214
    assert "decile_score_1" in df.columns
    assert (df["decile_score"] == df["decile_score_1"]).all()


def test_random_halves_are_disjoint_and_cover_the_table() -> None:
    df = t.german().with_row_index("i")
    a, b = t.random_halves(df, seed=3)
    assert a.height + b.height == 1_000
    assert set(a["i"]).isdisjoint(set(b["i"]))
