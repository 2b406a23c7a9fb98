"""Generate the check reference (docs/checks.md) from the registered checks.

Run ``python -m mlaudit.cli._docgen docs/checks.md``; a test fails when the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mlaudit.checks import list_checks
from mlaudit.cli._options import option_docs

__all__ = ["render_check_reference"]


def render_check_reference() -> str:
    """Markdown reference of every registered check: purpose, severity, options."""
    lines = [
        "# Check reference",
        "",
        "Generated from the code by `make docs`; do not edit by hand.",
        "Configure a check in `audit.yaml` under `checks:` with its id, for example",
        "`quality.completeness: {warn: 0.1}`, or turn it off with `false`.",
        "",
        "The type column gives each option's allowed values: shares lie in [0, 1],",
        "significance levels (`alpha`) in (0, 1), counts are whole numbers. A value outside",
        "them, NaN, a `warn` limit above the `fail` limit (where the fail limit applies:",
        "`quality.value_range` without `bounds` and `quality.allowed_values` without `allowed`",
        "only warn), a pair or bounds in the wrong order, an empty list, or a column the data",
        "does not have is a configuration error (exit code 2) naming the check and the option,",
        "reported before any data is read.",
        "",
    ]
    families: dict[str, list[Any]] = {}
    for cls in list_checks():
        families.setdefault(cls.family, []).append(cls)
    for family, classes in families.items():
        lines += [f"## {family}", ""]
        for cls in classes:
            lines += [f"### `{cls.id}` — {cls.title}", ""]
            if cls.why:
                lines += [cls.why, ""]
            lines += [
                f"Severity: {cls.severity.value}."
                + (" Needs reference data." if cls.needs_reference else ""),
                "",
            ]
            lines += ["| option | type | default | meaning |", "|---|---|---|---|"]
            for o in option_docs(cls):
                cells = [f"`{o.name}`", o.type, f"`{o.default}`", o.meaning.replace("\n", " ")]
                lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    Path(sys.argv[1]).write_text(render_check_reference(), encoding="utf-8")
