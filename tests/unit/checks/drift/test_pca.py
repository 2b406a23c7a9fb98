"""drift.pca: figures against a numpy SVD written from the definition, a broken correlation is
found, one distribution passes, edge inputs are skipped."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy import stats

from mlaudit.checks._base import CheckContext, list_checks
from mlaudit.checks.drift.multivariate import drift_columns
from mlaudit.checks.drift.pca import PCADrift, reconstruction_errors, standardised_numeric
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.results import SeriesDetail, Status, TableDetail
from mlaudit.summary import profile_frame

_LOAD = np.array([[1.0, 0.9, 0.8, 0.0, 0.1, 0.5], [0.0, 0.3, 0.5, 1.0, 0.9, -0.5]])


def _schema(df: pl.DataFrame, roles: dict[str, Role] | None = None) -> Schema:
    roles = roles or {}
    return Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="large_string" if df.schema[c] == pl.String else "double",
                type=ColumnType.CATEGORICAL if df.schema[c] == pl.String else ColumnType.NUMERIC,
                role=roles.get(c, Role.FEATURE),
            )
            for c in df.columns
        ]
    )


def _ctx(ref: pl.DataFrame, cur: pl.DataFrame, seed: int = 0, **kw: object) -> CheckContext:
    schema = _schema(ref, **kw)  # type: ignore[arg-type]
    return CheckContext(
        current=profile_frame(cur, schema),
        reference=profile_frame(ref, schema),
        schema=schema,
        seed=seed,
    )


def _frame(n: int, seed: int, *, broken: bool = False) -> pl.DataFrame:
    """Six columns driven by two latent factors; ``broken`` shuffles f1 (same marginal)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)) @ _LOAD + 0.3 * rng.normal(size=(n, 6))
    if broken:
        x[:, 1] = rng.permutation(x[:, 1])
    return pl.DataFrame({f"f{j}": x[:, j] for j in range(6)})


def _oracle(ref: np.ndarray, cur: np.ndarray, seed: int) -> dict[str, float]:
    """The method from its definition with numpy only (SVD, no scikit-learn)."""
    mu, sd = ref.mean(axis=0), ref.std(axis=0)
    zr, zc = (ref - mu) / sd, (cur - mu) / sd
    centre = zr.mean(axis=0)
    _, s, vt = np.linalg.svd(zr - centre, full_matrices=False)
    share = s**2 / np.sum(s**2)
    k = int(np.searchsorted(np.cumsum(share), 0.9) + 1)
    v = vt[:k].T

    def err(z: np.ndarray) -> np.ndarray:
        back = (z - centre) @ v @ v.T + centre
        return ((z - back) ** 2).mean(axis=1)

    er, ec = err(zr), err(zc)
    order = np.random.default_rng(seed).permutation(len(er))
    means = np.array([er[i].mean() for i in np.array_split(order, 10)])
    return {
        "reference_error": er.mean(),
        "current_error": ec.mean(),
        "upper_limit": means.mean() + 3 * means.std(ddof=1),
        "lower_limit": max(0.0, means.mean() - 3 * means.std(ddof=1)),
        "components": k,
        "explained_variance": float(np.cumsum(share)[k - 1]),
    }


def _samples(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray]:
    assert ctx.reference is not None and ctx.reference.sample is not None
    assert ctx.current.sample is not None
    cols = [f"f{j}" for j in range(6)]
    return ctx.reference.sample.select(cols).to_numpy(), ctx.current.sample.select(cols).to_numpy()


def test_metrics_match_numpy_svd() -> None:
    ctx = _ctx(_frame(1000, 1), _frame(700, 2, broken=True), seed=3)
    r = PCADrift().compute(ctx)
    want = _oracle(*_samples(ctx), seed=3)
    for name, value in want.items():
        assert r.metrics[name] == pytest.approx(value, rel=1e-9), name
    assert (r.metrics["n_reference"], r.metrics["n_current"], r.metrics["features"]) == (
        1000,
        700,
        6,
    )


@pytest.mark.parametrize("variance", [0.6, 0.9, 0.97])
def test_reconstruction_errors_equal_scikit_learn(variance: float) -> None:
    from sklearn.decomposition import PCA

    ctx = _ctx(_frame(1500, 11), _frame(900, 12, broken=True))
    ref, cur, kept, _ = standardised_numeric(
        ctx.reference.sample,  # type: ignore[union-attr, arg-type]
        ctx.current.sample,  # type: ignore[arg-type]
        drift_columns(ctx, None),
    )
    errs = reconstruction_errors(ref, cur, variance=variance)
    sk = PCA(n_components=variance, svd_solver="full").fit(ref)

    def squared(x: np.ndarray) -> np.ndarray:
        return (x - sk.inverse_transform(sk.transform(x))) ** 2

    assert len(kept) == 6
    assert errs.components == sk.n_components_
    assert errs.explained_variance == pytest.approx(sk.explained_variance_ratio_.sum(), rel=1e-9)
    for ours, x in ((errs.reference, ref), (errs.current, cur)):
        np.testing.assert_allclose(ours, squared(x).mean(axis=1), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(errs.current_by_column, squared(cur).mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(errs.reference_by_column, squared(ref).mean(axis=0), rtol=1e-9)


def test_broken_correlation_with_the_same_marginal_warns() -> None:
    ref, cur = _frame(2000, 4), _frame(2000, 5, broken=True)
    assert stats.ks_2samp(ref["f1"].to_numpy(), cur["f1"].to_numpy()).pvalue > 0.01
    r = PCADrift().compute(_ctx(ref, cur))
    assert r.status is Status.WARN
    assert (r.metrics["current_error"] or 0) > (r.metrics["upper_limit"] or 1)
    table = next(d for d in r.details if isinstance(d, TableDetail))
    assert table.rows[0][0] == "f1"
    series = next(d for d in r.details if isinstance(d, SeriesDetail))
    assert len(series.x) == 10
    assert series.limits["upper"] == r.metrics["upper_limit"]


def test_collapsed_noise_warns_below() -> None:
    # same two factors, a third of the noise: rows sit closer to the reference's plane
    ref = _frame(2000, 6)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 2)) @ _LOAD + 0.1 * rng.normal(size=(2000, 6))
    cur = pl.DataFrame({f"f{j}": x[:, j] for j in range(6)})
    ctx = _ctx(ref, cur)
    r = PCADrift().compute(ctx)
    assert r.status is Status.WARN
    assert "below the lower limit" in r.message
    want = _oracle(*_samples(ctx), seed=0)
    assert r.metrics["current_error"] == pytest.approx(want["current_error"], rel=1e-9)
    assert (r.metrics["current_error"] or 1) < want["lower_limit"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_same_distribution_passes(seed: int) -> None:
    r = PCADrift().compute(_ctx(_frame(2000, 100 + seed), _frame(2000, 200 + seed), seed=seed))
    assert r.status is Status.PASS, r.message


def test_deterministic_and_roles_respected() -> None:
    ref, cur = _frame(500, 7), _frame(500, 8)
    ref = ref.with_columns(t=pl.Series(np.arange(500.0)))
    cur = cur.with_columns(t=pl.Series(np.arange(500.0, 1000.0)))
    a = PCADrift().compute(_ctx(ref, cur, seed=2, roles={"t": Role.TIMESTAMP}))
    b = PCADrift().compute(_ctx(ref, cur, seed=2, roles={"t": Role.TIMESTAMP}))
    assert a.model_dump() == b.model_dump()
    assert a.metrics["features"] == 6


def test_nan_inf_and_constant_columns_do_not_crash() -> None:
    ref, cur = _frame(300, 9), _frame(300, 10)
    f0 = cur["f0"].to_numpy().copy()
    f0[:5] = np.nan
    f0[5] = np.inf
    f0[6] = -np.inf
    ref = ref.with_columns(k=pl.lit(1.0), e=pl.lit(None, dtype=pl.Float64))
    cur = cur.with_columns(f0=pl.Series(f0), k=pl.lit(1.0), e=pl.lit(None, dtype=pl.Float64))
    r = PCADrift().compute(_ctx(ref, cur))
    assert r.status in (Status.PASS, Status.WARN)
    assert r.metrics["features"] == 6
    assert all(np.isfinite(v) for v in r.metrics.values() if v is not None)  # type: ignore[arg-type]
    assert "k (constant" in r.details[-1].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("ref_cols", "n_ref", "n_cur", "reason"),
    [
        (["f0", "f1"], 40, 300, "reference sample has 40 rows"),
        (["f0", "f1"], 300, 0, "current sample has 0 rows"),
        (["f0", "s"], 300, 300, "1 usable numeric feature"),
        (["s", "k"], 300, 300, "0 usable numeric feature"),
    ],
)
def test_edge_inputs_are_skipped(ref_cols: list[str], n_ref: int, n_cur: int, reason: str) -> None:
    def make(n: int, seed: int) -> pl.DataFrame:
        return _frame(n, seed).with_columns(s=pl.lit("x"), k=pl.lit(2.0)).select(ref_cols)

    r = PCADrift().compute(_ctx(make(n_ref, 1), make(n_cur, 2)))
    assert r.status is Status.SKIPPED
    assert reason in r.message


def test_no_reference_and_registration() -> None:
    df = _frame(100, 1)
    schema = _schema(df)
    ctx = CheckContext(current=profile_frame(df, schema), schema=schema)
    assert PCADrift().compute(ctx).status is Status.SKIPPED
    assert PCADrift in list_checks()
    with pytest.raises(ValueError):
        PCADrift(variance=1.0)


def test_never_keeps_every_component() -> None:
    # Two independent columns: one component explains ~50%, so 90% would need both, which
    # rebuild every row exactly (error ~1e-31). At most p - 1 = 1 is kept; the residual is the
    # second component's share of the variance, by numpy's SVD as the oracle.
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(2000, 2))
    ref = (ref - ref.mean(axis=0)) / ref.std(axis=0)
    errs = reconstruction_errors(ref, ref, variance=0.9)
    assert errs.components == 1
    s = np.linalg.svd(ref - ref.mean(axis=0), compute_uv=False)
    # mean over rows and columns of the squared residual = s_2^2 / (n p)
    assert errs.reference.mean() == pytest.approx(s[1] ** 2 / (2000 * 2), rel=1e-9)
    assert errs.explained_variance == pytest.approx(s[0] ** 2 / np.sum(s**2), rel=1e-9)


def test_values_near_the_float_limit_are_standardised_not_called_constant() -> None:
    # Their standard deviation overflows float64 when computed directly; in units of the
    # largest value it does not, and z-scores do not depend on the unit.
    rng = np.random.default_rng(0)
    base = rng.uniform(1.0, 1.7, size=300)
    ref = pl.DataFrame({"h": base * 1e308, "x": rng.normal(size=300)})
    cur = pl.DataFrame({"h": rng.uniform(1.0, 1.7, size=300) * 1e308, "x": rng.normal(size=300)})
    cols = [ColumnSchema(name=n, dtype="double", type=ColumnType.NUMERIC) for n in ("h", "x")]
    r, _, names, dropped = standardised_numeric(ref, cur, cols)
    assert names == ["h", "x"] and dropped == {}
    expected = (base - base.mean()) / base.std()  # the same column in ordinary units
    assert np.allclose(r[:, 0], expected, rtol=1e-9, atol=1e-9)
