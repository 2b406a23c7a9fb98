"""Reports rendered from an :class:`~mlaudit.results.AuditResult` alone.

``write_reports`` renders every requested format in memory first and only then writes each file
atomically, so a rendering failure leaves no partial report behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from mlaudit.errors import ConfigError, ReportError
from mlaudit.report.jsonio import dumps_canonical, load_result, write_atomic
from mlaudit.results import AuditResult, register_notebook_renderer

__all__ = [
    "FILE_NAMES",
    "FORMATS",
    "ReportFormat",
    "dumps_canonical",
    "load_result",
    "render",
    "write_atomic",
    "write_reports",
]

ReportFormat = Literal["html", "json", "md", "junit"]
FORMATS: tuple[str, ...] = ("html", "json", "md", "junit")
FILE_NAMES: dict[str, str] = {
    "html": "report.html",
    "json": "report.json",
    "md": "report.md",
    "junit": "report.junit.xml",
}


def _renderer(fmt: str, *, charts: bool) -> Callable[[AuditResult], str]:
    # Imported on use: the HTML renderer pulls in altair, which a JSON-only run does not need.
    if fmt == "html":
        from mlaudit.report.html import render_html

        return lambda r: render_html(r, charts=charts)
    if fmt == "md":
        from mlaudit.report.markdown import render_markdown

        return render_markdown
    if fmt == "junit":
        from mlaudit.report.junit import render_junit

        return render_junit
    return dumps_canonical


def _check_formats(formats: Sequence[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ConfigError(
            f"unknown report format(s): {', '.join(map(repr, bad)) or 'none given'}",
            fix=f"use any of: {', '.join(FORMATS)}",
        )
    return list(dict.fromkeys(formats))


def render(result: AuditResult, fmt: ReportFormat, *, charts: bool = True) -> str:
    """Render ``result`` in one format (``html``, ``json``, ``md`` or ``junit``) as text."""
    return _renderer(_check_formats([fmt])[0], charts=charts)(result)


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
        The folder cannot be created or written.
    """
    wanted = _check_formats(formats)
    texts = {fmt: _renderer(fmt, charts=charts)(result) for fmt in wanted}
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        return {fmt: write_atomic(out / FILE_NAMES[fmt], text) for fmt, text in texts.items()}
    except OSError as exc:
        raise ReportError(
            f"cannot write the reports into {str(out)!r}: {exc.strerror or exc}",
            fix="choose a folder you can write to (--out)",
        ) from None


def _render_notebook(result: AuditResult) -> str:
    # Imported on use, like the HTML renderer: only a notebook that shows a result needs it.
    from mlaudit.report.html import render_notebook

    return render_notebook(result)


register_notebook_renderer(_render_notebook)
