"""Files written whole or not at all, one writer per folder (mlaudit._atomic).

The oracles are the operating system: ``sha256sum -c`` checks the manifest, a child process
killed with SIGKILL or stopped by a file-size limit (a real EFBIG from the kernel) plays the
crash and the full disk, and a second process holds the lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mlaudit._atomic import LOCK_NAME, TMP_SUFFIX, folder_lock, write_file, write_set
from mlaudit.errors import ReportError

SRC = str(Path(__file__).parents[3] / "src")
OLD = {"report.html": "<p>old</p>", "report.md": "# old", "report.json": '{"run": "old"}'}
NEW = {"report.html": "<p>new</p>", "report.md": "# new", "report.json": '{"run": "new"}'}


def _contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.name != LOCK_NAME}


def _child(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_set_and_its_manifest_pass_sha256sum(tmp_path: Path) -> None:
    write_set(tmp_path, NEW, manifest="report.sha256")
    assert {k: v for k, v in _contents(tmp_path).items() if k in NEW} == NEW
    check = subprocess.run(
        ["sha256sum", "-c", "report.sha256"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 3


def test_a_mixed_set_fails_sha256sum(tmp_path: Path) -> None:
    write_set(tmp_path, NEW, manifest="report.sha256")
    (tmp_path / "report.md").write_text("# from another run")
    check = subprocess.run(["sha256sum", "-c", "report.sha256"], cwd=tmp_path, capture_output=True)
    assert check.returncode != 0


def test_an_earlier_runs_other_formats_are_removed(tmp_path: Path) -> None:
    write_set(tmp_path, OLD, manifest="report.sha256")
    (tmp_path / "notes.txt").write_text("mine")
    only_json = {"report.json": NEW["report.json"]}
    write_set(tmp_path, only_json, manifest="report.sha256", stale=OLD)
    assert _contents(tmp_path) == {
        "report.json": NEW["report.json"],
        "notes.txt": "mine",  # not a report file: left alone
        "report.sha256": _contents(tmp_path)["report.sha256"],
    }


def test_a_failure_midway_leaves_the_old_set_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_set(tmp_path, OLD)
    calls = {"n": 0}
    real = os.fdopen

    def full_disk_on_second_file(fd: int, *a: object, **k: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real(fd, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr("mlaudit._atomic.os.fdopen", full_disk_on_second_file)
    with pytest.raises(ReportError, match="disk is full; nothing was written"):
        write_set(tmp_path, NEW)
    assert _contents(tmp_path) == OLD


def test_a_file_size_limit_from_the_kernel_is_a_clear_error(tmp_path: Path) -> None:
    write_set(tmp_path, OLD)
    child = _child(
        """
        import resource, signal, sys
        from mlaudit._atomic import write_set
        from mlaudit.errors import ReportError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
        try:
            write_set(sys.argv[1], {"report.html": "x" * 50_000, "report.json": "{}"})
        except ReportError as exc:
            print(exc.message)
        """,
        str(tmp_path),
    )
    out, err = child.communicate(timeout=60)
    assert "larger than this process may write; nothing was written" in out, err
    assert _contents(tmp_path) == OLD


def test_a_writer_killed_midway_changes_nothing_and_the_next_one_cleans_up(
    tmp_path: Path,
) -> None:
    write_set(tmp_path, OLD)
    child = _child(
        """
        import sys, time
        import mlaudit._atomic as a
        real = a._temp
        def slow(target, data):
            path = real(target, data)
            print("temp", flush=True)
            time.sleep(60)
            return path
        a._temp = slow
        a.write_set(sys.argv[1], {"report.html": "new", "report.json": "{}"})
        """,
        str(tmp_path),
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "temp"  # a temporary file is on disk
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)]
    assert len(leftovers) == 1
    assert {k: v for k, v in _contents(tmp_path).items() if not k.endswith(TMP_SUFFIX)} == OLD
    write_set(tmp_path, NEW)  # the killed writer's lock died with it
    assert _contents(tmp_path) == NEW


def test_a_second_writer_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    child = _child(
        """
        import sys, time
        from pathlib import Path
        from mlaudit._atomic import folder_lock
        with folder_lock(Path(sys.argv[1]), "the reports"):
            print("locked", flush=True)
            time.sleep(60)
        """,
        str(tmp_path),
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(ReportError, match="another mlaudit run is writing"):
            write_set(tmp_path, NEW)
        with pytest.raises(ReportError, match="another mlaudit run is writing"):
            write_file(tmp_path / "p.profile", b"x")
    finally:
        child.kill()
        child.wait(timeout=30)
    assert not (tmp_path / "report.json").exists()
    with folder_lock(tmp_path, "the reports"):  # free again
        pass


def test_write_file_names_a_folder_and_a_missing_parent(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="it is a folder") as e:
        write_file(tmp_path, b"x", what="the profile")
    assert e.value.fix is not None and "file name" in e.value.fix
    with pytest.raises(ReportError, match="does not exist"):
        write_file(tmp_path / "missing" / "p.profile", b"x", what="the profile")
    p = write_file(tmp_path / "p.profile", b"data", what="the profile")
    assert p.read_bytes() == b"data"
    assert sorted(x.name for x in tmp_path.iterdir()) == [LOCK_NAME, "p.profile"]
