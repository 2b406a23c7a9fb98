"""The peer side of ``bench_drift_peer.py``: Evidently's data-drift report on two Parquet files.

Run by the peer environment's Python (``benchmarks/.peer-venv``, made by ``peer-env.sh``), never
by mlaudit's; it imports nothing from mlaudit or from the benchmark helpers.

Usage: ``.peer-venv/bin/python peer_evidently_drift.py REF CUR OUT_DIR [--html]``

Reads both files with pandas (all 20 columns), runs ``Report([DataDriftPreset()])`` with
``run(current, reference)`` and writes the snapshot's JSON (and the HTML report with ``--html``)
to ``OUT_DIR``.  Prints the drifted-column count so that a broken run is visible.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("reference")
    parser.add_argument("current")
    parser.add_argument("out", type=Path)
    parser.add_argument("--html", action="store_true", help="also write the HTML report")
    args = parser.parse_args()
    reference = pd.read_parquet(args.reference)
    current = pd.read_parquet(args.current)
    snapshot = Report([DataDriftPreset()]).run(current, reference)
    args.out.mkdir(parents=True, exist_ok=True)
    snapshot.save_json(str(args.out / "evidently.json"))
    if args.html:
        snapshot.save_html(str(args.out / "evidently.html"))
    data = json.loads((args.out / "evidently.json").read_text())
    metrics = data.get("metrics", [])
    print(f"evidently: {len(reference.columns)} columns, {len(metrics)} metric results")
    for m in metrics:
        name = str(m.get("metric_name", ""))
        if name.startswith("DriftedColumnsCount"):
            print(f"evidently: {name} -> {m.get('value')}")


if __name__ == "__main__":
    main()
