"""Running the configured checks on the shared context: side by side, isolated, in order.

A check that crashes becomes an ``error`` result and the others go on; warnings a check raises
become a note on its results.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from mlaudit._threads import carry_context, thread_limit
from mlaudit._warnings import capture_warnings
from mlaudit.audit._progress import NullProgress, ProgressReporter
from mlaudit.checks import Check, CheckContext
from mlaudit.errors import MLAuditError
from mlaudit.results import CheckResult, NoteDetail, Severity, Status

__all__ = ["run_checks"]

log = logging.getLogger("mlaudit")


def run_checks(
    checks: Sequence[Check], ctx: CheckContext, progress: ProgressReporter | None = None
) -> list[CheckResult]:
    """Run each check isolated: a crash becomes an ``error`` result and the others go on.

    Checks only read the context, so they run side by side on :func:`thread_limit` threads
    (their heavy parts, numpy and polars, release the GIL).  The checks that read every model
    row (``needs_rows``: estimation, change points) run one after another, in the suite's
    order: each holds a few copies of the rows at a time, so two at
    once would add their peaks (at 10,000,000 rows about 0.6 GB each).  The results come back
    in the suite's order, whatever order the checks finish in; work that several checks share
    is computed once (:meth:`CheckContext.shared`).  ``MLAUDIT_THREADS=1`` runs them one at a
    time in the calling thread.
    """
    progress = progress or NullProgress()
    progress.start("checks", "Running checks", len(checks))
    done: dict[int, list[CheckResult]] = {}
    if thread_limit() == 1 or len(checks) < 2:
        for check in checks:
            done[id(check)] = _run_one(check, ctx)
            progress.advance("checks", 1)
    else:
        _run_side_by_side(checks, ctx, progress, done)
    progress.finish("checks")
    return [r for check in checks for r in done[id(check)]]


def _run_side_by_side(
    checks: Sequence[Check],
    ctx: CheckContext,
    progress: ProgressReporter,
    done: dict[int, list[CheckResult]],
) -> None:
    """Run ``checks`` on a pool, the row-reading ones one at a time; progress is reported from
    the calling thread (a user's reporter need not be thread-safe)."""
    ordered = sorted(checks, key=lambda c: -c.cost)  # stable: the suite's order within a cost
    heavy = [c for c in ordered if c.needs_rows] if _many_rows(ctx) else []
    with ThreadPoolExecutor(thread_limit(), "mlaudit-check") as pool:
        running: dict[Future[list[CheckResult]], Check] = {}

        def submit(check: Check) -> None:
            running[pool.submit(carry_context(_run_one), check, ctx)] = check

        one_at_a_time = {id(c) for c in heavy}
        if heavy:
            submit(heavy.pop(0))
        for check in ordered:
            if id(check) not in one_at_a_time:
                submit(check)
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                check = running.pop(future)
                done[id(check)] = future.result()
                progress.advance("checks", 1)
                if check.needs_rows and heavy:
                    submit(heavy.pop(0))


_ROWS_ONE_AT_A_TIME = 4_000_000
"""Model rows (both periods) above which the checks reading every row run one at a time."""


def _many_rows(ctx: CheckContext) -> bool:
    """Whether the periods hold so many model rows that two row-reading checks at once would
    add their peaks noticeably (each holds a few 8-byte copies of the rows)."""
    n = 0
    for data in (ctx.current_windows, ctx.reference_windows):
        if data is not None and data.rows is not None:
            n += data.rows.height
    return n > _ROWS_ONE_AT_A_TIME


def _run_one(check: Check, ctx: CheckContext) -> list[CheckResult]:
    """Compute one check; warnings raised meanwhile become a note on its results."""
    if check.needs_reference and ctx.reference is None:
        return [check.skipped("needs reference data; pass --reference to run it")]
    if check.needs_model and ctx.model is None:
        return [check.skipped("needs the model itself; pass --model MODEL_FILE to run it")]
    with capture_warnings(check=True) as caught:
        results = _compute(check, ctx)
    note = caught.note()
    if not note:
        return results
    detail = NoteDetail(name="Warnings while computing", text=note)
    return [r.model_copy(update={"details": [*r.details, detail]}) for r in results]


def _compute(check: Check, ctx: CheckContext) -> list[CheckResult]:
    try:
        out = check.compute(ctx)
    except MLAuditError as exc:
        return [_error_result(check, exc.message)]
    except Exception as exc:  # a bug in a check must not stop the audit
        log.debug("check %s crashed:\n%s", check.id, traceback.format_exc())
        return [_error_result(check, f"the check crashed: {type(exc).__name__}: {exc}")]
    return out if isinstance(out, list) else [out]


def _error_result(check: Check, message: str) -> CheckResult:
    return check.result(Status.ERROR, message, severity=Severity.HIGH)
