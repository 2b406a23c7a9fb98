"""A throwaway PostgreSQL server for tests: its own cluster in a temporary folder, on loopback.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user and
the server commands run through ``runuser``. The superuser logs in with a password over TCP
(scram-sha-256), so the tests exercise real credentials. A missing server fails the tests
(``make pg-deps`` installs Debian's PostgreSQL); it never skips them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER_PASSWORD = "Sup3rUs3r-Only-In-Tests"


@dataclass(frozen=True)
class Server:
    """A running server: connect as ``postgres`` with :data:`SUPERUSER_PASSWORD`."""

    host: str
    port: int

    def url(self, user: str = "postgres", password: str = SUPERUSER_PASSWORD) -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for ``user`` on the ``postgres`` database."""
        return f"postgresql+psycopg://{user}:{password}@{self.host}:{self.port}/postgres"

    def execute(self, *statements: str) -> None:
        """Run statements as the superuser, autocommitted."""
        import psycopg

        dsn = f"host={self.host} port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, password=SUPERUSER_PASSWORD, autocommit=True) as conn:
            for s in statements:
                conn.execute(s)  # type: ignore[arg-type]


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is not installed: make pg-deps")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    """Start a server for the test session and stop it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="mlaudit-pg-"))
    data, pwfile = root / "data", root / "pw"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run(
        _as_owner(
            [
                *(_binary("initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}"),
                *("--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"),
            ]
        ),
        **run,  # type: ignore[call-overload]
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [_binary("pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options]
    subprocess.run(_as_owner([*ctl, "-w", "start"]), **run)  # type: ignore[call-overload]
    try:
        yield Server("127.0.0.1", port)
    finally:
        subprocess.run(_as_owner([*ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
