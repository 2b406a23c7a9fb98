"""An audit with a model: its outputs stream in as columns and are audited like declared ones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

from mlaudit import Audit
from mlaudit.cli import app
from mlaudit.data import Dataset
from mlaudit.errors import ConfigError, SchemaError

runner = CliRunner()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, LogisticRegression]:
    tmp = tmp_path_factory.mktemp("model")
    rng = np.random.default_rng(3)
    n = 6000
    frame = pl.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "region": rng.choice(["a", "b", "c"], n).tolist(),
        }
    )
    logit = frame["x1"].to_numpy() - 0.5 * frame["x2"].to_numpy()
    frame = frame.with_columns(y=pl.Series((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)))
    model = LogisticRegression().fit(frame.select("x1", "x2").to_pandas(), frame["y"].to_numpy())
    sio.dump(model, tmp / "model.skops")
    frame.slice(0, 3000).write_parquet(tmp / "ref.parquet")
    frame.slice(3000).write_parquet(tmp / "cur.parquet")
    return tmp / "model.skops", tmp / "ref.parquet", tmp / "cur.parquet", model


def _with_outputs(path: Path, model: LogisticRegression) -> pl.DataFrame:
    """The data with the model's outputs computed by scikit-learn on the whole table."""
    frame = pl.read_parquet(path)
    x = frame.select("x1", "x2").to_pandas()
    return frame.with_columns(
        model_prediction=pl.Series(model.predict(x)),
        model_score=pl.Series(model.predict_proba(x)[:, 1]),
    )


def test_model_outputs_audit_like_declared_columns(
    setup: tuple[Path, Path, Path, LogisticRegression],
) -> None:
    path, ref, cur, model = setup
    # small batches: the model sees the data a batch at a time, and passes reuse its outputs
    with_model = Audit(
        Dataset(cur, batch_size=700),
        reference=Dataset(ref, batch_size=500),
        schema={"target": "y"},
        model=path,
        checks={"performance.benchmark": False},  # fits models: its own tests
    ).run()
    declared = Audit(
        _with_outputs(cur, model),
        reference=_with_outputs(ref, model),
        schema={"target": "y", "prediction": "model_prediction", "score": "model_score"},
    ).run()
    from mlaudit.suites import MODEL_CHECKS

    with_model.checks[:] = [c for c in with_model.checks if c.id not in MODEL_CHECKS]
    assert [(c.id, c.column, c.status) for c in with_model.checks] == [
        (c.id, c.column, c.status) for c in declared.checks
    ]
    for a, b in zip(with_model.checks, declared.checks, strict=True):
        if a.family == "performance" or a.column in ("model_score", "model_prediction"):
            assert a.metrics.keys() == b.metrics.keys(), a.id
            for key, value in a.metrics.items():
                if isinstance(value, float):
                    assert value == pytest.approx(b.metrics[key], rel=1e-9, nan_ok=True), key
                else:
                    assert value == b.metrics[key], (a.id, key)
    (record,) = with_model.models
    assert record.features == ["x1", "x2"] and record.ignored_columns == ["region"]
    assert (
        record.fingerprint
        == "sha256:" + __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    )
    assert record.positive_class == "1" and record.trusted_format
    assert declared.models == []


def test_derived_columns_in_a_columns_pass(
    setup: tuple[Path, Path, Path, LogisticRegression],
) -> None:
    path, _, cur, model = setup
    from mlaudit.audit._model import ModelColumns
    from mlaudit.models import load_model

    columns = ModelColumns(load_model(path))
    ds = Dataset(cur, batch_size=1000).with_derived(columns)
    assert ds.arrow_schema.names[-2:] == ["model_prediction", "model_score"]
    got = pl.concat([pl.from_arrow(b) for b in ds.column_batches(["model_score", "y"])])
    expected = model.predict_proba(pl.read_parquet(cur).select("x1", "x2").to_pandas())[:, 1]
    np.testing.assert_allclose(got["model_score"].to_numpy(), expected, rtol=1e-12)
    assert got.columns == ["model_score", "y"]


def test_missing_features_and_double_declarations(
    setup: tuple[Path, Path, Path, LogisticRegression],
) -> None:
    path, _, cur, _ = setup
    frame = pl.read_parquet(cur).drop("x2")
    with pytest.raises(SchemaError, match="x2"):
        Audit(frame, schema={"target": "y"}, model=path).run()
    with pytest.raises(ConfigError, match="prediction/score"):
        Audit(frame, schema={"target": "y", "score": "x1"}, model=path)
    clash = pl.read_parquet(cur).with_columns(model_score=pl.lit(0.5))
    with pytest.raises(SchemaError, match="model_score"):
        Audit(clash, schema={"target": "y"}, model=path).run()


def test_command_line(setup: tuple[Path, Path, Path, LogisticRegression], tmp_path: Path) -> None:
    path, _, cur, model = setup
    pkl = tmp_path / "model.pkl"
    import pickle

    pkl.write_bytes(pickle.dumps(model))
    base = ["audit", "--current", str(cur), "--target", "y", "--out", str(tmp_path / "r")]
    refused = runner.invoke(app, [*base, "--model", str(pkl)])
    assert refused.exit_code == 2
    assert "--trust-model" in refused.output and "skops" in refused.output
    trusted = runner.invoke(app, [*base, "--model", str(pkl), "--trust-model", "--format", "json"])
    assert trusted.exit_code in (0, 1), trusted.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["models"][0]["format"] == "pickle"
    assert report["models"][0]["trusted_format"] is False
    cut = tmp_path / "cut.skops"
    cut.write_bytes(path.read_bytes()[:200])
    broken = runner.invoke(app, [*base, "--model", str(cut)])
    assert broken.exit_code == 3 and "Traceback" not in broken.output
    assert "truncated" in broken.output
    config = tmp_path / "audit.yaml"
    config.write_text(f"current: {cur}\nmodel: {path.name}\nschema: {{target: y}}\n")
    (tmp_path / path.name).write_bytes(path.read_bytes())
    from_file = runner.invoke(
        app, ["audit", str(config), "--format", "json", "--out", str(tmp_path / "c")]
    )
    assert from_file.exit_code in (0, 1), from_file.output
    saved = json.loads((tmp_path / "c" / "report.json").read_text())
    assert saved["models"][0]["source"].endswith(path.name)


def test_checks_get_a_raw_sample_of_the_profile_rows(
    setup: tuple[Path, Path, Path, LogisticRegression], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model checks' sample: the profile sample's rows, unmasked, with the model's outputs."""
    from mlaudit.checks import CheckContext

    path, ref, cur, model = setup
    seen: dict[str, CheckContext] = {}
    from mlaudit.audit import _runner

    original = _runner.run_checks

    def spy(checks, ctx, progress=None):  # type: ignore[no-untyped-def]
        seen["ctx"] = ctx
        return original(checks, ctx, progress)

    monkeypatch.setattr(_runner, "run_checks", spy)
    Audit(
        Dataset(cur, batch_size=400), reference=ref, schema={"target": "y"}, model=path,
        sample_size=1000, suite="none",
    ).run()  # fmt: skip
    ctx = seen["ctx"]
    assert ctx.model is not None and set(ctx.model_samples) == {"current", "reference"}
    sample = ctx.model_samples["current"]
    assert sample.height == 1000
    assert sample["__row__"].to_list() == ctx.current.sample["__row__"].to_list()
    rows = pl.read_parquet(cur).with_row_index("__row__")[sample["__row__"].to_list()]
    assert sample["x1"].to_list() == rows["x1"].to_list()
    expected = model.predict_proba(rows.select("x1", "x2").to_pandas())[:, 1]
    np.testing.assert_allclose(sample["model_score"].to_numpy(), expected, rtol=1e-12)
