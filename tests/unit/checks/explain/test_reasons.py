"""Reason codes: the top pushes toward the unfavourable outcome equal shap's own values, sorted
with numpy; favourable decisions get none; the export masks personal values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import shap
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

import mlaudit
from mlaudit.checks.explain import reason_codes
from mlaudit.errors import ConfigError
from mlaudit.models import load_model

N = 300
FEATURES = ["income", "debt", "age", "tenure"]


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(N, 4))
    y = (x[:, 1] - 0.8 * x[:, 0] + 0.3 * x[:, 2] + rng.normal(0, 0.5, N) > 0).astype(int)
    frame = pl.DataFrame({f: x[:, i] for i, f in enumerate(FEATURES)})
    return frame.with_columns(
        pl.Series("y", y),
        pl.Series("email", [f"person{i}@example.com" for i in range(N)]),
        pl.Series("customer", [f"K{i:04d}" for i in range(N)]),
    )


@pytest.fixture(scope="module")
def gbm(data: pl.DataFrame) -> GradientBoostingClassifier:
    model = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0)
    return model.fit(data.select(FEATURES).to_pandas(), data["y"].to_numpy())


def _oracle(model: GradientBoostingClassifier, x: pd.DataFrame, favourable: int) -> np.ndarray:
    """shap's own values (log-odds of class 1), oriented toward the unfavourable outcome."""
    values = np.asarray(shap.TreeExplainer(model).shap_values(x))
    return -values if favourable == 1 else values


@pytest.mark.parametrize("favourable", [0, 1])
def test_reasons_equal_shaps_top_pushes(
    data: pl.DataFrame, gbm: GradientBoostingClassifier, favourable: int
) -> None:
    x = data.select(FEATURES).to_pandas()
    push = _oracle(gbm, x, favourable)
    decisions = gbm.predict(x)
    got = reason_codes(load_model(gbm), data, favourable=str(favourable), top=3)
    assert len(got) == N
    checked = 0
    for i, row in enumerate(got):
        assert row.decision == str(decisions[i])
        assert row.favourable == (decisions[i] == favourable)
        if row.favourable:
            assert row.reasons == ()
            continue
        order = np.argsort(-push[i], kind="stable")
        expected = [FEATURES[j] for j in order if push[i, j] > 0][:3]
        assert [r.feature for r in row.reasons] == expected
        for r in row.reasons:
            j = FEATURES.index(r.feature)
            assert r.contribution == pytest.approx(push[i, j], rel=1e-9, abs=1e-12)
            assert r.contribution > 0
            assert r.value == pytest.approx(x.iloc[i, j])
            assert r.space == "log-odds"
            assert f"unfavourable outcome '{1 - favourable}'" in r.text
            assert r.text.startswith(f"{r.feature} = ")
        checked += 1
    assert checked > 50  # both outcomes occur


def test_sign_follows_the_favourable_class(
    data: pl.DataFrame, gbm: GradientBoostingClassifier
) -> None:
    """The same row under the two declarations: the pushes are each other's negation."""
    x = data.select(FEATURES).to_pandas()
    raw = np.asarray(shap.TreeExplainer(gbm).shap_values(x))
    i = int(np.flatnonzero(gbm.predict(x) == 1)[0])
    got = reason_codes(load_model(gbm), data[i : i + 1], favourable="0", top=4)[0]
    assert not got.favourable
    # favourable 0: reasons are the features that raised class 1's log-odds
    assert {r.feature for r in got.reasons} == {f for j, f in enumerate(FEATURES) if raw[i, j] > 0}


def test_one_hot_columns_credited_to_their_input(data: pl.DataFrame) -> None:
    rng = np.random.default_rng(1)
    region = rng.choice(["north", "south", "east"], N)
    frame = data.with_columns(pl.Series("region", region))
    y = ((region == "south") + data["debt"].to_numpy() > 0.5).astype(int)
    pipe = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["region"]), remainder="passthrough"),
        GradientBoostingClassifier(n_estimators=20, random_state=0),
    ).fit(frame.select(["region", "debt"]).to_pandas(), y)
    transformed = pipe[:-1].transform(frame.select(["region", "debt"]).to_pandas())
    raw = np.asarray(shap.TreeExplainer(pipe[-1]).shap_values(transformed))
    names = list(pipe[:-1].get_feature_names_out())
    region_cols = [k for k, n in enumerate(names) if "region" in n]
    region_push = -raw[:, region_cols].sum(axis=1)  # favourable 1
    got = reason_codes(load_model(pipe), frame, favourable="1", top=2)
    credited = 0
    for i, row in enumerate(got):
        assert {r.feature for r in row.reasons} <= {"region", "debt"}
        by_feature = {r.feature: r for r in row.reasons}
        if not row.favourable:  # two features, top 2: every positive push is a reason
            assert ("region" in by_feature) == (region_push[i] > 0)
        if "region" in by_feature:
            assert by_feature["region"].contribution == pytest.approx(region_push[i])
            assert by_feature["region"].value == region[i]
            credited += 1
    assert credited > 10


def test_deterministic_model_agnostic(data: pl.DataFrame) -> None:
    from sklearn.naive_bayes import GaussianNB  # neither trees nor linear: the agnostic path

    model = GaussianNB().fit(data.select(FEATURES).to_pandas(), data["y"].to_numpy())
    rows = data.head(8)
    a = reason_codes(load_model(model), rows, reference=data, seed=3, background=40)
    b = reason_codes(load_model(model), rows, reference=data, seed=3, background=40)
    assert a == b
    assert {r.explainer for r in a} == {"PermutationExplainer"}
    assert all(r.space == "probability" for row in a for r in row.reasons)


def test_bad_declarations_are_clear(data: pl.DataFrame, gbm: GradientBoostingClassifier) -> None:
    model = load_model(gbm)
    with pytest.raises(ConfigError, match="not one of the model's classes"):
        reason_codes(model, data, favourable="yes")
    with pytest.raises(ConfigError, match="lacks the model's feature"):
        reason_codes(model, data.drop("debt"))
    with pytest.raises(ConfigError, match="at least 1"):
        reason_codes(model, data, top=0)


def test_explain_rows_by_id(data: pl.DataFrame, gbm: GradientBoostingClassifier) -> None:
    got = mlaudit.explain_rows(
        data, model=gbm, row_ids=["K0042", "K0007"], id_column="customer", favourable="0"
    )
    assert [(r.row, r.row_id) for r in got] == [(42, "K0042"), (7, "K0007")]
    x = data.select(FEATURES).to_pandas()
    assert [r.decision for r in got] == [
        str(gbm.predict(x.iloc[[42]])[0]),
        str(gbm.predict(x.iloc[[7]])[0]),
    ]
    with pytest.raises(ConfigError, match="not found"):
        mlaudit.explain_rows(data, model=gbm, row_ids=["nope"], id_column="customer")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_export_masks_personal_values(
    data: pl.DataFrame, gbm: GradientBoostingClassifier, tmp_path: Path, suffix: str
) -> None:
    # the id column holds e-mail addresses: inferred personal, so masked
    frame = data
    out = tmp_path / f"reasons{suffix}"
    got = mlaudit.export_reasons(
        out, frame, model=gbm, id_column="email", favourable="0", top=2,
        schema=mlaudit.config.SchemaConfig(personal=["customer"]),
    )  # fmt: skip
    read = pl.read_csv(out) if suffix == ".csv" else pl.read_parquet(out)
    x = data.select(FEATURES).to_pandas()
    unfavourable = int((gbm.predict(x) != 0).sum())
    assert read.height == unfavourable == got
    assert read["row"].to_list() == np.flatnonzero(gbm.predict(x) != 0).tolist()
    emails = read["email"].to_list()
    assert all(e.startswith("h:") and len(e) == 18 for e in emails)
    blob = out.read_bytes()
    assert b"@example.com" not in blob
    assert read["reason_1_feature"].drop_nulls().is_in(FEATURES).all()
    assert (read["reason_1_contribution"].drop_nulls() > 0).all()


def test_export_masks_a_personal_feature(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    zip_code = rng.choice(["10001", "20002", "30003"], N)
    debt = rng.normal(size=N)
    y = ((zip_code == "20002") ^ (debt > 0.5)).astype(int)
    frame = pl.DataFrame({"zip_code": zip_code, "debt": debt})
    pipe = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["zip_code"]), remainder="passthrough"),
        GradientBoostingClassifier(n_estimators=20, random_state=0),
    ).fit(frame.to_pandas(), y)
    out = tmp_path / "r.csv"
    mlaudit.export_reasons(
        out, frame, model=pipe, favourable="1", top=2,
        schema=mlaudit.config.SchemaConfig(personal=["zip_code"]),
    )  # fmt: skip
    read = pl.read_csv(out, infer_schema=False)
    text = out.read_text(encoding="utf-8")
    assert not any(z in text for z in ("10001", "20002", "30003"))
    zip_rows = read.filter(pl.col("reason_1_feature") == "zip_code")
    assert zip_rows.height > 0
    assert zip_rows["reason_1_value"].str.starts_with("h:").all()
    assert zip_rows["reason_1"].str.starts_with("zip_code = h:").all()


def test_export_refuses_an_unknown_format(
    data: pl.DataFrame, gbm: GradientBoostingClassifier, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"\.csv or \.parquet"):
        mlaudit.export_reasons(tmp_path / "r.xlsx", data, model=gbm)
    assert not (tmp_path / "r.xlsx").exists()
