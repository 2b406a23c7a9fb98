"""quality.row_anomalies: a clean Gaussian sample passes, a planted far cluster is found."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from tests.unit.checks._schemas import simple_schema

from mlaudit.checks._base import CheckContext
from mlaudit.checks.quality.row_anomalies import RowAnomalies, anomaly_features, isolation_scores
from mlaudit.data._types import Role
from mlaudit.results import ExamplesDetail, Status
from mlaudit.summary import profile_frame

N, D = 5_000, 5


def _ctx(df: pl.DataFrame, seed: int = 0, **kw: object) -> CheckContext:
    schema = simple_schema(df, **kw)  # type: ignore[arg-type]
    return CheckContext(current=profile_frame(df, schema), schema=schema, seed=seed)


def _gauss(planted: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(N, D))
    x[:planted] = rng.normal(loc=6.0, scale=0.3, size=(planted, D))
    return pl.DataFrame({f"f{j}": x[:, j] for j in range(D)})


def test_clean_gaussian_sample_passes() -> None:
    r = RowAnomalies().compute(_ctx(_gauss()))
    assert r.status is Status.PASS
    assert r.metrics["sample_rows"] == N
    assert r.metrics["features"] == D
    assert (r.metrics["flagged_share"] or 0) < 0.015
    assert not r.exact
    assert f"{N:,} of {N:,}" in r.message


def test_planted_cluster_is_found() -> None:
    planted = int(0.02 * N)
    df = _gauss(planted)
    r = RowAnomalies().compute(_ctx(df))
    assert r.status is Status.WARN
    # recall: every planted row is flagged (oracle: the planting)
    fm = anomaly_features(df, simple_schema(df))
    flagged = np.flatnonzero(isolation_scores(fm.x, seed=0) < -0.6)
    assert set(range(planted)) <= set(flagged.tolist())
    assert (r.metrics["flagged"] or 0) >= planted
    ex = next(d for d in r.details if isinstance(d, ExamplesDetail))
    assert len(ex.rows) == 10
    assert ex.columns[:4] == ["row", "anomaly_score", "flagged", "top_features"]
    assert all(row[0] < planted for row in ex.rows)  # the most anomalous rows are planted ones
    assert all(row[2] is True for row in ex.rows)
    assert all("z=+" in str(row[3]) for row in ex.rows)
    scores = [row[1] for row in ex.rows]
    assert scores == sorted(scores)  # type: ignore[type-var]


def test_seeded_and_deterministic() -> None:
    df = _gauss(100)
    a = RowAnomalies().compute(_ctx(df, seed=3))
    b = RowAnomalies().compute(_ctx(df, seed=3))
    assert a.model_dump() == b.model_dump()


def test_feature_selection_excludes_roles_and_personal_and_one_hots() -> None:
    df = _gauss().with_columns(
        pl.Series("target", [0.0, 1.0] * (N // 2)),
        pl.Series("salary", np.arange(N, dtype=float)),
        pl.Series("region", ["north", "south", None, "east"] * (N // 4)),
        pl.Series("street", [f"s{i}" for i in range(N)]),
    )
    schema = simple_schema(df, roles={"target": Role.TARGET}, personal=("salary",))
    fm = anomaly_features(df, schema)
    assert fm.names == [*(f"f{j}" for j in range(D)), "region=east", "region=north", "region=south"]
    assert fm.x[2, D:].tolist() == [0.0, 0.0, 0.0]  # null region: no level
    assert fm.x[0, D:].tolist() == [0.0, 1.0, 0.0]


def test_edge_inputs() -> None:
    few_rows = _gauss().head(20)
    assert RowAnomalies().compute(_ctx(few_rows)).status is Status.SKIPPED
    two_features = _gauss().select("f0", "f1")
    r = RowAnomalies().compute(_ctx(two_features))
    assert r.status is Status.SKIPPED
    assert "quality.outliers" in r.message
    nasty = (
        _gauss()
        .head(200)
        .with_columns(
            pl.when(pl.int_range(pl.len()) % 7 == 0).then(None).otherwise(pl.col("f0")).alias("f0"),
            pl.when(pl.int_range(pl.len()) == 3)
            .then(float("inf"))
            .otherwise(pl.col("f1"))
            .alias("f1"),
            pl.lit(1.0).alias("const"),
            pl.lit(None, dtype=pl.Float64).alias("ñull"),
        )
    )
    assert RowAnomalies().compute(_ctx(nasty)).status in (Status.PASS, Status.WARN)


def test_cluster_ratio_separates_a_planted_ring_from_scattered_anomalies() -> None:
    from scipy.spatial.distance import cdist, pdist

    from mlaudit.checks.quality.row_anomalies import FeatureMatrix, cluster_ratio

    rng = np.random.default_rng(3)
    x = rng.normal(size=(2_000, 5))
    x[:10] = 8.0 + 0.05 * rng.normal(size=(10, 5))  # a ring of near-identical rows
    scores = -np.linalg.norm(x, axis=1)  # the ring is the most anomalous
    fm = FeatureMatrix(x, [f"f{i}" for i in range(5)], x, [f"f{i}" for i in range(5)])
    ring = cluster_ratio(fm, scores, seed=0)
    # oracle: scipy distances, all other rows as the comparison set
    expected = np.median(pdist(x[:10])) / np.median(cdist(x[:10], x[10:]))
    assert ring == pytest.approx(expected, rel=0.1)
    assert ring < 0.4
    y = rng.standard_t(3, size=(2_000, 5))  # scattered heavy-tailed anomalies, no ring
    fy = FeatureMatrix(y, fm.names, y, fm.z_names)
    assert cluster_ratio(fy, -np.linalg.norm(y, axis=1), seed=0) > 0.6
