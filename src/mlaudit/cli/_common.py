"""Shared pieces of the command line: error handling, exit codes, summary printing, and the
options several commands take (``--format``, ``--fail-on``, ``--window``)."""

from __future__ import annotations

import functools
import inspect
import logging
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from mlaudit._printable import printable
from mlaudit._secrets import redact
from mlaudit.config import DataConfig, ReportFormat, format_validation_error
from mlaudit.errors import ConfigError, MLAuditError, MLAuditWarning
from mlaudit.report import parse_formats
from mlaudit.results import AuditResult, Status

__all__ = [
    "CSV_OPTION_NAMES",
    "EXIT_DATA",
    "EXIT_FAILURES",
    "EXIT_OK",
    "EXIT_USAGE",
    "NO_INPUT_OPTIONS",
    "WINDOW_HELP",
    "DecimalOpt",
    "EncodingOpt",
    "HeaderOpt",
    "MissingMarkersOpt",
    "ModelFile",
    "NullValuesOpt",
    "QuoteOpt",
    "RenameDuplicatesOpt",
    "ScoreDirectionOpt",
    "ScoreThresholdOpt",
    "SeparatorOpt",
    "SkipInitialSpaceOpt",
    "TrustModel",
    "check_fail_on",
    "console",
    "err_console",
    "exit_code_for",
    "handle_errors",
    "input_config",
    "input_options",
    "parse_window",
    "print_summary",
    "report_formats",
    "score_schema",
    "setup_logging",
    "shown",
    "split_list",
    "state",
]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3

console = Console()
err_console = Console(stderr=True)
state: dict[str, bool] = {"debug": False, "quiet": False}

P = ParamSpec("P")
R = TypeVar("R")

_ORDER = ["error", "fail", "warn", "inconclusive", "pass", "skipped"]
_STYLE = {
    "pass": "green",
    "inconclusive": "cyan",
    "warn": "yellow",
    "fail": "red",
    "error": "bold red",
    "skipped": "dim",
}


def shown(text: object, *, lines: bool = False) -> str:
    """``text`` ready for a rich print with markup: control characters made visible
    (:func:`mlaudit._printable.printable`) and square brackets kept literal, so a column name
    or value can neither drive the terminal nor be read as markup."""
    return escape(printable(str(text), lines=lines))


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn mlaudit errors into one clear message and the documented exit code.

    With ``--debug`` the traceback is printed too.  Unexpected exceptions are reported as
    internal errors with exit code 3.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except MLAuditError as exc:
            if state["debug"]:
                err_console.print(redact(traceback.format_exc()), markup=False, highlight=False)
            message, fix = shown(exc.message, lines=True), shown(exc.fix, lines=True)
            err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            if exc.fix:
                err_console.print(f"[bold]fix:[/] {fix}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted; nothing was written")
            raise typer.Exit(130) from None
        except Exception as exc:
            if state["debug"]:
                _print_traceback()
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {shown(redact(str(exc)))}",
                highlight=False,
            )
            err_console.print("[bold]fix:[/] rerun with --debug and report the traceback")
            raise typer.Exit(EXIT_DATA) from None

    return wrapper


def _print_traceback() -> None:
    text = printable(redact(traceback.format_exc()), lines=True)
    err_console.print(text, markup=False, highlight=False)


def exit_code_for(result: AuditResult, fail_on: str) -> int:
    """0 when the audit passed under ``fail_on``, 1 when it found failures.

    ``fail``: fail and error results count; ``warn``: warn and inconclusive ones too (a gate
    that stops on warnings does not let an undecided result through); ``never``: none.
    """
    bad = {"never": set(), "fail": {Status.FAIL, Status.ERROR}}.get(
        fail_on, {Status.FAIL, Status.ERROR, Status.WARN, Status.INCONCLUSIVE}
    )
    return EXIT_FAILURES if any(Status(c.status) in bad for c in result.checks) else EXIT_OK


def print_summary(result: AuditResult, written: dict[str, Path] | None = None) -> None:
    """Print the overall status, counts and the checks that did not pass."""
    if state["quiet"]:
        return
    counts = result.summary.counts
    status = result.summary.status.value
    console.print(
        f"\n[bold]Audit {status.upper()}[/] — "
        + ", ".join(f"[{_STYLE[k]}]{v} {k}[/]" for k, v in counts.items() if v),
        style=_STYLE[status],
    )
    listed = [c for c in result.checks if c.status not in (Status.PASS, Status.SKIPPED)]
    listed.sort(key=lambda c: _ORDER.index(c.status.value))
    width = max((len(c.status.value) for c in listed[:40]), default=5)
    for c in listed[:40]:
        name = shown(f"{c.id}[{c.column}]" if c.column else c.id)
        style = _STYLE[c.status.value]
        console.print(
            f"[{style}]{c.status.value:>{width}}[/]  [bold]{name}[/]: {shown(c.message)}",
            soft_wrap=True,
            highlight=False,
            markup=True,
        )
    if len(listed) > 40:
        console.print(f"... and {len(listed) - 40} more in the report")
    for fmt, path in (written or {}).items():
        console.print(f"{fmt:>6}: {shown(path)}", highlight=False)


def report_formats(value: str | None, default: Sequence[str]) -> list[ReportFormat]:
    """``--format html,json`` → the formats to write (``default`` when the option is not given).

    An unknown format, or an option given with no format in it (``--format ""``), is a usage
    error (:func:`mlaudit.report.parse_formats`).
    """
    if value is None:
        return parse_formats(default)
    return parse_formats(split_list(value))


def check_fail_on(value: str | None) -> None:
    """``--fail-on`` must be ``fail``, ``warn`` or ``never``; anything else is a usage error."""
    if value is not None and value not in ("fail", "warn", "never"):
        raise ConfigError(f"--fail-on {value!r} is not valid", fix="use fail, warn or never")


def split_list(value: str | None) -> list[str]:
    """Split a comma-separated option into clean names."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def setup_logging(debug: bool) -> None:
    """Log mlaudit's debug messages to standard error with ``--debug``; show warnings escaped."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_PrintableFormatter("%(message)s"))
    warnings.formatwarning = _format_warning


class _PrintableFormatter(logging.Formatter):
    """Log lines with control characters shown as escapes (names and values are data)."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), lines=True)


def _format_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """One line, names in the message escaped (:func:`printable`); no source line, which the
    user cannot act on.  Replaces the text only: recorded warnings are unchanged."""
    kind = "warning" if issubclass(category, MLAuditWarning) else category.__name__
    return f"{kind}: {printable(redact(str(message)), lines=True)}\n"


WINDOW_HELP = "cut the data into windows: hour | day | week | month (by the timestamp) or N rows"


def parse_window(value: str | None, column: str | None = None) -> dict[str, object] | None:
    """``--window week`` / ``--window 10000`` → the ``windows`` configuration (or None)."""
    if value is None:
        return None
    v = value.strip().lower()
    if v.replace("_", "").isdigit():
        rows = int(v.replace("_", ""))
        if rows < 1:
            raise ConfigError("--window needs at least 1 row", fix="e.g. --window 10000")
        return {"rows": rows}
    if v in ("hour", "day", "week", "month"):
        return {"every": v, **({"column": column} if column else {})}
    raise ConfigError(
        f"--window {value!r} is neither a period nor a row count",
        fix="use hour, day, week, month, or a number of rows such as 10000",
    )


# -- CSV reading options, shared by every command that reads files ------------------------------

_CSV = "CSV inputs (applied to every file input; per input in audit.yaml)"
EncodingOpt = Annotated[
    str, typer.Option(help="text encoding of CSV/JSON inputs", rich_help_panel=_CSV)
]
SeparatorOpt = Annotated[
    str | None,
    typer.Option(
        help="CSV field separator, e.g. ';', tab, '|', space (default: detected among , ; tab |)",
        rich_help_panel=_CSV,
    ),
]
DecimalOpt = Annotated[
    str | None, typer.Option(help="decimal mark: . or , (default: detected)", rich_help_panel=_CSV)
]
QuoteOpt = Annotated[
    str | None, typer.Option(help='quote character (default: detected, ")', rich_help_panel=_CSV)
]
HeaderOpt = Annotated[
    bool | None,
    typer.Option(
        "--header/--no-header",
        help="the first line names the columns (default: detected)",
        rich_help_panel=_CSV,
    ),
]
NullValuesOpt = Annotated[
    str | None,
    typer.Option(
        help="strings read as missing, comma-separated, e.g. '?,NA' (default: empty, NA, NULL...)",
        rich_help_panel=_CSV,
    ),
]
MissingMarkersOpt = Annotated[
    str | None,
    typer.Option(
        help="values read as missing in every column, comma-separated, e.g. '?,N/A,-999' "
        "(any format; text compared after stripping spaces)",
        rich_help_panel=_CSV,
    ),
]
SkipInitialSpaceOpt = Annotated[
    bool,
    typer.Option(
        help="strip the space after each separator ('a, b') from values and names",
        rich_help_panel=_CSV,
    ),
]
RenameDuplicatesOpt = Annotated[
    bool,
    typer.Option(
        help="suffix repeated column names (NAME_2) with a warning instead of an error",
        rich_help_panel=_CSV,
    ),
]
ScoreThresholdOpt = Annotated[
    float | None,
    typer.Option(
        help="score at which a row is predicted positive (any number: 5 for deciles, 0 for "
        "logits; default 0.5 for probabilities)"
    ),
]
ScoreDirectionOpt = Annotated[
    str | None,
    typer.Option(help="higher_is_positive (default) | higher_is_negative (e.g. a credit score)"),
]
_DIRECTIONS = ("higher_is_positive", "higher_is_negative")


def score_schema(threshold: float | None, direction: str | None) -> dict[str, object]:
    """The schema entries ``--score-threshold`` and ``--score-direction`` set (none if unset)."""
    if direction is not None and direction not in _DIRECTIONS:
        raise ConfigError(
            f"--score-direction {direction!r} is not a direction",
            fix=f"use one of: {', '.join(_DIRECTIONS)}",
        )
    out: dict[str, object] = {}
    if threshold is not None:
        out["score_threshold"] = threshold
    if direction is not None:
        out["score_direction"] = direction
    return out


_INPUT_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("encoding", EncodingOpt, "utf-8"),
    ("separator", SeparatorOpt, None),
    ("decimal", DecimalOpt, None),
    ("quote", QuoteOpt, None),
    ("header", HeaderOpt, None),
    ("null_values", NullValuesOpt, None),
    ("missing_markers", MissingMarkersOpt, None),
    ("skip_initial_space", SkipInitialSpaceOpt, False),
    ("rename_duplicates", RenameDuplicatesOpt, False),
)
CSV_OPTION_NAMES = tuple(name for name, _, _ in _INPUT_OPTIONS)
"""The options of every command that reads data files (how to read them)."""
NO_INPUT_OPTIONS: Mapping[str, Any] = MappingProxyType({})


def input_options(func: Callable[..., R]) -> Callable[..., R]:
    """Give a command the input options (:data:`CSV_OPTION_NAMES`), declared once here.

    The command declares a last parameter ``inputs`` instead of the nine options; Typer sees
    the options (the wrapper's signature lists them), and the command receives their values
    as the one mapping ``inputs`` (what :func:`input_config` takes).
    """
    sig = inspect.signature(func, eval_str=True)  # Typer reads the annotations' Option()s
    kept = [p for p in sig.parameters.values() if p.name != "inputs"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, kind, default in _INPUT_OPTIONS
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        inputs = {name: kwargs.pop(name) for name in CSV_OPTION_NAMES if name in kwargs}
        return func(*args, inputs=inputs, **kwargs)

    wrapper.__annotations__ = {p.name: p.annotation for p in [*kept, *added]}
    wrapper.__annotations__["return"] = sig.return_annotation
    wrapper.__signature__ = sig.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return wrapper


_NOT_CSV = {
    ".parquet",
    ".pq",
    ".arrow",
    ".feather",
    ".ipc",
    ".jsonl",
    ".ndjson",
    ".json",
    ".profile",
}
_SEPARATOR_WORDS = {
    "tab": "\t",
    "\\t": "\t",
    "space": " ",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
}


def input_config(path: str, opts: Mapping[str, Any]) -> DataConfig:
    """A file input with the input options of the command line (``opts``: the ``inputs`` of
    :func:`input_options`, or any mapping holding them)."""
    values = {k: opts.get(k) for k in CSV_OPTION_NAMES if opts.get(k) is not None}
    if Path(path).is_dir() or Path(path).suffix.lower() in _NOT_CSV:
        keep = ("encoding", "missing_markers")
        values = {k: v for k, v in values.items() if k in keep}  # CSV options: CSV only
    sep = values.get("separator")
    if isinstance(sep, str):
        values["separator"] = _SEPARATOR_WORDS.get(sep.lower(), sep)
    for key in ("null_values", "missing_markers"):
        if isinstance(values.get(key), str):
            values[key] = split_list(values[key])
    try:
        return DataConfig(path=path, **values)
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, source="options").replace("'separator'", "--separator"),
            fix="e.g. --separator ';' --decimal ,  (see 'mlaudit audit --help')",
        ) from None


ModelFile = Annotated[
    str | None,
    typer.Option(help="model file: .skops, .onnx, XGBoost .json/.ubj, LightGBM .txt"),
]
"""The ``--model`` option of the commands that load a model."""
TrustModel = Annotated[
    bool,
    typer.Option(
        "--trust-model",
        help="load a model format that runs code when loaded (pickle, joblib, untrusted skops "
        "types): only for files you trust",
    ),
]
"""The ``--trust-model`` switch of the commands that load a model."""
