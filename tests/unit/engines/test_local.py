"""The local streaming engine: one and two passes over record batches."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from mlaudit.data._types import ColumnSchema, ColumnType, Schema
from mlaudit.engines._local import CACHE_BYTES, BatchSource, derive_second_pass, profile, scan
from mlaudit.summary import ScanPlan, profile_frame


class FrameSource:
    """Re-iterable batches of a frame; counts how often it was read."""

    def __init__(self, df: pl.DataFrame, size: int) -> None:
        self.df, self.size, self.reads = df, size, 0

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.reads += 1
        for i in range(0, self.df.height, self.size):
            yield from self.df.slice(i, self.size).to_arrow().to_batches()


@pytest.fixture
def data() -> tuple[pl.DataFrame, Schema]:
    rng = np.random.default_rng(9)
    n = 20_000
    x = rng.standard_cauchy(n)
    df = pl.DataFrame({"x": x, "k": rng.integers(1, 6, n), "c": rng.choice(["p", "q"], n)})
    schema = Schema(
        columns=[
            ColumnSchema(name="x", dtype="double", type=ColumnType.NUMERIC),
            ColumnSchema(name="k", dtype="int64", type=ColumnType.INTEGER),
            ColumnSchema(name="c", dtype="large_string", type=ColumnType.CATEGORICAL),
        ]
    )
    return df, schema


def test_scan_matches_single_frame(data: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = data
    src = FrameSource(df, 3_000)
    assert isinstance(src, BatchSource)
    seen: list[int] = []
    p = scan(src, schema, ScanPlan(), on_rows=seen.append)
    whole = profile_frame(df, schema)
    assert sum(seen) == df.height
    assert p.n_rows == df.height
    assert p.columns["x"].numeric.moments.mean == pytest.approx(df["x"].mean(), rel=1e-9)  # type: ignore[union-attr]
    assert p.columns["c"].categories == whole.columns["c"].categories
    assert p.sample is not None
    assert whole.sample is not None
    assert p.sample.equals(whole.sample)


@pytest.mark.parametrize(("cache_bytes", "reads"), [(CACHE_BYTES, 1), (0, 2), (100_000, 2)])
def test_two_passes_fill_histograms_outliers_rules(
    data: tuple[pl.DataFrame, Schema], cache_bytes: int, reads: int
) -> None:
    # pass 2 from the columns kept in memory (read once), or from the source again when the
    # budget is 0 or too small for the 20,000 rows (about 0.5 MB)
    df, schema = data
    src = FrameSource(df, 4_096)
    p = profile(src, schema, ScanPlan(rules={"k_small": "k < 5"}), cache_bytes=cache_bytes)
    assert src.reads == reads
    x = df["x"].to_numpy()
    h = p.columns["x"].histogram
    assert h is not None
    assert len(h.edges) == 31
    assert h.edges[0] == x.min()
    assert h.edges[-1] == x.max()
    assert h.counts == np.histogram(x, bins=h.edges)[0].tolist()
    o = p.columns["x"].outliers
    assert o is not None
    assert o.method == "robust-iqr(k=3)"
    num = p.columns["x"].numeric
    assert num is not None
    q10, q1, q50, q3, q90 = np.quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9], method="inverted_cdf")
    to_iqr = 2 * 0.6744897501960817 / 1.2815515655446004  # normal IQR over (Q90 - Q50)
    lo, hi = max(q3 - q1, to_iqr * (q50 - q10)), max(q3 - q1, to_iqr * (q90 - q50))
    assert o.lower_fence == pytest.approx(q1 - 3 * lo, rel=1e-9)
    assert o.upper_fence == pytest.approx(q3 + 3 * hi, rel=1e-9)
    assert (o.below, o.above) == (int((x < o.lower_fence).sum()), int((x > o.upper_fence).sum()))
    assert o.examples[0][1] in (x.min(), x.max())
    k = df["k"].to_numpy()
    hk = p.columns["k"].histogram
    assert hk is not None
    assert hk.edges == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]
    assert hk.counts == [int((k == v).sum()) for v in range(1, 6)]
    assert p.rule_violations == {"k_small": int((k >= 5).sum())}
    assert p.rule_examples["k_small"] == np.flatnonzero(k >= 5)[:5].tolist()


def test_reference_edges_and_fences_from_current(data: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = data
    ref = profile_frame(df.with_columns(pl.col("x") / 10), schema)
    cur = profile_frame(df, schema)
    plan = derive_second_pass(cur, ScanPlan(histogram_edges={"k": [0.0, 10.0]}), reference=ref)
    rx = ref.columns["x"].numeric
    assert rx is not None
    e, own = plan.histogram_edges["x"], np.linspace(rx.min, rx.max, 31)
    # the reference's 30 bins, extended by bins of its width to the current's range (10 times
    # wider): capped at 30 on each side, the top reference edge one ulp up
    width = own[1] - own[0]
    k_lo = min(math.ceil((rx.min - df["x"].min()) / width), 30)
    k_hi = min(math.ceil((df["x"].max() - rx.max) / width), 30)
    assert len(e) == 31 + k_lo + k_hi and k_lo > 0 and k_hi > 0
    assert e[k_lo : k_lo + 30] == pytest.approx(own[:-1].tolist())
    assert e[k_lo + 30] == math.nextafter(rx.max, math.inf)
    assert np.diff(e) == pytest.approx(np.full(len(e) - 1, width), rel=1e-9)
    assert plan.histogram_edges["k"] == [0.0, 10.0]
    assert "c" not in plan.histogram_edges
    p = profile(FrameSource(df, 5_000), schema, ScanPlan(), reference=ref)
    h = p.columns["x"].histogram
    assert h is not None
    assert h.below + h.above + sum(h.counts) == df.height
    assert h.below == int((df["x"] < h.edges[0]).sum())


def test_kept_columns_give_the_same_profile_as_a_second_read(
    data: tuple[pl.DataFrame, Schema],
) -> None:
    df, schema = data
    ref = profile_frame(df.with_columns(pl.col("x") * 2), schema)
    plan = ScanPlan(histogram_edges={"k": [0.0, 10.0]}, outlier_fences={"x": (-5.0, 5.0, "fixed")})
    once_src, twice_src = FrameSource(df, 3_000), FrameSource(df, 3_000)
    once = profile(once_src, schema, plan, reference=ref)
    twice = profile(twice_src, schema, plan, reference=ref, cache_bytes=0)
    assert (once_src.reads, twice_src.reads) == (1, 2)
    for name in ("x", "k", "c"):
        assert once.columns[name].histogram == twice.columns[name].histogram, name
        assert once.columns[name].outliers == twice.columns[name].outliers, name
    assert once.plan == twice.plan
    assert once.columns["c"].histogram is None  # a string column: not kept, not binned
    hk = once.columns["k"].histogram
    assert hk is not None and hk.edges == [0.0, 10.0] and hk.counts == [df.height]
    xo = once.columns["x"].outliers
    assert xo is not None and xo.method == "fixed"
    x = df["x"].to_numpy()
    assert (xo.below, xo.above) == (int((x < -5).sum()), int((x > 5).sum()))


def test_empty_source(data: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = data
    p = profile(FrameSource(df.head(0), 10), schema, ScanPlan())
    assert p.n_rows == 0
    assert p.columns["x"].histogram is None


class FailingSource(FrameSource):
    """Fails on its second read, after one batch: pass 2 (read ahead) must raise it."""

    def batches(self) -> Iterator[pa.RecordBatch]:
        second_read = self.reads == 1  # super().batches() counts this read
        for i, batch in enumerate(super().batches()):
            if second_read and i == 1:
                raise OSError("disk gone")
            yield batch


def test_a_read_error_in_pass_two_reaches_the_caller(data: tuple[pl.DataFrame, Schema]) -> None:
    df, schema = data
    src = FailingSource(df, 3_000)
    with pytest.raises(OSError, match="disk gone"):
        profile(src, schema, ScanPlan(), cache_bytes=0)


def test_read_ahead_keeps_order_and_stops_early(data: tuple[pl.DataFrame, Schema]) -> None:
    import threading

    from mlaudit.engines._local import _read_ahead

    df, _ = data
    src = FrameSource(df, 1_000)
    frames = list(_read_ahead(src))
    assert pl.concat(frames).equals(df)
    before = threading.active_count()
    it = _read_ahead(FrameSource(df, 1_000))
    next(it)
    it.close()  # the consumer stops after one batch: the reader thread must end
    assert threading.active_count() <= before
