"""Reason codes of a model's decisions on a data set: one row's, or every unfavourable one's.

This is what ``mlaudit explain`` and :func:`mlaudit.explain_rows` run: open the data, infer its
schema (to know the personal columns and the id column), load the model, pick the rows, and
explain them with :func:`mlaudit.checks.explain.reason_codes`.

The rows are read whole into memory (explaining a row costs far more than reading it).  The
export writes one line per unfavourable decision; values of personal columns (declared, or
inferred from names and contents) are replaced by their keyed masks (``h:`` and 16 hex digits,
under the mask key, ``MLAUDIT_MASK_KEY``), in the id column, the reasons' values and their
sentences alike, so the file never holds a raw personal value.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from mlaudit._atomic import write_file
from mlaudit._maskkey import mask_key
from mlaudit.audit._inputs import open_dataset, overrides
from mlaudit.checks.explain import Reason, RowReasons, reason_codes
from mlaudit.config import SchemaConfig
from mlaudit.data import Role, Schema, infer_schema
from mlaudit.errors import ConfigError
from mlaudit.models import Model, load_model
from mlaudit.summary import mask_strings

__all__ = ["explain_rows", "export_reasons", "reasons_frame"]

_SEED = 0


def explain_rows(
    data: Any,
    *,
    model: Any,
    row_ids: list[str] | None = None,
    id_column: str | None = None,
    favourable: str | None = None,
    top: int = 4,
    trust_model: bool = False,
    schema: SchemaConfig | None = None,
    seed: int = _SEED,
) -> list[RowReasons]:
    """The reason codes of the model's decisions on rows of ``data``.

    Parameters
    ----------
    data
        A path, a frame, a :class:`~mlaudit.Dataset` or a data configuration.
    model
        A model file or a fitted model (:func:`mlaudit.models.load_model`).
    row_ids
        The rows to explain, by their value in ``id_column`` (as text); without an id column
        (given, or the one column whose role is id), by their position (0 first).  None: all.
        A personal feature's value is shown as its mask in the reasons, as in the export.
    favourable
        The favourable outcome (default ``1``/``True``, else the model's last class).
    top
        Reasons per unfavourable decision at most.
    trust_model
        Load model formats that can run code when loaded (pickle, joblib).
    schema
        Declared roles and personal columns.

    Returns
    -------
    list of RowReasons
        In the order of ``row_ids`` (of the data without them); ``row`` is the row's position
        in the data, ``row_id`` its id when there is an id column.

    Raises
    ------
    ConfigError
        A row id is not in the data, the id column does not exist, the model file is missing,
        or the favourable outcome is not one of the model's classes (exit code 2).
    """
    loaded, frame, inferred, ids = _open(data, model, id_column, trust_model, schema)
    positions = _positions(frame, ids, row_ids)
    picked = frame[positions] if row_ids is not None else frame
    got = reason_codes(loaded, picked, favourable=favourable, top=top, reference=frame, seed=seed)
    personal = set(inferred.personal)
    key = mask_key() if personal else b""

    def masked(reason: Reason) -> Reason:
        if reason.feature not in personal:
            return reason
        shown = _text(reason.value)
        token = mask_strings(pl.Series(reason.feature, [shown], dtype=pl.String), key)[0]
        return replace(
            reason, value=token, text=_masked_text(reason.effect, reason.feature, token, personal)
        )

    return [
        replace(
            r,
            row=positions[r.row],
            row_id=_id_text(frame, ids, positions[r.row]),
            reasons=tuple(masked(p) for p in r.reasons),
        )
        for r in got
    ]


def reasons_frame(
    data: Any,
    *,
    model: Any,
    id_column: str | None = None,
    favourable: str | None = None,
    top: int = 4,
    trust_model: bool = False,
    schema: SchemaConfig | None = None,
    seed: int = _SEED,
) -> pl.DataFrame:
    """Every unfavourable decision's reason codes, one line each, personal values masked.

    Columns: ``row`` (the position in the data), the id column when there is one, ``decision``,
    ``explainer``, then for ``k`` from 1 to ``top``: ``reason_k`` (the sentence),
    ``reason_k_feature``, ``reason_k_value`` (as text) and ``reason_k_contribution`` (in the
    explainer's output space, ``space``).  Parameters as :func:`explain_rows`.
    """
    loaded, frame, inferred, ids = _open(data, model, id_column, trust_model, schema)
    got = reason_codes(loaded, frame, favourable=favourable, top=top, reference=frame, seed=seed)
    adverse = [r for r in got if not r.favourable]
    personal = set(inferred.personal)
    key = mask_key() if personal else b""

    def masked(name: str, values: list[str | None]) -> list[str | None]:
        if name not in personal:
            return values
        return mask_strings(pl.Series(name, values, dtype=pl.String), key).to_list()

    out: dict[str, pl.Series] = {"row": pl.Series([r.row for r in adverse], dtype=pl.Int64)}
    if ids is not None:
        raw = [_id_text(frame, ids, r.row) for r in adverse]
        out[ids] = pl.Series(masked(ids, raw), dtype=pl.String)
    out["decision"] = pl.Series([r.decision for r in adverse], dtype=pl.String)
    out["explainer"] = pl.Series([r.explainer for r in adverse], dtype=pl.String)
    out["space"] = pl.Series([r.reasons[0].space if r.reasons else None for r in adverse])
    for k in range(top):
        picked = [r.reasons[k] if len(r.reasons) > k else None for r in adverse]
        values = [masked(p.feature, [_text(p.value)])[0] if p is not None else None for p in picked]
        texts = [
            None if p is None else _masked_text(p.effect, p.feature, v, personal) or p.text
            for p, v in zip(picked, values, strict=True)
        ]
        out[f"reason_{k + 1}"] = pl.Series(texts, dtype=pl.String)
        out[f"reason_{k + 1}_feature"] = pl.Series(
            [p.feature if p else None for p in picked], dtype=pl.String
        )
        out[f"reason_{k + 1}_value"] = pl.Series(values, dtype=pl.String)
        out[f"reason_{k + 1}_contribution"] = pl.Series(
            [p.contribution if p else None for p in picked], dtype=pl.Float64
        )
    return pl.DataFrame(out)


def export_reasons(path: str | Path, data: Any, **options: Any) -> pl.DataFrame:
    """Write :func:`reasons_frame` to ``path`` (``.csv`` or ``.parquet``) atomically; return it.

    Raises
    ------
    ConfigError
        The file's extension is neither ``.csv`` nor ``.parquet``.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ConfigError(
            f"cannot tell the export's format from {target.name!r}",
            fix="name the file .csv or .parquet",
        )
    if not target.parent.is_dir():  # before the (slow) explanation
        raise ConfigError(
            f"the folder {str(target.parent)!r} of the export does not exist",
            fix="create it first, or choose another path",
        )
    frame = reasons_frame(data, **options)
    buffer = io.BytesIO()
    if suffix == ".csv":
        frame.write_csv(buffer)
    else:
        frame.write_parquet(buffer)
    write_file(target, buffer.getvalue(), what="the reason codes", error=ConfigError)
    return frame


# -- helpers ---------------------------------------------------------------------------------


def _open(
    data: Any, model: Any, id_column: str | None, trust: bool, schema: SchemaConfig | None
) -> tuple[Model, pl.DataFrame, Schema, str | None]:
    declared = schema or SchemaConfig()
    if id_column is not None and id_column not in declared.id:
        declared = declared.model_copy(update={"id": [*declared.id, id_column]})
    given = overrides(declared)
    columns = {c: tuple(d.missing_markers) for c, d in given.columns.items()}
    dataset = open_dataset(data, name="current", columns=columns)
    inferred = infer_schema(dataset, overrides=given)
    loaded = load_model(model, trust=trust)
    frame = dataset.to_polars()
    if id_column is None:
        found = [c.name for c in inferred.with_role(Role.ID) if c.name in frame.columns]
        id_column = found[0] if len(found) == 1 else None
    return loaded, frame, inferred, id_column


def _positions(frame: pl.DataFrame, ids: str | None, row_ids: list[str] | None) -> list[int]:
    if row_ids is None:
        return list(range(frame.height))
    if ids is None:
        out = []
        for rid in row_ids:
            try:
                pos = int(rid)
            except ValueError:
                pos = -1
            if not 0 <= pos < frame.height:
                raise ConfigError(
                    f"row {rid!r} is not in the data: without an id column a row is its "
                    f"position, 0 to {frame.height - 1}",
                    fix="give a row number, or name the id column (--id-column)",
                )
            out.append(pos)
        return out
    text = frame[ids].cast(pl.String)
    where: dict[str, int] = {}
    for i, v in enumerate(text.to_list()):
        if v is not None:
            where.setdefault(v, i)
    missing = [r for r in row_ids if str(r) not in where]
    if missing:
        raise ConfigError(
            f"row id(s) {', '.join(repr(str(m)) for m in missing[:5])} not found in the id "
            f"column {ids!r}",
            fix="check the id, or name the id column with --id-column",
        )
    return [where[str(r)] for r in row_ids]


def _id_text(frame: pl.DataFrame, ids: str | None, row: int) -> str | None:
    if ids is None:
        return None
    value = frame[ids][row]
    return None if value is None else str(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _masked_text(text: str, feature: str, shown: str | None, personal: set[str]) -> str:
    """The sentence with a personal feature's value replaced by its mask."""
    return f"{feature} = {shown or 'missing'} {text}" if feature in personal else ""
