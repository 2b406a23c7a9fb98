"""From a suite and per-check options to the list of configured checks an audit runs."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from mlaudit.checks import Check, check_class
from mlaudit.config import format_validation_error
from mlaudit.data import Schema
from mlaudit.errors import ConfigError
from mlaudit.suites import suite_checks

__all__ = ["build_checks", "referenced_columns", "validate_columns"]

# Option fields whose keys are not column names (rule names, detector settings).
_NON_COLUMN_KEYS = frozenset({"rules", "ddm", "page_hinkley", "adwin", "expected_shares"})


def build_checks(
    suite: str,
    options: Mapping[str, Mapping[str, Any] | bool],
    *,
    exclude: Sequence[str] = (),
    extra: Sequence[Check] = (),
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Check]:
    """Expand ``suite`` and apply ``options`` (check id → options, ``False`` turns it off).

    Checks named in ``options`` but not in the suite are added after the suite's checks;
    ``extra`` are ready-made check objects appended last.  ``defaults`` (family → options,
    e.g. the audit's ``fairness:`` declarations) apply to every check of the family that has
    the option, below the check's own options.
    """
    for check_id in [*options, *exclude]:
        check_class(check_id)  # raises a ConfigError suggesting close ids
    ids = suite_checks(suite)
    ids += [i for i in options if i not in ids and options[i] is not False]
    checks: list[Check] = []
    for check_id in ids:
        opts = options.get(check_id, {})
        if opts is False or check_id in exclude:
            continue
        own = {} if opts is True else dict(opts)
        family = (defaults or {}).get(check_id.split(".")[0], {})
        fields = check_class(check_id).model_fields
        checks.append(_make(check_id, {**{k: v for k, v in family.items() if k in fields}, **own}))
    return checks + list(extra)


def _make(check_id: str, opts: dict[str, Any]) -> Check:
    cls = check_class(check_id)
    try:
        return cls(**opts)
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source=f"checks.{check_id}"),
            fix=f"see 'mlaudit checks {check_id}' or docs/checks.md for its options",
        ) from None


def referenced_columns(check: Check) -> set[str]:
    """Column names a configured check refers to: ``columns`` and keys of per-column options."""
    names: set[str] = set(check.columns or []) | check.row_columns()
    for field_name in type(check).model_fields:
        value = getattr(check, field_name)
        if field_name not in _NON_COLUMN_KEYS and isinstance(value, Mapping):
            names.update(str(k) for k in value)
        if field_name == "keys" and isinstance(value, list):
            for key in value:
                names.update(key if isinstance(key, list | tuple) else [key])
    return names


def validate_columns(checks: Sequence[Check], schema: Schema) -> None:
    """Fail before any scan when a check names a column the data does not have."""
    for check in checks:
        for name in sorted(referenced_columns(check)):
            if name not in schema:
                close = difflib.get_close_matches(name, schema.names, n=3)
                hint = (
                    f"did you mean {', '.join(repr(c) for c in close)}?"
                    if close
                    else (
                        f"the data has: {', '.join(schema.names[:15])}"
                        + (" ..." if len(schema.names) > 15 else "")
                    )
                )
                raise ConfigError(
                    f"check {check.id!r} names column {name!r}, which the data does not have",
                    fix=hint,
                )
