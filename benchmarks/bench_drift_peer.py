"""``mlaudit drift`` side by side with Evidently's data-drift report, whole processes, one run.

Usage::

    bash benchmarks/peer-env.sh                      # once: benchmarks/.peer-venv with Evidently
    .venv/bin/python benchmarks/bench_drift_peer.py  # 1M + 1M rows x 20 columns
    .venv/bin/python benchmarks/bench_drift_peer.py --rows 10000000   # ours only above 1M rows
    .venv/bin/python benchmarks/bench_drift_peer.py --html            # both also write HTML
    .venv/bin/python benchmarks/bench_drift_peer.py --src /tmp/old/src --src src   # before/after

Both sides read the same two Parquet files (``bench_drift.py``'s, made by ``_common.py``) in a
fresh process timed by GNU ``time -v`` (wall seconds, peak resident memory), each with its
modules byte-compiled as after a pip install (ours in a cache under ``data/``, filled by one
untimed warm-up run on 1,000 rows):

* ours: ``mlaudit drift REF CUR --format json`` (``--format html,json`` with ``--html``, which
  is what the command writes by default);
* the peer: ``peer_evidently_drift.py`` run by the peer environment's Python: pandas reads both
  files, ``Report([DataDriftPreset()]).run(current, reference)``, the snapshot saved as JSON
  (and as HTML with ``--html``; Evidently writes nothing unless asked, its HTML is what a
  notebook shows).

The runs alternate (ours, peer, ours, ...) so that both see the same machine load; the figures
to read are the ratios.  Targets of the drift issue: 1M + 1M rows at least 30x faster than the
peer and under 1 GB; 10M + 10M rows under 30 s and 2 GB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from _common import DATA, Measurement, Variant, drift_files, measure, write_parquet

HERE = Path(__file__).parent
PEER_PY = HERE / ".peer-venv" / "bin" / "python"
PEER_SCRIPT = HERE / "peer_evidently_drift.py"
# No telemetry from the peer's libraries (there is no network here anyway).
PEER_ENV = {"ITERATIVE_DO_NOT_TRACK": "1", "DO_NOT_TRACK": "1"}
MODEL_ARGS = ("--target", "target", "--prediction", "prediction", "--score", "score")
PEER_MAX_ROWS = 1_000_000
"""Above this the peer is skipped unless asked for (it needs tens of GB at 10M rows)."""
# Byte-compiled modules for our side, as a pip install has them (the peer's were compiled when
# pip installed it).  An editable install under PYTHONDONTWRITEBYTECODE would otherwise compile
# mlaudit's sources in every run; the untimed warm-up run (on 1,000 rows) fills this cache.
WARM = (("audit", 0), ("drift", 10_000_019))
OURS_ENV = {"PYTHONPYCACHEPREFIX": str(DATA / "pycache"), "PYTHONDONTWRITEBYTECODE": ""}


def ours(
    ref: str, cur: str, html: bool, src: str | None = None, model: bool = False
) -> Measurement:
    """One fresh ``mlaudit drift`` process (mlaudit from ``src`` when given)."""
    env = dict(OURS_ENV)
    if src is not None:
        env["PYTHONPATH"] = str(Path(src).resolve())
    return measure(
        [
            sys.executable,
            "-m",
            "mlaudit",
            "-q",
            "drift",
            ref,
            cur,
            "--format",
            "html,json" if html else "json",
            "--fail-on",
            "never",
            "--out",
            str(DATA / "drift-out"),
            *(MODEL_ARGS if model else ()),
        ],
        env=env,
    )


def peer(ref: str, cur: str, html: bool) -> Measurement:
    """One fresh process of the peer script in the peer environment."""
    args = [str(PEER_PY), str(PEER_SCRIPT), ref, cur, str(DATA / "peer-out")]
    return measure([*args, "--html"] if html else args, env=PEER_ENV)


def summary(label: str, runs: list[Measurement]) -> str:
    best = min(runs, key=lambda m: m.seconds)
    walls = ", ".join(f"{m.seconds:.2f}" for m in runs)
    return (
        f"{label:<28} best {best.seconds:7.2f} s  median "
        f"{statistics.median(m.seconds for m in runs):7.2f} s  peak "
        f"{max(m.peak_mb for m in runs):6.0f} MB   (runs: {walls})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours")
    parser.add_argument("--peer-repeat", type=int, default=1, help="runs of the peer")
    parser.add_argument("--html", action="store_true", help="both sides also write HTML")
    parser.add_argument("--no-peer", action="store_true", help="measure ours only")
    parser.add_argument(
        "--src",
        action="append",
        help="measure mlaudit from this source tree (repeat to compare trees side by side)",
    )
    parser.add_argument(
        "--peer-anyway", action="store_true", help=f"run the peer above {PEER_MAX_ROWS:,} rows"
    )
    parser.add_argument(
        "--drifted", action="store_true", help="strong drift in five columns of the current file"
    )
    parser.add_argument(
        "--model-columns",
        action="store_true",
        help="add target, prediction and score columns (and pass them to mlaudit drift)",
    )
    args = parser.parse_args()
    ref, cur = drift_files(args.rows, drifted=args.drifted, model=args.model_columns)
    model = Variant(model=args.model_columns)

    run_peer = not args.no_peer
    if run_peer and not PEER_PY.exists():
        print("peer not installed: run benchmarks/peer-env.sh (measuring ours only)")
        run_peer = False
    if run_peer and args.rows > PEER_MAX_ROWS and not args.peer_anyway:
        print(f"peer skipped above {PEER_MAX_ROWS:,} rows (--peer-anyway runs it)")
        run_peer = False

    trees: list[str | None] = list(args.src) if args.src else [None]
    small = [
        str(write_parquet(DATA / f"{k}_1000{model.suffix}.parquet", 1000, seed=s, variant=model))
        for k, s in WARM
    ]
    for src in trees:  # untimed, on 1,000 rows: byte-compiles every module the command loads
        warm = ours(*small, args.html, src, args.model_columns)
        print(f"  warm-up {src or 'installed'} (not counted) {warm.seconds:.2f} s", flush=True)
    mine: dict[str | None, list[Measurement]] = {src: [] for src in trees}
    theirs: list[Measurement] = []
    for i in range(max(args.repeat, args.peer_repeat if run_peer else 0)):
        for src in trees:
            if i < args.repeat:
                mine[src].append(ours(ref, cur, args.html, src, args.model_columns))
                print(f"  ours  {mine[src][-1].line()}  [{src or 'installed'}]", flush=True)
        if run_peer and i < args.peer_repeat:
            theirs.append(peer(ref, cur, args.html))
            print(f"  peer  {theirs[-1].line()}", flush=True)

    outputs = "HTML + JSON" if args.html else "JSON"
    extra = (", strong drift in 5 columns" if args.drifted else "") + (
        ", target/prediction/score columns" if args.model_columns else ""
    )
    print(f"\n{args.rows:,} + {args.rows:,} rows x 20 columns{extra}, reports written: {outputs}")
    if theirs:
        print(summary("Evidently DataDriftPreset", theirs))
    for src, runs in mine.items():
        report(f"mlaudit drift [{src or 'installed'}]", runs, theirs, args.rows)


def report(label: str, mine: list[Measurement], theirs: list[Measurement], rows: int) -> None:
    """Our figures, the ratios to the peer's and the targets."""
    print(summary(label, mine))
    best = min(mine, key=lambda m: m.seconds)
    peak = max(m.peak_mb for m in mine)
    if theirs:
        top = min(theirs, key=lambda m: m.seconds)
        med = statistics.median(m.seconds for m in theirs) / statistics.median(
            m.seconds for m in mine
        )
        print(
            f"    ratio best peer / best ours: {top.seconds / best.seconds:.1f}x faster "
            f"(medians: {med:.1f}x), {top.peak_mb / peak:.1f}x less peak memory"
        )
        if rows == 1_000_000:
            ok = top.seconds / best.seconds >= 30 and peak < 1024
            print(f"    target (>= 30x faster, < 1 GB): {'met' if ok else 'not met'}")
    if rows == 10_000_000:
        ok = best.seconds < 30 and peak < 2048
        print(f"    target (< 30 s, < 2 GB): {'met' if ok else 'not met'}")


if __name__ == "__main__":
    main()
