"""Model adapters give the native libraries' predictions, refuse unsafe files, name bad ones."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
import pandas as pd
import pyarrow as pa
import pytest
import skops.io as sio
import xgboost as xgb
from skl2onnx import to_onnx
from sklearn.compose import make_column_transformer
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlaudit.errors import ConfigError, ModelError
from mlaudit.models import load_model

N = 600


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, N),
            "age": rng.integers(18, 80, N).astype(float),
            "region": rng.choice(["north", "south", "east"], N),
        }
    )


@pytest.fixture(scope="module")
def y(frame: pd.DataFrame) -> np.ndarray:
    logit = (frame.age - 45) / 10 + (frame.region == "north") - 0.2
    return (np.random.default_rng(8).random(N) < 1 / (1 + np.exp(-logit))).to_numpy().astype(int)


def _batch(df: pd.DataFrame) -> pa.RecordBatch:
    return pa.RecordBatch.from_pandas(df, preserve_index=False)


def _categorical(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["region"] = out["region"].astype("category")
    return out


def test_skops_pipeline_matches_predict_proba(tmp_path: Path, frame: pd.DataFrame, y: Any) -> None:
    pipe = make_pipeline(
        make_column_transformer(
            (StandardScaler(), ["income", "age"]), (OneHotEncoder(), ["region"])
        ),
        LogisticRegression(),
    ).fit(frame, y)
    path = tmp_path / "m.skops"
    sio.dump(pipe, path)
    model = load_model(path)
    assert (model.task, model.features) == ("binary", ("income", "age", "region"))
    assert model.info.fingerprint.startswith("sha256:") and model.info.trusted_format
    extra = frame.assign(unused=1.0)  # columns the model does not read are ignored
    out = model.predict_batch(_batch(extra))
    np.testing.assert_allclose(out.proba, pipe.predict_proba(frame), rtol=1e-12)
    np.testing.assert_array_equal(model.class_values[out.label], pipe.predict(frame))


def test_lightgbm_text_files(tmp_path: Path, frame: pd.DataFrame, y: Any) -> None:
    data = _categorical(frame)
    for est, target in [
        (lgb.LGBMClassifier(n_estimators=20, verbose=-1), y),
        (lgb.LGBMClassifier(n_estimators=20, verbose=-1), (frame.age // 25).astype(int)),
        (lgb.LGBMRegressor(n_estimators=20, verbose=-1), frame.income),
    ]:
        est.fit(data, target)
        path = tmp_path / "m.txt"
        est.booster_.save_model(path)
        model = load_model(path)
        out = model.predict_batch(_batch(frame))  # text, as the data streams it
        if model.task == "regression":
            np.testing.assert_allclose(out.label, est.predict(data), rtol=1e-12)
        else:
            assert len(model.info.classes) == len(np.unique(target))
            np.testing.assert_allclose(out.proba, est.predict_proba(data), rtol=1e-12)


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_xgboost_files(tmp_path: Path, frame: pd.DataFrame, y: Any, suffix: str) -> None:
    data = _categorical(frame)
    kw = {"n_estimators": 15, "enable_categorical": True, "tree_method": "hist"}
    for est, target in [
        (xgb.XGBClassifier(**kw), y),
        (xgb.XGBClassifier(**kw), (frame.age // 25).astype(int)),
        (xgb.XGBRegressor(**kw), frame.income),
    ]:
        est.fit(data, target)
        path = tmp_path / f"m{suffix}"
        est.get_booster().save_model(path)
        model = load_model(path)
        out = model.predict_batch(_batch(frame.iloc[::-1]))  # categories met in another order
        expected = data.iloc[::-1]
        if model.task == "regression":
            np.testing.assert_allclose(out.label, est.predict(expected), rtol=1e-6)
        else:
            np.testing.assert_allclose(out.proba, est.predict_proba(expected), rtol=1e-6)


def test_onnx_classifier_and_regressor(tmp_path: Path, frame: pd.DataFrame, y: Any) -> None:
    x = frame[["income", "age"]].to_numpy(np.float32)
    clf = RandomForestClassifier(n_estimators=10, random_state=0).fit(x, y)
    path = tmp_path / "c.onnx"
    path.write_bytes(to_onnx(clf, x[:1]).SerializeToString())
    model = load_model(path).with_features(["income", "age"])
    assert (model.task, model.info.classes) == ("binary", ("0", "1"))
    out = model.predict_batch(_batch(frame))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    zipmap = session.run(None, {"X": x})[1]  # skl2onnx's list of {class: probability}
    native = np.array([[row[0], row[1]] for row in zipmap])
    np.testing.assert_allclose(out.proba, native, rtol=1e-6)
    np.testing.assert_allclose(out.proba, clf.predict_proba(x), atol=1e-5)
    reg = GradientBoostingRegressor(n_estimators=10).fit(x, frame.income)
    rpath = tmp_path / "r.onnx"
    rpath.write_bytes(to_onnx(reg, x[:1]).SerializeToString())
    rmodel = load_model(rpath)
    assert rmodel.task == "regression" and rmodel.n_features == 2
    rout = rmodel.with_features(["income", "age"]).predict_batch(_batch(frame))
    np.testing.assert_allclose(rout.label, reg.predict(x), rtol=1e-4)


class _Boom:
    """Unpickling this runs code: it writes a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path(self.path).write_text, ("code ran",))


def test_pickle_is_refused_unless_trusted(tmp_path: Path, frame: pd.DataFrame, y: Any) -> None:
    marker = tmp_path / "ran.txt"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps(_Boom(str(marker))))
    with pytest.raises(ConfigError, match="--trust-model") as err:
        load_model(evil)
    assert "skops" in str(err.value) and err.value.exit_code == 2
    assert not marker.exists()  # refused before a byte was unpickled
    good = tmp_path / "m.joblib"
    import joblib

    joblib.dump(LogisticRegression().fit(frame[["age"]], y), good)
    with pytest.raises(ConfigError, match="joblib"):
        load_model(good)
    model = load_model(good, trust=True)
    assert model.info.format == "joblib" and not model.info.trusted_format


class Custom(LogisticRegression):
    """A type outside skops' trusted defaults."""


def test_skops_untrusted_types_are_named(tmp_path: Path, frame: pd.DataFrame, y: Any) -> None:
    path = tmp_path / "custom.skops"
    sio.dump(Custom().fit(frame[["age"]], y), path)
    with pytest.raises(ConfigError, match="Custom") as err:
        load_model(path)
    assert "--trust-model" in str(err.value)
    model = load_model(path, trust=True)
    assert not model.info.trusted_format
    assert any("Custom" in t for t in model.info.untrusted_types)


@pytest.mark.parametrize("name", ["m.skops", "m.onnx", "m.json", "m.txt", "m.ubj"])
def test_corrupt_and_truncated_files(
    tmp_path: Path, frame: pd.DataFrame, y: Any, name: str
) -> None:
    good = tmp_path / f"good{Path(name).suffix}"
    x = frame[["age"]].astype(np.float32)
    if name.endswith(".skops"):
        sio.dump(LogisticRegression().fit(x, y), good)
    elif name.endswith(".onnx"):
        good.write_bytes(
            to_onnx(LogisticRegression().fit(x.to_numpy(), y), x.to_numpy()[:1]).SerializeToString()
        )
    elif name.endswith((".json", ".ubj")):
        xgb.XGBClassifier(n_estimators=3).fit(x, y).get_booster().save_model(good)
    else:
        lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(x, y).booster_.save_model(good)
    cut = tmp_path / name
    data = good.read_bytes()
    for share in (0.33, 0.9):  # LightGBM's own parser crashes the process on both
        cut.write_bytes(data[: int(len(data) * share)])
        with pytest.raises((ModelError, ConfigError)) as err:
            load_model(cut)
        assert str(cut) in str(err.value) and err.value.fix


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_model(tmp_path / "nope.skops")
    odd = tmp_path / "model.bin"
    odd.write_bytes(b"\x00\x01 not a model")
    with pytest.raises(ConfigError, match="cannot tell the format"):
        load_model(odd)
    empty = tmp_path / "e.onnx"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="empty"):
        load_model(empty)
    with pytest.raises(ConfigError, match="not a int"):
        load_model(3)


class _Raises(LogisticRegression):
    def predict_proba(self, X: Any) -> Any:
        raise ValueError("input contains NaN")


def test_a_model_that_raises_names_the_library_error(frame: pd.DataFrame, y: Any) -> None:
    model = load_model(_Raises().fit(frame[["age"]], y))
    with pytest.raises(ModelError, match="failed to predict: ValueError: input contains NaN"):
        model.predict_batch(_batch(frame))


def test_skops_imputing_pipeline_loads_without_trust(
    tmp_path: Path, frame: pd.DataFrame, y: Any
) -> None:
    """skops flags a fitted SimpleImputer's dtypes (``numpy.dtype``), which it rebuilds from an
    empty array in numpy's format: such a file is loaded without trust, and recorded trusted."""
    pipe = make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["income", "age"]),
            (OneHotEncoder(), ["region"]),
        ),
        LogisticRegression(),
    ).fit(frame, y)
    path = tmp_path / "imputing.skops"
    sio.dump(pipe, path)
    assert sio.get_untrusted_types(file=path) == ["numpy.dtype"]
    model = load_model(path)
    assert model.info.trusted_format and model.info.untrusted_types == ()
    out = model.predict_batch(_batch(frame))
    np.testing.assert_allclose(out.proba, pipe.predict_proba(frame), rtol=1e-12)
    # a file holding another untrusted type besides is still refused, naming only that type
    path = tmp_path / "custom-imputing.skops"
    sio.dump(make_pipeline(SimpleImputer(), Custom()).fit(frame[["age"]], y), path)
    with pytest.raises(ConfigError, match="Custom") as err:
        load_model(path)
    assert "numpy.dtype" not in str(err.value)
    assert load_model(path, trust=True).info.untrusted_types == (f"{__name__}.Custom",)
