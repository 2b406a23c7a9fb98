"""What the data-integrity checks of issue 13 cost: profiling and auditing 1M rows, before/after.

Usage::

    .venv/bin/python benchmarks/bench_integrity.py --src /tmp/before/src --src src --repeat 5

Three commands, each in fresh processes timed by GNU ``time -v`` (wall seconds, peak resident
memory), the source trees alternating:

* ``mlaudit profile`` of the 1M-row × 20-column benchmark file (the issue's yardstick: every
  summary the scan computes, the new ones included);
* ``mlaudit audit --suite data_quality`` of the same file (the checks' own work as well);
* the same audit of the 1M-row file with a target, prediction and score (``--target target``:
  the label checks, conflicting labels and class imbalance, have their input).

The files are those of ``bench_drift_peer.py`` (``audit_1000000.parquet``, and
``audit_1000000_model.parquet`` with ``--model-columns`` there); they are made when missing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from _common import DATA, drift_files, measure


def _commands(out: str) -> dict[str, list[str]]:
    plain = str(DATA / "audit_1000000.parquet")
    model = str(DATA / "audit_1000000_model.parquet")
    mlaudit = [sys.executable, "-m", "mlaudit", "-q"]
    audit = ["--suite", "data_quality", "--format", "json", "--fail-on", "never", "--out", out]
    return {
        "profile 1M x 20": [*mlaudit, "profile", plain],
        "audit data_quality 1M x 20": [*mlaudit, "audit", "--current", plain, *audit],
        "audit data_quality 1M x 23, target": [
            *mlaudit, "audit", "--current", model, "--target", "target", *audit,
        ],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--src", action="append", help="source tree(s) to compare")
    args = parser.parse_args()
    drift_files(1_000_000, drifted=False, model=False)
    drift_files(1_000_000, drifted=False, model=True)
    trees = args.src or [str(Path(__file__).parents[1] / "src")]
    with tempfile.TemporaryDirectory() as out:
        commands = _commands(out)
        runs = {(name, t): [] for name in commands for t in trees}  # type: ignore[var-annotated]
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                for tree in trees:
                    m = measure(cmd, env={"PYTHONPATH": tree})
                    runs[name, tree].append((m.seconds, m.peak_mb))
                    print(f"  {name} [{tree}]: {m.seconds:.2f} s, {m.peak_mb:.0f} MB", flush=True)
    print()
    for name in commands:
        medians = []
        for tree in trees:
            secs = [s for s, _ in runs[name, tree]]
            medians.append(statistics.median(secs))
            peak = max(p for _, p in runs[name, tree])
            print(f"{name:36} [{tree}] best {min(secs):6.2f} s  median {medians[-1]:6.2f} s  "
                  f"peak {peak:5.0f} MB")  # fmt: skip
        if len(trees) == 2:
            print(f"{'':36} median ratio {medians[1] / medians[0]:.2f}x")


if __name__ == "__main__":
    main()
