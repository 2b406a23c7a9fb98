"""Credentials never leave the process: redaction of URLs, key=value settings and configs.

Everything mlaudit records or prints that may hold a connection string goes through
:func:`redact` (text) or :func:`redact_data` (a configuration as plain data): reports (the
``config`` and each input's ``source``), error messages, the debug traceback and log lines.

What is replaced by ``***``:

* the password of a URL's user information (``scheme://user:password@host``), for any scheme;
* the value of a secret-named parameter (``password``, ``pwd``, ``passwd``, ``secret``,
  ``token``, ``api_key``/``apikey``, ``access_key``, ``secret_key``, ``private_key``,
  ``credential(s)``, ``auth``, ``sig``/``signature``, ``sas_token``, ``client_secret``,
  ``session_token``, and names ending in one of these, e.g. ``sslpassword`` or
  ``X-Amz-Signature``) in a URL's query string, in libpq's ``key=value`` form and in
  ``key: value`` text;
* in a configuration, the value of every secret-named key, and every string value as text.

The user name and the host stay, so a reader still sees which database was read. The rules are
deliberately broad: hiding a harmless value costs nothing, printing a password cannot be undone.
"""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["MASK", "RedactingFilter", "is_secret_name", "redact", "redact_data"]

MASK = "***"

_SECRET_WORDS = (
    "password|passwd|pwd|pass|secret|token|api_?key|access_?key|secret_?key|private_?key"
    "|credentials?|auth|sig|signature|sas_?token|client_?secret|session_?token"
)
# the words that are unambiguous enough to be caught in "name: value" text as well
_STRONG_WORDS = "password|passwd|secret|api_?key|access_?key|private_?key|credentials?"
_SECRET_NAME = re.compile(rf"^[\w.-]*?(?:{_SECRET_WORDS})$", re.IGNORECASE)
# scheme://user:password@  (a URL's password cannot hold '/', '@' or whitespace unencoded)
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:]*:)[^\s/@]+@")
# a quoted value (spaces allowed) or a bare one, ending at a separator or a space
_VALUE = r"(?:(?P<q>['\"])(?P<quoted>.*?)(?P=q)|(?P<bare>[^\s&;,'\"]+))"
# name=value (query strings, libpq settings) and name: value (YAML-like text)
_PAIRS = (
    re.compile(rf"(?P<name>\b[\w.-]*?(?:{_SECRET_WORDS}))(?P<sep>\s*=\s*){_VALUE}", re.IGNORECASE),
    re.compile(
        rf"(?P<name>\b[\w.-]*?(?:{_STRONG_WORDS}))(?P<sep>['\"]?:\s*){_VALUE}", re.IGNORECASE
    ),
)


def is_secret_name(name: str) -> bool:
    """True for a setting name that holds a credential (``password``, ``api_key``...)."""
    return bool(_SECRET_NAME.match(name.strip()))


def _mask_pair(m: re.Match[str]) -> str:
    if (m["quoted"] if m["q"] else m["bare"]) == MASK:
        return m[0]
    q = m["q"] or ""
    return f"{m['name']}{m['sep']}{q}{MASK}{q}"


def redact(text: str) -> str:
    """``text`` with URL passwords and secret-named parameters replaced by ``***``."""
    if not text:
        return text
    out = _USERINFO.sub(lambda m: f"{m['head']}{MASK}@", text)
    for pattern in _PAIRS:
        out = pattern.sub(_mask_pair, out)
    return out


def redact_data(value: Any) -> Any:
    """A copy of plain data (dicts, lists, strings) with every credential replaced by ``***``.

    The value of a secret-named key is replaced whole, whatever its type; strings elsewhere
    are redacted as text. Other values are returned unchanged.
    """
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and is_secret_name(k) and v else redact_data(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact_data(v) for v in value)
    if isinstance(value, str):
        return redact(value)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message (with its arguments merged in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message without credentials; never drops a record."""
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
