"""``explain.reason_codes``: the reasons the model gives for its unfavourable decisions.

A lender that declines an applicant must state the principal reasons (US ECOA / Regulation B
adverse-action notices; rules on automated decisions ask the same).  This check computes them
for the unfavourable decisions among the first ``rows`` rows of the current data's seeded sample
(:func:`mlaudit.checks.explain.reason_codes`: each decision's ``top`` features that pushed it
toward the unfavourable outcome, from SHAP values) and reports, for a validator:

* **which features the notices would cite**: for each feature, the share of unfavourable
  decisions that cite it among their reasons, the share that cite it first, and its mean push;
* **a sample of notices**: ``shown`` decisions by their row in the data, with their reasons
  in plain words.  A personal column's value never appears (``[personal]`` stands for it);
* **decisions without a reason**: an unfavourable decision that no feature pushed toward the
  unfavourable outcome (the model's average output is already unfavourable) leaves nothing to
  tell the applicant.

It **fails** when a reason cites a sensitive attribute (a column whose role is ``sensitive``,
declared or inferred): a notice that says "declined because of gender" states a prohibited
basis, and a model that uses the attribute at all needs a legal review (``on_sensitive: warn``
lowers it to a warning where the law allows the attribute, e.g. age in an empirically derived
credit-scoring system).  It **warns** when more than ``warn_unexplained`` of the unfavourable
decisions have no reason.

The favourable outcome comes from the check's ``favourable`` option or the audit's fairness
declarations (``fairness.favourable``), else ``1``/``True``.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import replace
from typing import ClassVar, Literal

import numpy as np
import polars as pl
from pydantic import Field

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.checks._model_sample import NO_MODEL, frame_batch, missing_features, model_and_sample
from mlaudit.checks._options import PositiveCount, Share
from mlaudit.checks.explain._reasons import (
    Reason,
    RowReasons,
    default_favourable,
    reason_codes,
)
from mlaudit.data import Role
from mlaudit.errors import ConfigError, ExtraNotInstalledError, ModelError
from mlaudit.models import Model
from mlaudit.results import (
    BarsDetail,
    CheckResult,
    NoteDetail,
    Severity,
    Status,
    TableDetail,
    worst_status,
)
from mlaudit.stats import wilson_arrays

__all__ = ["ReasonCodes"]

PERSONAL = "[personal]"
"""What stands for a personal column's value in a reason."""


@register
class ReasonCodes(Check):
    """The reasons the model's unfavourable decisions would give, summarised and sampled."""

    id: ClassVar[str] = "explain.reason_codes"
    family: ClassVar[str] = "explain"
    title: ClassVar[str] = "Reasons for unfavourable decisions (adverse-action reason codes)"
    why: ClassVar[str] = (
        "A declined applicant is owed the principal reasons for the decision; a validator must "
        "see which features those notices would cite, and that none cites a protected "
        "characteristic."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    needs_model: ClassVar[bool] = True
    cost: ClassVar[int] = 2
    reads: ClassVar[frozenset[str]] = frozenset()

    favourable: str | None = None
    """The favourable outcome, one of the model's classes (default: the audit's
    ``fairness.favourable``, else 1/True, else the last class)."""
    rows: PositiveCount = 5_000
    """Rows of the current data's sample whose decisions are read."""
    decisions: PositiveCount = 200
    """Unfavourable decisions explained at most (the first among those rows)."""
    top: int = Field(default=4, ge=1, le=10)
    """Reasons per decision (US notices give up to four)."""
    shown: int = Field(default=10, ge=0, le=100)
    """Decisions listed with their reasons in the result (the first by row)."""
    background: PositiveCount = 100
    """Background rows of the model-agnostic explainer."""
    on_sensitive: Literal["fail", "warn"] = "fail"
    """What a reason citing a sensitive attribute does."""
    warn_unexplained: Share = 0.05
    """Warn when more than this share of the unfavourable decisions have no reason."""

    def compute(self, ctx: CheckContext) -> CheckResult:
        """One result for the model."""
        got = model_and_sample(ctx)
        if got is None:
            return self.skipped(NO_MODEL)
        model, sample = got
        if model.task == "regression":
            return self.skipped("reason codes explain decisions, and a regressor makes none")
        rows = sample.head(self.rows)
        reference = ctx.model_samples.get("reference")
        if reference is None or any(f not in reference.columns for f in model.features):
            reference = sample
        seed = zlib.crc32(f"{ctx.seed}:{self.id}".encode())
        try:
            fav = self.favourable or default_favourable(tuple(model.info.classes))
            unfavourable = _unfavourable(model, rows, fav)
            picked = unfavourable[: self.decisions]
            found = reason_codes(
                model, rows[picked], favourable=fav, top=self.top, reference=reference,
                background=self.background, seed=seed, adverse_only=True,
            ) if picked else []  # fmt: skip
        except ExtraNotInstalledError as exc:
            return self.skipped(f"{exc.message}: {exc.fix}")
        except (ConfigError, ModelError) as exc:
            return self.skipped(f"the decisions cannot be explained: {exc.message}")
        adverse = [replace(r, row=picked[r.row]) for r in found]
        if not adverse:
            return self.skipped(f"no unfavourable decision among the {rows.height:,} rows read")
        personal = set(ctx.schema.personal)
        sensitive = {c.name for c in ctx.schema.with_role(Role.SENSITIVE)}
        positions = rows["__row__"].to_list() if "__row__" in rows.columns else None
        if positions is not None:  # the row's position in the data, as everywhere else
            adverse = [replace(r, row=int(positions[r.row])) for r in adverse]
        return self._judge(adverse, rows.height, len(unfavourable), personal, sensitive)

    def _judge(
        self,
        adverse: list[RowReasons],
        read: int,
        unfavourable: int,
        personal: set[str],
        sensitive: set[str],
    ) -> CheckResult:
        n = len(adverse)
        cited: Counter[str] = Counter()
        first: Counter[str] = Counter()
        push: dict[str, list[float]] = {}
        for r in adverse:
            for k, p in enumerate(r.reasons):
                cited[p.feature] += 1
                first[p.feature] += k == 0
                push.setdefault(p.feature, []).append(p.contribution)
        order = sorted(cited, key=lambda f: (-cited[f], -first[f], f))
        unexplained = sum(not r.reasons for r in adverse)
        flagged = [f for f in order if f in sensitive]
        explainer = adverse[0].explainer
        space = next((r.reasons[0].space for r in adverse if r.reasons), "")
        status = Status.PASS
        top3 = ", ".join(f"{f} ({cited[f] / n:.0%})" for f in order[:3]) or "none"
        text = (
            f"{unfavourable:,} of {read:,} decisions read are unfavourable; "
            f"{'all' if n == unfavourable else f'the first {n:,}'} explained ({explainer}): the "
            f"features their notices cite most are {top3}."
        )
        if flagged:
            status = Status.FAIL if self.on_sensitive == "fail" else Status.WARN
            named = ", ".join(
                f"{f} ({cited[f]:,} decision{'s' if cited[f] != 1 else ''})" for f in flagged
            )
            text += (
                f" Reasons cite the sensitive attribute(s) {named}: a notice would state a "
                "protected characteristic as a reason. Remove the attribute from the model's "
                "inputs, or have its use reviewed where the law allows it."
            )
        if unexplained / n > self.warn_unexplained:
            status = worst_status([status, Status.WARN])
            text += (
                f" {unexplained:,} unfavourable decisions ({unexplained / n:.0%}) have no reason: "
                "no feature pushed them toward the unfavourable outcome (the model's average "
                "output is already unfavourable), so a notice could name none."
            )
        elif unexplained:
            text += f" {unexplained:,} have no reason (no feature pushed toward the outcome)."
        table = TableDetail(
            name="Reasons by feature",
            title=f"How often each feature is among an unfavourable decision's {self.top} reasons",
            columns=["feature", "decisions citing it", "share", "cited first", "mean push",
                     "sensitive"],
            rows=[[f, cited[f], cited[f] / n, first[f] / n, float(np.mean(push[f])),
                   "yes" if f in sensitive else ""] for f in order],
            note=f"Push: how far the feature moved the model's output ({space}) toward the "
            "unfavourable outcome, averaged over the decisions citing it.",
        )  # fmt: skip
        counts = np.array([cited[f] for f in order], dtype=np.float64)
        ci = wilson_arrays(counts, np.full_like(counts, n))
        chart = BarsDetail(
            name="Reasons cited",
            title="Share of unfavourable decisions citing each feature, with 95% intervals",
            value_label=f"share of the {n:,} unfavourable decisions explained",
            labels=order,
            series={"cited": [float(v) for v in counts / n]},
            lower={"cited": [float(v) for v in ci.low]},
            upper={"cited": [float(v) for v in ci.high]},
            share=True,
        )
        sample = TableDetail(
            name="Sample of reason codes",
            title=f"The first {min(self.shown, n)} unfavourable decisions and their reasons",
            columns=["row", "decision", *(f"reason {k + 1}" for k in range(self.top))],
            rows=[[r.row, r.decision, *_sentences(r.reasons, personal, self.top)]
                  for r in adverse[: self.shown]],
            note="Rows are positions in the current data (0 first; `mlaudit explain --row-id` "
            f"explains one again); values of personal columns are shown as {PERSONAL}.",
        )  # fmt: skip
        note = NoteDetail(
            name="How the reasons are found",
            text=(
                f"Each unfavourable decision's reasons are the features whose SHAP values "
                f"({explainer}, {space}) pushed the model's output toward the unfavourable "
                f"outcome, largest first, at most {self.top}. Decision '{adverse[0].decision}' "
                "and the others that are not the favourable outcome are explained."
            ),
        )
        details = [table, chart, sample, note] if self.shown else [table, chart, note]
        return self.result(
            status,
            text,
            metrics={
                "rows": read,
                "unfavourable": unfavourable,
                "explained": n,
                "unexplained": unexplained,
                "unexplained_share": unexplained / n,
                "sensitive_cited": sum(cited[f] for f in flagged),
                "features_cited": len(order),
            },
            details=details,
        )


def _unfavourable(model: Model, rows: pl.DataFrame, favourable: str) -> list[int]:
    """Positions of ``rows`` whose decision is not ``favourable``."""
    lacking = missing_features(model, rows)
    if lacking is not None:
        raise ConfigError(lacking, fix="give data with the columns the model was trained on")
    classes = list(model.info.classes)
    labels = model.predict_batch(frame_batch(rows, list(model.features))).label
    return [i for i, c in enumerate(labels) if classes[int(c)] != favourable]


def _sentences(reasons: tuple[Reason, ...], personal: set[str], top: int) -> list[str | None]:
    out: list[str | None] = [
        f"{p.feature} = {PERSONAL} {p.effect}" if p.feature in personal else p.text for p in reasons
    ]
    return out + [None] * (top - len(out))
