"""explain.reason_codes: the features cited, counted from shap.TreeExplainer called directly and
sorted with numpy; a sensitive feature fails; personal values never reach the result; decisions
without a reason warn; bad declarations skip with the reason."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
import polars as pl
import pytest
import shap
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

from mlaudit import Audit

N = 800


def _data(seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, 4))
    gender = rng.integers(0, 2, N)
    logit = -1.0 + 1.5 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] + 0.8 * gender
    y = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pl.DataFrame({**{f"f{j}": x[:, j] for j in range(4)}, "gender": gender, "y": y})


def _fit(df: pl.DataFrame, features: list[str]) -> GradientBoostingClassifier:
    return GradientBoostingClassifier(n_estimators=40, max_depth=2, random_state=0).fit(
        df.select(features).to_pandas(), df["y"].to_numpy()
    )


def _run(
    df: pl.DataFrame,
    model: object,
    schema: dict[str, Any] | None = None,
    fairness: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    result = Audit(
        df, suite="none", schema={"target": "y", **(schema or {})}, model=model,
        sample_size=N, checks={"explain.reason_codes": options}, fairness=fairness,
    ).run()  # fmt: skip
    (r,) = [c for c in result.checks if c.id == "explain.reason_codes"]
    return json.loads(r.model_dump_json())


def _cited_by_hand(
    model: GradientBoostingClassifier, df: pl.DataFrame, features: list[str], fav: int, top: int
) -> tuple[int, Counter[str], Counter[str]]:
    """Unfavourable decisions, and how often each feature is among / first of their reasons:
    shap's log-odds of class 1, negated when 1 is the favourable class, top positive pushes."""
    x = df.select(features).to_pandas()
    decided = model.predict(x)
    values = np.asarray(shap.TreeExplainer(model).shap_values(x))
    push = -values if fav == 1 else values
    cited: Counter[str] = Counter()
    first: Counter[str] = Counter()
    rows = np.flatnonzero(decided != fav)
    for i in rows:
        order = [j for j in np.argsort(-push[i], kind="stable") if push[i, j] > 0][:top]
        cited.update(features[j] for j in order)
        if order:
            first[features[order[0]]] += 1
    return len(rows), cited, first


def test_cited_features_equal_shaps_top_pushes() -> None:
    df = _data()
    features = ["f0", "f1", "f2", "f3"]
    model = _fit(df, features)
    got = _run(df, model, rows=N, decisions=N, top=2)
    n, cited, first = _cited_by_hand(model, df, features, fav=1, top=2)
    assert got["status"] == "pass", got["message"]
    assert got["metrics"]["unfavourable"] == got["metrics"]["explained"] == n
    table = next(d for d in got["details"] if d["name"] == "Reasons by feature")
    by_feature = {r[0]: r for r in table["rows"]}
    assert {f: r[1] for f, r in by_feature.items()} == dict(cited)
    for f, r in by_feature.items():
        assert r[2] == pytest.approx(cited[f] / n) and r[3] == pytest.approx(first[f] / n)
    assert got["metrics"]["sensitive_cited"] == 0


def test_a_sensitive_feature_among_the_reasons_fails_and_is_counted() -> None:
    df = _data()
    features = ["f0", "f1", "f2", "f3", "gender"]
    model = _fit(df, features)
    got = _run(df, model, schema={"sensitive": ["gender"]}, rows=N, decisions=N)
    _, cited, _ = _cited_by_hand(model, df, features, fav=1, top=4)
    assert cited["gender"] > 0  # the model uses gender: some notices would cite it
    assert got["status"] == "fail"
    assert got["metrics"]["sensitive_cited"] == cited["gender"]
    assert "gender" in got["message"] and "protected characteristic" in got["message"]
    lowered = _run(df, model, schema={"sensitive": ["gender"]}, on_sensitive="warn")
    assert lowered["status"] == "warn"


def test_favourable_comes_from_the_fairness_declaration() -> None:
    """With 0 favourable (a risk model's 'no default'), the class-1 decisions are explained."""
    df = _data()
    features = ["f0", "f1", "f2", "f3"]
    model = _fit(df, features)
    got = _run(df, model, fairness={"favourable": "0"}, rows=N, decisions=N, top=3)
    n, cited, _ = _cited_by_hand(model, df, features, fav=0, top=3)
    assert got["metrics"]["unfavourable"] == n
    assert n == int((model.predict(df.select(features).to_pandas()) == 1).sum())
    table = next(d for d in got["details"] if d["name"] == "Reasons by feature")
    assert {r[0]: r[1] for r in table["rows"]} == dict(cited)
    sample = next(d for d in got["details"] if d["name"] == "Sample of reason codes")
    assert all(row[1] == "1" for row in sample["rows"])
    own = _run(df, model, fairness={"favourable": "0"}, favourable="1", rows=N, decisions=N)
    assert own["metrics"]["unfavourable"] == N - n  # the check's own option wins


def test_sample_rows_are_the_datas_rows_and_hide_personal_values() -> None:
    rng = np.random.default_rng(8)
    df = _data().with_columns(
        pl.Series("client_ref", [f"CL-{v:06d}" for v in rng.integers(0, 10**6, N)]),
    )
    features = ["f0", "f1", "f2", "client_ref"]
    encoded = df.with_columns(pl.col("client_ref").str.slice(3).cast(pl.Int64).alias("code"))
    model = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(
        encoded.select(["f0", "f1", "f2", "code"]).to_pandas().set_axis(features, axis=1),
        df["y"].to_numpy(),
    )
    # A pipeline would read the text; here the model is fitted on the number, so feed it that.
    data = encoded.drop("client_ref").rename({"code": "client_ref"})
    got = _run(data, model, schema={"personal": ["client_ref"]}, rows=N, decisions=N, shown=50)
    text = json.dumps(got)
    for value in data["client_ref"].to_list():
        assert f"client_ref = {value}" not in text
    sample = next(d for d in got["details"] if d["name"] == "Sample of reason codes")
    decided = model.predict(data.select(features).to_pandas())
    unfavourable = np.flatnonzero(decided == 0)
    assert [r[0] for r in sample["rows"]] == unfavourable[:50].tolist()
    cited = [cell for r in sample["rows"] for cell in r[2:] if cell and "client_ref" in cell]
    assert cited and all(c.startswith("client_ref = [personal] ") for c in cited)
    f0 = next(cell for r in sample["rows"] for cell in r[2:] if cell and cell.startswith("f0"))
    row = next(r[0] for r in sample["rows"] if f0 in r)
    assert f0.startswith(f"f0 = {data['f0'][row]:.4g} ")  # other values are the data's


def test_decisions_no_feature_pushed_warn() -> None:
    """One feature, favourable above 0.8 while the average output sits near 0.5: declined rows
    between the two were pushed *toward* approval by their only feature, so have no reason."""
    rng = np.random.default_rng(1)
    x = rng.random(N)
    y = (rng.random(N) < 1 / (1 + np.exp(-12 * (x - 0.8)))).astype(np.int64)
    df = pl.DataFrame({"x": x, "y": y})
    model = GradientBoostingClassifier(n_estimators=40, max_depth=2, random_state=0).fit(
        df.select("x").to_pandas(), y
    )
    got = _run(df, model, rows=N, decisions=N)
    values = np.asarray(shap.TreeExplainer(model).shap_values(df.select("x").to_pandas()))
    decided = model.predict(df.select("x").to_pandas())
    none = int(((decided == 0) & (values[:, 0] >= 0)).sum())  # 1 is favourable: no push down
    assert none > 0.05 * (decided == 0).sum()
    assert got["metrics"]["unexplained"] == none
    assert got["status"] == "warn" and "no reason" in got["message"]


@pytest.mark.parametrize(
    ("model", "options", "reason"),
    [
        (None, {}, "needs the model"),
        ("regressor", {}, "a regressor makes none"),
        ("classifier", {"favourable": "yes"}, "not one of the model's classes"),
        ("classifier", {"rows": 1, "favourable": "1"}, "no unfavourable decision"),
    ],
)
def test_what_cannot_be_explained_is_skipped_with_the_reason(
    model: str | None, options: dict[str, Any], reason: str
) -> None:
    df = _data()
    features = ["f0", "f1", "f2", "f3"]
    fitted: object = None
    if model == "regressor":
        fitted = GradientBoostingRegressor(n_estimators=10).fit(
            df.select(features).to_pandas(), df["y"].to_numpy()
        )
    elif model == "classifier":
        fitted = _fit(df, features)
        if options.get("rows") == 1:  # a first row the model approves
            first = np.flatnonzero(fitted.predict(df.select(features).to_pandas()) == 1)[0]
            df = pl.concat([df[int(first)], df])
    got = _run(df, fitted, **options)
    assert got["status"] == "skipped"
    assert reason in got["message"]


def test_a_linear_models_reasons_are_its_coefficients_times_the_distance_from_the_mean() -> None:
    """LinearExplainer: each push is -coef × (x - the background's mean) in log-odds (1 is
    favourable), the background here every row; the counts follow from that by hand."""
    from sklearn.linear_model import LogisticRegression

    df = _data()
    features = ["f0", "f1", "f2", "f3", "gender"]
    x = df.select(features).to_numpy().astype(float)
    model = LogisticRegression().fit(df.select(features).to_pandas(), df["y"].to_numpy())
    got = _run(df, model, schema={"sensitive": ["gender"]}, rows=N, decisions=N, top=2,
               background=N)  # fmt: skip
    push = -(model.coef_[0] * (x - x.mean(axis=0)))
    declined = np.flatnonzero(model.predict(df.select(features).to_pandas()) == 0)
    cited: Counter[str] = Counter()
    for i in declined:
        order = [j for j in np.argsort(-push[i], kind="stable") if push[i, j] > 0][:2]
        cited.update(features[j] for j in order)
    table = next(d for d in got["details"] if d["name"] == "Reasons by feature")
    assert {r[0]: r[1] for r in table["rows"]} == dict(cited)
    assert got["metrics"]["sensitive_cited"] == cited["gender"] > 0
    assert got["status"] == "fail" and "LinearExplainer" in got["message"]
