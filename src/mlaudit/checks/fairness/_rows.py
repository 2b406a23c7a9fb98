"""The rows the fairness checks read: decision, actual outcome, score and sensitive attributes.

The windowed scan keeps, for every row, the model columns (target, prediction, score) and, for
the fairness checks (``row_roles``), the sensitive attributes.  Here they become:

* ``decision``: 1 when the model's decision is the **favourable outcome**, 0 otherwise: the
  prediction column's value compared with ``favourable`` (as text), or, without a prediction,
  the score against the declared threshold (``schema.score_threshold``, else 0.5 for
  probabilities): at or above it the model predicts the target's positive class (``1``/``True``
  unless ``positive_label`` says otherwise), which is favourable only when ``favourable`` names
  it;
* ``label``: 1 when the actual outcome (the target) is favourable, 0 when not, null when the
  row has no label (selection rates need no label; error rates do);
* ``score``: the score as given (higher means more likely the target's positive class);
* the sensitive attributes as text (a missing value is the group ``(unknown)``).

**Favourable outcome.**  Declared by ``favourable``; by default the target's positive class
(``1``/``True``), as for hiring or approval models.  For a model that scores a risk (``1`` =
default, fraud, reoffending), the favourable outcome is ``0``: the same data then gives other
disparate-impact figures, so every result states the declaration it used.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from mlaudit._population import population_filter
from mlaudit.checks._base import CheckContext
from mlaudit.data import Role, Schema
from mlaudit.summary import WINDOW

__all__ = ["FairRows", "as_text", "fairness_rows"]


@dataclass(frozen=True)
class FairRows:
    """The rows, and what they were read with."""

    frame: pl.DataFrame
    """``decision``, ``label``, optional ``score``, the attributes, and the window index."""
    attributes: list[str]
    favourable: str
    favourable_declared: bool
    decision_from: str
    """How decisions were read, in words (for the result's message)."""
    target: str | None
    labelled: int
    from_prediction: bool = True
    """Decisions came from a prediction column (False: from the score and its threshold)."""
    score_favours: bool = True
    """A higher score means the favourable outcome is more likely (the score is the
    probability of the favourable class, or of its opposite when False)."""
    inferred: tuple[str, ...] = ()
    """The attributes whose sensitive role was inferred (from their names), not declared."""
    population: str | None = None
    """The population filter (a SQL condition), when one was declared."""
    rows_before: int = 0
    """Rows with a decision before the population filter."""


def _first(schema: Schema, role: Role, present: list[str]) -> str | None:
    cols = [c.name for c in schema.with_role(role) if c.name in present]
    return cols[0] if cols else None


def _default_favourable(values: pl.Series) -> str:
    if values.dtype == pl.Boolean:
        return "True"
    distinct = [str(v) for v in values.drop_nulls().unique().sort().to_list()]
    if "1" in distinct or not distinct:
        return "1"
    return distinct[-1]


def as_text(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A column as text the way the classes print (booleans as True/False, 1.0 as 1)."""
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("True")).when(col.not_()).then(pl.lit("False"))
    if dtype.is_float():
        whole = col == col.floor()
        return (
            pl.when(whole).then(col.cast(pl.Int64).cast(pl.String)).otherwise(col.cast(pl.String))
        )
    return col.cast(pl.String)


def fairness_rows(
    ctx: CheckContext,
    *,
    favourable: str | None,
    positive_label: str | None = None,
    threshold: float | None = None,
    population: str | None = None,
) -> FairRows | str:
    """The current data's rows for the fairness checks (those ``population`` keeps, when
    given), or why there are none."""
    data = ctx.current_windows
    frame = data.rows if data is not None else None
    if frame is None or frame.height == 0:
        return "no model columns were read: declare schema.prediction (or schema.score)"
    present = frame.columns
    attributes = [c.name for c in ctx.schema.with_role(Role.SENSITIVE) if c.name in present]
    if not attributes:
        return (
            "no sensitive attribute in the data: name them (--sensitive sex,race or "
            "schema.sensitive)"
        )
    target = _first(ctx.schema, Role.TARGET, present)
    prediction = _first(ctx.schema, Role.PREDICTION, present)
    score = _first(ctx.schema, Role.SCORE, present)
    if prediction is None and score is None:
        return "no prediction or score column: declare schema.prediction or schema.score"
    basis = frame[target] if target else frame[prediction or ""] if prediction else None
    fav = favourable if favourable is not None else (
        _default_favourable(basis) if basis is not None else "1"
    )  # fmt: skip
    schema = frame.schema
    if favourable is not None:
        seen = {
            str(v)
            for c in (target, prediction)
            if c is not None
            for v in frame.select(as_text(pl.col(c), schema[c])).to_series().drop_nulls().unique()
        }
        if seen and favourable not in seen:
            shown = ", ".join(sorted(seen)[:6])
            return (
                f"the favourable outcome {favourable!r} is not a value of "
                f"{' or '.join(c for c in (target, prediction) if c)} ({shown}): set favourable "
                "to one of them"
            )
    exprs: list[pl.Expr] = []
    pos = positive_label or (_default_favourable(frame[target]) if target else "1")
    if prediction is not None:
        decided = as_text(pl.col(prediction), schema[prediction]) == fav
        exprs.append(decided.cast(pl.Int8).alias("decision"))
        how = f"{prediction} = {fav}"
    else:
        assert score is not None
        cut = threshold if threshold is not None else ctx.schema.score_threshold
        if cut is None:
            values = frame[score].drop_nulls()
            if values.len() and (values.min() < 0 or values.max() > 1):  # type: ignore[operator]
                return (
                    f"the scores of {score} are not probabilities and no threshold is declared: "
                    "set schema.score_threshold (or the check's threshold) to make decisions"
                )
            cut = 0.5
        above = pl.col(score).cast(pl.Float64) >= cut
        if ctx.schema.score_direction == "higher_is_negative":
            above = above.not_()
        decided = above if fav == pos else above.not_()
        exprs.append(decided.cast(pl.Int8).alias("decision"))
        how = f"{score} {'≥' if fav == pos else '<'} {cut:g} (favourable {fav})"
    if target is not None:
        exprs.append((as_text(pl.col(target), schema[target]) == fav).cast(pl.Int8).alias("label"))
    else:
        exprs.append(pl.lit(None, pl.Int8).alias("label"))
    if score is not None:
        exprs.append(pl.col(score).cast(pl.Float64).alias("score"))
    exprs += [as_text(pl.col(a), schema[a]).alias(a) for a in attributes]
    out = frame.select(*exprs, pl.col(WINDOW))
    keep = pl.col("decision").is_not_null()
    before = int(out.select(keep.sum()).item())
    if population:
        kept = _population(frame, population)
        if isinstance(kept, str):
            return kept
        out = out.filter(kept & keep)
        if out.height == 0:
            return (
                f"the population {population!r} keeps none of the {before:,} rows with a "
                "decision: check the condition's columns and values"
            )
    else:
        out = out.filter(keep)
    if out.height == 0:
        return "no row has a decision (prediction or score)"
    if "score" in out.columns:
        out = out.with_columns(
            pl.when(pl.col("score").is_finite()).then(pl.col("score")).alias("score")
        )
    return FairRows(
        frame=out,
        attributes=attributes,
        favourable=fav,
        favourable_declared=favourable is not None,
        decision_from=how,
        from_prediction=prediction is not None,
        score_favours=(fav == pos) != (ctx.schema.score_direction == "higher_is_negative"),
        target=target,
        labelled=int(out["label"].is_not_null().sum()),
        inferred=tuple(a for a in attributes if ctx.schema[a].inferred),
        population=population or None,
        rows_before=before,
    )


def _population(frame: pl.DataFrame, population: str) -> pl.Series | str:
    """Which rows the population condition keeps (false or unknown: left out), or why it
    cannot be applied."""
    try:
        expr = population_filter(population)
    except ValueError as exc:
        return str(exc)
    missing = [c for c in expr.meta.root_names() if c not in frame.columns]
    if missing:
        return f"the population {population!r} reads {', '.join(missing)}, not in the data"
    try:
        kept = frame.select(expr.alias("kept")).to_series()
    except Exception as exc:  # polars' errors when the condition does not fit the columns
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return f"the population {population!r} cannot be applied to the data: {first}"
    if kept.dtype != pl.Boolean:
        return f"the population {population!r} is not a condition (true or false for a row)"
    return kept.fill_null(False)
