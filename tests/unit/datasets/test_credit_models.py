"""The demo's model files: the sample's model and a challenger, skops files loaded without trust."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.metrics import roc_auc_score

from mlaudit.datasets import (
    FEATURE_COLUMNS,
    CreditSample,
    fit_challenger,
    make_credit_sample,
    save_credit_models,
)
from mlaudit.errors import DataSourceError
from mlaudit.models import load_model


@pytest.fixture(scope="module")
def sample() -> CreditSample:
    return make_credit_sample(seed=7)


@pytest.fixture(scope="module")
def written(sample: CreditSample, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return save_credit_models(sample, tmp_path_factory.mktemp("models") / "data")


def test_challenger_never_saw_a_current_row(sample: CreditSample) -> None:
    """Fitted on the reference rows without the planted copies: polars finds no reference row
    it was fitted on whose features equal a current row's; the copies are exactly the 120."""
    copies = set(sample.ground_truth.issue("leakage.shared_rows").related_rows)
    ref = sample.reference.with_row_index("i")
    current = sample.current.select(FEATURE_COLUMNS).unique()
    shared = ref.join(current, on=FEATURE_COLUMNS, how="semi", nulls_equal=True)
    assert set(shared["i"].to_list()) == copies and len(copies) == 120
    kept = ref.filter(~pl.col("i").is_in(sorted(copies)))
    direct = fit_challenger(sample)
    again = fit_challenger(sample)  # deterministic: the same sample gives the same challenger
    x = sample.current.select(FEATURE_COLUMNS)
    np.testing.assert_array_equal(direct.predict_proba(x), again.predict_proba(x))
    assert direct.n_features_in_ == len(FEATURE_COLUMNS)
    refit = direct.__sklearn_clone__().fit(kept.select(FEATURE_COLUMNS), kept["default"])
    np.testing.assert_allclose(refit.predict_proba(x), direct.predict_proba(x), rtol=1e-12)


def test_files_hold_the_models_and_load_without_trust(
    sample: CreditSample, written: dict[str, Path]
) -> None:
    assert sorted(p.name for p in written.values()) == ["challenger.skops", "model.skops"]
    x = sample.current.select(FEATURE_COLUMNS)
    for key, path in written.items():
        # skops itself flags nothing but the imputers' dtypes
        assert set(sio.get_untrusted_types(file=path)) <= {"numpy.dtype"}
        model = load_model(path)
        assert model.info.format == "skops" and model.info.trusted_format, key
        assert model.features == tuple(FEATURE_COLUMNS)
    loaded = sio.load(written["model"], trusted=sio.get_untrusted_types(file=written["model"]))
    np.testing.assert_array_equal(loaded.predict_proba(x), sample.model.predict_proba(x))
    # the model file reproduces the sample's stored scores
    np.testing.assert_allclose(loaded.predict_proba(x)[:, 1], sample.current["score"], rtol=1e-12)
    challenger = sio.load(
        written["challenger"], trusted=sio.get_untrusted_types(file=written["challenger"])
    )
    auc = roc_auc_score(sample.current["default"], challenger.predict_proba(x)[:, 1])
    assert 0.65 < auc < 0.75  # a real model, in the range of the audited one (0.712)


def test_an_unwritable_folder_is_a_clear_error(sample: CreditSample, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(DataSourceError, match="cannot write the sample's models"):
        save_credit_models(sample, blocker / "data")
