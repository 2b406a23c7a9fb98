"""Data contracts: constraints learned from reference data, edited by people, checked on new data.

``suggest_contract`` turns a profile into a :class:`Contract` (types, nullability, ranges with a
margin, category sets, uniqueness, a row-count band), each constraint with the evidence it was
drawn from.  ``dump_contract`` writes it as commented YAML; ``load_contract`` reads it back and
``contract_checks`` expands it into the quality checks that enforce it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mlaudit._safeyaml import load_mapping_file
from mlaudit.config import format_validation_error
from mlaudit.data import KNOWN_MARKERS, ColumnType, Role, Schema, normalise_marker
from mlaudit.errors import ConfigError
from mlaudit.summary import (
    PADDING_KINDS,
    CategoryCounts,
    ColumnSummary,
    DatasetProfile,
    learned_formats,
    shape_regex,
)

__all__ = [
    "ColumnContract",
    "Contract",
    "DatasetContract",
    "allowed_values",
    "contract_checks",
    "dump_contract",
    "load_contract",
    "suggest_contract",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnContract(_Strict):
    """What every value of one column must satisfy; ``None`` means unconstrained."""

    type: ColumnType | None = None
    max_missing: float | None = Field(default=None, ge=0, le=1)
    min: float | None = None
    max: float | None = None
    allowed: list[str] | None = None
    unique: bool = False
    pattern: str | None = None
    max_nonmatching: float | None = Field(default=None, ge=0, le=1)
    """Share of the non-missing values allowed not to match ``pattern`` (none when unset)."""
    missing_markers: list[str | float] = Field(default_factory=list)
    """Values read as missing before the checks (``'?'``, ``-1``), compared stripped, as the
    audit configuration's ``missing_markers``; ``max_missing`` counts them as missing."""
    evidence: dict[str, str] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="after")
    def _bounds_in_order(self) -> ColumnContract:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        if self.allowed is not None and not self.allowed:
            raise ValueError("allowed is an empty list, so no value could pass")
        return self


class DatasetContract(_Strict):
    """Constraints on the data set as a whole."""

    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds_in_order(self) -> DatasetContract:
        lo, hi = self.min_rows, self.max_rows
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min_rows ({lo}) is greater than max_rows ({hi})")
        return self


class Contract(_Strict):
    """A data contract: per-column constraints plus row rules (polars SQL expressions)."""

    version: Literal[1] = 1
    source: str = ""
    dataset: DatasetContract = Field(default_factory=DatasetContract)
    columns: dict[str, ColumnContract] = Field(default_factory=dict)
    rules: dict[str, str] = Field(default_factory=dict)


def suggest_contract(
    profile: DatasetProfile,
    schema: Schema,
    *,
    margin: float = 0.1,
    max_categories: int = 50,
    source: str = "",
) -> Contract:
    """Infer a contract from reference data.

    Parameters
    ----------
    profile, schema
        The reference data's profile and schema.
    margin
        Numeric ranges are widened by ``margin`` × the observed range on each side (a column
        never negative stays bounded at 0); missing shares get headroom of half the observed
        share, at least one percentage point, except that a column never missing stays
        ``max_missing: 0``.
    max_categories
        Categorical columns with at most this many values get an ``allowed`` list.
    """
    n = profile.n_rows
    columns = {
        col.name: _column_contract(
            profile.columns[col.name], col.type, col.role, n, margin, max_categories
        )
        for col in schema.columns
        if col.role != Role.IGNORED and col.name in profile.columns
    }
    return Contract(
        source=source,
        dataset=DatasetContract(min_rows=math.floor(n * 0.5), max_rows=math.ceil(n * 2)),
        columns=columns,
    )


def _column_contract(
    s: ColumnSummary, ctype: ColumnType, role: Role, n: int, margin: float, max_categories: int
) -> ColumnContract:
    ev: dict[str, str] = {"type": f"inferred from {s.dtype} values"}
    markers = _markers(s)
    missing = s.missing + sum(markers.values())
    share = missing / n if n else 0.0
    if missing == 0:
        max_missing, ev["max_missing"] = 0.0, f"never missing in {n:,} rows"
    else:
        max_missing = min(1.0, round(share + max(0.01, share * 0.5), 4))
        ev["max_missing"] = f"observed {share:.2%} missing ({missing:,} of {n:,})"
        if markers:
            ev["max_missing"] += ", missing markers included"
    out: dict[str, Any] = {"type": ctype, "max_missing": max_missing}
    if markers:
        out["missing_markers"] = sorted({v.strip() for v in markers})
        ev["missing_markers"] = "written for a missing value: " + ", ".join(
            f"{v!r} ({c:,} rows)" for v, c in sorted(markers.items())
        )
    num = s.numeric
    if ctype.is_numeric and num is not None and num.min is not None and num.max is not None:
        lo, hi = _widen(num.min, num.max, margin, integer=ctype == ColumnType.INTEGER)
        out["min"], out["max"] = lo, hi
        ev["min"] = ev["max"] = f"observed {num.min:g} to {num.max:g}; widened by {margin:.0%}"
    cats = s.categories
    if (
        ctype in (ColumnType.CATEGORICAL, ColumnType.BOOLEAN)
        and cats is not None
        and cats.exact
        and not cats.hashed
        and 0 < len(cats.counts) <= max_categories
    ):
        _allowed(cats, s.non_null, out, ev)
    if "allowed" not in out and not ctype.is_numeric:
        _pattern(s, out, ev)
    if role == Role.ID or (
        s.distinct_exact and s.non_null > 0 and s.distinct == s.non_null and ctype == ColumnType.ID
    ):
        out["unique"] = True
        ev["unique"] = f"{int(s.distinct):,} distinct values in {s.non_null:,} rows"
    return ColumnContract(**out, evidence=ev)


PATTERN_MIN_DISTINCT = 50
"""Fewest distinct values for a learned pattern (as ``quality.rare_formats``' ``min_distinct``):
fewer are a category set, which an allowed list states better."""


def _pattern(s: ColumnSummary, out: dict[str, Any], ev: dict[str, str]) -> None:
    """The column's learned formats as a regular expression (``quality.rare_formats``' rule:
    at most 5 shapes of at least 1 % each, holding at least 95 % of the values), with the share
    of values outside them, plus headroom, as ``max_nonmatching``."""
    shapes = s.text.shapes if s.text is not None else None
    if shapes is None or not s.distinct >= PATTERN_MIN_DISTINCT:
        return
    formats = learned_formats(shapes, coverage=0.95, max_formats=5, min_share=0.01)
    if formats is None:
        return
    n = shapes.total
    covered = sum(shapes.counts[f] for f in formats)
    out["pattern"] = shape_regex(formats, personal=s.personal)
    ev["pattern"] = (
        f"learned formats {', '.join(repr(f) for f in formats)} (A: upper-case letter, "
        f"a: lower-case, 9: digit) hold {covered:,} of {n:,} values ({covered / n:.2%})"
    )
    if covered < n:
        share = (n - covered) / n
        out["max_nonmatching"] = min(1.0, math.ceil((share + max(0.001, share / 2)) * 1e4) / 1e4)
        ev["max_nonmatching"] = (
            f"observed {share:.2%} in other formats ({n - covered:,} values); widened by half, "
            "at least 0.1 percentage point"
        )


def _markers(s: ColumnSummary) -> dict[str, int]:
    """The column's missing markers as written (``' ?'``) → rows, from the exact count the scan
    made, else from exact category counts; empty when there is none or it is unknown."""
    if s.text is not None and s.text.missing_markers is not None:
        return {v: c for v, c in s.text.missing_markers.items() if c}
    cats = s.categories
    if cats is None or not cats.exact or cats.hashed:
        return {}
    return {v: c for v, c in cats.counts.items() if normalise_marker(v) in KNOWN_MARKERS}


def allowed_values(cats: CategoryCounts) -> list[str]:
    """The values a suggested contract allows, from exact category counts: every value seen,
    exactly as read (sorted), except missing markers ('?', 'N/A'): a marker in an allowed set
    would make a missing value valid.

    The one place that decides what enters an ``allowed`` list.
    """
    return sorted(v for v in cats.counts if normalise_marker(v) not in KNOWN_MARKERS)


def _allowed(cats: CategoryCounts, rows: int, out: dict[str, Any], ev: dict[str, str]) -> None:
    """The allowed set and its evidence: the markers left out (declare them as missing
    markers instead) and the padding kept (see :func:`_padding_note`)."""
    allowed = allowed_values(cats)
    if not allowed:
        return
    out["allowed"] = allowed
    ev["allowed"] = f"the {len(allowed)} values seen in {rows:,} rows"
    markers = {v: n for v, n in cats.counts.items() if v not in set(allowed)}
    if markers:
        left = ", ".join(f"{v!r} ({n:,} rows)" for v, n in sorted(markers.items()))
        ev["allowed"] += f"; left out {left}, a missing marker (see missing_markers)"
    ev["allowed"] += _padding_note(allowed)


_WHITESPACE = "".join(PADDING_KINDS.values())


def _padding_note(values: list[str]) -> str:
    """Evidence to add when allowed values carry leading or trailing whitespace.

    The values stay exact, so that the contract passes on the data it was learned from (the
    allowed-values check compares values as read); the note says so, and how to expect
    stripped values instead.
    """
    padded = [v for v in values if v.strip(_WHITESPACE) not in ("", v)]
    if not padded:
        return ""
    which = "every value has" if len(padded) == len(values) else f"{len(padded)} values have"
    return (
        f"; {which} leading or trailing whitespace as read (e.g. {padded[0]!r}), kept so that "
        "this data passes; to expect stripped values, strip them (for a CSV file, read it with "
        "skip_initial_space) and suggest again"
    )


def _widen(lo: float, hi: float, margin: float, *, integer: bool) -> tuple[float, float]:
    pad = (hi - lo) * margin
    new_lo, new_hi = lo - pad, hi + pad
    if lo >= 0 > new_lo:
        new_lo = 0.0
    if integer:
        return float(math.floor(new_lo)), float(math.ceil(new_hi))
    return float(f"{new_lo:.6g}"), float(f"{new_hi:.6g}")


def dump_contract(contract: Contract) -> str:
    """Write the contract as YAML with the evidence of each constraint as a comment."""
    lines = [
        "# mlaudit data contract. Edit freely; check data with:",
        "#   mlaudit validate DATA --contract THIS_FILE",
        "# Keys per column: type, max_missing (share 0-1), min, max, allowed, unique, pattern,",
        "# max_nonmatching (share 0-1 allowed not to match pattern), missing_markers (values",
        "# read as missing, e.g. '?').",
        "version: 1",
    ]
    if contract.source:
        lines.append(f"source: {_scalar(contract.source)}")
    lines.append("dataset:")
    for key in ("min_rows", "max_rows"):
        value = getattr(contract.dataset, key)
        if value is not None:
            lines.append(f"  {key}: {value}")
    lines.append("columns:")
    for name, col in contract.columns.items():
        lines.append(f"  {_scalar(name)}:")
        data = col.model_dump(mode="json", exclude_defaults=True)
        for key, value in data.items():
            note = col.evidence.get(key)
            comment = f"  # {note}" if note else ""
            lines.append(f"    {key}: {_scalar(value)}{comment}")
    if contract.rules:
        lines.append("rules:")
        lines += [f"  {_scalar(k)}: {_scalar(v)}" for k, v in contract.rules.items()]
    else:
        lines.append("rules: {}  # name: polars SQL expression that must hold on every row")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.strip().removesuffix("...").strip()


def load_contract(path: str | Path) -> Contract:
    """Read and validate a contract file; errors name the key and the value."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"contract file {str(p)!r} does not exist",
            fix="create one with: mlaudit contract suggest REFERENCE > contract.yaml",
        )
    raw = load_mapping_file(p, "contract", fix="check the indentation near the line named above")
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(
            f"{p} must hold a mapping (version, dataset, columns, rules)",
            fix="see docs/contracts.md for an example",
        )
    try:
        contract = Contract.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source=str(p)), fix="see docs/contracts.md for the keys"
        ) from None
    d = contract.dataset
    if not contract.columns and not contract.rules and d.min_rows is None and d.max_rows is None:
        raise ConfigError(
            f"contract {str(p)!r} has no rules: no columns, no row rules and no row-count "
            "bounds, so any data would pass it",
            fix="add constraints, or start from one inferred from good data: "
            "mlaudit contract suggest REFERENCE > contract.yaml",
        )
    return contract


def contract_checks(contract: Contract, present: set[str]) -> dict[str, dict[str, Any]]:
    """Expand a contract into check options, for the columns ``present`` in the data.

    Columns the contract names but the data lacks become a ``quality.required_columns`` failure.
    """
    cols = {k: v for k, v in contract.columns.items() if k in present}
    opts: dict[str, dict[str, Any]] = {
        "quality.required_columns": {"required": list(contract.columns)},
        "quality.row_count": {
            "min_rows": contract.dataset.min_rows,
            "max_rows": contract.dataset.max_rows,
        },
        "quality.completeness": {
            "max_missing": {k: c.max_missing for k, c in cols.items() if c.max_missing is not None}
        },
        "quality.type_conformance": {"types": {k: c.type for k, c in cols.items() if c.type}},
        "quality.value_range": {
            "bounds": {
                k: (c.min, c.max) for k, c in cols.items() if c.min is not None or c.max is not None
            }
        },
        "quality.allowed_values": {
            "allowed": {k: c.allowed for k, c in cols.items() if c.allowed is not None}
        },
        "quality.duplicate_keys": {"keys": [[k] for k, c in cols.items() if c.unique] or None},
        "quality.pattern": {
            "patterns": {k: c.pattern for k, c in cols.items() if c.pattern},
            "max_nonmatching": {
                k: c.max_nonmatching
                for k, c in cols.items()
                if c.pattern and c.max_nonmatching is not None
            },
        },
        "quality.rules": {"rules": dict(contract.rules)},
    }
    # Checks with nothing to check are left out (their option lists must not be empty).
    empty = {
        "quality.pattern": "patterns",
        "quality.rules": "rules",
        "quality.required_columns": "required",
    }
    return {k: v for k, v in opts.items() if k not in empty or v[empty[k]]}
