"""Schema inference (column types, roles, personal data) and schema comparison.

Inference reads the first ``sample_rows`` rows (``Dataset.head``).  Types:

- ``boolean``: boolean storage, or strings whose values are all ``true``/``false`` (any case);
- ``datetime``: date/datetime storage, or strings of which ≥ 95% are ISO dates/datetimes;
- ``numeric``: floating point (and decimals, durations); ``integer``: integer storage;
- ``id``: named like an id (``id``, ``*_id``, ``uuid``, ``*_key``...) and ≥ 95% distinct;
- ``categorical``: categorical storage, or strings with at most max(20, 5% of rows) distinct
  values; ``text``: other strings; ``unknown``: all-null, nested or binary columns.

Roles, by normalised name (see :mod:`mlaudit.data._rules` for the full lists): target (``target,
label, y, default, churn, outcome, is_fraud, class``), prediction (``prediction, pred, y_pred,
predicted*``), score (``score, proba, probability, *_score, *_proba``, numeric values in
[0, 1] only — so a bureau ``credit_score`` of 300–850 stays a feature), sensitive (``gender, sex,
race, ethnicity, religion, nationality, marital_status, disability, age_group, age_band``, also
as a suffix), timestamp (the first datetime column named like ``time/date/ts/timestamp``), id
(id-typed columns).  One target, prediction, score and timestamp each: the first match wins.
Declared roles win; once a role is declared, it is not inferred for other columns.

Personal data: names like ``name, first_name, surname, email, phone, address, street,
postcode/zip, ssn, national_id, passport, iban, dob/date_of_birth, ip``, or string values of
which ≥ 50% are e-mail addresses, phone numbers or valid IBANs.  Declared personal columns are
added to the detected ones (detection is never switched off: privacy by default).
"""

from __future__ import annotations

import difflib
from typing import Any

import polars as pl
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from mlaudit.config import SchemaConfig
from mlaudit.data import _rules as rules
from mlaudit.data._sources import Dataset
from mlaudit.data._types import ColumnSchema, ColumnType, Role, Schema
from mlaudit.errors import ConfigError

__all__ = ["SchemaComparison", "SchemaOverrides", "compare_schemas", "infer_schema"]

_ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
_SINGLE_ROLES: tuple[tuple[str, Role], ...] = (
    ("target", Role.TARGET),
    ("prediction", Role.PREDICTION),
    ("score", Role.SCORE),
    ("timestamp", Role.TIMESTAMP),
    ("challenger_prediction", Role.IGNORED),  # read by performance.challenger only
    ("challenger_score", Role.IGNORED),
)
_LIST_ROLES: tuple[tuple[str, Role], ...] = (
    ("sensitive", Role.SENSITIVE),
    ("id", Role.ID),
    ("ignore", Role.IGNORED),
)


class SchemaOverrides(SchemaConfig):
    """Declared roles, types and personal columns; everything else is inferred.

    The fields are those of the ``schema:`` section of an audit configuration, with the types
    validated as :class:`ColumnType`.
    """

    types: dict[str, ColumnType] = Field(default_factory=dict)  # type: ignore[assignment]

    def declared_roles(self) -> dict[str, Role]:
        """Column → declared role; a column declared with two roles is a ConfigError."""
        out: dict[str, Role] = {}
        pairs = [(getattr(self, k), r) for k, r in _SINGLE_ROLES if getattr(self, k)]
        pairs += [(c, r) for k, r in _LIST_ROLES for c in getattr(self, k)]
        # A class's probability is the model's output, not an input: read by
        # performance.metrics only, kept out of the feature checks.
        pairs += [(c, Role.IGNORED) for c in self.class_scores.values()]
        for col, role in pairs:
            if col in out and out[col] != role:
                raise ConfigError(
                    f"column {col!r} is declared both as {out[col].value} and as {role.value}",
                    fix="declare each column with one role",
                )
            out[col] = role
        return out

    def mentioned(self) -> list[tuple[str, str]]:
        """(column, where declared) for every column named in the overrides."""
        out = [(getattr(self, k), k) for k, _ in _SINGLE_ROLES if getattr(self, k)]
        out += [(c, k) for k, _ in _LIST_ROLES for c in getattr(self, k)]
        out += [(c, f"class_scores.{k}") for k, c in self.class_scores.items()]
        out += [(c, "personal") for c in self.personal]
        out += [(c, "types") for c in self.types]
        return out


class SchemaComparison(BaseModel):
    """Columns of a reference and a current schema side by side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    missing: list[str] = Field(description="in the reference, not in the current data")
    extra: list[str] = Field(description="in the current data, not in the reference")
    retyped: list[tuple[str, ColumnType, ColumnType]] = Field(
        description="(column, reference type, current type) for common columns whose type changed"
    )
    common: list[str] = Field(description="in both, in reference order")
    disjoint: bool = Field(description="True when no column is in both")


def compare_schemas(reference: Schema, current: Schema) -> SchemaComparison:
    """Which columns went missing, appeared or changed type between two schemas.

    Parameters
    ----------
    reference, current
        The two schemas (reference order is kept for ``missing``, ``common``, ``retyped``;
        current order for ``extra``).
    """
    cur = {c.name: c for c in current.columns}
    ref_names = set(reference.names)
    common = [c.name for c in reference.columns if c.name in cur]
    return SchemaComparison(
        missing=[c.name for c in reference.columns if c.name not in cur],
        extra=[c.name for c in current.columns if c.name not in ref_names],
        retyped=[
            (c.name, c.type, cur[c.name].type)
            for c in reference.columns
            if c.name in cur and cur[c.name].type != c.type
        ],
        common=common,
        disjoint=not common,
    )


def infer_schema(
    data: Any, *, overrides: SchemaOverrides | None = None, sample_rows: int = 100_000
) -> Schema:
    """Infer column types, roles and personal data from the first ``sample_rows`` rows.

    Parameters
    ----------
    data
        A :class:`~mlaudit.data._sources.Dataset`, or anything ``Dataset`` accepts.
    overrides
        Declared roles, types and personal columns; they win over inference.
    sample_rows
        Rows read for inference.

    Returns
    -------
    Schema
        Every column with ``type``, ``role``, ``personal``, ``inferred`` and a ``reason``.

    Raises
    ------
    ConfigError
        A declared column does not exist (the message lists close names), or is declared with
        two roles: mistakes of the declaration, so usage errors (exit code 2).
    """
    ds = data if isinstance(data, Dataset) else Dataset(data)
    ov = overrides or SchemaOverrides()
    arrow = ds.arrow_schema
    ov = _with_prefixed_scores(ov, arrow.names, ds)
    _check_declared(ov, arrow.names, ds)
    declared = ov.declared_roles()
    frame = ds.head(sample_rows)
    # Text columns are judged on their distinct values, weighted by how often each occurs:
    # the same shares, with every pattern run once per distinct value instead of once per row.
    counts = {
        name: _value_counts(frame[name])
        for name in arrow.names
        if frame[name].dtype in (pl.String, pl.Categorical)
    }
    types = {
        name: _infer_type(frame[name], frame.height, id_rule=not ov.id, counts=counts.get(name))
        for name in arrow.names
    }
    personal = {
        name: _personal(frame[name], types[name][0], counts.get(name)) for name in arrow.names
    }
    unit = {name: _in_unit_interval(frame[name]) for name in arrow.names}
    roles = _infer_roles(arrow.names, types, personal, unit, declared, ov)
    columns = [
        _column(field, types[field.name], roles[field.name], personal[field.name], declared, ov)
        for field in arrow
    ]
    return Schema(
        columns=columns, score_threshold=ov.score_threshold, score_direction=ov.score_direction,
        grade=ov.grade,
        challenger_prediction=ov.challenger_prediction, challenger_score=ov.challenger_score,
        class_scores=dict(ov.class_scores),
    )  # fmt: skip


def _with_prefixed_scores(ov: SchemaOverrides, names: list[str], ds: Dataset) -> SchemaOverrides:
    """``ov`` with the columns named ``<class_score_prefix><class>`` added to its class scores
    (the explicit entries win); a prefix that names no column is a usage error."""
    prefix = ov.class_score_prefix
    if prefix is None:
        return ov
    found = {n[len(prefix) :]: n for n in names if n.startswith(prefix) and len(n) > len(prefix)}
    if not found:
        raise ConfigError(
            f"no column of the {ds.name} data ({ds.source}) starts with the class_score_prefix "
            f"{prefix!r}",
            fix=f"fix the prefix, or declare schema.class_scores; the columns are: "
            f"{', '.join(names[:30])}",
        )
    taken = set(ov.class_scores.values())
    found = {k: c for k, c in found.items() if c not in taken}
    return ov.model_copy(update={"class_scores": {**found, **ov.class_scores}})


def _column(
    field: pa.Field,
    inferred_type: tuple[ColumnType, str],
    role: tuple[Role, str],
    personal: tuple[bool, str],
    declared: dict[str, Role],
    ov: SchemaOverrides,
) -> ColumnSchema:
    name = field.name
    ctype, why_type = inferred_type
    if name in ov.types:
        ctype, why_type = ov.types[name], "type declared"
    elif declared.get(name) == Role.ID:
        ctype, why_type = ColumnType.ID, "declared id"
    is_personal, why_personal = personal
    if name in ov.personal:
        is_personal, why_personal = True, "declared personal"
    return ColumnSchema(
        name=name,
        dtype=str(field.type),
        type=ctype,
        role=role[0],
        personal=is_personal,
        inferred=name not in declared and name not in ov.types and name not in ov.personal,
        reason="; ".join(r for r in (why_type, role[1], why_personal) if r),
    )


def _check_declared(ov: SchemaOverrides, names: list[str], ds: Dataset) -> None:
    for col, where in ov.mentioned():
        if col in names:
            continue
        close = difflib.get_close_matches(col, names, n=3, cutoff=0.5)
        lower = [n for n in names if n.lower() == col.lower() and n not in close]
        close = lower + close
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ConfigError(  # the declaration is the mistake: a usage error (exit 2)
            f"column {col!r} declared as {where} is not in the {ds.name} data ({ds.source}){hint}",
            fix=f"fix the name in the schema; the columns are: {', '.join(names[:30])}",
        )


def _value_counts(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The distinct non-null values of ``s`` (as text) and how often each occurs."""
    vc = s.drop_nulls().cast(pl.String).value_counts(name="count")
    return vc.to_series(0), vc.get_column("count").cast(pl.Int64)


def _infer_type(
    s: pl.Series,
    rows: int,
    *,
    id_rule: bool,
    counts: tuple[pl.Series, pl.Series] | None = None,
) -> tuple[ColumnType, str]:
    dtype = s.dtype
    nn = s.len() - s.null_count()
    if dtype == pl.Boolean:
        return ColumnType.BOOLEAN, "boolean values"
    if dtype in (pl.Date, pl.Datetime):
        return ColumnType.DATETIME, "date/time values"
    if nn == 0:
        return ColumnType.UNKNOWN, f"no non-null value in the first {rows} rows"
    if dtype.is_float() or dtype.is_decimal() or dtype == pl.Duration:
        return ColumnType.NUMERIC, "numeric values"
    if dtype.is_integer():
        if id_rule and (why := _id_reason(s, nn)):
            return ColumnType.ID, why
        return ColumnType.INTEGER, "integer values"
    if dtype in (pl.Categorical, pl.Enum):
        return ColumnType.CATEGORICAL, "categorical storage type"
    if dtype == pl.String:
        return _infer_string(s, rows, nn, id_rule=id_rule, counts=counts)
    return ColumnType.UNKNOWN, f"storage type {dtype} is not audited"


_KEY_DISTINCT = 0.8
"""A column named like an identifier is a key candidate when at least this share of its values
is distinct: a key with a few repeats (a defect that ``quality.duplicate_keys`` reports), where
a foreign key (several rows per customer) is far less distinct."""


def _id_reason(s: pl.Series, nn: int) -> str | None:
    if not rules.id_like(str(s.name)):
        return None
    share = s.drop_nulls().n_unique() / nn
    if share < _KEY_DISTINCT:
        return None
    if share < 1.0:
        return (
            f"named like an id and {share:.1%} of values distinct: a key candidate whose "
            "repeated values are checked as duplicate keys"
        )
    return "named like an id and 100% of values distinct"


def _infer_string(
    s: pl.Series,
    rows: int,
    nn: int,
    *,
    id_rule: bool,
    counts: tuple[pl.Series, pl.Series] | None = None,
) -> tuple[ColumnType, str]:
    if id_rule and (why := _id_reason(s, nn)):
        return ColumnType.ID, why
    values, w = counts if counts is not None else _value_counts(s)
    lowered = values.str.strip_chars().str.to_lowercase()
    if lowered.is_in(["true", "false"]).all():
        return ColumnType.BOOLEAN, "text values true/false"
    iso = values.str.strip_chars()
    is_iso = (
        iso.str.contains(_ISO)
        & iso.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).is_not_null()
    )
    share = float(w.filter(is_iso.fill_null(False)).sum()) / nn
    if share >= 0.95:
        return ColumnType.DATETIME, f"{share:.0%} of text values are ISO dates"
    distinct = values.len()
    limit = max(20, int(0.05 * rows))
    if distinct <= limit:
        return ColumnType.CATEGORICAL, f"{distinct} distinct text values (limit {limit})"
    mean_len = float((values.str.len_chars().cast(pl.Int64) * w).sum()) / nn
    return (
        ColumnType.TEXT,
        f"{distinct} distinct text values (over the categorical limit {limit}), "
        f"mean length {mean_len:.1f}",
    )


def _in_unit_interval(s: pl.Series) -> bool:
    if not s.dtype.is_float():
        return False
    finite = s.drop_nulls().drop_nans()
    if finite.len() == 0:
        return False
    lo, hi = finite.min(), finite.max()
    return isinstance(lo, float) and isinstance(hi, float) and lo >= 0.0 and hi <= 1.0


def _personal(
    s: pl.Series, ctype: ColumnType, counts: tuple[pl.Series, pl.Series] | None = None
) -> tuple[bool, str]:
    kw = rules.personal_by_name(str(s.name))
    if kw is not None and _flag_like(s, ctype):
        return False, f"not personal: named like {kw!r}, but its values are a two-level flag"
    if kw is not None:
        return True, f"personal: name matches {kw!r}"
    if s.dtype in (pl.String, pl.Categorical) and ctype not in (
        ColumnType.DATETIME,
        ColumnType.BOOLEAN,
    ):
        found = rules.personal_by_values(*counts) if counts else rules.personal_by_values(s)
        if found is not None:
            kind, share = found
            return True, f"personal: {share:.0%} of values look like {kind}"
    return False, ""


def _flag_like(s: pl.Series, ctype: ColumnType) -> bool:
    """A yes/no column (``telephone: none | yes``): no personal value can hide in two levels."""
    if ctype == ColumnType.BOOLEAN:
        return True
    values = s.drop_nulls()
    return values.len() > 0 and values.n_unique() <= 2 and rules.personal_by_values(values) is None


def _infer_roles(
    names: list[str],
    types: dict[str, tuple[ColumnType, str]],
    personal: dict[str, tuple[bool, str]],
    unit: dict[str, bool],
    declared: dict[str, Role],
    ov: SchemaOverrides,
) -> dict[str, tuple[Role, str]]:
    out: dict[str, tuple[Role, str]] = {
        n: (r, f"role {r.value} declared") for n, r in declared.items()
    }
    taken = set(declared.values())
    for name in names:
        if name in out:
            continue
        ctype = types[name][0]
        score_ok = ctype == ColumnType.NUMERIC and unit[name]
        role, why = _role_by_name(name, ctype, personal[name][0], score_ok, taken, ov)
        out[name] = (role, why)
        if role in (Role.TARGET, Role.PREDICTION, Role.SCORE, Role.TIMESTAMP):
            taken.add(role)
    return out


def _role_by_name(
    name: str,
    ctype: ColumnType,
    is_personal: bool,
    score_ok: bool,
    taken: set[Role],
    ov: SchemaOverrides,
) -> tuple[Role, str]:
    if Role.TARGET not in taken and rules.target_like(name):
        return Role.TARGET, "role target: named like a target"
    if rules.score_like(name):
        if score_ok and Role.SCORE not in taken:
            return Role.SCORE, "role score: named like a score, values in [0, 1]"
        if not score_ok and not rules.prediction_like(name):
            return Role.FEATURE, "named like a score but values are not numbers in [0, 1]"
    if Role.PREDICTION not in taken and rules.prediction_like(name):
        return Role.PREDICTION, "role prediction: named like a prediction"
    kw = rules.sensitive_like(name)
    if not ov.sensitive and kw is not None:
        return Role.SENSITIVE, f"role sensitive: named like {kw!r}"
    if (
        Role.TIMESTAMP not in taken
        and ctype == ColumnType.DATETIME
        and not is_personal
        and rules.timestamp_like(name)
    ):
        return Role.TIMESTAMP, "role timestamp: first date/time column named like a time"
    if ctype == ColumnType.ID and not ov.id:
        return Role.ID, "role id"
    return Role.FEATURE, ""
