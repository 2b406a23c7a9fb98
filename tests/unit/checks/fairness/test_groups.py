"""Group tables against fairlearn's MetricFrame and its disparity functions, and by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import precision_score, roc_auc_score

from mlaudit.checks.fairness._groups import UNKNOWN, group_table
from mlaudit.summary import WINDOW


def _rows(seed: int, n: int = 3000) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["f", "m"]), n, p=[0.45, 0.55])
    race = rng.choice(np.array(["a", "b", "c"]), n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < 0.5 + 0.1 * (sex == "m")).astype(np.int8)
    score = rng.normal(0, 1, n) + 1.2 * y - 0.3 * (race == "c")
    decision = (score > 0.4).astype(np.int8)
    return pl.DataFrame(
        {"sex": sex, "race": race, "label": y, "decision": decision, "score": score}
    )


@pytest.mark.parametrize("seed", range(3))
def test_group_rates_equal_metric_frame(seed: int) -> None:
    rows = _rows(seed)
    table = group_table(rows, ["race"], min_group_size=1)
    y, p, g = rows["label"].to_numpy(), rows["decision"].to_numpy(), rows["race"].to_numpy()
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                 "fpr": false_positive_rate, "ppv": precision_score},
        y_true=y, y_pred=p, sensitive_features=g,
    ).by_group  # fmt: skip
    for row in table.groups:
        for name in ("selection_rate", "tpr", "fpr", "ppv"):
            assert row[name] == pytest.approx(frame.loc[row["group"], name]), name
            low, high = row[f"{name}_ci"]
            assert low <= row[name] <= high
        sel = g == row["group"]
        assert row["auc"] == pytest.approx(roc_auc_score(y[sel], rows["score"].to_numpy()[sel]))
        assert row["n"] == int(sel.sum())
    assert table.reference_group == "a"  # the largest group


@pytest.mark.parametrize("seed", range(3))
def test_disparities_equal_fairlearn(seed: int) -> None:
    rows = _rows(seed)
    table = group_table(rows, ["sex", "race"], min_group_size=1)
    y, p = rows["label"].to_numpy(), rows["decision"].to_numpy()
    g = (rows["sex"] + " × " + rows["race"]).to_numpy()
    d = table.disparities
    assert d["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, p, sensitive_features=g)
    )
    assert d["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(y, p, sensitive_features=g)
    )
    assert d["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=g)
    )
    assert len(table.groups) == 6 and table.attribute == "sex × race"
    for key, (low, high) in table.intervals.items():
        assert low <= d[key] <= high or key == "demographic_parity_ratio", key


def test_average_odds_and_differences_by_hand() -> None:
    rows = _rows(5)
    table = group_table(rows, ["race"], min_group_size=1)
    by = {r["group"]: r for r in table.groups}
    ref = by["a"]
    gaps = {g: ((r["fpr"] - ref["fpr"]) + (r["tpr"] - ref["tpr"])) / 2 for g, r in by.items()}
    worst = max(gaps.values(), key=abs)
    assert table.disparities["average_odds_difference"] == pytest.approx(worst)
    for g, r in by.items():
        assert r["selection_rate_diff"] == pytest.approx(
            r["selection_rate"] - ref["selection_rate"]
        )
        assert r["impact_ratio"] == pytest.approx(r["selection_rate"] / ref["selection_rate"])
        assert (r["selection_rate_p_value"] is None) == (g == "a")


def test_small_groups_take_no_part_and_missing_values_are_unknown() -> None:
    rows = _rows(1).with_columns(
        pl.when(pl.int_range(pl.len()) < 5).then(None).otherwise(pl.col("race")).alias("race")
    )
    table = group_table(rows, ["race"], min_group_size=30)
    unknown = next(r for r in table.groups if r["group"] == UNKNOWN)
    assert unknown["n"] == 5 and not unknown["sufficient"] and table.unknown_rows == 5
    big = rows.filter(pl.col("race").is_not_null())
    expected = demographic_parity_difference(
        big["label"].to_numpy(), big["decision"].to_numpy(),
        sensitive_features=big["race"].to_numpy(),
    )  # fmt: skip
    assert table.disparities["demographic_parity_difference"] == pytest.approx(expected)


def test_one_group_gives_no_disparity() -> None:
    rows = _rows(2).with_columns(pl.lit("all").alias("race"))
    table = group_table(rows, ["race"])
    assert table.reference_group == "all"
    assert all(v is None for v in table.disparities.values())


def test_bootstrap_interval_covers_a_known_gap() -> None:
    rng = np.random.default_rng(9)
    hits = 0
    for rep in range(60):
        n = 800
        g = rng.choice(np.array(["x", "y"]), n)
        decision = (rng.random(n) < np.where(g == "x", 0.5, 0.35)).astype(np.int8)
        rows = pl.DataFrame({"race": g, "decision": decision,
                             "label": rng.integers(0, 2, n).astype(np.int8)})  # fmt: skip
        table = group_table(rows, ["race"], n_boot=400, seed=rep)
        low, high = table.intervals["demographic_parity_difference"]
        hits += low <= 0.15 <= high
    assert hits >= 52  # 95 % nominal: at least 52 of 60 (binomial 1 % tail)


def test_bootstrap_intervals_of_the_disparities_cover_the_true_gaps() -> None:
    """300 simulated audits of two groups of 150 with known rates: the demographic-parity
    difference (true 0.15) and equalised-odds difference (true 0.2) are covered at close to
    the nominal 95 %."""
    rng = np.random.default_rng(21)
    runs, n = 300, 150
    covered = {"demographic_parity_difference": 0, "equalized_odds_difference": 0}
    truth = {"demographic_parity_difference": 0.15, "equalized_odds_difference": 0.2}
    group = np.repeat(np.array(["a", "b"]), n)
    for r in range(runs):
        label = rng.integers(0, 2, 2 * n)
        # selection 0.3 / 0.45 overall; TPR 0.4 / 0.6 and FPR 0.2 / 0.3 (EOD = 0.2)
        p = np.where(group == "a", np.where(label == 1, 0.4, 0.2), np.where(label == 1, 0.6, 0.3))
        decision = (rng.random(2 * n) < p).astype(np.int8)
        rows = pl.DataFrame({"decision": decision, "label": label.astype(np.int8), "s": group,
                             WINDOW: np.zeros(2 * n, dtype=np.int32)})  # fmt: skip
        table = group_table(rows, ["s"], n_boot=1000, seed=r)
        for key in covered:
            low, high = table.intervals[key]
            covered[key] += low <= truth[key] <= high
    for key, hits in covered.items():
        assert 0.91 <= hits / runs <= 0.99, (key, hits / runs)
