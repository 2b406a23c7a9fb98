"""fairness.group_metrics through an audit: figures against fairlearn, verdicts, bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
    selection_rate,
    true_positive_rate,
)

from mlaudit import Audit
from mlaudit.results import CheckResult, GroupsDetail, Status

SCHEMA = {"target": "y", "score": "score", "prediction": "pred", "sensitive": ["sex", "race"]}


def _data(seed: int, n: int = 4000, gap: float = 0.0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["f", "m"]), n)
    race = rng.choice(np.array(["a", "b", "c"]), n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < 0.5).astype(np.int64)
    score = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.5 * y - gap * (sex == "f"))))
    return pl.DataFrame(
        {"sex": sex, "race": race, "x": rng.normal(size=n), "y": y, "score": score,
         "pred": (score >= 0.5).astype(np.int64)}
    )  # fmt: skip


def _run(
    df: pl.DataFrame, schema: dict[str, Any] | None = None, **options: Any
) -> list[CheckResult]:
    result = Audit(
        df, suite="none", schema=schema or SCHEMA, checks={"fairness.group_metrics": options}
    ).run()
    return [c for c in result.checks if c.id == "fairness.group_metrics"]


def _groups(r: CheckResult) -> GroupsDetail:
    return next(d for d in r.details if isinstance(d, GroupsDetail))


def test_figures_equal_fairlearn_for_each_attribute_and_the_intersection() -> None:
    df = _data(1, gap=0.8)
    results = {r.column: r for r in _run(df)}
    assert set(results) == {"sex", "race", "sex × race"}
    y, p = df["y"].to_numpy(), df["pred"].to_numpy()
    for name, g in (("sex", df["sex"]), ("race", df["race"]),
                    ("sex × race", df["sex"] + " × " + df["race"])):  # fmt: skip
        r, feats = results[name], g.to_numpy()
        assert r.metrics["demographic_parity_difference"] == pytest.approx(
            demographic_parity_difference(y, p, sensitive_features=feats)
        )
        assert r.metrics["equalized_odds_difference"] == pytest.approx(
            equalized_odds_difference(y, p, sensitive_features=feats)
        )
        frame = MetricFrame(
            metrics={"selection_rate": selection_rate, "tpr": true_positive_rate},
            y_true=y, y_pred=p, sensitive_features=feats,
        ).by_group  # fmt: skip
        for row in _groups(r).groups:
            assert row["selection_rate"] == pytest.approx(frame.loc[row["group"], "selection_rate"])
            assert row["tpr"] == pytest.approx(frame.loc[row["group"], "tpr"])
            assert row["attribute"] == name and isinstance(row["selection_rate_ci"], list)
    assert results["sex"].status == Status.FAIL  # a 0.8 logit gap moves rates by ~0.19
    bound = results["sex"].bounds["demographic_parity_difference"]
    assert bound.low > 0.1 and bound.kind == "confidence_interval"


def test_no_gap_passes() -> None:
    for r in _run(_data(2), intersections=False):
        assert r.status == Status.PASS, r.message


def test_favourable_outcome_changes_the_figures_and_is_stated() -> None:
    df = _data(3, gap=0.8)
    one = {r.column: r for r in _run(df, intersections=False)}["sex"]
    zero = {r.column: r for r in _run(df, intersections=False, favourable="0")}["sex"]
    rates = {g["group"]: g["selection_rate"] for g in _groups(one).groups}
    flipped = {g["group"]: g["selection_rate"] for g in _groups(zero).groups}
    for k in rates:
        assert flipped[k] == pytest.approx(1 - rates[k])
    assert one.metrics["demographic_parity_ratio"] != pytest.approx(
        zero.metrics["demographic_parity_ratio"]
    )
    note = next(d for d in zero.details if d.kind == "note")
    assert "Favourable outcome: 0." in note.text  # type: ignore[union-attr]
    assert "default" in next(d for d in one.details if d.kind == "note").text  # type: ignore[union-attr]


def test_score_only_decisions_use_the_threshold() -> None:
    df = _data(4, gap=0.8).drop("pred")
    schema = {k: v for k, v in SCHEMA.items() if k != "prediction"}
    r = {c.column: c for c in _run(df, schema, intersections=False, threshold=0.7)}["sex"]
    decided = (df["score"] >= 0.7).to_numpy()
    for g in _groups(r).groups:
        assert g["selection_rate"] == pytest.approx(
            decided[df["sex"].to_numpy() == g["group"]].mean()
        )


def test_small_groups_are_insufficient_evidence() -> None:
    df = _data(5, n=300)
    r = {c.column: c for c in _run(df, min_group_size=200)}
    assert r["race"].status == Status.INCONCLUSIVE
    assert "insufficient evidence" in r["race"].message
    assert all(not g["sufficient"] for g in _groups(r["sex × race"]).groups)


@pytest.mark.parametrize(
    "change",
    [
        pl.lit("same").alias("sex"),  # one group
        pl.lit(None, pl.String).alias("sex"),  # all missing
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("solo"))
        .otherwise(pl.col("sex"))
        .alias("sex"),
    ],
    ids=["one-group", "all-null", "group-of-one"],
)
def test_bad_groups_give_a_clear_result(change: pl.Expr) -> None:
    df = _data(6).with_columns(change)
    r = {c.column: c for c in _run(df, intersections=False)}["sex"]
    groups = {g["group"]: g for g in _groups(r).groups}
    counts = df.group_by("sex").len().to_dicts()
    assert {(c["sex"] or "(unknown)"): c["len"] for c in counts} == {
        k: g["n"] for k, g in groups.items()
    }
    if len(groups) == 1:  # one group, or every value missing: nothing to compare
        assert r.status == Status.INCONCLUSIVE
        assert "fewer than two groups have 30 rows" in r.message
        assert "insufficient evidence" in r.message
    else:  # a group of one row is listed, not judged; the others are
        assert groups["solo"]["n"] == 1 and not groups["solo"]["sufficient"]
        assert r.status == Status.PASS and "1 group(s) under 30 rows not judged" in r.message


def test_a_named_reference_group_is_used_or_its_absence_said() -> None:
    df = _data(6)
    by = {c.column: c for c in _run(df, reference_group="f")}
    assert _groups(by["sex"]).reference_group == "f"
    female = {g["group"]: g for g in _groups(by["sex"]).groups}
    sex, pred = df["sex"].to_numpy(), df["pred"].to_numpy()
    gap = pred[sex == "m"].mean() - pred[sex == "f"].mean()
    assert female["m"]["selection_rate_diff"] == pytest.approx(gap)
    # race has no group 'f': its largest group is the reference, and the note says why
    assert _groups(by["race"]).reference_group == "a"
    notes = " ".join(d.text for d in by["race"].details if d.kind == "note")  # type: ignore[union-attr]
    assert "the named 'f' is a group of sex" in notes
    missing = {c.column: c for c in _run(df, reference_group="martian", intersections=False)}
    assert "The reference group 'martian' is not among the groups of sex" in missing["sex"].message
    assert all(g.get("selection_rate_diff") is None for g in _groups(missing["sex"]).groups)


def test_favourable_value_absent_and_no_sensitive_attribute() -> None:
    (r,) = _run(_data(7), intersections=False, favourable="yes")
    assert r.status == Status.SKIPPED and "'yes' is not a value of y or pred (0, 1)" in r.message
    schema = {k: v for k, v in SCHEMA.items() if k != "sensitive"}
    skipped = _run(_data(7).rename({"sex": "s1", "race": "r1"}), schema)
    assert skipped[0].status == Status.SKIPPED and "sensitive" in skipped[0].message
