"""Text that is safe to show: control characters made visible.

Column names and values are data, and data can hold anything: ``\\x1b]0;title\\x07`` sets a
terminal's title, ``\\x1b[2J`` clears it, ``\\x01`` aborts the chart renderer, XML 1.0 forbids
most control characters outright, and U+202E turns the text after it around.  Every console
print and every renderer except ``report.json`` (which keeps the true text, escaped by JSON)
shows text through :func:`printable`, which writes each such character as a visible escape
(``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# C0 and C1 control characters, DEL, and the invisible format characters that reorder or hide
# text (zero-width spaces and joiners, bidirectional embeddings, overrides and isolates, BOM),
# plus lone surrogates (not encodable in UTF-8) and the two noncharacters XML 1.0 forbids.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ud800-\udfff]"
)
_KEEP_LINES = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every control or invisible format character written as an escape.

    Parameters
    ----------
    text
        Any text (a column name, a value, a message that quotes them).
    lines
        Keep line breaks and tabs (a multi-line message); otherwise they are escaped too (a
        name is one line).

    Returns
    -------
    str
        The text, unchanged when it holds no such character.

    Examples
    --------
    >>> printable("evil\\x1b[2J")
    'evil\\\\x1b[2J'
    >>> printable("a\\tb", lines=True)
    'a\\tb'
    """
    return (_KEEP_LINES if lines else _UNSAFE).sub(_escape, text)
