"""Files written whole or not at all, one writer per folder, and a clear message when not.

Every file mlaudit writes (reports, saved profiles and baselines, suggested contracts) goes
through :func:`write_file` or :func:`write_set`:

* each file is written to a uniquely named temporary file in the target's folder, flushed,
  ``fsync``-ed and renamed over the target, so a crash or a full disk leaves either the old
  file or the new one, never part of one, and the temporary file is removed on any failure;
* :func:`write_set` first writes every file of a set (e.g. ``report.html``, ``report.json``),
  and only when all of them are on disk renames them into place, then writes a manifest of
  their SHA-256 digests last: a set mixed by a crash between two renames is detectable
  (``sha256sum -c report.sha256``), and a failure before the renames changes nothing;
* a writer holds an exclusive lock on ``.mlaudit.lock`` in the folder while it writes
  (``flock``: released by the system even after ``kill -9``), so a second writer to the same
  folder is refused with a message instead of mixing two runs' files; it also removes
  temporary files that a killed writer left behind in the folder;
* operating-system failures become an :class:`~mlaudit.errors.MLAuditError` of the caller's
  choosing that names the path, the reason and the fix (a folder given as a file name, a
  missing parent folder, no permission, a full disk).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from mlaudit.errors import MLAuditError, ReportError

__all__ = [
    "LOCK_NAME",
    "TMP_SUFFIX",
    "create_file",
    "folder_lock",
    "stream_file",
    "write_file",
    "write_set",
]

LOCK_NAME = ".mlaudit.lock"
TMP_SUFFIX = ".mlaudit-tmp"
"""Suffix of the temporary files (``.<name>.<random>.mlaudit-tmp``)."""

_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space or write somewhere else"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space or write somewhere else"),
    errno.EFBIG: ("the file is larger than this process may write", "raise the file-size limit"),
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: ("permission denied", "choose a folder you can write to"),
    errno.EROFS: ("the file system is read-only", "choose a folder you can write to"),
    errno.ENOENT: ("the folder does not exist", "create the folder first or choose another"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EISDIR: ("it is a folder", "give a file name inside the folder"),
}


def _error(
    exc: OSError, path: Path, what: str, error: type[MLAuditError], fix: str | None = None
) -> MLAuditError:
    reason, default_fix = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc), None))
    return error(
        f"cannot write {what} {str(path)!r}: {reason}; nothing was written",
        fix=fix or default_fix or "check the path and try again",
    )


def _sweep(folder: Path) -> None:
    """Remove temporary files a killed writer left in ``folder`` (only ours, by name)."""
    for stale in folder.glob(f".*{TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            stale.unlink()


@contextlib.contextmanager
def folder_lock(folder: Path, what: str, error: type[MLAuditError] = ReportError) -> Iterator[None]:
    """Hold the folder's writer lock; refuse at once when another process holds it."""
    lock = folder / LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _error(exc, folder, what, error) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise error(
                f"another mlaudit run is writing {what} into {str(folder)!r} right now",
                fix="wait for it to finish, or write into another folder (--out)",
            ) from None
        _sweep(folder)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _temp(target: Path, data: bytes, mode: int = 0o644) -> Path:
    """``data`` in a new temporary file beside ``target`` (permissions ``mode``), flushed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    what: str = "the file",
    error: type[MLAuditError] = ReportError,
) -> Path:
    """Write one file whole (text as UTF-8) under the folder's lock; see the module notes."""
    target = Path(path)
    if target.is_dir():
        raise error(
            f"cannot write {what} {str(target)!r}: it is a folder",
            fix=f"give a file name inside it, e.g. {str(target / 'out')!r}",
        )
    if not target.parent.is_dir():
        raise error(
            f"cannot write {what} {str(target)!r}: the folder {str(target.parent)!r} "
            "does not exist",
            fix="create the folder first, or choose another path",
        )
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with folder_lock(target.parent, what, error):
        _publish(target, payload, 0o644, os.replace, what, error)
    return target


@contextlib.contextmanager
def stream_file(
    path: str | os.PathLike[str],
    *,
    what: str = "the file",
    error: type[MLAuditError] = ReportError,
) -> Iterator[BinaryIO]:
    """A file written piece by piece and published whole: the caller writes to a temporary
    file beside ``path`` (under the folder's lock); when the block ends without an exception
    the file is flushed, ``fsync``-ed and renamed over ``path``, otherwise removed, so
    ``path`` never holds part of a file."""
    target = Path(path)
    if target.is_dir():
        raise error(
            f"cannot write {what} {str(target)!r}: it is a folder",
            fix=f"give a file name inside it, e.g. {str(target / 'out')!r}",
        )
    with folder_lock(target.parent, what, error):
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent
            )
        except OSError as exc:
            raise _error(exc, target, what, error) from None
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except OSError as exc:
            raise _error(exc, target, what, error) from None
        finally:
            tmp.unlink(missing_ok=True)
    _fsync_folder(target.parent)


def _publish(
    target: Path,
    data: bytes,
    mode: int,
    place: Callable[[Path, Path], None],
    what: str,
    error: type[MLAuditError],
) -> None:
    """``data`` to a temporary file beside ``target``, then ``place(tmp, target)`` (a rename
    or a link); the temporary file is removed whatever happens.  FileExistsError propagates."""
    tmp: Path | None = None
    try:
        tmp = _temp(target, data, mode)
        place(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        raise _error(exc, target, what, error) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    _fsync_folder(target.parent)


def create_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int = 0o600,
    what: str = "the file",
    error: type[MLAuditError] = ReportError,
) -> bool:
    """Write ``path`` whole with permissions ``mode`` unless it exists; never replace it.

    The data goes to a temporary file first, which is then hard-linked to ``path``: the link
    fails when the file exists, so of several processes creating the same file at once exactly
    one wins and the others keep (and should read) the winner's.  No folder lock is taken.
    Returns True when this call created the file.
    """
    try:
        _publish(Path(path), data, mode, os.link, what, error)
    except FileExistsError:
        return False
    return True


def write_set(
    folder: str | os.PathLike[str],
    files: Mapping[str, bytes | str],
    *,
    manifest: str | None = None,
    stale: Iterable[str] = (),
    what: str = "the reports",
    error: type[MLAuditError] = ReportError,
) -> dict[str, Path]:
    """Write several files into ``folder`` as one set: all of them or none.

    ``files`` maps file names to contents, in the order they are published (put the file that
    readers open first, e.g. ``report.json``, last). With ``manifest`` a file of that name is
    written after the set, listing each file's SHA-256 in ``sha256sum`` format. Files named in
    ``stale`` that are not part of this set (an earlier run's other formats) are removed, so the
    folder never holds files of two runs.
    """
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(exc, out, what, error) from None
    payloads = {n: d.encode("utf-8") if isinstance(d, str) else d for n, d in files.items()}
    with folder_lock(out, what, error):
        temps: dict[str, Path] = {}
        try:
            for name, data in payloads.items():
                temps[name] = _temp(out / name, data)
            if manifest is not None:
                lines = [f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in payloads.items()]
                temps[manifest] = _temp(out / manifest, "".join(lines).encode("ascii"))
            for name, tmp in temps.items():
                os.replace(tmp, out / name)
            for name in set(stale) - set(temps):
                (out / name).unlink(missing_ok=True)
        except OSError as exc:
            raise _error(exc, out, what, error) from None
        finally:
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)
        _fsync_folder(out)
    return {name: out / name for name in payloads}
