"""Credentials never reach an artifact: reports, console output, errors, debug logs.

A real PostgreSQL server with a password-protected role is audited through the command line
with the password in the URL's user information and in its query string; every file written
and everything printed is searched for the password.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlaudit import Audit
from mlaudit._secrets import redact, redact_data
from tests._postgres import Server, postgres  # noqa: F401  (the fixture)

SECRET = "S3cretP4ss"


@pytest.fixture(scope="module")
def loans(postgres: Server) -> Server:  # noqa: F811
    postgres.execute(
        "DROP TABLE IF EXISTS loans",
        "DROP ROLE IF EXISTS admin",
        f"CREATE ROLE admin LOGIN PASSWORD '{SECRET}'",
        "CREATE TABLE loans (id int, amount float8, segment text)",
        "INSERT INTO loans SELECT i, 1000 + (i * 37) % 500, (ARRAY['retail','sme'])[1 + i % 2]"
        " FROM generate_series(1, 400) AS i",
        "GRANT SELECT ON loans TO admin",
    )
    return postgres


def _urls(server: Server) -> dict[str, str]:
    base = f"postgresql+psycopg://admin:{SECRET}@{server.host}:{server.port}/postgres"
    query = f"postgresql+psycopg://admin@{server.host}:{server.port}/postgres?password={SECRET}"
    return {"userinfo": base, "query string": query}


def _mlaudit(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src"), "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "mlaudit", *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _everything_written(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("where", ["userinfo", "query string"])
def test_no_artifact_holds_the_password(loans: Server, tmp_path: Path, where: str) -> None:
    url = _urls(loans)[where]
    config = {
        "current": {"sql": {"url": url, "query": "SELECT * FROM loans"}},
        "output": {"dir": "report", "formats": ["html", "json", "md", "junit"]},
    }
    (tmp_path / "audit.yaml").write_text(yaml.safe_dump(config))
    run = _mlaudit("--debug", "audit", "audit.yaml", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    written = _everything_written(tmp_path / "report")
    assert "admin" in written and "loans" in written  # the source is still named
    for text in (written, run.stdout, run.stderr):
        assert SECRET not in text
    assert (tmp_path / "report" / "report.json").exists()


def test_a_failed_connection_names_the_server_not_the_password(
    loans: Server, tmp_path: Path
) -> None:
    url = _urls(loans)["userinfo"].replace("/postgres", "/no_such_database")
    config = {"current": {"sql": {"url": url, "query": "loans"}}, "output": {"dir": "report"}}
    (tmp_path / "audit.yaml").write_text(yaml.safe_dump(config))
    run = _mlaudit("--debug", "audit", "audit.yaml", cwd=tmp_path)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "no_such_database" in run.stdout + run.stderr
    assert SECRET not in run.stdout + run.stderr


def test_python_api_result_holds_no_password(loans: Server) -> None:
    from mlaudit.data import Dataset

    url = _urls(loans)["query string"]
    ds = Dataset.from_sql(url, "SELECT * FROM loans")
    result = Audit(ds, config={"current": {"sql": {"url": url, "query": "loans"}}}).run()
    text = result.model_dump_json()
    assert SECRET not in text and "loans" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://u:pw@h:5432/d", "postgresql://u:***@h:5432/d"),
        ("mysql+pymysql://u:p%40ss@h/d", "mysql+pymysql://u:***@h/d"),
        (
            "postgresql://u@h/d?sslmode=require&password=pw",
            "postgresql://u@h/d?sslmode=require&password=***",
        ),
        (
            "https://acct.blob.core.windows.net/c?sv=2024&sig=Ab%2Bc&se=1",
            "https://acct.blob.core.windows.net/c?sv=2024&sig=***&se=1",
        ),
        ("host=db user=u password='pw x' port=5", "host=db user=u password='***' port=5"),
        (
            "s3://bucket/key?X-Amz-Signature=abc&X-Amz-Credential=def",
            "s3://bucket/key?X-Amz-Signature=***&X-Amz-Credential=***",
        ),
        ("http://host:8080/path@x", "http://host:8080/path@x"),  # no user information
        ("p = 0.01, 3 pass", "p = 0.01, 3 pass"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_config_by_key_and_by_value() -> None:
    config = {
        "current": {"sql": {"url": "postgresql://u:pw@h/d", "query": "select 1"}},
        "service": {"api_key": "k-123", "token": 7, "password": None},
        "list": ["a", "postgresql://v:pw2@h/d"],
    }
    out = redact_data(config)
    assert out["current"]["sql"]["url"] == "postgresql://u:***@h/d"
    assert out["service"] == {"api_key": "***", "token": "***", "password": None}
    assert out["list"] == ["a", "postgresql://v:***@h/d"]
    assert config["service"]["api_key"] == "k-123"  # the input is not changed
