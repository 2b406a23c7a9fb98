"""``mlaudit checks``: list the checks, or show one check's options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from mlaudit.checks import check_class, list_checks
from mlaudit.cli._common import console, handle_errors
from mlaudit.cli._options import option_docs

__all__ = ["checks"]


@handle_errors
def checks(
    check_id: Annotated[str | None, typer.Argument(help="show this check's options")] = None,
) -> None:
    """List every check with its title, or one check's purpose and options."""
    if check_id is None:
        table = Table("id", "title", "severity")
        for cls in list_checks():
            table.add_row(escape(cls.id), escape(cls.title), cls.severity.value)
        console.print(table)
        return
    cls = check_class(check_id)
    console.print(f"[bold]{escape(cls.id)}[/] — {escape(cls.title)}\n{escape(cls.why)}\n")
    table = Table("option", "type", "default", "meaning")
    for o in option_docs(cls):
        cells = (o.name, o.type, o.default, " ".join(o.meaning.split()))
        table.add_row(*map(escape, cells))  # types and meanings hold [brackets]
    console.print(table)
