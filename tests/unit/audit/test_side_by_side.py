"""Checks run side by side: the same results in the suite's order, shared work done once, the
row-reading checks one at a time on large data, progress from the calling thread."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

import numpy as np
import polars as pl
import pytest

from mlaudit import Audit, Check, CheckContext, CheckResult, Status
from mlaudit.audit import _checks_run, profile_data, run_checks
from mlaudit.report import dumps_canonical

_BOTH = threading.Barrier(2, timeout=20)


class _Meeting(Check):
    """Passes only when another check reaches the barrier while this one waits at it."""

    family: ClassVar[str] = "test"
    title: ClassVar[str] = "Meets a check running at the same time"

    def compute(self, ctx: CheckContext) -> CheckResult:
        _BOTH.wait()
        return self.result(Status.PASS, f"ran on {threading.current_thread().name}")


class MeetingA(_Meeting):
    id: ClassVar[str] = "test.meeting_a"


class MeetingB(_Meeting):
    id: ClassVar[str] = "test.meeting_b"


class _Rows(Check):
    """A row-reading check that records how many row-reading checks run with it."""

    family: ClassVar[str] = "test"
    title: ClassVar[str] = "Reads every model row"
    needs_rows: ClassVar[bool] = True
    running: ClassVar[list[int]] = [0]
    most: ClassVar[list[int]] = [0]
    lock: ClassVar[threading.Lock] = threading.Lock()

    def compute(self, ctx: CheckContext) -> CheckResult:
        with self.lock:
            self.running[0] += 1
            self.most[0] = max(self.most[0], self.running[0])
        time.sleep(0.05)
        with self.lock:
            self.running[0] -= 1
        return self.result(Status.PASS, "done")


class RowsA(_Rows):
    id: ClassVar[str] = "test.rows_a"


class RowsB(_Rows):
    id: ClassVar[str] = "test.rows_b"


class RowsC(_Rows):
    id: ClassVar[str] = "test.rows_c"
    cost: ClassVar[int] = 5


class WhereRan(Check):
    id: ClassVar[str] = "test.where_ran"
    family: ClassVar[str] = "test"
    title: ClassVar[str] = "Records the thread it ran on"
    threads: ClassVar[list[int]] = []

    def compute(self, ctx: CheckContext) -> CheckResult:
        self.threads.append(threading.get_ident())
        return self.result(Status.PASS, "recorded")


class Recorder:
    def __init__(self) -> None:
        self.threads: set[int] = set()
        self.advanced = 0

    def start(self, key: str, description: str, total: int | None) -> None:
        self.threads.add(threading.get_ident())

    def advance(self, key: str, amount: int) -> None:
        self.threads.add(threading.get_ident())
        self.advanced += amount

    def finish(self, key: str) -> None:
        self.threads.add(threading.get_ident())


@pytest.fixture
def ctx() -> CheckContext:
    frame = pl.DataFrame({"x": np.arange(200, dtype=np.float64), "c": ["a", "b"] * 100})
    _, schema, profile = profile_data(frame)
    return CheckContext(current=profile, schema=schema)


def _model_frame(n: int, seed: int, shift: float) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(shift, 1.0, n)
    score = 1.0 / (1.0 + np.exp(-x))
    return pl.DataFrame(
        {
            "x": x,
            "z": rng.normal(0.0, 1.0, n),
            "segment": rng.choice(["a", "b", "c"], n),
            "score": score,
            "prediction": (score >= 0.5).astype(np.int64),
            "target": (rng.random(n) < score).astype(np.int64),
        }
    )


def _without_run_facts(text: str) -> str:
    import json

    doc = json.loads(text)
    for key in ("run_id", "created_at", "finished_at"):
        doc.pop(key)
    return json.dumps(doc, sort_keys=True)


def test_side_by_side_gives_the_one_thread_report(monkeypatch: pytest.MonkeyPatch) -> None:
    # The drift suite with model columns: univariate, multivariate, estimation, change points.
    ref, cur = _model_frame(4_000, 1, 0.0), _model_frame(4_000, 2, 0.4)
    roles = {"target": "target", "prediction": "prediction", "score": "score"}
    texts = []
    for threads in ("1", "2"):
        monkeypatch.setenv("MLAUDIT_THREADS", threads)
        result = Audit(cur, reference=ref, suite="drift", schema=roles).run()
        ran = {c.id for c in result.checks if c.status != Status.SKIPPED}
        assert Status.ERROR not in {c.status for c in result.checks}
        assert {"drift.univariate", "drift.multivariate", "performance.estimated",
                "performance.change_points", "performance.estimate_vs_actual"} <= ran  # fmt: skip
        texts.append(_without_run_facts(dumps_canonical(result)))
    assert texts[0] == texts[1]


def test_checks_run_at_the_same_time_and_come_back_in_order(ctx: CheckContext) -> None:
    # Each meeting check waits until the other reaches the barrier: both pass only if they
    # run at once (one after the other, the first would time out and become an error).
    checks: list[Check] = [MeetingA(), RowsA(), MeetingB()]
    results = run_checks(checks, ctx)
    assert [r.id for r in results] == ["test.meeting_a", "test.rows_a", "test.meeting_b"]
    assert all(r.status == Status.PASS for r in results), [r.message for r in results]


def test_one_thread_runs_every_check_in_the_calling_thread(
    ctx: CheckContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLAUDIT_THREADS", "1")
    WhereRan.threads.clear()
    results = run_checks([WhereRan(), RowsA(), WhereRan()], ctx)
    assert [r.message for r in results] == ["recorded", "done", "recorded"]
    assert WhereRan.threads == [threading.get_ident()] * 2


def test_row_reading_checks_run_one_at_a_time_on_large_data(
    ctx: CheckContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_checks_run, "_ROWS_ONE_AT_A_TIME", -1)  # every audit counts as large
    _Rows.most[0] = 0
    checks: list[Check] = [RowsA(), MeetingA(), RowsB(), RowsC(), MeetingB()]
    results = run_checks(checks, ctx)
    assert _Rows.most[0] == 1
    # The light checks still ran beside them (the meeting checks need each other).
    assert [r.status for r in results] == [Status.PASS] * 5
    assert [r.id for r in results] == [c.id for c in checks]


def test_row_reading_checks_may_overlap_on_small_data(ctx: CheckContext) -> None:
    _Rows.most[0] = 0
    for _ in range(20):  # two 50 ms checks submitted together nearly always overlap
        run_checks([RowsA(), RowsB()], ctx)
        if _Rows.most[0] == 2:
            break
    assert _Rows.most[0] == 2


def test_progress_is_reported_from_the_calling_thread(ctx: CheckContext) -> None:
    progress = Recorder()
    run_checks([MeetingA(), RowsA(), MeetingB(), RowsB()], ctx, progress)
    assert progress.threads == {threading.get_ident()}
    assert progress.advanced == 4


def test_shared_work_is_computed_once(ctx: CheckContext) -> None:
    calls: list[int] = []
    start = threading.Barrier(6, timeout=20)

    def compute() -> object:
        calls.append(1)
        time.sleep(0.05)
        return object()

    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(ctx.shared("the key", compute))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(got) == 6 and all(g is got[0] for g in got)
    assert ctx.shared("another key", lambda: 7) == 7
