"""A LightGBM model's predictions streamed over large files: time and peak memory by rows.

Usage::

    .venv/bin/python benchmarks/bench_model_stream.py --rows 1000000 --rows 10000000

For each size, a Parquet file of ``rows`` rows (eight numeric features, one text feature, a
binary target; written in row groups so it streams) and a LightGBM model fitted on its first
50,000 rows, saved as a text file.  Then, in fresh processes timed by GNU ``time -v``:

* ``mlaudit audit --model model.txt --target target`` with the checks that read the model's
  columns (``performance.change_points`` reads every row's label and prediction), and
* for comparison, ``mlaudit profile`` of the same file, the scan alone without the model.

Memory that stays flat from 1M to 10M rows, apart from the model rows the windows keep (about
12 bytes a row) and the kept outputs (16 bytes a row), means the features were never held
whole.  Files go to ``benchmarks/data`` (made once).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from _common import DATA, measure

FEATURES = 8
ROW_GROUP = 500_000


def _chunk(rng: np.random.Generator, n: int) -> pa.Table:
    x = rng.normal(size=(n, FEATURES))
    region = rng.choice(np.array(["north", "south", "east", "west"]), n)
    logit = x[:, 0] - 0.7 * x[:, 1] + 0.4 * x[:, 2] * x[:, 3] + (region == "north")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    cols = {f"x{k}": x[:, k] for k in range(FEATURES)}
    return pa.table({**cols, "region": region, "target": y})


def files(rows: int) -> tuple[Path, Path]:
    """The data file and the model file for ``rows`` rows (made when missing)."""
    DATA.mkdir(exist_ok=True)
    data = DATA / f"model_stream_{rows}.parquet"
    model = DATA / "model_stream_lightgbm.txt"
    if not model.exists():
        train = _chunk(np.random.default_rng(1), 50_000).to_pandas()
        train["region"] = train["region"].astype("category")
        est = lgb.LGBMClassifier(n_estimators=100, num_leaves=31, verbose=-1)
        est.fit(train.drop(columns="target"), train["target"])
        est.booster_.save_model(model)
    if not data.exists():
        rng = np.random.default_rng(2)
        first = _chunk(rng, min(rows, ROW_GROUP))
        with pq.ParquetWriter(data, first.schema) as writer:
            writer.write_table(first)
            done = first.num_rows
            while done < rows:
                part = _chunk(rng, min(ROW_GROUP, rows - done))
                writer.write_table(part)
                done += part.num_rows
    return data, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="rows (repeatable)")
    args = parser.parse_args()
    mlaudit = [sys.executable, "-m", "mlaudit", "-q"]
    print(f"{'rows':>12}  {'command':<40} {'seconds':>8} {'peak MB':>8}")
    for rows in args.rows or [1_000_000]:
        data, model = files(rows)
        with tempfile.TemporaryDirectory() as out:
            config = Path(out) / "audit.yaml"
            config.write_text(
                f"current: {data}\nmodel: {model}\nschema: {{target: target}}\nsuite: none\n"
                "checks: {performance.change_points: {}}\n"
            )
            runs = {
                "profile (no model)": [*mlaudit, "profile", str(data)],
                "audit --model (LightGBM)": [
                    *mlaudit,
                    "audit",
                    str(config),
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    "--out",
                    out,
                ],
            }
            for name, cmd in runs.items():
                m = measure(cmd)
                print(f"{rows:>12,}  {name:<40} {m.seconds:>8.2f} {m.peak_mb:>8.0f}")


if __name__ == "__main__":
    main()
