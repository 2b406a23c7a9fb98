"""Histogram bins cover both periods: the reference's bins extended to the current's range."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from mlaudit.checks._base import CheckContext
from mlaudit.checks.drift.univariate import UnivariateDrift
from mlaudit.checks.quality.value_range import ValueRange
from mlaudit.data import Dataset
from mlaudit.data._schema import infer_schema
from mlaudit.engines._local import profile
from mlaudit.report._chartdata import distribution_rows
from mlaudit.results import DistributionDetail
from mlaudit.summary import DatasetProfile, Histogram, ScanPlan, reference_over


def _profiles(
    ref_x: np.ndarray, cur_x: np.ndarray, cache_bytes: int = 2**28
) -> tuple[DatasetProfile, DatasetProfile, CheckContext]:
    ref_df, cur_df = pl.DataFrame({"t": ref_x}), pl.DataFrame({"t": cur_x})
    schema = infer_schema(Dataset(ref_df))
    rp = profile(Dataset(ref_df), schema, ScanPlan(), cache_bytes=cache_bytes)
    cp = profile(Dataset(cur_df), schema, ScanPlan(), reference=rp, cache_bytes=cache_bytes)
    return rp, cp, CheckContext(current=cp, schema=schema, reference=rp, reference_schema=schema)


def _hists(rp: DatasetProfile, cp: DatasetProfile) -> tuple[Histogram, Histogram, slice]:
    rh, ch = rp.columns["t"].histogram, cp.columns["t"].histogram
    assert rh is not None and ch is not None
    common = reference_over(rh, ch)
    assert common is not None
    return common[0], ch, common[1]


@pytest.mark.parametrize("cache_bytes", [0, 2**28])
def test_current_outside_the_reference_range_is_binned(cache_bytes: int) -> None:
    rng = np.random.default_rng(3)
    ref_x = rng.uniform(20, 60, 2_000)
    cur_x = np.concatenate([rng.uniform(70, 90, 1_000), [ref_x.max(), ref_x.min()]])
    rp, cp, _ = _profiles(ref_x, cur_x, cache_bytes)
    rh, ch, own = _hists(rp, cp)
    edges = np.asarray(ch.edges)
    width = (ref_x.max() - ref_x.min()) / 30
    assert np.diff(edges) == pytest.approx(np.full(edges.size - 1, width), rel=1e-9)
    assert own == slice(0, 30)  # nothing below; bins added above up to 90
    assert edges[-1] >= cur_x.max() and edges[-2] < cur_x.max()
    # numpy's counts over the same edges, for both periods; nothing left outside
    assert ch.counts == np.histogram(cur_x, edges)[0].tolist() and ch.below == ch.above == 0
    assert rh.counts == np.histogram(ref_x, edges)[0].tolist()
    # the reference maximum is in the reference's last (closed) bin in both periods
    assert ch.counts[29] == int(((cur_x >= edges[29]) & (cur_x <= ref_x.max())).sum()) >= 1
    assert sum(rh.counts[30:]) == 0


def test_added_bins_are_capped_and_the_rest_is_an_open_bin() -> None:
    rng = np.random.default_rng(4)
    ref_x = rng.normal(0, 1, 1_000)
    cur_x = np.concatenate([rng.normal(0, 1, 1_000), [-1e9, 1e9, 2e9]])
    rp, cp, ctx = _profiles(ref_x, cur_x)
    _, ch, own = _hists(rp, cp)
    assert own.start <= 30 and len(ch.counts) - own.stop <= 30
    assert (ch.below, ch.above) == (1, 2)
    inside = cur_x[(cur_x >= ch.edges[0]) & (cur_x <= ch.edges[-1])]
    assert ch.counts == np.histogram(inside, np.asarray(ch.edges))[0].tolist()
    (drift,) = UnivariateDrift(columns=["t"]).compute(ctx)  # type: ignore[misc]
    dist = next(d for d in drift.details if isinstance(d, DistributionDetail))
    assert dist.counts["current"][0] == 1 and dist.counts["current"][-1] == 2
    assert dist.counts["reference"][0] == dist.counts["reference"][-1] == 0
    assert sum(dist.counts["current"]) == cur_x.size
    assert "first bin is open" in (dist.title or "") and "last bin is open" in (dist.title or "")


def test_both_periods_have_bars_in_the_drift_chart() -> None:
    rng = np.random.default_rng(5)
    ref_x, cur_x = rng.uniform(0, 1, 800), rng.uniform(1.5, 2.0, 800)
    _, _, ctx = _profiles(ref_x, cur_x)
    (drift,) = UnivariateDrift(columns=["t"]).compute(ctx)  # type: ignore[misc]
    dist = next(d for d in drift.details if isinstance(d, DistributionDetail))
    rows = distribution_rows(dist)
    for period, x in (("reference", ref_x), ("current", cur_x)):
        got = [(lo, share) for s, lo, _, share in rows.bins if s == period]
        assert sum(share or 0.0 for _, share in got) == pytest.approx(1.0)
        expected = np.histogram(x, np.asarray(dist.edges))[0] / x.size
        assert [share for _, share in got] == pytest.approx(expected.tolist())
    assert "current outside the reference range: 0 below, 800 above" in (dist.title or "")


def test_value_range_counts_the_added_bins_as_outside() -> None:
    rng = np.random.default_rng(6)
    ref_x = rng.uniform(10, 20, 1_000)
    cur_x = np.concatenate([rng.uniform(8, 22, 1_000), [ref_x.max(), math.inf]])
    _, _, ctx = _profiles(ref_x, cur_x)
    (r,) = ValueRange(columns=["t"]).compute(ctx)  # type: ignore[misc]
    assert r.metrics["below"] == int((cur_x < ref_x.min()).sum())
    assert r.metrics["above"] == int((cur_x > ref_x.max()).sum())
    assert r.exact
    chart = next(d for d in r.details if isinstance(d, DistributionDetail))
    assert chart.counts["reference"] == [
        float(c) for c in np.histogram(ref_x, np.asarray(chart.edges))[0]
    ]


def test_reference_over_refuses_edges_of_another_form() -> None:
    ref = Histogram([0.0, 1.0, 2.0], [3, 4])
    assert reference_over(ref, Histogram([0.0, 1.0, 2.0, 3.0], [1, 1, 1])) is None  # top not moved
    up = math.nextafter(2.0, math.inf)
    got = reference_over(ref, Histogram([-1.0, 0.0, 1.0, up, 3.0], [1, 1, 1, 1]))
    assert got is not None and got[0].counts == [0, 3, 4, 0] and got[1] == slice(1, 3)
    assert reference_over(Histogram([0.0, 1.0, 2.0], [3, 4], below=1), got[0]) is None
