"""The secret key of the masks of personal values, and its public id.

Masks of personal values (``"h:" + 16 hex digits``) are keyed BLAKE2b of the value
(:func:`mlaudit.summary._hashing.mask_strings`).  A mask made with a public key (a constant
and the printed seed, as before) can be reversed by hashing guesses: hashing 51 likely e-mail
addresses recovered 21 of the 51 masks of a test report.  With a secret key of 256 random bits
a guess can only be checked by someone who holds the key.

Where the key comes from, first match wins:

1. ``MLAUDIT_MASK_KEY``: the key in hex, 16 to 64 bytes (e.g. ``openssl rand -hex 32``); for
   CI and for teams that share one key (from a secret store) so that baselines made on one
   machine can be compared on another;
2. the file ``mask.key`` (hex) in ``MLAUDIT_HOME``, by default ``~/.mlaudit`` (the home folder
   is taken from the password database when ``HOME`` is unset), created on first use with 32
   bytes from :func:`os.urandom`: folder mode 0700, file mode 0600, written whole with
   :func:`mlaudit._atomic.create_file` so that two processes starting at once agree on one key.

When neither is usable (the home folder is read-only, say) a :class:`~mlaudit.errors.ConfigError`
says how to give a key; data without personal columns never needs one.

Reports and saved profiles record the key id (:func:`key_id`), never the key: the first
8 hex digits of the SHA-256 of the key, enough to tell two keys apart, useless to find one.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

from mlaudit._atomic import create_file
from mlaudit.errors import ConfigError, DataError

__all__ = [
    "ENV_HOME",
    "ENV_KEY",
    "KEY_FILE",
    "key_id",
    "mask_key",
    "mask_key_id",
    "require_same_key",
]

ENV_KEY = "MLAUDIT_MASK_KEY"
ENV_HOME = "MLAUDIT_HOME"
KEY_FILE = "mask.key"
_MIN, _MAX = 16, 64  # bytes: BLAKE2b takes keys of up to 64 bytes
_FIX = (
    f"set {ENV_KEY} to a secret key in hex (e.g. the output of 'openssl rand -hex 32'), "
    f"or {ENV_HOME} to a folder this user can write"
)
_lock = threading.Lock()
_cache: dict[tuple[str | None, str], bytes] = {}


def key_id(key: bytes) -> str:
    """The public id of ``key``: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:8]


def mask_key() -> bytes:
    """The secret key for masks: from ``MLAUDIT_MASK_KEY``, else ``MLAUDIT_HOME/mask.key``.

    Returns
    -------
    bytes
        16 to 64 bytes.  Read once per process for a given environment.

    Raises
    ------
    ConfigError
        The environment variable is not valid hex of 16 to 64 bytes, or no key file can be
        read or created.
    """
    env = os.environ.get(ENV_KEY)
    home = "" if env else os.environ.get(ENV_HOME, "")
    with _lock:
        cached = _cache.get((env, home))
        if cached is None:
            cached = _parse(env, ENV_KEY) if env else _from_file(_home(home))
            _cache[(env, home)] = cached
        return cached


def mask_key_id() -> str:
    """:func:`key_id` of :func:`mask_key`."""
    return key_id(mask_key())


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ConfigError(f"the mask key in {where} is not hexadecimal", fix=_FIX) from None
    if not _MIN <= len(key) <= _MAX:
        raise ConfigError(
            f"the mask key in {where} has {len(key)} bytes; it needs {_MIN} to {_MAX}", fix=_FIX
        )
    return key


def _home(given: str) -> Path:
    if given:
        return Path(given).expanduser()
    home = os.path.expanduser("~")  # HOME, else the password database's home folder
    if home == "~" or not home:
        raise ConfigError("personal columns need a mask key and there is no home folder", fix=_FIX)
    return Path(home) / ".mlaudit"


def _from_file(folder: Path) -> bytes:
    path = folder / KEY_FILE
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            create_file(path, os.urandom(32).hex().encode("ascii"), mode=0o600, what="the mask key")
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(
                f"the mask key {str(path)!r} can be read by other users",
                fix=f"chmod 600 {str(path)!r}, or create a new key (masks will change)",
            )
        return _parse(path.read_text(encoding="ascii"), repr(str(path)))
    except ConfigError:
        raise
    except Exception as exc:  # OSError, an MLAuditError from create_file, bad bytes
        why = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(
            f"personal columns need a mask key and {str(path)!r} cannot be used: {why}", fix=_FIX
        ) from None


def require_same_key(first: str | None, second: str | None, *, what: str) -> None:
    """Refuse to combine summaries whose personal values were masked under different keys.

    Masks, distinct-count registers and row hashes of personal values made under two keys
    differ for equal values: compared, every value would look new and no row repeated.
    ``what`` names the two sides (e.g. ``"the baseline and this run"``).
    """
    if first is None or second is None or first == second:
        return
    raise DataError(
        f"the personal columns of {what} were masked with different keys (key id {first} "
        f"and {second}), so their masked values and hashes cannot be compared",
        fix=f"run with the key the baseline was made with ({ENV_KEY}, or the same "
        f"{ENV_HOME}/{KEY_FILE}), or re-create the baseline with this key",
    )
