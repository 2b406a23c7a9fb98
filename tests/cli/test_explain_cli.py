"""mlaudit explain: one decision's reasons printed, every unfavourable one exported, clear errors
with exit code 2 (tests/unit/checks/explain/test_reasons.py checks the values)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import shap
from sklearn.ensemble import GradientBoostingClassifier
from skops.io import dump

from tests.cli.conftest import Run

N = 200
FEATURES = ["income", "debt"]


@pytest.fixture(scope="module")
def files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, GradientBoostingClassifier]:
    folder = tmp_path_factory.mktemp("explain")
    rng = np.random.default_rng(11)
    income, debt = rng.normal(50, 10, N), rng.uniform(0, 1, N)
    y = (2 * debt - income / 50 + rng.normal(0, 0.3, N) > 0).astype(int)
    frame = pl.DataFrame({
        "customer": [f"C{i:03d}" for i in range(N)], "income": income, "debt": debt,
        "email": [f"client{i}@example.org" for i in range(N)], "y": y,
    })  # fmt: skip
    model = GradientBoostingClassifier(n_estimators=20, random_state=0)
    model.fit(frame.select(FEATURES).to_pandas(), y)
    frame.write_csv(folder / "d.csv")
    dump(model, folder / "m.skops")
    return folder / "d.csv", folder / "m.skops", model


def test_one_row(
    cli: Callable[..., Run], files: tuple[Path, Path, GradientBoostingClassifier]
) -> None:
    data, path, model = files
    x = pl.read_csv(data).select(FEATURES).to_pandas()
    i = int(np.flatnonzero(model.predict(x) == 1)[0])
    r = cli("explain", data, "--model", path, "--trust-model", "--row-id", f"C{i:03d}",
            "--id-column", "customer", "--favourable", "0", "--top", "1")  # fmt: skip
    assert r.code == 0, r.text
    push = np.asarray(shap.TreeExplainer(model).shap_values(x.iloc[[i]]))[0]
    top = FEATURES[int(np.argmax(push))]
    assert f"row {i} (id C{i:03d}): decision 1, unfavourable" in r.text
    assert f"1. {top} = " in r.text
    assert f"raised the log-odds of the unfavourable outcome '1' by {push.max():.3g}" in r.text
    j = int(np.flatnonzero(model.predict(x) == 0)[0])
    r = cli("explain", data, "--model", path, "--trust-model", "--row-id", str(j),
            "--favourable", "0")  # fmt: skip
    assert r.code == 0, r.text
    assert f"row {j}" in r.text and "favourable: no adverse reasons" in r.text


def test_export(
    cli: Callable[..., Run], files: tuple[Path, Path, GradientBoostingClassifier], tmp_path: Path
) -> None:
    data, path, model = files
    out = tmp_path / "reasons.parquet"
    r = cli("explain", data, "--model", path, "--trust-model", "--export", out,
            "--favourable", "0", "--personal", "customer", "--id-column", "customer")  # fmt: skip
    assert r.code == 0, r.text
    x = pl.read_csv(data).select(FEATURES).to_pandas()
    expected = int((model.predict(x) == 1).sum())
    got = pl.read_parquet(out)
    assert got.height == expected
    assert f"{expected:,} unfavourable decision(s)" in r.text
    blob = out.read_bytes()
    assert b"@example.org" not in blob and b"C000" not in blob and b"C199" not in blob
    assert got["customer"].str.starts_with("h:").all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--row-id", "C999", "--id-column", "customer"], "not found in the id column"),
        (["--row-id", "5000"], "is not in the data"),
        (["--row-id", "1", "--favourable", "approved"], "not one of the model's classes"),
        ([], "nothing to explain"),
        (["--row-id", "C001", "--id-column", "client"], "client"),
        (["--row-id", "1", "--export", "x.csv"], "give one of them"),
        (["--export", "x.xlsx"], ".csv or .parquet"),
    ],
)
def test_user_mistakes_exit_2(
    cli: Callable[..., Run],
    files: tuple[Path, Path, GradientBoostingClassifier],
    args: list[str],
    message: str,
) -> None:
    data, path, _ = files
    r = cli("explain", data, "--model", path, "--trust-model", *args)
    assert r.code == 2, r.text
    assert message in r.text and "Traceback" not in r.text


def test_model_missing_or_untrusted(
    cli: Callable[..., Run], files: tuple[Path, Path, GradientBoostingClassifier], tmp_path: Path
) -> None:
    data, path, _ = files
    r = cli("explain", data, "--row-id", "1")
    assert r.code == 2 and "needs the model" in r.text
    r = cli("explain", data, "--model", tmp_path / "none.skops", "--row-id", "1")
    assert r.code == 2 and "does not exist" in r.text
    r = cli("explain", data, "--model", path, "--row-id", "1")
    assert r.code == 2 and "--trust-model" in r.text
