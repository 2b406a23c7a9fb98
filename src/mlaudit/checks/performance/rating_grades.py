"""``performance.rating_grades``: the default rate per rating grade against its predicted rate.

Runs when a rating grade column is declared (``schema.grade``) beside a binary target and a
probability score.  Per grade of the current data: rows, defaults (positive labels), the mean
predicted probability (the grade's PD), the observed default rate, and the one-sided binomial
and Jeffreys tests of underestimation (:mod:`mlaudit.stats._grades`; the ECB's IRB validation
instructions use both).  Grades with fewer than ``min_grade_rows`` rows are listed, not tested.

**Verdict**: a grade is flagged when its underestimation is both *significant* and *material*.
Significant: its Jeffreys p-value is below ``alpha / grades`` (warn) or ``fail_alpha / grades``
(fail), Bonferroni-corrected over the grades tested so that a scale of ten grades does not raise
a false alarm one time in three.  Material: its observed default rate is at least
``min_relative_gap`` (25%) above its PD; without this, a grade of thousands of rows would be
flagged for a gap of a tenth of a point (a PD of 0.983 against 0.992 observed), which no
validator would act on.  25% is a convention to set per portfolio (0 tests significance alone,
as the ECB's instructions do).

**Migration** between reference and current, descriptive (it does not change the verdict):
when an id column is declared (``schema.id``; an id only inferred from a column's name is not
trusted to link rows) and present in both, rows are linked by it and the table is the classic
migration matrix (share of each reference grade's rows in each current grade, and the share
that kept its grade).  Without a row link (or when no id is found in both) no migration can be
observed; the table is then the shift of the grades' distribution (reference %, current %, and
each grade's PSI contribution).

A grade with no default at all passes (p-values near 1): a low-default portfolio shows no
underestimation; these tests cannot show overestimation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha, NonNegative
from mlaudit.checks.performance._labels import ScoreRule, model_rows
from mlaudit.data import Role, Schema
from mlaudit.results import Cell, CheckResult, Detail, Severity, Status, TableDetail
from mlaudit.stats import GradeTest, grade_test
from mlaudit.stats.drift import psi
from mlaudit.summary import WindowedData

__all__ = ["RatingGrades"]


def _grade_frame(data: WindowedData | None, schema: Schema, grade: str) -> pl.DataFrame | None:
    """The rows with a grade, a label and a finite score (None when the grade is not there)."""
    if data is None or data.rows is None or grade not in data.rows.columns:
        return None
    frame = data.rows
    roles = (Role.TARGET, Role.PREDICTION, Role.SCORE)
    keep = [c.name for c in schema.with_role(*roles) if c.name in frame.columns] + [grade]
    frame = frame.drop_nulls(keep)
    score = [c.name for c in schema.with_role(Role.SCORE) if c.name in frame.columns]
    if score and frame[score[0]].dtype.is_numeric():
        frame = frame.filter(frame[score[0]].cast(pl.Float64).is_finite())
    return frame


@register
class RatingGrades(Check):
    """Binomial and Jeffreys tests of each grade's default rate; grade migration."""

    id: ClassVar[str] = "performance.rating_grades"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "Each rating grade's default rate matches its predicted rate"
    why: ClassVar[str] = (
        "Capital and provisions are set per grade from its probability of default; a grade "
        "whose defaults exceed its PD understates the risk held."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()
    needs_rows: ClassVar[bool] = True
    limit_pairs: ClassVar[tuple[tuple[str, str], ...]] = (("fail_alpha", "alpha"),)

    positive_label: str | None = None
    """Positive class (default) of the target (needed when the classes are text)."""
    alpha: Alpha = 0.05
    """Family-wise level for a warning (Bonferroni over the grades tested)."""
    fail_alpha: Alpha = 0.001
    """Family-wise level for a failure."""
    min_grade_rows: int = Field(default=20, ge=1)
    """Fewest rows for a grade to be tested."""
    min_relative_gap: NonNegative = 0.25
    """Smallest material underestimation: observed rate ≥ PD × (1 + this) (0: any)."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the whole current data."""
        grade = ctx.schema.grade
        if grade is None:
            return self.skipped("no rating grade column declared (schema.grade)")
        frame = _grade_frame(ctx.current_windows, ctx.schema, grade)
        if frame is None:
            return self.skipped(f"the grade column {grade!r} is not in the current data")
        assert ctx.current_windows is not None
        rows = model_rows(
            replace(ctx.current_windows, rows=frame),
            ctx.schema,
            positive_label=self.positive_label,
            rule=ScoreRule.of(None, ctx.schema),
            need_score=True,
            need_probability=True,
        )
        if isinstance(rows, str):
            return self.skipped(rows)
        if rows.task != "binary" or rows.y is None or rows.score is None:
            return self.skipped(f"the target is {rows.task}: grades are tested for binary ones")
        labels, codes = np.unique(frame[grade].to_numpy(), return_inverse=True)
        if labels.size < 2:
            return self.skipped(
                f"the grade column {grade!r} holds one grade only ({labels[0]}): nothing to "
                "compare across grades"
            )
        tests = _tests(codes, rows.y, rows.score, labels.size)
        return self._judge(ctx, grade, [str(v) for v in labels], tests)

    def _judge(
        self, ctx: CheckContext, grade: str, labels: list[str], tests: list[GradeTest]
    ) -> CheckResult:
        tested = [t.rows >= self.min_grade_rows for t in tests]
        k = sum(tested)
        if k == 0:
            return self.skipped(
                f"no grade of {grade!r} has {self.min_grade_rows} rows or more to test"
            )
        warn_at, fail_at = self.alpha / k, self.fail_alpha / k
        verdicts = [
            self._verdict(t, ok, warn_at, fail_at) for t, ok in zip(tests, tested, strict=True)
        ]
        flagged = [g for g, v in zip(labels, verdicts, strict=True) if v in ("warn", "fail")]
        status = Status.FAIL if "fail" in verdicts else Status.WARN if flagged else Status.PASS
        details: list[Detail] = [self._table(grade, labels, tests, verdicts, k)]
        migration = _migration(ctx, grade)
        if migration is not None:
            details.append(migration)
        return self.result(
            status,
            _message(grade, labels, tests, flagged, k),
            metrics={
                "grades": len(labels),
                "grades_tested": k,
                "grades_flagged": len(flagged),
                "min_jeffreys_p": min(
                    t.jeffreys_p for t, ok in zip(tests, tested, strict=True) if ok
                ),
            },
            details=details,
        )

    def _table(
        self, grade: str, labels: list[str], tests: list[GradeTest], verdicts: list[str], k: int
    ) -> TableDetail:
        """One row per grade: counts, rates, both p-values and the verdict."""
        rows: list[list[Cell]] = [
            [g, t.rows, t.defaults, round(t.predicted, 6), round(t.observed, 6),
             _p(t.binomial_p), _p(t.jeffreys_p), v]
            for g, t, v in zip(labels, tests, verdicts, strict=True)
        ]  # fmt: skip
        rates = ["predicted_pd", "observed_rate", "binomial_p", "jeffreys_p"]
        return TableDetail(
            name="grades",
            title=f"Default rate per grade of {grade} against its predicted rate",
            columns=["grade", "rows", "defaults", *rates, "verdict"],
            rows=rows,
            note=f"One-sided tests of underestimation; verdicts at {self.alpha:g}/{k} "
            f"(warn) and {self.fail_alpha:g}/{k} (fail), Bonferroni over {k} grades tested, "
            f"when the observed rate is at least {self.min_relative_gap:.0%} above the PD.",
        )

    def _verdict(self, t: GradeTest, tested: bool, warn_at: float, fail_at: float) -> str:
        """A grade's verdict: significant and material underestimation warns or fails."""
        if not tested:
            return "not tested: too few rows"
        if t.jeffreys_p >= warn_at:
            return "ok"
        if t.observed < t.predicted * (1.0 + self.min_relative_gap):
            return "ok: significant, not material"
        return "fail" if t.jeffreys_p < fail_at else "warn"


def _tests(codes: np.ndarray, y: np.ndarray, p: np.ndarray, k: int) -> list[GradeTest]:
    n = np.bincount(codes, minlength=k)
    d = np.bincount(codes, weights=y.astype(np.float64), minlength=k)
    s = np.bincount(codes, weights=p, minlength=k)
    pd = np.minimum(1.0, s / np.maximum(n, 1))
    return [grade_test(round(float(d[i])), int(n[i]), float(pd[i])) for i in range(k)]


def _p(x: float) -> float:
    return float(f"{x:.4g}")


def _message(
    grade: str, labels: list[str], tests: list[GradeTest], flagged: list[str], k: int
) -> str:
    if not flagged:
        return (
            f"No grade of {grade} shows more defaults than its predicted rate explains "
            f"({k} of {len(labels)} grades tested, Jeffreys and binomial tests)."
        )
    by = dict(zip(labels, tests, strict=True))
    shown = ", ".join(
        f"{g} (predicted {by[g].predicted:.3f}, observed {by[g].observed:.3f} on "
        f"{by[g].rows:,} rows)"
        for g in flagged[:5]
    )
    return (
        f"{len(flagged)} grade(s) of {grade} have significantly more defaults than predicted: "
        f"{shown}. The model underestimates their probability of default; recalibrate the "
        "grades' PDs (or the model) on recent defaults and review the capital held for them."
    )


def _migration(ctx: CheckContext, grade: str) -> TableDetail | None:
    """The migration matrix (rows linked by id) or the grades' distribution shift."""
    ref_schema = ctx.reference_schema or ctx.schema
    ref = _grade_frame(ctx.reference_windows, ref_schema, grade)
    cur = _grade_frame(ctx.current_windows, ctx.schema, grade)
    if ref is None or cur is None or ref.height == 0:
        return None
    ids = [c.name for c in ctx.schema.with_role(Role.ID) if not c.inferred][:1]
    if ids and ids[0] in ref.columns and ids[0] in cur.columns:
        matrix = _matrix(ref, cur, grade, ids[0])
        if matrix is not None:
            return matrix
    return _shift(ref, cur, grade)


def _ordered(grades: set[str]) -> list[str]:
    """Grades in order: numerically when they are numbers (2 before 10), else as text."""
    try:
        return sorted(grades, key=float)
    except ValueError:
        return sorted(grades)


def _matrix(ref: pl.DataFrame, cur: pl.DataFrame, grade: str, key: str) -> TableDetail | None:
    left = ref.select(key, pl.col(grade).cast(pl.String).alias("from")).unique(key, keep="first")
    right = cur.select(key, pl.col(grade).cast(pl.String).alias("to")).unique(key, keep="first")
    pairs = left.join(right, on=key, how="inner")
    if pairs.height == 0:
        return None
    counts = pairs.group_by("from", "to").len()
    grades = _ordered(set(counts["from"].to_list()) | set(counts["to"].to_list()))
    cell = {(a, b): n for a, b, n in counts.iter_rows()}
    rows: list[list[Cell]] = []
    for a in grades:
        total = sum(cell.get((a, b), 0) for b in grades)
        if total:
            rows.append([a, *[round(cell.get((a, b), 0) / total, 4) for b in grades], total])
    kept = sum(cell.get((g, g), 0) for g in grades) / pairs.height
    return TableDetail(
        name="grade_migration",
        title=f"Grade migration from reference to current ({pairs.height:,} rows linked by "
        f"{key}; {kept:.1%} kept their grade)",
        columns=["reference grade", *[f"to {g}" for g in grades], "rows"],
        rows=rows,
        note="Each row: the share of that reference grade's rows in each current grade.",
    )


def _shift(ref: pl.DataFrame, cur: pl.DataFrame, grade: str) -> TableDetail:
    r = dict(ref[grade].cast(pl.String).value_counts().iter_rows())
    c = dict(cur[grade].cast(pl.String).value_counts().iter_rows())
    grades = _ordered(set(r) | set(c))
    rs = np.array([r.get(g, 0) for g in grades], dtype=np.float64) / ref.height
    cs = np.array([c.get(g, 0) for g in grades], dtype=np.float64) / cur.height
    rows: list[list[Cell]] = [
        [g, round(float(a), 4), round(float(b), 4), round(psi([a], [b]), 5)]
        for g, a, b in zip(grades, rs, cs, strict=True)
    ]
    return TableDetail(
        name="grade_distribution",
        title=f"Grade distribution, reference vs current (PSI {psi(rs, cs):.4f})",
        columns=["grade", "reference_share", "current_share", "psi_contribution"],
        rows=rows,
        note="No id column links the rows, so migrations cannot be observed: this is the "
        "shift of the grades' distribution (declare schema.id for the migration matrix).",
    )
