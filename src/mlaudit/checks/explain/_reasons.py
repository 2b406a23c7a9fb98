"""Reason codes: for each decision, the features that pushed it toward the unfavourable outcome.

Lenders must tell a declined applicant the principal reasons (US ECOA / Regulation B adverse
action notices); rules on automated decisions ask the same.  A row's SHAP values
(:mod:`mlaudit.checks.explain._shap`: TreeExplainer for tree ensembles, LinearExplainer for
linear models, the permutation explainer otherwise, one-hot columns credited back to their
input column) split the model's output into
each feature's share, so the features whose share moved the output toward the unfavourable
outcome, largest first, are the reasons.

**Sign.**  The explainer explains one output per class: for a binary classifier, the positive
class's (the last of the model's classes) log-odds or probability.  When the favourable
outcome is the positive class, a *negative* SHAP value pushed toward the unfavourable outcome;
when it is the other class, a *positive* one did.  Both binary output spaces are symmetric (the
other class's log-odds is the negation, its probability one minus), so a feature that lowers
the favourable class's output by ``x`` raises the unfavourable class's by ``x``: the sentence
says "raised the log-odds of the unfavourable outcome ... by x", which is true in the
explainer's own space.  For a multiclass model the favourable class's own output is read, and a
reason is a feature that lowered it.

A row whose decision is favourable is marked so and gets no reasons: there was no adverse
action to explain.  Regressors have no decision, so no reason codes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from mlaudit.checks._model_sample import frame_batch, missing_features
from mlaudit.checks.explain._shap import ShapExplanation, explain
from mlaudit.errors import ConfigError
from mlaudit.models import Model

__all__ = ["Reason", "RowReasons", "default_favourable", "reason_codes"]


@dataclass(frozen=True)
class Reason:
    """One feature that pushed a decision toward the unfavourable outcome."""

    feature: str
    """The input column (or a transformed column traced to none)."""
    value: Any
    """The row's value of the feature (None when the feature is not a column of the rows)."""
    contribution: float
    """How far it moved the output toward the unfavourable outcome (> 0), in :attr:`space`."""
    space: str
    """The explainer's output space (``log-odds``, ``probability``, ``raw margin``)."""
    effect: str
    """What the feature did, in plain words (the sentence without ``feature = value``)."""
    text: str
    """The reason in plain words: ``feature = value`` and :attr:`effect`."""


@dataclass(frozen=True)
class RowReasons:
    """A row's decision and, when it is unfavourable, its reasons (largest first)."""

    row: int
    """The row's position in the rows given."""
    decision: str
    """The model's decision (its class, as text)."""
    favourable: bool
    """Whether the decision is the favourable outcome."""
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    """Empty for a favourable decision (and for an unfavourable one no feature pushed)."""
    explainer: str = ""
    """``TreeExplainer``, ``LinearExplainer`` or ``PermutationExplainer``."""
    row_id: str | None = None
    """The row's id (its value in the id column, as text), when the caller knows it."""


def default_favourable(classes: tuple[str, ...]) -> str:
    """The favourable outcome when none is declared: ``1``/``True`` when a class, else the last
    class (the fairness checks' default)."""
    for value in ("1", "True", "1.0"):
        if value in classes:
            return value
    return classes[-1] if classes else "1"


def reason_codes(
    model: Model,
    rows: pl.DataFrame,
    *,
    favourable: str | None = None,
    top: int = 4,
    reference: pl.DataFrame | None = None,
    background: int = 100,
    permutations: int = 3,
    seed: int = 0,
    tick: Callable[[int], None] | None = None,
    adverse_only: bool = False,
) -> list[RowReasons]:
    """Each row's decision and the ``top`` features that pushed it toward the unfavourable
    outcome.

    Parameters
    ----------
    model
        A classifier (:func:`mlaudit.models.load_model`).
    rows
        The rows to explain; they hold the model's features.
    favourable
        The favourable outcome, one of the model's classes as text (default ``1``/``True``,
        else the last class).
    top
        Reasons per row at most.
    reference
        Rows the model-agnostic explainer draws its background from (default ``rows``).
    background, permutations, seed
        The model-agnostic explainer's background rows, feature orderings per row and seed.
    adverse_only
        Explain and return only the unfavourable decisions (``row`` stays the position in
        ``rows``): the same reasons under TreeExplainer, far less work under the
        model-agnostic explainer, whose seeded orderings then fall on other rows.

    Raises
    ------
    ConfigError
        The model is a regressor, ``favourable`` is not one of its classes, a feature is
        missing, or ``top`` is below 1.
    ModelError
        The model cannot predict or be explained on the rows.
    """
    if top < 1:
        raise ConfigError(f"top must be at least 1, not {top}", fix="ask for 1 or more reasons")
    if model.task == "regression":
        raise ConfigError(
            "reason codes explain a decision, and a regressor makes none",
            fix="give a classifier",
        )
    classes = tuple(model.info.classes)
    fav = favourable if favourable is not None else default_favourable(classes)
    if fav not in classes:
        raise ConfigError(
            f"the favourable outcome {fav!r} is not one of the model's classes "
            f"({', '.join(classes)})",
            fix="set the favourable outcome to one of them (e.g. --favourable 0)",
        )
    features = list(model.features)
    lacking = missing_features(model, rows)
    if lacking is not None:
        raise ConfigError(lacking, fix="give data with the columns the model was trained on")
    if rows.height == 0:
        return []
    labels = model.predict_batch(frame_batch(rows, features)).label
    decisions = [classes[int(i)] for i in labels]
    positions = list(range(rows.height))
    if adverse_only:
        positions = [i for i, d in enumerate(decisions) if d != fav]
        if not positions:
            return []
        rows, decisions = rows[positions], [decisions[i] for i in positions]
    found = explain(
        model,
        rows,
        reference if reference is not None else rows,
        background=background,
        permutations=permutations,
        seed=seed,
        tick=tick or (lambda _: None),
    )
    toward = _toward_unfavourable(found, classes, fav)
    out = []
    for i, decision in enumerate(decisions):
        if decision == fav:
            out.append(RowReasons(positions[i], decision, True, (), found.explainer))
            continue
        reasons = _row_reasons(found, toward[i], rows, i, decision, top, binary=len(classes) == 2)
        out.append(RowReasons(positions[i], decision, False, reasons, found.explainer))
    return out


def _toward_unfavourable(found: ShapExplanation, classes: tuple[str, ...], fav: str) -> np.ndarray:
    """``(rows, features)``: each feature's push toward the unfavourable outcome."""
    values = found.values
    if values.shape[2] == 1:  # one output: the positive (last) class's
        sign = -1.0 if fav == classes[-1] else 1.0
        out: np.ndarray = sign * values[:, :, 0]
        return out
    return -values[:, :, classes.index(fav)]


def _row_reasons(
    found: ShapExplanation,
    push: np.ndarray,
    rows: pl.DataFrame,
    i: int,
    decision: str,
    top: int,
    *,
    binary: bool,
) -> tuple[Reason, ...]:
    names = found.features
    order = sorted(range(len(names)), key=lambda j: (-push[j], names[j]))
    picked = [j for j in order if push[j] > 0][:top]
    out = []
    for j in picked:
        name = names[j]
        value = rows[name][i] if name in rows.columns else None
        amount = float(push[j])
        shown = "missing" if value is None else _value_text(value)
        if binary:
            how = (
                f"raised the {found.space} of the unfavourable outcome {decision!r} by {amount:.3g}"
            )
        else:
            how = (
                f"lowered the {found.space} of the favourable outcome by {amount:.3g} "
                f"(decision: {decision!r})"
            )
        out.append(Reason(name, value, amount, found.space, how, f"{name} = {shown} {how}"))
    return tuple(out)


def _value_text(value: Any) -> str:
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.4g}"
    return str(value)
