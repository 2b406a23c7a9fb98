"""fairness.proxies on real tables: the proxies the data truly holds are found, noise is not.

Known findings (20,000-row seeded sample of Adult; German and COMPAS whole):

* **Adult, sex**: ``relationship`` (Husband / Wife name the sex) predicts it with an AUC near
  0.86, ``marital_status`` and ``occupation`` near 0.75; all features together about 0.93.
  Race is predicted weakly (macro AUC about 0.63 from ``native_country``, 0.73 jointly, below
  the limits).
* **German credit**, sex derived from ``personal_status_sex`` (the only place the table records
  it): that column predicts it perfectly (AUC 1), as it must.
* **COMPAS**: neither race nor sex is predicted strongly by the other columns (the decile
  scores reach a macro AUC of about 0.64 for race).

An independent random column (six letters, and a normal number) is never flagged.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.results import CheckResult, Status, TableDetail
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata


def _run(df: pl.DataFrame, target: str, sensitive: list[str]) -> dict[str, CheckResult]:
    rng = np.random.default_rng(0)
    df = df.with_columns(
        pl.Series("random_code", rng.choice(list("abcdef"), df.height)),
        pl.Series("random_x", rng.normal(size=df.height)),
    )
    schema = {"target": target, "sensitive": sensitive}
    result = Audit(df, suite="none", schema=schema, checks={"fairness.proxies": {}}).run()
    return {str(r.column): r for r in result.checks if r.id == "fairness.proxies"}


def _aucs(r: CheckResult) -> dict[str, tuple[float, float]]:
    table = next(d for d in r.details if isinstance(d, TableDetail))
    return {str(row[0]): (float(row[1]), float(row[2])) for row in table.rows}  # type: ignore[arg-type]


def _random_not_flagged(r: CheckResult) -> None:
    aucs = _aucs(r)
    for name in ("random_code", "random_x"):
        if name in aucs:  # listed when among the strongest (max_listed)
            assert aucs[name][1] < 0.6, (name, aucs[name])
    assert "random_code" not in r.message and "random_x" not in r.message


def test_adult_relationship_and_marital_status_predict_sex() -> None:
    by = _run(t.adult(), "income", ["sex", "race"])
    sex = by["sex"]
    assert sex.status is Status.WARN
    aucs = _aucs(sex)
    assert next(iter(aucs)) == "relationship" and aucs["relationship"][1] > 0.8
    assert aucs["marital_status"][1] > 0.7
    assert "relationship" in sex.message and "marital_status" in sex.message
    assert sex.metrics["joint_auc_lower_bound"] > 0.9  # type: ignore[operator]
    _random_not_flagged(sex)
    assert by["race"].status is Status.PASS
    _random_not_flagged(by["race"])


def test_german_personal_status_gives_sex_away() -> None:
    sexes = {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}
    german = t.german().with_columns(
        pl.col("personal_status_sex").replace_strict(sexes).alias("sex")
    )
    r = _run(german, "credit_risk", ["sex"])["sex"]
    assert r.status is Status.WARN
    assert _aucs(r)["personal_status_sex"][0] == pytest.approx(1.0)
    _random_not_flagged(r)


def test_compas_race_and_sex_have_no_strong_proxy() -> None:
    by = _run(t.compas(), "two_year_recid", ["race", "sex"])
    for r in by.values():
        assert r.status is Status.PASS, r.message
        _random_not_flagged(r)
