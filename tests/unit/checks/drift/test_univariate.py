"""drift.univariate: exact vs scipy, planted drifts, false alarms, effect floor, bad input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
import pytest
from scipy import stats
from scipy.stats.contingency import association

from mlaudit.checks._base import CheckContext, check_class
from mlaudit.checks.drift.univariate import UnivariateDrift
from mlaudit.data import Dataset
from mlaudit.data._schema import infer_schema
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.engines._local import profile
from mlaudit.results import CheckResult, DistributionDetail, Status, TableDetail
from mlaudit.summary import profile_frame
from mlaudit.summary._model import ScanPlan

Make = Callable[..., CheckContext]


def _context(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    *,
    schema: Schema | None = None,
    reference_schema: Schema | None = None,
) -> CheckContext:
    """Profiles as the audit builds them: two passes, current binned on the reference's edges."""
    rs = reference_schema or schema or infer_schema(Dataset(reference))
    cs = schema or infer_schema(Dataset(current))
    rp = profile(Dataset(reference), rs, ScanPlan())
    cp = profile(Dataset(current), cs, ScanPlan(), reference=rp)
    return CheckContext(current=cp, schema=cs, reference=rp, reference_schema=rs)


@pytest.fixture
def make_context() -> Make:
    return _context


def _run(ctx: CheckContext, **kw: object) -> dict[str, CheckResult]:
    return {r.column or "": r for r in UnivariateDrift(**kw).compute(ctx)}  # type: ignore[arg-type]


def _num_schema(*names: str, roles: dict[str, Role] | None = None) -> Schema:
    roles = roles or {}
    return Schema(
        columns=[
            ColumnSchema(
                name=n, dtype="double", type=ColumnType.NUMERIC, role=roles.get(n, Role.FEATURE)
            )
            for n in names
        ]
    )


def test_registered() -> None:
    assert check_class("drift.univariate") is UnivariateDrift
    assert UnivariateDrift.needs_reference


def test_planted_drifts_found_and_exact_against_scipy(make_context: Make) -> None:
    rng = np.random.default_rng(1)
    n = 4000
    ref = pl.DataFrame(
        {
            "same": rng.normal(0, 1, n),
            "mean": rng.normal(0, 1, n),
            "var": rng.normal(0, 1, n),
            "newcat": rng.choice(["a", "b", "c"], n),
            "freq": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
        }
    )
    cur = pl.DataFrame(
        {
            "same": rng.normal(0, 1, n),
            "mean": rng.normal(0.5, 1, n),
            "var": rng.normal(0, 2, n),
            "newcat": rng.choice(["a", "b", "c", "d"], n, p=[0.3, 0.3, 0.2, 0.2]),
            "freq": rng.choice(["a", "b", "c"], n, p=[0.35, 0.35, 0.3]),
        }
    )
    res = _run(make_context(ref, cur))
    assert res["same"].status == Status.PASS
    for col in ("mean", "var", "newcat", "freq"):
        assert res[col].status in (Status.WARN, Status.FAIL), res[col].message
        assert res[col].metrics["drifted"] == 1
    # exact path: scipy's KS on the raw values
    for col in ("same", "mean", "var"):
        ks = stats.ks_2samp(ref[col].to_numpy(), cur[col].to_numpy())
        m = res[col].metrics
        assert m["statistic"] == pytest.approx(ks.statistic, abs=1e-9)
        assert m["p_value"] == pytest.approx(ks.pvalue, abs=1e-9)
        w = stats.wasserstein_distance(ref[col].to_numpy(), cur[col].to_numpy())
        assert m["wasserstein_normalized"] == pytest.approx(w / ref[col].std(), rel=1e-9)
        assert res[col].exact
    # BH across the five tested columns equals scipy's
    raw = [res[c].metrics["p_value"] for c in ("same", "mean", "var", "newcat", "freq")]
    adj = stats.false_discovery_control(np.array(raw, dtype=float), method="bh")
    got = [res[c].metrics["p_value_adjusted"] for c in ("same", "mean", "var", "newcat", "freq")]
    assert np.allclose(got, adj, rtol=1e-12, atol=0)
    # chi-square and Cramér's V against scipy; new category listed
    table = np.array(
        [[(ref["freq"] == k).sum() for k in "abc"], [(cur["freq"] == k).sum() for k in "abc"]]
    )
    chi = stats.chi2_contingency(table, correction=False)
    assert res["freq"].metrics["statistic"] == pytest.approx(chi.statistic, rel=1e-12)
    assert res["freq"].metrics["effect_size"] == pytest.approx(
        association(table, method="cramer", correction=False)
    )
    changes = [d for d in res["newcat"].details if isinstance(d, TableDetail)]
    assert changes and changes[0].rows[0][:2] == ["d", "new"]
    assert "Why this method" in res["mean"].message and "Kolmogorov" in res["mean"].message
    dist = next(d for d in res["mean"].details if isinstance(d, DistributionDetail))
    # both periods binned over the reference's bins extended to the current's range: numpy's
    # counts over the same edges, every current value in a bin
    assert "open" not in (dist.title or "") and "more of the same width" in (dist.title or "")
    for period, df in (("reference", ref), ("current", cur)):
        expected, _ = np.histogram(df["mean"].to_numpy(), bins=np.asarray(dist.edges))
        assert dist.counts[period] == [float(c) for c in expected]
        assert sum(dist.counts[period]) == df.height


def test_g_test_and_distances(make_context: Make) -> None:
    rng = np.random.default_rng(2)
    ref = pl.DataFrame({"c": rng.choice(["a", "b"], 500), "x": rng.normal(0, 1, 500)})
    cur = pl.DataFrame({"c": rng.choice(["a", "b"], 500, p=[0.7, 0.3]), "x": rng.normal(1, 1, 500)})
    ctx = make_context(ref, cur)
    g = _run(ctx, method="g_test")
    table = np.array([[(ref["c"] == k).sum() for k in "ab"], [(cur["c"] == k).sum() for k in "ab"]])
    exp = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    assert g["c"].metrics["statistic"] == pytest.approx(exp.statistic, rel=1e-12)
    assert g["c"].params["method_used"] == "g_test"
    assert g["x"].params["method_used"] == "ks"  # g_test does not apply to numeric: auto
    p = _run(ctx, method="psi")
    assert (
        p["x"].metrics["p_value"] is None and p["x"].metrics["statistic"] == p["x"].metrics["psi"]
    )
    assert p["x"].status == Status.FAIL  # a 1-sd shift: PSI far above 0.25
    bad = _run(ctx, column_methods={"c": "ks"})
    assert bad["c"].status == Status.SKIPPED and "does not apply" in bad["c"].message


def test_false_alarm_rate_with_bh_over_30_seeds() -> None:
    """Family-wise: the share of seeds with any false alarm among 20 null columns <= alpha."""
    names = [f"x{i}" for i in range(20)]
    schema = _num_schema(*names)
    any_alarm = {"bh": 0, "none": 0}
    per_column = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        ref = pl.DataFrame({n: rng.normal(0, 1, 200) for n in names})
        cur = pl.DataFrame({n: rng.normal(0, 1, 200) for n in names})
        ctx = CheckContext(
            current=profile_frame(cur, schema), schema=schema, reference=profile_frame(ref, schema)
        )
        for corr in ("bh", "none"):
            res = _run(ctx, correction=corr, min_effect_numeric=0.0)  # the test alone decides
            alarms = sum(r.metrics["drifted"] for r in res.values())  # type: ignore[misc]
            any_alarm[corr] += alarms > 0
            per_column += alarms if corr == "bh" else 0
    # Per-column rate (the asserted criterion): false alarms / (30 seeds x 20 columns) <= alpha.
    assert per_column / (30 * 20) <= 0.05
    # Family-wise: under the complete null BH's family-wise rate equals alpha, so the number of
    # seeds with any alarm is Binomial(30, 0.05); it stays within that law's 99% quantile.
    assert any_alarm["bh"] <= stats.binom.ppf(0.99, 30, 0.05)
    assert any_alarm["none"] / 30 > 0.3  # without correction most seeds raise a false alarm


def test_floor_ignores_trivial_shift_on_1m_rows_and_sketch_bound(make_context: Make) -> None:
    rng = np.random.default_rng(5)
    ref = rng.normal(0, 1, 1_000_000)
    cur = rng.normal(0.03, 1, 1_000_000)
    schema = _num_schema("x")
    ctx = CheckContext(
        current=profile_frame(pl.DataFrame({"x": cur}), schema),
        schema=schema,
        reference=profile_frame(pl.DataFrame({"x": ref}), schema),
    )
    r = _run(ctx)["x"]
    assert r.metrics["p_value_adjusted"] < 1e-10  # type: ignore[operator]  # significant...
    assert r.metrics["effect_size"] < 0.1  # type: ignore[operator]  # ...but trivial
    assert r.status == Status.PASS
    exact = stats.ks_2samp(ref, cur, method="asymp").statistic
    assert not r.exact
    b = r.bounds["statistic"]
    assert b.low <= exact <= b.high  # type: ignore[operator]
    assert abs(r.metrics["statistic"] - exact) <= b.high - r.metrics["statistic"] + 1e-15  # type: ignore[operator]


def test_sketch_path_within_bound_on_500k(make_context: Make) -> None:
    rng = np.random.default_rng(8)
    ref, cur = rng.normal(0, 1, 500_000), rng.normal(0.02, 1.05, 500_000)
    schema = _num_schema("x")
    ctx = CheckContext(
        current=profile_frame(pl.DataFrame({"x": cur}), schema),
        schema=schema,
        reference=profile_frame(pl.DataFrame({"x": ref}), schema),
    )
    r = _run(ctx)["x"]
    exact = stats.ks_2samp(ref, cur, method="asymp").statistic
    eps = (
        ctx.reference.columns["x"].numeric.quantile_rank_error  # type: ignore[union-attr]
        + ctx.current.columns["x"].numeric.quantile_rank_error  # type: ignore[union-attr]
    )
    assert not r.exact and eps > 0
    assert abs(r.metrics["statistic"] - exact) <= eps  # type: ignore[operator]
    assert r.bounds["statistic"].low <= exact <= r.bounds["statistic"].high  # type: ignore[operator]


def test_large_shift_on_500_rows_flagged(make_context: Make) -> None:
    rng = np.random.default_rng(9)
    ref = pl.DataFrame({"x": rng.normal(0, 1, 500)})
    cur = pl.DataFrame({"x": rng.normal(1.0, 1, 500)})
    r = _run(make_context(ref, cur))["x"]
    assert r.status == Status.FAIL  # effect ~1 sd >= 3 x 0.1
    # 500 vs 500 values can only detect KS >= 1.358·sqrt(2/500) = 0.086, above the KS distance
    # of a 0.1-sd shift (0.040): underpowered for the floor, yet a 1-sd shift is found, and a
    # column where drift was found is not called underpowered (power matters only for a pass).
    assert r.metrics["underpowered"] == 0
    assert "underpowered" not in r.message


def test_underpowered_flagged_on_small_samples(make_context: Make) -> None:
    rng = np.random.default_rng(10)
    ref, cur = (
        pl.DataFrame({"x": rng.normal(0, 1, 100)}),
        pl.DataFrame({"x": rng.normal(0, 1, 100)}),
    )
    r = _run(make_context(ref, cur))["x"]
    c = np.sqrt(-np.log(0.025) / 2)
    assert r.metrics["min_detectable_statistic"] == pytest.approx(c * np.sqrt(200 / 10_000))
    assert r.metrics["underpowered"] == 1 and "underpowered" in r.message


def test_bad_inputs_never_crash(make_context: Make) -> None:
    rng = np.random.default_rng(4)
    n = 200
    x_inf = rng.normal(0, 1, n)
    x_inf[:5] = np.inf
    ref = pl.DataFrame(
        {
            "allnull": rng.normal(0, 1, n),
            "const": np.full(n, 3.0),
            "const2": np.full(n, 3.0),
            "typed": rng.normal(0, 1, n),
            "levels": [f"v{i}" for i in range(n)],
            "inf": rng.normal(0, 1, n),
            "few": [1.0] * 20 + [None] * (n - 20),
        }
    )
    cur = pl.DataFrame(
        {
            "allnull": pl.Series([None] * n, dtype=pl.Float64),
            "const": np.full(n, 3.0),
            "const2": np.full(n, 4.0),
            "typed": [str(v) for v in rng.normal(0, 1, n)],
            "levels": [f"w{i}" for i in range(n)],
            "inf": x_inf,
            "few": rng.normal(0, 1, n),
        }
    )
    cat = ColumnSchema(name="levels", dtype="large_string", type=ColumnType.CATEGORICAL)
    num = _num_schema("allnull", "const", "const2", "typed", "inf", "few").columns
    ref_schema = Schema(columns=[*num, cat])
    cur_cols = [
        c
        if c.name != "typed"
        else ColumnSchema(name="typed", dtype="large_string", type=ColumnType.CATEGORICAL)
        for c in num
    ]
    ctx = make_context(
        ref, cur, schema=Schema(columns=[*cur_cols, cat]), reference_schema=ref_schema
    )
    res = _run(ctx, max_categories=300)
    assert res["allnull"].status == Status.SKIPPED and "no non-missing" in res["allnull"].message
    assert res["const"].status == Status.PASS and res["const"].metrics["statistic"] == 0.0
    assert res["const2"].status == Status.FAIL and res["const2"].metrics["statistic"] == 1.0
    assert res["typed"].status == Status.SKIPPED and "changed type" in res["typed"].message
    assert res["levels"].status == Status.SKIPPED and "400 distinct levels" in res["levels"].message
    finite = x_inf[np.isfinite(x_inf)]
    ks = stats.ks_2samp(ref["inf"].to_numpy(), finite)
    assert res["inf"].metrics["statistic"] == pytest.approx(ks.statistic, abs=1e-9)
    assert res["inf"].metrics["infinite_current"] == 5 and "infinite" in res["inf"].message
    assert res["few"].status == Status.SKIPPED and "only 20 usable" in res["few"].message


def test_roles_personal_and_cache(make_context: Make) -> None:
    rng = np.random.default_rng(12)
    n = 300
    cols = ["id", "ts", "y", "score", "email", "x"]
    roles = {"id": Role.ID, "ts": Role.TIMESTAMP, "y": Role.TARGET, "score": Role.SCORE}
    frame = lambda: pl.DataFrame({c: rng.normal(0, 1, n) for c in cols})  # noqa: E731
    schema = Schema(
        columns=[
            ColumnSchema(
                name=c,
                dtype="double",
                type=ColumnType.NUMERIC,
                role=roles.get(c, Role.FEATURE),
                personal=c == "email",
            )
            for c in cols
        ]
    )
    ctx = make_context(frame(), frame(), schema=schema)
    res = _run(ctx)
    assert set(res) == {"y", "score", "email", "x"}
    assert res["y"].params["role"] == "target" and res["score"].params["role"] == "score"
    assert res["email"].status == Status.SKIPPED and "personal" in res["email"].message
    assert any(k.startswith("drift.univariate:") for k in ctx.extras)
    again = UnivariateDrift().compute(ctx)
    assert [r.model_dump() for r in again] == [r.model_dump() for r in res.values()]


def test_column_overrides_and_config_errors(make_context: Make) -> None:
    rng = np.random.default_rng(13)
    ref = pl.DataFrame({"a": rng.normal(0, 1, 1000), "b": rng.normal(0, 1, 1000)})
    cur = pl.DataFrame({"a": rng.normal(0.5, 1, 1000), "b": rng.normal(0.5, 1, 1000)})
    res = _run(make_context(ref, cur), columns_thresholds={"a": {"min_effect": 1.0}})
    assert res["a"].status == Status.PASS and res["b"].status != Status.PASS
    assert res["a"].metrics["effect_floor"] == 1.0
    with pytest.raises(ValueError, match=r"columns_thresholds\.a\.floor"):
        UnivariateDrift(columns_thresholds={"a": {"floor": 1.0}})


def test_binary_column_is_compared_as_a_rate(make_context: Make) -> None:
    # 0/1 flag: 12% of 4,000 reference rows, 15% of 3,000 current rows.
    ref = pl.DataFrame({"flag": np.r_[np.ones(480), np.zeros(3520)]})
    cur = pl.DataFrame({"flag": np.r_[np.ones(450), np.zeros(2550)]})
    r = _run(make_context(ref, cur))["flag"]
    assert r.params["method_used"] == "rate"
    assert r.metrics["rate_reference"] == pytest.approx(0.12)
    assert r.metrics["rate_current"] == pytest.approx(0.15)
    # Oracle: Pearson's chi-square of the 2x2 table (scipy) is z^2; |phi| = sqrt(chi2 / N).
    chi2, p, _, _ = stats.chi2_contingency([[480, 3520], [450, 2550]], correction=False)
    assert r.metrics["p_value"] == pytest.approx(p, rel=1e-9)
    assert r.metrics["phi"] == pytest.approx(np.sqrt(chi2 / 7000), rel=1e-9)
    h = 2 * np.arcsin(np.sqrt(0.15)) - 2 * np.arcsin(np.sqrt(0.12))  # Cohen's h by hand
    assert r.metrics["effect_size"] == pytest.approx(h, rel=1e-9)
    assert r.metrics["effect_floor"] == 0.1 and r.status is Status.PASS  # h = 0.088 < 0.1
    assert "12.00% in the reference, 15.00% now" in r.message


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), Stat. Med. 17:873, table II, example (a): 56/70 vs 48/80, method 10
    # gives 0.0524 to 0.3339 for p1 - p2 = 0.2.
    from mlaudit.stats.drift import rate_change

    r = rate_change(48, 80, 56, 70)
    assert r.difference == pytest.approx(0.2)
    assert r.difference_low == pytest.approx(0.0524, abs=5e-5)
    assert r.difference_high == pytest.approx(0.3339, abs=5e-5)
