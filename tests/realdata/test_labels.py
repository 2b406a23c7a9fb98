"""quality.conflicting_labels and quality.class_imbalance on real tables.

Adult has one pair of rows identical in every feature but with different incomes (pandas'
``groupby(features).income.nunique()`` finds it): reported as it is.  On clean random halves of
every table neither check may fail, and each warns at most at its nominal rate.
"""

from __future__ import annotations

import pytest

from mlaudit import Audit
from mlaudit.results import Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

TARGETS = {
    "adult": "income",
    "german": "credit_risk",
    "compas": "two_year_recid",
    "breast_cancer": "target",
}
CHECKS = {"quality.conflicting_labels": {}, "quality.class_imbalance": {}}
SEEDS = range(10)


def test_adult_conflicts_equal_pandas_groupby() -> None:
    df = t.adult()
    pdf = df.to_pandas()
    feats = [c for c in pdf.columns if c != "income"]
    g = pdf.groupby(feats, dropna=False)["income"].agg(["nunique", "size"])
    bad = g[g["nunique"] > 1]
    report = Audit(df, schema={"target": "income"}, suite="none", checks=CHECKS).run()
    r = {c.id: c for c in report.checks}
    lc = r["quality.conflicting_labels"]
    assert lc.metrics["feature_groups"] == len(g)
    assert lc.metrics["conflicting_groups"] == len(bad) >= 1
    assert lc.metrics["conflicting_rows"] == int(bad["size"].sum())
    assert lc.status is Status.WARN  # a real finding, below the 5% failure limit
    ci = r["quality.class_imbalance"]
    shares = pdf["income"].value_counts(normalize=True)
    assert ci.status is Status.PASS
    assert ci.metrics["minority_share"] == pytest.approx(shares.min())


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_random_halves_never_fail_and_rarely_warn(name: str) -> None:
    df = t.HALVES_TABLES[name]()
    only = (Status.PASS, Status.WARN)  # neither skipped nor inconclusive, fail or error
    refused = [s for s in Status if s not in only]
    schema = {"target": TARGETS[name]}
    halves = t.audit_halves(df, SEEDS, CHECKS, refused=refused, schema=schema)
    assert {r.id for r in halves.all} == set(CHECKS)
    warned = {c: halves.warned_by(c) for c in CHECKS}
    # alpha = 0.01 over 10 seeds: more than one warning would be a 0.4% event
    assert max(warned.values()) <= 1, warned
