"""quality.conflicting_labels: the streamed counts against pandas' groupby, on generated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from mlaudit import Audit
from mlaudit.data import Role, infer_schema
from mlaudit.results import CheckResult, Status
from mlaudit.summary import ProfileBuilder, ScanPlan, from_bytes, merge, to_bytes

CHECK = {"quality.conflicting_labels": {}}


def _frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 20, n).astype(float)
    c[rng.random(n) < 0.05] = np.nan
    return pl.DataFrame(
        {
            "a": rng.integers(0, 5, n),
            "b": rng.choice(["x", "y", "z", None], n).tolist(),
            "c": c,
            "id": np.arange(n),
            "y": rng.choice([0, 1, None], n, p=[0.6, 0.35, 0.05]).tolist(),
        }
    )


def _schema(df: pl.DataFrame):  # type: ignore[no-untyped-def]
    roles = {"y": Role.TARGET, "id": Role.ID}
    s = infer_schema(df)
    cols = [c.model_copy(update={"role": roles.get(c.name, Role.FEATURE)}) for c in s.columns]
    return s.model_copy(update={"columns": cols})


def _oracle(df: pl.DataFrame) -> tuple[int, int, int, int]:
    """Labelled rows, feature groups, conflicting groups and their rows (pandas)."""
    pdf = df.to_pandas()
    pdf = pdf[pdf["y"].notna()]
    g = pdf.groupby(["a", "b", "c"], dropna=False)["y"].agg(["nunique", "size"])
    bad = g[g["nunique"] > 1]
    return len(pdf), len(g), len(bad), int(bad["size"].sum())


@pytest.mark.parametrize("batch", [997, 5000, 100_000])
def test_streamed_counts_equal_pandas_groupby(batch: int) -> None:
    df = _frame(20_000, seed=1)
    builder = ProfileBuilder(_schema(df), ScanPlan(labels=True))
    for b in df.to_arrow().to_batches(max_chunksize=batch):
        builder.add(b)
    lc = builder.finish().label_conflicts
    assert lc is not None and lc.exact
    assert (lc.rows, lc.groups, lc.conflicting_groups, lc.conflicting_rows) == _oracle(df)
    assert lc.features == ["a", "b", "c"]  # id and target are not features
    values, counts = np.unique(df["y"].drop_nulls().to_numpy(), return_counts=True)
    assert lc.classes == {str(k): int(v) for k, v in zip(values, counts, strict=True)}


def test_merge_of_parts_equals_whole_and_saved_figures_round_trip() -> None:
    df = _frame(6000, seed=2)
    schema = _schema(df)
    plan = ScanPlan(labels=True)
    parts = []
    for lo in (0, 2500):
        b = ProfileBuilder(schema, plan)
        b.add(df[lo : lo + 2500 if lo == 0 else None], lo)
        parts.append(b.finish())
    lc = merge(*parts).label_conflicts
    assert lc is not None
    assert (lc.rows, lc.groups, lc.conflicting_groups, lc.conflicting_rows) == _oracle(df)
    back = from_bytes(to_bytes(merge(*parts))).label_conflicts
    assert back is not None and back.conflicting_rows == lc.conflicting_rows
    assert back.classes == lc.classes
    # saved profiles keep their feature groups: two halves saved, read back and merged
    saved = [from_bytes(to_bytes(p)) for p in parts]
    both = merge(*saved).label_conflicts
    assert both is not None and both.exact
    assert (both.rows, both.groups, both.conflicting_groups, both.conflicting_rows) == _oracle(df)
    whole = ProfileBuilder(schema, plan)
    whole.add(df)
    held, merged_held = whole.finish().label_conflicts.held(), both.held()  # type: ignore[union-attr]
    for a, b in zip(vars(held).values(), vars(merged_held).values(), strict=True):
        assert np.array_equal(a, b)  # the same groups, labels, rows and conflicts
    # beyond max_hashes groups only the figures are saved: merged, they are lost
    lost = merge(from_bytes(to_bytes(parts[0], max_hashes=10)), parts[1]).label_conflicts
    assert lost is not None and np.isnan(lost.conflicting_rows)


def test_sampling_beyond_the_cap_estimates_the_counts() -> None:
    """Above the cap only feature groups with small hashes are kept; counts scale back."""
    df = _frame(40_000, seed=3).with_columns(pl.col("a") * 1000 + pl.col("id") % 997)
    builder = ProfileBuilder(_schema(df), ScanPlan(labels=True))
    for b in df.to_arrow().to_batches(max_chunksize=4000):
        builder.add(b)
        lc = builder._profile.label_conflicts  # type: ignore[union-attr]
        assert lc is not None
        lc.cap = 3000
    lc = builder.finish().label_conflicts
    assert lc is not None and not lc.exact and lc.level >= 1
    _, groups, _, rows = _oracle(df)
    assert lc.groups == pytest.approx(groups, rel=0.25)
    assert lc.conflicting_rows == pytest.approx(rows, rel=0.35)


def test_check_warns_with_examples_and_passes_clean_data() -> None:
    df = pl.DataFrame(
        {
            "x": [1, 1, 2, 3, 3, 3, 4],
            "s": ["a", "a", "b", "c", "c", "c", "d"],
            "y": [0, 1, 0, 1, 1, 0, 1],
        }
    )
    r = Audit(df, schema={"target": "y"}, suite="none", checks=CHECK).run().checks[0]
    # by hand: groups (1,a) and (3,c) conflict, holding 2 + 3 of the 7 rows: above 5%
    assert r.status is Status.FAIL
    assert r.metrics["conflicting_groups"] == 2 and r.metrics["conflicting_rows"] == 5
    assert r.metrics["conflicting_share"] == pytest.approx(5 / 7)
    ex = r.details[0]
    assert ex.rows[0][:2] == [3, "c"] and ex.rows[0][2] in ("1: 2, 0: 1", "0: 1, 1: 2")
    clean = df.with_columns(y=pl.col("x") % 2)
    r = Audit(clean, schema={"target": "y"}, suite="none", checks=CHECK).run().checks[0]
    assert r.status is Status.PASS and r.metrics["conflicting_rows"] == 0


def test_personal_features_are_masked_in_examples() -> None:
    df = pl.DataFrame({"name": ["Ann", "Ann", "Bob"], "y": [0, 1, 0]})
    audit = Audit(df, schema={"target": "y", "personal": ["name"]}, suite="none", checks=CHECK)
    r = audit.run().checks[0]
    assert r.status is Status.FAIL and r.metrics["conflicting_rows"] == 2
    ex = r.details[0]
    assert ex.masked_columns == ["name"] and "Ann" not in str(ex.rows)


def _noisy(n: int, flipped: int, seed: int) -> pl.DataFrame:
    """``n`` rows of nearly unique features, ``flipped`` of them repeated with the other label."""
    rng = np.random.default_rng(seed)
    df = pl.DataFrame({"a": rng.integers(0, 10**9, n), "b": rng.normal(size=n)})
    df = df.with_columns(y=pl.Series(rng.integers(0, 2, n)))
    return pl.concat([df, df.head(flipped).with_columns(y=1 - pl.col("y"))])


def _against(cur: pl.DataFrame, ref: pl.DataFrame) -> CheckResult:
    return (
        Audit(cur, reference=ref, schema={"target": "y"}, suite="none", checks=CHECK)
        .run()
        .checks[0]
    )


def test_reference_with_the_same_conflicts_passes_and_a_rise_warns() -> None:
    ref = _noisy(20_000, 200, seed=4)
    r = _against(_noisy(20_000, 200, seed=5), ref)
    assert r.metrics["conflicting_groups"] == 200 and r.metrics["conflicting_rows"] == 400
    assert r.status is Status.PASS and r.metrics["p_value"] > 0.01
    r = _against(_noisy(20_000, 600, seed=6), ref)
    assert r.status is Status.WARN and r.metrics["p_value"] < 1e-6
    # by hand: 1,200 of 20,600 rows against 400 of 20,200
    assert r.metrics["conflicting_share_increase"] == pytest.approx(1200 / 20600 - 400 / 20200)


@pytest.mark.parametrize(
    ("schema", "why"),
    [({}, "no target column"), ({"target": "v", "ignore": ["x"]}, "no feature column")],
)
def test_skips_without_target_or_features(schema: dict[str, object], why: str) -> None:
    df = pl.DataFrame({"x": [1, 2], "v": [0, 1]})
    r = Audit(df, schema=schema, suite="none", checks=CHECK).run().checks[0]
    assert r.status is Status.SKIPPED and why in r.message


def test_pandas_frame_is_read_the_same() -> None:
    pdf = pd.DataFrame({"x": [1, 1, 2], "y": ["a", "b", "a"]})
    r = Audit(pdf, schema={"target": "y"}, suite="none", checks=CHECK).run().checks[0]
    assert r.metrics["conflicting_rows"] == 2


def test_part_hashes_follow_the_row_hash_definition() -> None:
    from mlaudit.summary._hashing import hash_rows, hash_rows_parts

    df = _frame(1000, seed=7).select("a", "b", "c")
    rows, (whole, ab) = hash_rows_parts(df, [[0, 1, 2], [0, 1]])
    assert (rows == hash_rows(df)).all()
    assert (whole == rows).all()  # a part of every column is the row
    # equal (a, b) values give equal hashes, and distinct pairs distinct ones
    pairs = df.select("a", "b").with_columns(h=pl.Series(ab))
    per_pair = pairs.group_by("a", "b").agg(pl.col("h").n_unique())
    assert per_pair["h"].max() == 1
    assert pairs["h"].n_unique() == per_pair.height


def test_counts_folded_often_equal_pandas_groupby(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches merged into the table held many times (a fold every 100 groups) still give
    pandas' counts: the binary-search merge, not only the final sort, is exercised."""
    monkeypatch.setattr("mlaudit.summary._labels._FOLD_AT", 100)
    df = _frame(20_000, seed=5)
    builder = ProfileBuilder(_schema(df), ScanPlan(labels=True))
    for b in df.to_arrow().to_batches(max_chunksize=700):
        builder.add(b)
    lc = builder.finish().label_conflicts
    assert lc is not None and lc.exact
    assert (lc.rows, lc.groups, lc.conflicting_groups, lc.conflicting_rows) == _oracle(df)
