"""``quality.schema_match``: the current data has the reference data's columns and types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from mlaudit.checks._base import Check, CheckContext, register
from mlaudit.data import ColumnSchema, Schema, compare_schemas
from mlaudit.results import CheckResult, Severity, Status, TableDetail, worst_status

__all__ = ["SchemaDifference", "SchemaMatch", "schema_differences", "storage_family"]

ChangeKind = Literal["missing", "retyped", "type_changed", "role_changed", "extra"]

_SEVERITY: dict[str, Status] = {
    "missing": Status.FAIL,
    "retyped": Status.FAIL,
    "type_changed": Status.WARN,
    "role_changed": Status.WARN,
    "extra": Status.WARN,
}
_NUMBER_PREFIXES = ("int", "uint", "float", "double", "halffloat", "decimal")
_TEXT_PREFIXES = ("string", "large_string", "utf8", "large_utf8", "string_view", "str")
_TIME_PREFIXES = ("timestamp", "date", "time", "duration")


def storage_family(dtype: str) -> str:
    """Coarse family of an Arrow storage type: number, text, boolean, temporal, or the name."""
    d = dtype.lower()
    if d.startswith("dictionary"):
        return "text" if "string" in d or "utf8" in d else d
    if d.startswith(_NUMBER_PREFIXES):
        return "number"
    if d.startswith(_TEXT_PREFIXES):
        return "text"
    if d in ("bool", "boolean"):
        return "boolean"
    if d.startswith(_TIME_PREFIXES):
        return "temporal"
    return d


@dataclass(frozen=True)
class SchemaDifference:
    """One difference between the reference and the current schema."""

    column: str
    kind: ChangeKind
    reference: str
    current: str

    @property
    def status(self) -> Status:
        """``fail`` for missing or retyped columns, ``warn`` for the rest."""
        return _SEVERITY[self.kind]


def _describe(c: ColumnSchema) -> str:
    return f"{c.type.value} ({c.dtype}), role {c.role.value}"


def _compare(ref: ColumnSchema, cur: ColumnSchema) -> SchemaDifference | None:
    kind: ChangeKind | None = None
    if storage_family(ref.dtype) != storage_family(cur.dtype):
        kind = "retyped"
    elif ref.type != cur.type:
        # Same storage, different inferred meaning (integer ↔ id, categorical ↔ text): the
        # values are still usable, so a warning; numbers ↔ strings is caught above.
        kind = "type_changed"
    elif ref.role != cur.role:
        kind = "role_changed"
    if kind is None:
        return None
    return SchemaDifference(ref.name, kind, _describe(ref), _describe(cur))


def schema_differences(reference: Schema, current: Schema) -> list[SchemaDifference]:
    """Differences from ``reference`` to ``current``: missing, retyped, re-inferred and extra
    columns, in the reference's column order then the current's.

    Names come from :func:`mlaudit.data._schema.compare_schemas`; a common column whose type
    changed is split here into ``retyped`` (its storage changed kind, e.g. numbers to text) and
    ``type_changed`` (same storage, inferred differently), and role changes are added.
    """
    cmp = compare_schemas(reference, current)
    out = [SchemaDifference(n, "missing", _describe(reference[n]), "") for n in cmp.missing]
    for name in cmp.common:
        diff = _compare(reference[name], current[name])
        if diff is not None:
            out.append(diff)
    out += [SchemaDifference(n, "extra", "", _describe(current[n])) for n in cmp.extra]
    return out


_LABEL = {
    "missing": "missing",
    "retyped": "stored as another type",
    "type_changed": "re-typed",
    "role_changed": "role changed",
    "extra": "new",
}


@register
class SchemaMatch(Check):
    """Compare the current schema with the reference: missing or retyped columns fail, new
    columns and changed roles warn."""

    id: ClassVar[str] = "quality.schema_match"
    family: ClassVar[str] = "quality"
    title: ClassVar[str] = "Columns match the reference data"
    why: ClassVar[str] = (
        "A model expects the columns it was trained on with the same types; a missing column or "
        "one whose numbers arrive as text makes the model fail or score on defaults."
    )
    severity: ClassVar[Severity] = Severity.HIGH
    reads: ClassVar[frozenset[str]] = frozenset()  # no distinct counts, no row hashes
    needs_reference: ClassVar[bool] = True

    def compute(self, ctx: CheckContext) -> CheckResult:
        """Compare ``ctx.reference_schema`` with ``ctx.schema``."""
        if ctx.reference_schema is None:
            return self.skipped("needs reference data; pass --reference to run it")
        diffs = schema_differences(ctx.reference_schema, ctx.schema)
        counts = {k: sum(d.kind == k for d in diffs) for k in _SEVERITY}
        metrics: dict[str, float | int | None] = {
            "missing_columns": counts["missing"],
            "retyped_columns": counts["retyped"],
            "type_changed_columns": counts["type_changed"],
            "role_changed_columns": counts["role_changed"],
            "extra_columns": counts["extra"],
            "reference_columns": len(ctx.reference_schema.columns),
            "current_columns": len(ctx.schema.columns),
        }
        if not diffs:
            return self.result(
                Status.PASS,
                f"All {len(ctx.schema.columns)} columns match the reference data in name, "
                "type and role.",
                metrics=metrics,
            )
        status = worst_status([d.status for d in diffs])
        parts = []
        for kind in _SEVERITY:
            names = [d.column for d in diffs if d.kind == kind]
            if names:
                shown = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
                parts.append(f"{len(names)} {_LABEL[kind]} ({shown})")
        table = TableDetail(
            name="schema_differences",
            title="Differences from the reference schema",
            columns=["column", "change", "reference", "current"],
            rows=[[d.column, _LABEL[d.kind], d.reference, d.current] for d in diffs],
        )
        return self.result(
            status,
            "Columns differ from the reference data: " + "; ".join(parts) + ".",
            metrics=metrics,
            details=[table],
        )
