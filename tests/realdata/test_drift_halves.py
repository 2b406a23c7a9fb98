"""drift.univariate on real tables: random halves stay quiet, a real split is found."""

from __future__ import annotations

import pytest

from mlaudit import Audit
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

SEEDS = 20


def _drift(cur, ref):  # type: ignore[no-untyped-def]
    r = Audit(cur, reference=ref, suite="none", checks={"drift.univariate": {}}).run()
    return {c.column: c for c in r.checks if c.id == "drift.univariate"}


def test_german_random_halves_warn_at_most_at_the_nominal_rate() -> None:
    # No drift by construction. Benjamini-Hochberg at alpha = 0.05 keeps the chance of any
    # false alarm in a data set at or below 5 % under the global null (the effect floor only
    # lowers it). Over 20 seeds, 4 or more warning seeds has probability 1.6 % at 5 %
    # (binomial tail), so at most 3 are allowed; none may fail (3x the floor).
    halves = t.audit_halves(t.german(), range(SEEDS), {"drift.univariate": {}})
    assert halves.seeds_warned <= 3


def test_adult_split_by_age_is_found() -> None:
    df = t.adult()
    res = _drift(df.filter(df["age"] >= 40), df.filter(df["age"] < 40))
    assert res["age"].status is Status.FAIL
    # the robust effect of a split that separates the periods is far above 3x the floor
    assert res["age"].metrics["effect_size"] > 1.0
