"""``mlaudit checks``: list the checks, or show one check's options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from mlaudit.checks import check_class, list_checks
from mlaudit.cli._common import console, handle_errors

__all__ = ["checks"]


@handle_errors
def checks(
    check_id: Annotated[str | None, typer.Argument(help="show this check's options")] = None,
) -> None:
    """List every check with its title, or one check's purpose and options."""
    if check_id is None:
        table = Table("id", "title", "severity")
        for cls in list_checks():
            table.add_row(cls.id, cls.title, cls.severity.value)
        console.print(table)
        return
    cls = check_class(check_id)
    console.print(f"[bold]{cls.id}[/] — {cls.title}\n{cls.why}\n")
    table = Table("option", "default", "type")
    for name, field in cls.model_fields.items():
        table.add_row(name, repr(field.default), str(field.annotation))
    console.print(table)
