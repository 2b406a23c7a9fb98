"""The reason-code export streamed over large files: time and peak memory by rows.

Usage::

    .venv/bin/python benchmarks/bench_reasons_export.py --rows 200000 --rows 1000000

The data and the model of ``bench_model_stream.py`` (eight numeric features, a text feature, a
100-tree LightGBM model saved as text; about half the decisions are 0, the unfavourable
outcome under the default ``1``).  In fresh processes timed by GNU ``time -v``:

* ``mlaudit explain DATA --model model.txt --export reasons.parquet`` (streamed, batch by
  batch), and
* ``mlaudit.reasons_frame`` on the same file (the whole data in memory), for comparison.

Peak memory that grows with the rows explained only by the lines kept in the export writer's
buffers, not by the data, means the rows were never held whole.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import measure
from bench_model_stream import files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="rows (repeatable)")
    args = parser.parse_args()
    print(f"{'rows':>12}  {'command':<34} {'seconds':>8} {'peak MB':>8}")
    for rows in args.rows or [200_000]:
        data, model = files(rows)
        with tempfile.TemporaryDirectory() as out:
            target = Path(out) / "reasons.parquet"
            whole = (
                "import mlaudit; f = mlaudit.reasons_frame("
                f"{str(data)!r}, model={str(model)!r}); print(f.height)"
            )
            runs = {
                "explain --export (streamed)": [sys.executable, "-m", "mlaudit", "-q",
                                                "explain", str(data), "--model", str(model),
                                                "--export", str(target)],
                "reasons_frame (whole data)": [sys.executable, "-c", whole],
            }  # fmt: skip
            for name, cmd in runs.items():
                m = measure(cmd)
                print(f"{rows:>12,}  {name:<34} {m.seconds:>8.2f} {m.peak_mb:>8.0f}")


if __name__ == "__main__":
    main()
