"""``explain.reason_stability``: would a declined applicant get the same reasons again?

Reason codes (:mod:`mlaudit.checks.explain._reasons`) are the features that pushed a decision
toward the unfavourable outcome.  With TreeExplainer they are exact and depend on neither a
seed nor a background sample; with LinearExplainer they are exact for the background sample's
mean, which another seed draws anew; with the model-agnostic explainer (shap's PermutationExplainer)
they are estimated from a seeded sample of feature orderings and a background sample of rows,
and another seed can give a person other reasons: a notice that changes when asked twice is not
an explanation.

The check explains the unfavourable decisions among the first ``rows`` rows of the current
data's seeded sample ``runs`` times, each run with its own seed (so its own orderings and its
own background sample drawn from the sample), and compares each row's set of ``top`` reasons
across the runs: the **Jaccard overlap** of every pair of runs' sets (shared reasons ÷ reasons
in either), averaged per row and over the rows, and the share of rows whose first reason is the
same in every run.  It warns when the mean overlap falls below ``warn`` (0.6 by default: two
sets of three sharing two reasons overlap 2/4 = 0.5, sharing all three 1.0).  The table lists
the least stable rows by position with each run's reasons (feature names only, never values).
"""

from __future__ import annotations

import itertools
from typing import ClassVar

import numpy as np
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import NO_MODEL, model_and_sample
from mlaudit.checks._options import PositiveCount, Share
from mlaudit.checks.explain._reasons import RowReasons, reason_codes
from mlaudit.checks.explain.stability import jaccard
from mlaudit.errors import ConfigError, ModelError
from mlaudit.results import CheckResult, NoteDetail, Severity, Status, TableDetail

__all__ = ["ReasonStability"]


@register
class ReasonStability(Check):
    """Each declined row's reasons, explained again with other seeds and backgrounds."""

    id: ClassVar[str] = "explain.reason_stability"
    family: ClassVar[str] = "explain"
    title: ClassVar[str] = "Each decision's reasons are stable across seeds and backgrounds"
    why: ClassVar[str] = (
        "Adverse-action notices give a person the main reasons for a decision; reasons that "
        "change when the explanation is computed again are not reasons the lender can stand by."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 3
    reads: ClassVar[frozenset[str]] = frozenset()

    favourable: str | None = None
    """The favourable outcome, one of the model's classes (default 1/True, else the last)."""
    rows: PositiveCount = 200
    """Rows of the current data's sample explained (their unfavourable decisions are compared)."""
    runs: int = Field(default=3, ge=2, le=10)
    """Explanations of each row, each with its own seed and background sample."""
    top: int = Field(default=3, ge=1, le=10)
    """Reasons per decision compared."""
    background: PositiveCount = 100
    """Background rows of the model-agnostic explainer."""
    warn: Share = 0.6
    """Warn when the mean overlap of a row's reason sets across runs is below this."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        rows = sample.head(self.rows)
        runs: list[list[RowReasons]] = []
        try:
            for r in range(self.runs):
                runs.append(
                    reason_codes(
                        model,
                        rows,
                        favourable=self.favourable,
                        top=self.top,
                        reference=sample,
                        background=self.background,
                        seed=ctx.seed + r,
                        adverse_only=True,
                    )
                )
        except (ConfigError, ModelError) as exc:
            return self.skipped(f"the decisions cannot be explained: {exc.message}")
        adverse = [r.row for r in runs[0]]  # only the unfavourable decisions are explained
        explainer = runs[0][0].explainer if runs[0] else ""
        if not adverse:
            return self.skipped(
                f"no unfavourable decision among the {rows.height:,} rows explained"
            )
        by_row = [{r.row: r for r in run} for run in runs]
        sets = [[{p.feature for p in run[i].reasons} for run in by_row] for i in adverse]
        per_row = [
            float(np.mean([jaccard(a, b) for a, b in itertools.combinations(s, 2)])) for s in sets
        ]
        firsts = [
            len({run[i].reasons[0].feature if run[i].reasons else "" for run in by_row}) == 1
            for i in adverse
        ]
        mean = float(np.mean(per_row))
        status = Status.WARN if mean < self.warn else Status.PASS
        order = sorted(range(len(adverse)), key=lambda k: (per_row[k], adverse[k]))[:10]
        data_rows = rows["__row__"].to_list() if "__row__" in rows.columns else None
        table = TableDetail(
            name="least_stable", title="The least stable decisions: each run's reasons",
            columns=["row", "overlap", *(f"run {r + 1}" for r in range(self.runs))],
            rows=[[data_rows[adverse[k]] if data_rows else adverse[k], per_row[k],
                   *(", ".join(p.feature for p in run[adverse[k]].reasons) for run in by_row)]
                  for k in order],
        )  # fmt: skip
        exact = {
            "TreeExplainer": "exact: its reasons depend on no seed or background",
            "LinearExplainer": "exact for its background sample, which each seed draws anew",
        }.get(explainer, "estimated from seeded feature orderings and a background sample")
        note = NoteDetail(name="explainer", text=f"{explainer}, {exact}.")
        text = (
            f"{len(adverse):,} unfavourable decisions explained {self.runs} times ({explainer}): "
            f"their {self.top} reasons overlap {mean:.2f} on average across runs (Jaccard); the "
            f"first reason is the same in every run for {np.mean(firsts):.0%} of them."
        )
        if status == Status.WARN:
            text += (
                " The reasons change with the seed: explain with more feature orderings or a "
                "larger background, or with an exact explainer, before sending them to anyone."
            )
        return self.result(
            status,
            text,
            metrics={"decisions": len(adverse), "mean_overlap": mean,
                     "min_overlap": min(per_row), "same_first_reason": float(np.mean(firsts))},
            details=[table, note],
        )  # fmt: skip
