"""``performance.challenger``: the audited model (champion) against a challenger, row by row.

The challenger is a second model file (``--challenger``: its outputs are appended to the data as
``challenger_prediction`` and ``challenger_score``, as ``--model`` appends the audited model's),
or a second prediction/score column declared in the schema (``schema.challenger_prediction``,
``schema.challenger_score``).  Its outputs are read exactly as the audited model's are (same
positive label, score threshold and direction), and both are compared on the same labelled rows
with the paired tests of :mod:`mlaudit.checks.performance._versus`: the paired DeLong test of
the ROC AUCs (binary models with scores), McNemar's test of the accuracies (exact binomial below
25 discordant rows, chi-squared with continuity correction above), a paired bootstrap of the
RMSE difference (regression).  A challenger significantly better at ``alpha`` is a warning.

The disagreement table shows where the two differ: for classifiers the cross-table of their
predicted classes and, on the rows where they disagree, each one's accuracy; for regression how
often each is closer to the label.

**Bounded evidence.**  The comparison reads the current data's seeded sample (``sample_size``
rows, 20,000 by default), the rows whose label and both models' outputs are present: the per-row
model columns the windowed scan keeps hold one model's outputs only, so every labelled row is
not available here.  Intervals and p-values are those of the sampled rows.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._options import Alpha
from mlaudit.checks.performance._labels import ScoreRule
from mlaudit.checks.performance._sample_rows import SampleRows, sample_rows
from mlaudit.checks.performance._versus import Outputs, Versus, versus
from mlaudit.data import Role, Schema
from mlaudit.results import Bound, Cell, CheckResult, NoteDetail, Severity, Status, TableDetail

__all__ = ["Challenger"]

_MAX_CLASSES = 20
_NAMES = {"roc_auc": "ROC AUC", "accuracy": "accuracy", "rmse": "RMSE"}


@register
class Challenger(Check):
    """Champion against challenger on the same labelled rows."""

    id: ClassVar[str] = "performance.challenger"
    family: ClassVar[str] = "performance"
    title: ClassVar[str] = "The challenger model is not significantly better"
    why: ClassVar[str] = (
        "Replacing or keeping a production model should rest on a paired comparison on the same "
        "rows, with its uncertainty, not on two headline numbers side by side."
    )
    severity: ClassVar[Severity] = Severity.MEDIUM
    reads: ClassVar[frozenset[str]] = frozenset()

    alpha: Alpha = 0.05
    """Significance level of the comparison."""
    challenger_prediction: str | None = None
    """The challenger's predicted class column; default: ``schema.challenger_prediction``
    (declare it there to keep the column out of the other checks)."""
    challenger_score: str | None = None
    """The challenger's score column; default: ``schema.challenger_score``."""
    positive_label: str | None = None
    """Positive class of a binary target (needed when the classes are text)."""
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    """Score threshold for predicted classes made from scores; default:
    ``schema.score_threshold``, else 0.5 for probabilities."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result: the comparison, the disagreement table and the evidence."""
        sample = ctx.current.sample
        declared = (
            self.challenger_prediction or ctx.schema.challenger_prediction,
            self.challenger_score or ctx.schema.challenger_score,
        )
        rename = _rename(ctx.schema, declared, sample.columns if sample is not None else [])
        if isinstance(rename, str):
            return self.skipped(rename)
        rule = ScoreRule.of(self.threshold, ctx.schema)
        label = self.positive_label
        champ = sample_rows(
            ctx.current, ctx.schema, positive_label=label, rule=rule, require=tuple(rename)
        )
        chall = sample_rows(ctx.current, ctx.schema, positive_label=label, rule=rule, rename=rename)
        for name, got in (("audited model", champ), ("challenger", chall)):
            if isinstance(got, str):
                return self.skipped(f"the {name}'s outputs cannot be compared: {got}")
        assert isinstance(champ, SampleRows) and isinstance(chall, SampleRows)
        a, b = champ.rows, chall.rows
        if a.y is None or a.y_pred is None or b.y_pred is None:
            return self.skipped("both models need predicted classes (or values) and labels")
        if a.task == "binary" and np.unique(a.y).size < 2:
            return self.skipped("the labelled rows hold one class only: nothing to compare on")
        first, second = Outputs(a.y_pred, a.score), Outputs(b.y_pred, b.score)
        if a.score is not None and b.score is None:
            first = Outputs(a.y_pred)  # compare what both have: accuracy
        own = versus(a.task, a.y, first, first, seed=ctx.seed)
        other = versus(a.task, a.y, first, second, seed=ctx.seed)
        return self._judge(champ, own, other, (first, second))

    def _judge(
        self, rows: SampleRows, own: Versus, other: Versus, outs: tuple[Outputs, Outputs]
    ) -> CheckResult:
        assert other.p_value is not None and rows.rows.y is not None
        better = other.better and other.p_value < self.alpha
        worse = not other.better and other.difference != 0 and other.p_value < self.alpha
        name = _NAMES[own.metric]
        text = (
            f"On {rows.frame.height:,} labelled sampled rows the audited model's {name} is "
            f"{own.value:.4g} and the challenger's {other.value:.4g} (difference "
            f"{other.difference:+.4g}, p = {other.p_value:.3g})."
        )
        if better:
            text += " The challenger is significantly better: consider replacing the model, or "
            text += "document why it is kept."
        elif worse:
            text += " The challenger is significantly worse: keep the audited model."
        else:
            text += f" Neither is significantly better (level {self.alpha:g})."
        table = _disagreement(rows, outs)
        details = [_comparison(own, other), table, NoteDetail(name="evidence", text=_note(rows))]
        return self.result(
            Status.WARN if better else Status.PASS,
            text,
            metrics=_metrics(own, other, rows, outs),
            bounds=_bounds(own, other),
            details=details,
        )


def _rename(
    schema: Schema, declared: tuple[str | None, str | None], present: list[str]
) -> dict[str, str] | str:
    """Challenger column → the audited model's column of the same kind, or why none."""
    pairs = [(declared[0], Role.PREDICTION), (declared[1], Role.SCORE)]
    if all(c is None for c, _ in pairs):
        return (
            "no challenger: pass --challenger MODEL_FILE, or declare schema.challenger_score "
            "/ schema.challenger_prediction"
        )
    out: dict[str, str] = {}
    for col, role in pairs:
        mine = [c.name for c in schema.with_role(role) if c.name in present]
        if col is not None and col in present and mine:
            out[col] = mine[0]
    if not out:
        return (
            "the challenger's columns have no counterpart in the audited model's outputs "
            "(a prediction for a prediction, a score for a score)"
        )
    return out


def _comparison(own: Versus, other: Versus) -> TableDetail:
    rows: list[list[Cell]] = [
        ["audited model", own.metric, own.value, own.low, own.high, None, None],
        [
            "challenger",
            other.metric,
            other.value,
            other.low,
            other.high,
            other.difference,
            other.p_value,
        ],
    ]
    if "accuracy_p_value" in other.extra:
        rows.append(
            [
                "challenger",
                "accuracy",
                other.extra["accuracy"],
                None,
                None,
                other.extra["accuracy_difference"],
                other.extra["accuracy_p_value"],
            ]
        )
    return TableDetail(
        name="challenger",
        title="Champion against challenger on the same labelled rows",
        columns=["model", "metric", "value", "low", "high", "difference vs audited", "p-value"],
        rows=rows,
        note="Intervals at 95 %; paired tests (DeLong for ROC AUC, McNemar for accuracy, "
        "bootstrap for RMSE).",
    )


def _disagreement(rows: SampleRows, outs: tuple[Outputs, Outputs]) -> TableDetail:
    y = rows.rows.y
    assert y is not None
    a, b = outs[0].pred, outs[1].pred
    if rows.rows.task == "regression":
        ea, eb = np.abs(a - y), np.abs(b - y)
        table: list[list[Cell]] = [
            ["challenger closer", int(np.sum(eb < ea))],
            ["equally close", int(np.sum(eb == ea))],
            ["audited model closer", int(np.sum(ea < eb))],
        ]
        return TableDetail(
            name="disagreement",
            title="Which model is closer to the label",
            columns=["rows where", "rows"],
            rows=table,
        )
    names, keys = _classes(rows, a, b)
    cells: list[list[Cell]] = []
    for ka, na in zip(keys, names, strict=True):
        cells.append([na, *(int(np.sum((a == ka) & (b == kb))) for kb in keys)])
    differ = a != b
    n = int(differ.sum())
    right_a = float(np.mean(a[differ] == y[differ])) if n else None
    right_b = float(np.mean(b[differ] == y[differ])) if n else None
    return TableDetail(
        name="disagreement",
        title="Predicted classes: audited model (rows) against challenger (columns)",
        columns=["audited \\ challenger", *names],
        rows=cells,
        note=f"The models disagree on {n:,} of {y.size:,} rows; there the audited model is right "
        f"on {_share(right_a)} and the challenger on {_share(right_b)}.",
    )


def _classes(rows: SampleRows, a: np.ndarray, b: np.ndarray) -> tuple[list[str], list[object]]:
    if rows.rows.task == "binary":
        return [rows.rows.positive, f"not {rows.rows.positive}"], [1, 0]
    values, counts = np.unique(np.concatenate([a, b]).astype(str), return_counts=True)
    top = values[np.argsort(-counts, kind="stable")][:_MAX_CLASSES]
    keys = [next(v for v in np.concatenate([a, b]) if str(v) == t) for t in top]
    return [str(t) for t in top], keys


def _share(value: float | None) -> str:
    return "no row" if value is None else f"{value:.1%}"


def _metrics(
    own: Versus, other: Versus, rows: SampleRows, outs: tuple[Outputs, Outputs]
) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {
        f"audited_{own.metric}": own.value,
        f"challenger_{other.metric}": other.value,
        "difference": other.difference,
        "p_value": other.p_value,
        "rows_compared": int(rows.frame.height),
    }
    out |= {f"challenger_{k}": v for k, v in other.extra.items()}
    if rows.rows.task != "regression":
        out["disagreement_rate"] = float(np.mean(outs[0].pred != outs[1].pred))
    return out


def _bounds(own: Versus, other: Versus) -> dict[str, Bound]:
    method = {"roc_auc": "DeLong", "accuracy": "Wilson", "rmse": "bootstrap (1,000, seeded)"}
    return {
        f"{k}_{v.metric}": Bound(
            low=v.low,
            high=v.high,
            kind="confidence_interval",
            level=0.95,
            method=method[v.metric],
        )
        for k, v in (("audited", own), ("challenger", other))
    }


def _note(rows: SampleRows) -> str:
    return (
        f"Compared on {rows.frame.height:,} rows of the current data's seeded sample "
        f"({rows.sampled:,} sampled rows; at most sample_size, 20,000 by default) that have a "
        "label and both models' outputs; intervals and p-values are those of these rows."
    )
