"""The reason-code export streams: batch by batch it writes the same lines as the whole data
explained at once (TreeExplainer is exact), row numbers run on across batches, the Parquet file
keeps one schema, and a failure in a late batch leaves no file and no temporary file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import shap
from polars.testing import assert_frame_equal
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier

import mlaudit
from mlaudit import Dataset
from mlaudit.errors import MLAuditError

N = 2_500
FEATURES = ["income", "debt", "age"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(N, 3))
    y = (x[:, 1] - x[:, 0] + rng.normal(0, 0.7, N) > 0.3).astype(int)
    frame = pl.DataFrame({f: x[:, i] for i, f in enumerate(FEATURES)}).with_columns(
        pl.Series("y", y), pl.Series("ref", [f"A{i:05d}" for i in range(N)])
    )
    path = tmp_path_factory.mktemp("export") / "loans.parquet"
    frame.write_parquet(path)
    return path, frame


@pytest.fixture(scope="module")
def gbm(data: tuple[Path, pl.DataFrame]) -> GradientBoostingClassifier:
    _, frame = data
    model = GradientBoostingClassifier(n_estimators=25, max_depth=3, random_state=0)
    return model.fit(frame.select(FEATURES).to_pandas(), frame["y"].to_numpy())


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_batches_write_the_lines_of_the_whole(
    data: tuple[Path, pl.DataFrame], gbm: GradientBoostingClassifier, tmp_path: Path, suffix: str
) -> None:
    path, frame = data
    whole = mlaudit.reasons_frame(path, model=gbm, id_column="ref", top=2)
    out = tmp_path / f"r{suffix}"
    seen: list[tuple[int, int | None]] = []
    lines = mlaudit.export_reasons(
        out, Dataset(path, batch_size=400), model=gbm, id_column="ref", top=2,
        progress=lambda read, total: seen.append((read, total)),
    )  # fmt: skip
    assert [r for r, _ in seen] == [*range(400, N, 400), N]  # 7 batches, the last short
    assert {t for _, t in seen} == {N}
    read = pl.read_csv(out, schema=whole.schema) if suffix == ".csv" else pl.read_parquet(out)
    assert lines == read.height == whole.height
    assert_frame_equal(read, whole)
    # the oracle: scikit-learn's declines (1 favourable), and shap's largest push on each
    x = frame.select(FEATURES).to_pandas()
    declined = np.flatnonzero(gbm.predict(x) == 0)
    assert read["row"].to_list() == declined.tolist()
    assert read["ref"].to_list() == [f"A{i:05d}" for i in declined]
    push = -np.asarray(shap.TreeExplainer(gbm).shap_values(x))[declined]
    first = [FEATURES[j] if push[i, j] > 0 else None for i, j in enumerate(push.argmax(axis=1))]
    assert read["reason_1_feature"].to_list() == first


def test_no_decline_writes_the_header_alone(
    data: tuple[Path, pl.DataFrame], tmp_path: Path
) -> None:
    path, frame = data
    approves = DummyClassifier(strategy="constant", constant=1).fit(
        frame.select(FEATURES).to_pandas(), frame["y"].to_numpy()
    )
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"none{suffix}"
        lines = mlaudit.export_reasons(
            out, Dataset(path, batch_size=1000), model=approves, id_column="ref"
        )
        read = pl.read_csv(out) if suffix == ".csv" else pl.read_parquet(out)
        assert lines == read.height == 0
        assert read.columns[:5] == ["row", "ref", "decision", "explainer", "space"]


def test_a_failure_in_a_late_batch_leaves_nothing(
    data: tuple[Path, pl.DataFrame], gbm: GradientBoostingClassifier, tmp_path: Path
) -> None:
    _, frame = data
    broken = frame.with_columns(
        pl.when(pl.int_range(pl.len()) < 2000).then(pl.col("debt").cast(pl.String))
        .otherwise(pl.lit("not a number")).alias("debt")
    )  # fmt: skip
    source = tmp_path / "broken.parquet"
    broken.write_parquet(source)
    out = tmp_path / "r.csv"
    out.write_text("the previous export\n", encoding="utf-8")
    with pytest.raises(MLAuditError):
        mlaudit.export_reasons(out, Dataset(source, batch_size=500), model=gbm, top=1)
    assert out.read_text(encoding="utf-8") == "the previous export\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".mlaudit")) == [
        "broken.parquet",
        "r.csv",
    ]


def test_large_batches_are_explained_in_chunks(
    data: tuple[Path, pl.DataFrame],
    gbm: GradientBoostingClassifier,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader's batch is cut into chunks of CHUNK_ROWS (memory stays one chunk's), and the
    lines are the same."""
    from mlaudit.audit import _explain

    path, _ = data
    monkeypatch.setattr(_explain, "CHUNK_ROWS", 300)
    seen: list[int] = []
    out = tmp_path / "r.parquet"
    mlaudit.export_reasons(out, Dataset(path, batch_size=1000), model=gbm, id_column="ref",
                           top=2, progress=lambda read, _: seen.append(read))  # fmt: skip
    assert seen[:5] == [300, 600, 900, 1000, 1300] and seen[-1] == N
    whole = mlaudit.reasons_frame(path, model=gbm, id_column="ref", top=2)
    assert_frame_equal(pl.read_parquet(out), whole)


def test_named_rows_are_found_batch_by_batch(
    data: tuple[Path, pl.DataFrame], gbm: GradientBoostingClassifier
) -> None:
    """Rows asked for by id (or position) in later batches: scikit-learn's decisions, shap's
    first reason, the ids and positions in the order asked."""
    path, frame = data
    x = frame.select(FEATURES).to_pandas()
    wanted = [2400, 17, 1333, 17]
    got = mlaudit.explain_rows(Dataset(path, batch_size=500), model=gbm, id_column="ref",
                               row_ids=[f"A{i:05d}" for i in wanted], top=1)  # fmt: skip
    assert [(r.row, r.row_id) for r in got] == [(i, f"A{i:05d}") for i in wanted]
    assert [r.decision for r in got] == [str(v) for v in gbm.predict(x.iloc[wanted])]
    push = -np.asarray(shap.TreeExplainer(gbm).shap_values(x.iloc[wanted]))
    for r, row in zip(got, push, strict=True):
        if not r.favourable and row.max() > 0:
            assert r.reasons[0].feature == FEATURES[int(row.argmax())]
    by_position = mlaudit.explain_rows(Dataset(path, batch_size=500), model=gbm, top=1,
                                       row_ids=[str(i) for i in wanted])  # fmt: skip
    assert [r.row for r in by_position] == wanted
    with pytest.raises(MLAuditError, match="position, 0 to 2499"):
        mlaudit.explain_rows(path, model=gbm, row_ids=["2500"])
