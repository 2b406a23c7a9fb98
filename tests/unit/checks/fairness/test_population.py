"""The population declaration: a SQL condition that keeps the rows every decision-reading fairness
check audits, stated beside the figures; rates equal pandas on the same rows; a bad condition is
a clear error or a skipped result; an inferred sensitive attribute is shown as inferred."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.errors import ConfigError

SCHEMA = {"target": "y", "prediction": "pred", "sensitive": ["sex"]}
FAIR = ("fairness.group_metrics", "fairness.four_fifths", "fairness.bias_audit",
        "fairness.over_time")  # fmt: skip


def _data(n: int = 3000) -> pl.DataFrame:
    rng = np.random.default_rng(4)
    sex = rng.choice(np.array(["f", "m"]), n)
    age = rng.integers(16, 80, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan  # unknown ages: not in a population that reads age
    channel = rng.choice(np.array(["branch", "broker", "web"]), n)
    # Brokers decline women more often: the disparity depends on the population audited.
    p = np.where(sex == "f", np.where(channel == "broker", 0.2, 0.45), 0.5)
    pred = (rng.random(n) < p).astype(np.int64)
    return pl.DataFrame({"sex": sex, "age": age, "channel": channel, "pred": pred,
                         "y": rng.integers(0, 2, n)}).with_columns(
        pl.col("age").fill_nan(None))  # fmt: skip


def _run(df: pl.DataFrame, **fairness: object) -> dict[str, object]:
    result = Audit(df, suite="none", schema=SCHEMA, fairness=fairness, windows={"rows": 1000},
                   checks={i: {} for i in FAIR}).run()  # fmt: skip
    return {c.id: c for c in result.checks} | {"config": result.config}


def test_rates_are_those_of_the_rows_the_condition_keeps() -> None:
    df = _data()
    condition = "age >= 18 AND channel <> 'broker'"
    got = _run(df, population=condition)
    frame = df.to_pandas()
    kept = frame.query("age >= 18 and channel != 'broker'")  # NaN ages compare false in pandas
    expected = kept.groupby("sex")["pred"].agg(["size", "mean"])
    check = got["fairness.group_metrics"]
    groups = {g["group"]: g for g in check.details[0].groups}  # type: ignore[attr-defined]
    for sex in ("f", "m"):
        assert groups[sex]["n"] == expected.loc[sex, "size"]
        assert groups[sex]["selection_rate"] == pytest.approx(expected.loc[sex, "mean"])
    note = next(d for d in check.details if d.kind == "note")  # type: ignore[attr-defined]
    assert f"Population: rows where {condition} ({len(kept):,} of {len(frame):,})" in note.text
    for check_id in FAIR:  # every decision-reading check states it
        texts = [d.text for d in got[check_id].details if d.kind == "note"]  # type: ignore[attr-defined]
        assert any(condition in t for t in texts), check_id
    assert got["config"]["fairness"] == {"population": condition}  # type: ignore[index]


def test_the_population_changes_the_verdict() -> None:
    """All applicants: brokers' declines pull women's rate under four-fifths of men's; without
    the brokers the rates are close. The same data, two declarations, two answers."""
    df = _data()
    everyone = _run(df)["fairness.four_fifths"]
    direct = _run(df, population="channel <> 'broker'")["fairness.four_fifths"]
    frame = df.to_pandas()
    ratio = {}
    for name, rows in (("all", frame), ("direct", frame[frame.channel != "broker"])):
        rates = rows.groupby("sex")["pred"].mean()
        ratio[name] = rates["f"] / rates["m"]
    assert ratio["all"] < 0.8 < ratio["direct"]
    assert everyone.status == "fail" and direct.status == "pass"  # type: ignore[attr-defined]
    assert "all rows (no filter declared)" in str(everyone.details[-1])  # type: ignore[attr-defined]


def test_a_condition_that_is_not_sql_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="population 'age >=' is not a SQL condition"):
        _run(_data(), population="age >=")


def test_a_condition_on_an_unknown_column_names_the_close_one() -> None:
    with pytest.raises(ConfigError, match="names column 'agee'") as caught:
        _run(_data(), population="agee > 3")
    assert "'age'" in caught.value.fix


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("age + 1", "is not a condition"),
        ("age > 200", "keeps none of the 3,000 rows"),
    ],
)
def test_a_condition_that_keeps_nothing_or_is_no_condition_skips(
    condition: str, reason: str
) -> None:
    check = _run(_data(), population=condition)["fairness.group_metrics"]
    assert check.status == "skipped" and reason in check.message  # type: ignore[attr-defined]


def test_an_inferred_sensitive_attribute_is_shown_as_inferred() -> None:
    df = _data().rename({"sex": "gender"})
    result = Audit(df, suite="none", schema={"target": "y", "prediction": "pred"},
                   checks={"fairness.group_metrics": {}}).run()  # fmt: skip
    (check,) = result.checks
    note = next(d for d in check.details if d.kind == "note")
    assert "Sensitive attributes: gender (inferred from its name)." in note.text  # type: ignore[union-attr]
    declared = Audit(df, suite="none", schema={"target": "y", "prediction": "pred",
                                               "sensitive": ["gender"]},
                     checks={"fairness.group_metrics": {}}).run()  # fmt: skip
    note = next(d for d in declared.checks[0].details if d.kind == "note")
    assert "Sensitive attributes: gender." in note.text  # type: ignore[union-attr]


def test_population_reads_no_row_twice_and_keeps_pandas_counts_with_nulls() -> None:
    """Rows whose condition is unknown (a missing age) are left out, as SQL's WHERE does."""
    df = _data()
    got = _run(df, population="age < 30 OR age >= 60")
    frame = df.to_pandas()
    kept = frame[(frame.age < 30) | (frame.age >= 60)]
    assert pd.isna(frame.age).sum() > 0
    groups = got["fairness.group_metrics"].details[0].groups  # type: ignore[attr-defined]
    assert sum(g["n"] for g in groups) == len(kept)
