"""explain.reason_codes on German credit: a model given the applicant's sex cites it in some
adverse-action notices (the check fails, with the count shap.TreeExplainer gives directly); the
same model without sex never cites it and passes (no false alarm on a clean model)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import shap
from sklearn.ensemble import GradientBoostingClassifier

from mlaudit import Audit
from mlaudit.results import CheckResult, Status
from tests.realdata import _tables as t

pytestmark = pytest.mark.realdata

TOP = 4


def _encoded() -> pd.DataFrame:
    """German credit one-hot encoded by pandas, with sex (A92 = female) as a 0/1 column."""
    df = t.german().to_pandas()
    df["sex_female"] = (df.pop("personal_status_sex") == "A92").astype(np.int64)
    df["good"] = (df.pop("credit_risk") == 1).astype(np.int64)
    text = list(df.select_dtypes(exclude="number").columns)
    return pd.get_dummies(df, columns=text, dtype=np.int64)


def _audit(frame: pd.DataFrame, model: GradientBoostingClassifier) -> CheckResult:
    result = Audit(
        pl.from_pandas(frame), suite="none", model=model,
        schema={"target": "good", "sensitive": ["sex_female"]},
        checks={"explain.reason_codes": {"rows": len(frame), "decisions": len(frame),
                                         "top": TOP}},
    ).run()  # fmt: skip
    (r,) = [c for c in result.checks if c.id == "explain.reason_codes"]
    return r


def _cited_by_hand(model: GradientBoostingClassifier, x: pd.DataFrame, feature: str) -> int:
    """Declines (0; 1 is a good risk) whose top pushes toward 0 include ``feature``."""
    declined = model.predict(x) == 0
    push = -np.asarray(shap.TreeExplainer(model).shap_values(x))[declined]
    j = list(x.columns).index(feature)
    cited = 0
    for row in push:
        order = [k for k in np.argsort(-row, kind="stable") if row[k] > 0][:TOP]
        cited += j in order
    return cited


def test_a_model_given_sex_cites_it_and_fails() -> None:
    frame = _encoded()
    x = frame.drop(columns="good")
    model = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)
    model.fit(x, frame["good"])
    expected = _cited_by_hand(model, x, "sex_female")
    assert expected > 0  # sex pushes some declines: the model learned from it
    r = _audit(frame, model)
    assert r.metrics["unfavourable"] == int((model.predict(x) == 0).sum())
    assert r.metrics["sensitive_cited"] == expected
    assert r.status is Status.FAIL and "sex_female" in r.message


def test_the_model_without_sex_passes() -> None:
    frame = _encoded()
    x = frame.drop(columns=["good", "sex_female"])
    model = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)
    model.fit(x, frame["good"])
    r = _audit(frame, model)
    assert r.status is Status.PASS, r.message
    assert r.metrics["sensitive_cited"] == 0
    assert r.metrics["unexplained"] == 0
