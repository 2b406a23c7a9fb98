"""explain_rows shows a personal feature's value as its mask, as the export does."""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.ensemble import GradientBoostingClassifier

from mlaudit import explain_rows
from mlaudit.config import SchemaConfig


def test_personal_feature_values_are_masked_in_the_reasons() -> None:
    rng = np.random.default_rng(3)
    n = 300
    zip_code = rng.integers(10000, 99999, n)
    income = rng.normal(50, 10, n)
    y = ((zip_code > 55000) ^ (rng.random(n) < 0.1)).astype(int)
    frame = pl.DataFrame({"zip_code": zip_code, "income": income})
    model = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(frame.to_pandas(), y)
    got = explain_rows(frame, model=model, favourable="0", top=2,
                       schema=SchemaConfig(personal=["zip_code"]))  # fmt: skip
    reasons = [(r.row, p) for r in got for p in r.reasons if p.feature == "zip_code"]
    assert reasons, "the zip code drives the model: it must be among the reasons"
    for row, p in reasons:
        assert isinstance(p.value, str) and p.value.startswith("h:")
        assert p.text.startswith(f"zip_code = {p.value} ")
        assert f"= {zip_code[row]} " not in p.text
