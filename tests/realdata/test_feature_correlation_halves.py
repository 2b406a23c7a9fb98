"""quality.feature_correlation on real tables: the redundancy that is really there, and no changed
correlation between clean random halves beyond the nominal rate."""

from __future__ import annotations

import pytest

from mlaudit import Audit
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

CHECK = {"quality.feature_correlation": {}}
SEEDS = range(10)


def test_adult_education_number_is_a_code_of_education() -> None:
    df = t.adult()
    (r,) = Audit(df, suite="none", checks=CHECK).run().checks
    assert r.status is Status.WARN
    assert "education and education_num (eta 1.000)" in r.message
    pdf = df.select("education", "education_num").to_pandas()
    assert (pdf.groupby("education")["education_num"].nunique() == 1).all()  # the oracle


def test_compas_repeated_columns_are_found() -> None:
    (r,) = Audit(t.compas(), suite="none", checks=CHECK).run().checks
    assert "decile_score and decile_score_1" in r.message
    assert "priors_count and priors_count_1" in r.message


def test_german_credit_has_no_redundant_pair() -> None:
    (r,) = Audit(t.german(), suite="none", checks=CHECK).run().checks
    assert r.status is Status.PASS, r.message


def test_random_halves_report_changed_correlations_at_most_at_the_nominal_rate() -> None:
    runs = flagged = 0
    for load in t.HALVES_TABLES.values():
        for results in t.audit_halves(load(), SEEDS, CHECK).results.values():  # no fail, error
            (r,) = results
            assert r.metrics["changed_pairs"] is not None
            runs += 1
            flagged += r.metrics["changed_pairs"] > 0
    # alpha = 0.01 family-wise per run (Holm): 0.4 expected in 40 runs; P(3 or more) < 1 %
    assert flagged <= 2, f"{flagged} of {runs} clean halves reported a changed correlation"
