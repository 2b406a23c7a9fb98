"""Placeholder names for empty and blank column names.

pandas writes its unnamed index as a CSV column with the header ``""``, and Parquet, Arrow and
SQL allow such names too.  A name that is empty or only white space cannot be told apart in a
report, a configuration or a message, so every reader's columns go through
:func:`placeholder_names`: such a column is called ``unnamed_<position>`` (1-based, among the
columns read), suffixed ``_2``, ``_3``, ... if another column already has that name.  The
renaming is recorded (placeholder → name in the source) and announced with a warning.

A name holding a NUL character is renamed too, with each NUL written ``\\x00``: Arrow's C data
interface, through which polars and pyarrow hand columns to each other, carries names as
NUL-terminated strings, and such a name aborted the process inside polars.
"""

from __future__ import annotations

__all__ = ["placeholder_names"]


def placeholder_names(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """The names with empty and blank ones replaced, and the replacements.

    Parameters
    ----------
    names
        Column names as the source gives them.

    Returns
    -------
    tuple[list[str], dict[str, str]]
        The names to use, and for each placeholder the name in the source (empty when no name
        was blank).

    Examples
    --------
    >>> placeholder_names(["", "age", " "])
    (['unnamed_1', 'age', 'unnamed_3'], {'unnamed_1': '', 'unnamed_3': ' '})
    """
    if all(n.strip() and "\x00" not in n for n in names):
        return list(names), {}
    taken = {n for n in names if n.strip() and "\x00" not in n}
    out: list[str] = []
    renamed: dict[str, str] = {}
    for i, name in enumerate(names, start=1):
        if name.strip() and "\x00" not in name:
            out.append(name)
            continue
        base = name.replace("\x00", "\\x00") if name.strip() else f"unnamed_{i}"
        new, k = base, 1
        while new in taken:
            k += 1
            new = f"{base}_{k}"
        taken.add(new)
        out.append(new)
        renamed[new] = name
    return out, renamed
