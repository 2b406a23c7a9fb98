"""Where the time of ``mlaudit drift`` goes: per-phase timers in one process.

Usage: ``.venv/bin/python benchmarks/bench_drift_phases.py [--rows N] [--drifted]
[--model-columns]`` (the files of ``bench_drift_peer.py`` with the same options)

Times the imports the command pays for, then one drift audit of the benchmark files with timers
wrapped around each scan pass, each check and the report writing, and prints the process's peak
resident memory after each (the phase that raises the peak is the first whose figure jumps).
Checks run side by side, so their times overlap (and a check that waits for work another one
shares counts the wait).  Figures are for reading proportions; the whole-process figures that
count come from ``bench_drift_peer.py``.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from _common import DATA, drift_files

T0 = time.perf_counter()
TIMES: dict[str, float] = defaultdict(float)
PEAKS: dict[str, float] = {}


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        TIMES[name] += time.perf_counter() - start
        PEAKS[name] = peak_mb()


def wrap(owner: Any, attr: str, label: Callable[..., str]) -> None:
    """Replace ``owner.attr`` by a timed version; ``label(*args, **kw)`` names each call."""
    original = getattr(owner, attr)

    def timed_call(*args: Any, **kwargs: Any) -> Any:
        with timed(label(*args, **kwargs)):
            return original(*args, **kwargs)

    setattr(owner, attr, timed_call)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--drifted", action="store_true", help="strong drift in five columns")
    parser.add_argument("--model-columns", action="store_true", help="target, prediction, score")
    args = parser.parse_args()
    ref, cur = drift_files(args.rows, drifted=args.drifted, model=args.model_columns)
    roles = (
        {"target": "target", "prediction": "prediction", "score": "score"}
        if args.model_columns
        else None
    )

    with timed("import mlaudit.cli (what `mlaudit drift` loads)"):
        import mlaudit.cli  # noqa: F401
    with timed("import the drift suite's checks"):
        from mlaudit.audit._plan import build_checks

        build_checks("drift", {})
    import mlaudit.audit._inputs as inputs
    import mlaudit.engines._local as local
    from mlaudit.audit import Audit
    from mlaudit.data._sources import Dataset
    from mlaudit.report import write_reports

    current = {"name": "?"}

    def profile_label(source: Any, *a: Any, **kw: Any) -> str:
        current["name"] = getattr(source, "name", "?")
        return f"profile {current['name']} (both passes)"

    def pass_label(frames: Any, *a: Any, second_pass: bool = False, **kw: Any) -> str:
        return f"  {current['name']} pass {2 if second_pass else 1}"

    wrap(local, "_scan_frames", pass_label)
    wrap(inputs, "scan_profile", profile_label)
    wrap(inputs, "infer_schema", lambda ds, **kw: "infer schema")
    wrap(Dataset, "fingerprint", lambda self: "file hashes (waiting for the background thread)")
    with timed("Audit(...) setup"):
        audit = Audit(cur, reference=ref, suite="drift", title="Drift report", schema=roles)
    for check in audit.checks:
        # pydantic models refuse new attributes; wrap the class method once per class.
        cls = type(check)
        if not getattr(cls, "_timed", False):
            wrap(cls, "compute", lambda self, ctx: f"check {self.id}")
            cls._timed = True  # type: ignore[attr-defined]
    with timed("audit.run() total"):
        result = audit.run()
    with timed("write_reports json"):
        write_reports(result, DATA / "drift-phases-out", formats=["json"])
    total = time.perf_counter() - T0
    print(f"{args.rows:,} + {args.rows:,} rows, one process, {total:.2f} s in all")
    print("    time   peak RSS after it")
    for name, sec in TIMES.items():
        print(f"{sec:8.3f} s  {PEAKS[name]:7.0f} MB  {name}")


if __name__ == "__main__":
    main()
