"""CSV dialects: what the user says about a text file, and what is detected on a sample.

Python's ``csv.Sniffer`` guesses from character frequencies and is often wrong (a decimal comma
in a semicolon file, a name with a space); this detector is simpler and testable.  Over the
first 64 KiB (the last, possibly cut line dropped):

* **separator**: each candidate among ``, ; TAB |`` splits the sample's records (quotes
  respected, by Python's ``csv`` reader); the candidate that gives the same field count, more
  than one, on every record wins (ties: more fields, then the order above).  A space is tried
  only when no candidate is constant, and wins only when it is constant too (UCI's
  space-separated files such as German credit).  When nothing is constant, the candidate whose
  most common count (> 1) holds on the most records is kept, so a ragged file is reported at
  its bad line with the right separator.
* **quote**: ``"`` unless fields start with ``'`` and never with ``"``.
* **decimal comma**: the separator is not a comma and some field reads ``-?digits,digits``;
  those columns (every non-empty sample value a decimal-comma number) are converted to numbers.
* **header**: the first record is a header unless, in every column numeric in the later
  records, its value is numeric too (then the columns are named ``column_1``, ...).
* **padding**: values start with a space after the separator (``a, b``; UCI's Adult) when 90%
  of the non-empty fields after the first do; this is reported, and stripped only on request
  (``skip_initial_space``), never silently.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from mlaudit.errors import ConfigError

__all__ = ["SEPARATORS", "CsvDialect", "CsvOptions", "detect_dialect", "dialect_names"]

SEPARATORS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 << 10
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_INTEGER = r"[-+]?\d+"


@dataclass(frozen=True)
class CsvOptions:
    """What the user says about a CSV file; ``None`` means "detect it".

    Parameters
    ----------
    separator
        Field separator (one character; ``"\\t"`` for a tab).
    decimal
        Decimal mark of numbers: ``"."`` or ``","``.
    quote
        Quote character.
    header
        Whether the first line holds the column names.
    null_values
        Strings read as missing (default: pyarrow's list: empty, ``NA``, ``NULL``, ``NaN``...).
    skip_initial_space
        Strip the spaces that follow a separator (``a, b``) from text values and names.
    rename_duplicates
        Rename a repeated column name with a suffix (``score``, ``score_2``) and warn, instead
        of refusing the file.
    """

    separator: str | None = None
    decimal: Literal[".", ","] | None = None
    quote: str | None = None
    header: bool | None = None
    null_values: tuple[str, ...] | None = None
    skip_initial_space: bool = False
    rename_duplicates: bool = False

    def __post_init__(self) -> None:
        for key in ("separator", "quote"):
            value = getattr(self, key)
            if value is not None and len(value) != 1:
                raise ConfigError(
                    f"the CSV {key} must be one character, got {value!r}",
                    fix="e.g. separator=';' (use '\\t' for a tab)",
                )
        if self.decimal not in (None, ".", ","):
            raise ConfigError(f"decimal must be '.' or ',', got {self.decimal!r}", fix="use ','")
        if self.separator is not None and self.separator == self.decimal:
            raise ConfigError(
                f"the separator and the decimal mark are both {self.separator!r}",
                fix="a file with decimal commas is separated by ';' or a tab",
            )


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is read: each setting given by the user or detected on a sample."""

    separator: str
    quote: str
    decimal: str
    header: bool
    padded: bool
    skip_initial_space: bool
    null_values: tuple[str, ...] | None
    rename_duplicates: bool
    decimal_columns: tuple[int, ...] = ()
    """0-based positions of the columns holding decimal-comma numbers."""
    given: frozenset[str] = field(default_factory=frozenset)
    """The settings the user gave; the others were detected."""

    def describe(self) -> str:
        """One line for messages and reports, e.g. ``separator ';' (detected), decimal ','``."""
        parts = []
        for key, value in (
            ("separator", _NAMES.get(self.separator, repr(self.separator))),
            ("quote", self.quote),
            ("decimal", self.decimal),
            ("header", "yes" if self.header else "no"),
        ):
            parts.append(f"{key} {value} ({'given' if key in self.given else 'detected'})")
        if self.padded:
            how = "stripped" if self.skip_initial_space else "kept; skip_initial_space strips it"
            parts.append(f"values start with a space after the separator ({how})")
        return ", ".join(parts)


def dialect_names(names: list[str], dialect: CsvDialect) -> tuple[list[str], list[str]]:
    """Column names after stripping and renaming, and the repeated names that were renamed."""
    out = [n.lstrip(" ") for n in names] if dialect.skip_initial_space else list(names)
    if not dialect.rename_duplicates:
        return out, []
    seen: dict[str, int] = {}
    taken = set(out)
    renamed: list[str] = []
    for i, name in enumerate(out):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] == 1:
            continue
        k = seen[name]
        while f"{name}_{k}" in taken:
            k += 1
        out[i] = f"{name}_{k}"
        taken.add(out[i])
        renamed.append(name)
    return out, renamed


def detect_dialect(
    path: Path, *, encoding: str, options: CsvOptions, default_separator: str = ","
) -> CsvDialect:
    """The dialect of a CSV file: the user's options, the rest detected on its first 64 KiB."""
    records = _sample_records(path, encoding, options)
    quote = options.quote or _detect_quote(records)
    sep = options.separator or _detect_separator(records, quote) or default_separator
    rows = _split(records, sep, quote)
    decimal = options.decimal or ("," if sep != "," and _has_decimal_comma(rows) else ".")
    header = options.header if options.header is not None else _detect_header(rows, decimal)
    given = {
        k for k in ("separator", "quote", "decimal", "header") if getattr(options, k) is not None
    }
    dialect = CsvDialect(
        separator=sep,
        quote=quote,
        decimal=decimal,
        header=header,
        padded=_is_padded(rows),
        skip_initial_space=options.skip_initial_space,
        null_values=options.null_values,
        rename_duplicates=options.rename_duplicates,
        given=frozenset(given),
    )
    if decimal == ",":
        dialect = replace(dialect, decimal_columns=_decimal_columns(rows[1 if header else 0 :]))
    return dialect


def _sample_records(path: Path, encoding: str, options: CsvOptions) -> list[str]:
    """The sample's lines, the last one dropped when the sample cuts it."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(SAMPLE_BYTES + 1)
        text = raw[:SAMPLE_BYTES].decode(encoding, errors="replace")
    except LookupError:
        return []  # the reader reports the unknown encoding
    lines = text.splitlines()
    if len(raw) > SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]
    return [line for line in lines if line.strip()]


def _split(lines: list[str], sep: str, quote: str) -> list[list[str]]:
    try:
        return list(csv.reader(lines, delimiter=sep, quotechar=quote, strict=False))
    except csv.Error:
        return [line.split(sep) for line in lines]


def _detect_quote(lines: list[str]) -> str:
    text = "\n".join(lines[:50])
    single = len(re.findall(r"(?:^|[,;\t|])'", text, flags=re.M))
    double = len(re.findall(r"(?:^|[,;\t|])\"", text, flags=re.M))
    return "'" if single > 0 and double == 0 else '"'


def _detect_separator(lines: list[str], quote: str) -> str | None:
    """The candidate with a constant field count (> 1) on every record (see the module doc)."""
    if not lines:
        return None
    scores: list[tuple[float, int, int, str]] = []
    for rank, sep in enumerate(SEPARATORS):
        scores.append((*_consistency(_split(lines, sep, quote)), -rank, sep))
    best = max(scores)
    if best[0] < 1.0:
        share, fields = _consistency(_split(lines, " ", quote))
        if share == 1.0 and fields > 1:
            return " "
    return best[3] if best[1] > 1 else None


def _consistency(rows: list[list[str]]) -> tuple[float, int]:
    """Share of records with the most common field count, and that count (0 if it is 1)."""
    counts: dict[int, int] = {}
    for row in rows:
        counts[len(row)] = counts.get(len(row), 0) + 1
    if not counts:
        return 0.0, 0
    fields, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if fields < 2:
        return 0.0, 0
    return n / len(rows), fields


def _has_decimal_comma(rows: list[list[str]]) -> bool:
    return any(_DECIMAL_COMMA.match(v) for row in rows[1:] for v in row)


def _decimal_columns(rows: list[list[str]]) -> tuple[int, ...]:
    """Columns whose non-empty sample values are all integers or decimal-comma numbers."""
    width = max((len(r) for r in rows), default=0)
    number = re.compile(rf"^\s*{_INTEGER}(,\d+)?\s*$")
    out = []
    for j in range(width):
        values = [r[j] for r in rows if j < len(r) and r[j].strip()]
        if values and any("," in v for v in values) and all(number.match(v) for v in values):
            out.append(j)
    return tuple(out)


def _detect_header(rows: list[list[str]], decimal: str) -> bool:
    """False only when every column numeric in the later records is numeric in the first."""
    if len(rows) < 2:
        return True
    mark = re.escape(decimal)
    number = re.compile(rf"^\s*[-+]?(\d+({mark}\d*)?|{mark}\d+)([eE][-+]?\d+)?\s*$")
    first, body = rows[0], rows[1:]
    numeric_cols = 0
    for j, head in enumerate(first):
        values = [r[j] for r in body if j < len(r) and r[j].strip()]
        if not values or not all(number.match(v) for v in values):
            continue
        numeric_cols += 1
        if not number.match(head):
            return True
    return numeric_cols == 0


def _is_padded(rows: list[list[str]]) -> bool:
    fields = [v for row in rows[1:] for v in row[1:] if v]
    return bool(fields) and sum(v.startswith(" ") for v in fields) >= 0.9 * len(fields)
