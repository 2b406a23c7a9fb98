"""The fairness declarations set once (fairness:, Audit(fairness=)) reach every
fairness check, below each check's own options, and are recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.config import load_config
from mlaudit.errors import ConfigError

SCHEMA = {"target": "y", "prediction": "pred", "sensitive": ["sex"]}
FAIR = ("fairness.group_metrics", "fairness.four_fifths", "fairness.bias_audit")


def _data(n: int = 1000) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    sex = rng.choice(np.array(["f", "m"]), n)
    pred = (rng.random(n) < np.where(sex == "f", 0.3, 0.5)).astype(np.int64)
    return pl.DataFrame({"sex": sex, "pred": pred, "y": rng.integers(0, 2, n)})


def test_audit_declaration_reaches_every_fairness_check_and_is_recorded() -> None:
    result = Audit(_data(), suite="none", schema=SCHEMA, fairness={"favourable": "0"},
                   checks={i: {} for i in FAIR}).run()  # fmt: skip
    assert {c.params["favourable"] for c in result.checks} == {"0"}
    assert result.config["fairness"] == {"favourable": "0"}
    by_id = {c.id: c for c in result.checks}
    rates = {
        g["group"]: g["selection_rate"] for g in by_id["fairness.group_metrics"].details[0].groups
    }  # type: ignore[union-attr]
    sex = _data()["sex"].to_numpy()
    pred = _data()["pred"].to_numpy()
    assert rates["f"] == pytest.approx(np.mean(pred[sex == "f"] == 0))


def test_a_checks_own_option_wins() -> None:
    result = Audit(_data(), suite="none", schema=SCHEMA, fairness={"favourable": "0"},
                   checks={"fairness.group_metrics": {"favourable": "1"},
                           "fairness.four_fifths": {}}).run()  # fmt: skip
    got = {c.id: c.params["favourable"] for c in result.checks}
    assert got == {"fairness.group_metrics": "1", "fairness.four_fifths": "0"}


def test_unknown_declaration_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "audit.yaml"
    path.write_text("current: d.parquet\nfairness: {favorable: '0'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="favorable"):
        load_config(path)
