"""Reports rendered from an :class:`~mlaudit.results.AuditResult` alone.

``write_reports`` renders every requested format in memory first and only then writes the set:
every file to a temporary file, then all renamed into place under the folder's writer lock, then
a manifest of their SHA-256 digests (``report.sha256``). A disk failure leaves the folder as it
was, and a second writer to the same folder is refused.  Each format is rendered on its own: if
one cannot be rendered, the others are still written as the set (its manifest lists them; an
earlier run's file of the failed format is removed, so no file of two runs is mixed), and then a
:class:`~mlaudit.errors.ReportError` names the format that is missing and why.  The report
formats are one ``Literal`` (:data:`ReportFormat`, defined with the configuration that names
them) and one validator (:func:`parse_formats`), used by the library, the configuration and the
command line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeGuard, get_args

from mlaudit._atomic import write_set
from mlaudit.config import ReportFormat
from mlaudit.errors import ConfigError, MLAuditError, ReportError
from mlaudit.report._jsonio import dumps_canonical, load_result, write_atomic
from mlaudit.results import AuditResult, register_notebook_renderer

__all__ = [
    "FILE_NAMES",
    "FORMATS",
    "MANIFEST_NAME",
    "ReportFormat",
    "dumps_canonical",
    "load_result",
    "parse_formats",
    "render",
    "write_atomic",
    "write_reports",
]

FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
FILE_NAMES: dict[ReportFormat, str] = {
    "html": "report.html",
    "json": "report.json",
    "md": "report.md",
    "junit": "report.junit.xml",
}
MANIFEST_NAME = "report.sha256"
"""The digests of the files of the last report set, in ``sha256sum`` format (written last)."""


def _renderer(fmt: ReportFormat, *, charts: bool) -> Callable[[AuditResult], str]:
    # Imported on use: the HTML renderer pulls in altair, which a JSON-only run does not need.
    if fmt == "html":
        from mlaudit.report._html import render_html

        return lambda r: render_html(r, charts=charts)
    if fmt == "md":
        from mlaudit.report._markdown import render_markdown

        return render_markdown
    if fmt == "junit":
        from mlaudit.report._junit import render_junit

        return render_junit
    return dumps_canonical


def _is_format(name: str) -> TypeGuard[ReportFormat]:
    return name in FORMATS


def parse_formats(formats: str | Sequence[str]) -> list[ReportFormat]:
    """The report formats named in ``formats``, each once, in the order given.

    Parameters
    ----------
    formats
        Format names, or one comma-separated string of them (``"html,json"``).

    Returns
    -------
    list[ReportFormat]
        The formats, without repeats.

    Raises
    ------
    ConfigError
        No format is given, or a name is not one of ``html``, ``json``, ``md``, ``junit``.
    """
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in formats if not _is_format(f)]
    if bad or not formats:
        raise ConfigError(
            f"unknown report format(s): {', '.join(map(repr, bad)) or 'none given'}",
            fix=f"use any of: {', '.join(FORMATS)}",
        )
    return list(dict.fromkeys(f for f in formats if _is_format(f)))


def render(result: AuditResult, fmt: ReportFormat, *, charts: bool = True) -> str:
    """Render ``result`` in one format (``html``, ``json``, ``md`` or ``junit``) as text."""
    return _renderer(parse_formats([fmt])[0], charts=charts)(result)


def write_reports(
    result: AuditResult,
    out_dir: str | os.PathLike[str],
    formats: Sequence[ReportFormat] = ("html", "json"),
    *,
    charts: bool = True,
) -> dict[str, Path]:
    """Render ``result`` in each of ``formats`` and write the files into ``out_dir``.

    Parameters
    ----------
    result
        The audit result.
    out_dir
        Folder for the reports; created if missing.  Files: ``report.html``, ``report.json``,
        ``report.md``, ``report.junit.xml``.
    formats
        Formats to write.
    charts
        Draw charts in the HTML report.

    Returns
    -------
    dict[str, Path]
        Format → path written.

    Raises
    ------
    ConfigError
        A format name is not one of ``html``, ``json``, ``md``, ``junit``.
    ReportError
        The folder cannot be created or written (nothing is written), or a format could not be
        rendered (the others are written; the message names it).
    """
    wanted = parse_formats(formats)
    texts, failed = _render_each(result, wanted, charts=charts)
    # report.json last: the file readers load is published after its siblings, then the
    # manifest of digests (a set mixed by a crash between renames fails `sha256sum -c`).
    order = sorted(texts, key=lambda f: f == "json")
    written = (
        write_set(
            out_dir,
            {FILE_NAMES[f]: texts[f] for f in order},
            manifest=MANIFEST_NAME,
            stale=FILE_NAMES.values(),
        )
        if texts
        else {}
    )
    if failed:
        done = ", ".join(str(written[FILE_NAMES[f]]) for f in order) or "nothing"
        raise ReportError(
            "the "
            + "; the ".join(
                f"{f} report could not be rendered ({why})" for f, why in failed.items()
            )
            + f"; written: {done}",
            fix="report this bug with the message; the other formats are complete",
        )
    return {f: written[FILE_NAMES[f]] for f in wanted}


def _render_each(
    result: AuditResult, formats: list[ReportFormat], *, charts: bool
) -> tuple[dict[ReportFormat, str], dict[ReportFormat, str]]:
    """Each format's text, and for each format that failed to render, why."""
    texts: dict[ReportFormat, str] = {}
    failed: dict[ReportFormat, str] = {}
    for fmt in formats:
        try:
            texts[fmt] = _renderer(fmt, charts=charts)(result)
        except MLAuditError as exc:
            failed[fmt] = exc.message
        except Exception as exc:  # a renderer bug costs its own format only
            failed[fmt] = f"{type(exc).__name__}: {exc}"
    return texts, failed


def _render_notebook(result: AuditResult) -> str:
    # Imported on use, like the HTML renderer: only a notebook that shows a result needs it.
    from mlaudit.report._html import render_notebook

    return render_notebook(result)


register_notebook_renderer(_render_notebook)
