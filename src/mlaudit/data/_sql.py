"""SQL queries streamed into Arrow record batches through SQLAlchemy.

Rows are fetched ``batch_size`` at a time on a server-side cursor where the driver supports it
(``stream_results=True``), so memory stays bounded.  Column types come from the first batch;
every later batch is converted to the same types.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from mlaudit._lazy import lazy_import
from mlaudit._secrets import redact
from mlaudit.errors import ConfigError, DataSourceError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc
else:  # imported on first use (mlaudit._lazy)
    sa = lazy_import("sqlalchemy")
    sa_exc = lazy_import("sqlalchemy.exc")

__all__ = ["SqlReader", "describe_sql", "mask_url"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def mask_url(url: str) -> str:
    """The URL with its password, and secret-named query parameters, replaced by ``***``."""
    return redact(url)


def describe_sql(url: str, query: str) -> str:
    """A description of a query for reports, without credentials."""
    q = " ".join(query.split())
    return f"{mask_url(url)} :: {q[:200] + '...' if len(q) > 200 else q}"


class SqlReader:
    """Streams a query's rows as Arrow batches; re-running the query for each pass."""

    def __init__(self, url: str, query: str, *, batch_size: int) -> None:
        self.url = url
        self.query = query
        self.batch_size = batch_size
        self.masked = mask_url(url)
        self._engine = self._create_engine()
        self._schema: pa.Schema | None = None

    def _create_engine(self) -> Any:
        try:
            url = sa.engine.make_url(self.url)
        except sa_exc.ArgumentError:
            raise ConfigError(
                f"{self.masked!r} is not a valid database URL",
                fix="use a SQLAlchemy URL such as 'sqlite:///path/to.db' or "
                "'postgresql+psycopg://user@host/db' (a password follows the user after ':')",
            ) from None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(url.database or "")
            if not path.is_file():  # SQLite would silently create an empty database
                raise DataSourceError(
                    f"SQLite database file {str(path)!r} does not exist", fix="check the path"
                )
        try:
            return sa.create_engine(url)
        except (sa_exc.NoSuchModuleError, ImportError) as exc:
            raise DataSourceError(
                f"no database driver for {self.masked!r}: {exc}",
                fix="install the driver package for this database (e.g. psycopg for PostgreSQL)",
            ) from None

    def _statement(self) -> Any:
        q = self.query.strip()
        if _IDENTIFIER.match(q):  # a bare table name
            return sa.select(sa.text("*")).select_from(
                sa.table(q.split(".")[-1], schema=_schema_of(q))
            )
        return sa.text(q)

    def _rows(self) -> Generator[tuple[list[str], Sequence[Any]], None, None]:
        """(column names, chunk of rows) per fetch; at least one (possibly empty) chunk."""
        try:
            with self._engine.connect() as conn:
                result = conn.execution_options(stream_results=True).execute(self._statement())
                keys = list(map(str, result.keys()))
                first = True
                while True:
                    rows = result.fetchmany(self.batch_size)
                    if not rows and not first:
                        return
                    first = False
                    yield keys, rows
                    if not rows:
                        return
        except sa_exc.SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise DataSourceError(
                f"the query on {self.masked!r} failed: {detail} (query: {self.query!r})",
                fix="check the table and column names in the query",
            ) from None

    @property
    def schema(self) -> pa.Schema:
        """Column types inferred from the first batch of rows."""
        if self._schema is None:
            stream = self._rows()
            try:
                keys, rows = next(stream)
            finally:
                stream.close()
            self._schema = _infer(keys, rows)
        return self._schema

    @property
    def num_rows(self) -> int | None:
        """Unknown without running the query."""
        return None

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Run the query and yield its rows as batches of the first batch's types."""
        schema = self.schema
        for _keys, rows in self._rows():
            yield self._convert(rows, schema)

    def _convert(self, rows: Sequence[Any], schema: pa.Schema) -> pa.RecordBatch:
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
        arrays = []
        for field, values in zip(schema, columns, strict=True):
            try:
                arrays.append(pa.array(values, type=field.type))
            except (pa.ArrowException, TypeError, ValueError, OverflowError):
                kind = pa.array(values).type if values else "?"
                raise DataSourceError(
                    f"column {field.name!r} of the query changes type: {field.type} in the "
                    f"first {self.batch_size} rows, {kind} later",
                    fix=f"CAST({field.name} AS ...) in the query to give it one type",
                ) from None
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _schema_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[0] if len(parts) > 1 else None


def _infer(keys: list[str], rows: Sequence[Any]) -> pa.Schema:
    fields = []
    for i, key in enumerate(keys):
        try:
            t = pa.array([r[i] for r in rows]).type if rows else pa.null()
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            raise DataSourceError(
                f"column {key!r} of the query mixes value types in its first rows",
                fix=f"CAST({key} AS ...) in the query to give it one type",
            ) from None
        fields.append(pa.field(key, t))
    return pa.schema(fields)
