"""What the published warehouse shows an analyst, and what goes to the internal sidecar file.

Decision (issue 13): the published file ``warehouse.duckdb`` holds only the schemas an analyst
works with: ``marts`` (dimensions, facts, marts, quality results, all with comments) and ``ops`` (the
refresh log and dbt test outcomes). Everything else (``raw``, ``staging``, ``intermediate``, and
any schema added later unless listed here) goes to ``warehouse.internal.duckdb`` beside it. A BI
tool pointed at the published file then lists two schemas instead of six, never shows the parser's
working tables, and opens a smaller file (the full report texts stay in the sidecar). Engineers
``ATTACH 'warehouse.internal.duckdb' (READ_ONLY)`` to debug. A separate file rather than an
``internal`` schema because most BI tools cannot hide a schema of a file they open.

Both files are written from the build database by ``write_split``: every table and view of a schema
is copied as a table (staging views name the build catalog, which the copies do not have) with its
table and column comments; constraints are not copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

ANALYST_SCHEMAS = ("marts", "ops")
SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog"})


@dataclass(frozen=True)
class Layout:
    """Schemas of the published file and of the internal sidecar."""

    published: tuple[str, ...]
    internal: tuple[str, ...]


def split_schemas(schemas: Iterable[str], analyst: Sequence[str] = ANALYST_SCHEMAS) -> Layout:
    """Split the build database's schemas: ``analyst`` ones are published, all others are internal."""
    names = sorted(set(schemas) - SYSTEM_SCHEMAS)
    return Layout(
        published=tuple(s for s in names if s in analyst),
        internal=tuple(s for s in names if s not in analyst),
    )


def internal_path(warehouse: Path) -> Path:
    """The sidecar beside the published file: ``warehouse.duckdb`` → ``warehouse.internal.duckdb``."""
    return warehouse.with_name(f"{warehouse.stem}.internal{warehouse.suffix}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def schemas_with_relations(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    """Schemas of ``catalog`` (default: the current database) that hold at least one table or view."""
    if catalog is None:
        (catalog,) = con.execute("SELECT current_database()").fetchone()
    rows = con.execute(
        "SELECT schema_name FROM duckdb_tables() WHERE database_name = ? "
        "UNION SELECT schema_name FROM duckdb_views() WHERE database_name = ? AND NOT internal",
        [catalog, catalog],
    ).fetchall()
    return sorted(row[0] for row in rows)


def copy_statements(con: duckdb.DuckDBPyConnection, source: str, target: str, schema: str) -> list[str]:
    """SQL copying every table and view of ``source.schema`` into ``target.schema`` with its comments."""
    relations = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE database_name = ? AND schema_name = ? "
        "AND NOT internal ORDER BY 1",
        [source, schema, source, schema],
    ).fetchall()
    statements = [f"CREATE SCHEMA IF NOT EXISTS {_ident(target)}.{_ident(schema)}"]
    for name, comment in relations:
        src = f"{_ident(source)}.{_ident(schema)}.{_ident(name)}"
        dst = f"{_ident(target)}.{_ident(schema)}.{_ident(name)}"
        statements.append(f"CREATE TABLE {dst} AS SELECT * FROM {src}")
        if comment:
            statements.append(f"COMMENT ON TABLE {dst} IS {_literal(comment)}")
        columns = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
            "AND table_name = ? AND comment IS NOT NULL AND comment <> '' ORDER BY column_index",
            [source, schema, name],
        ).fetchall()
        statements.extend(f"COMMENT ON COLUMN {dst}.{_ident(column)} IS {_literal(text)}" for column, text in columns)
    return statements


def write_split(
    con: duckdb.DuckDBPyConnection,
    source: str,
    published: Path,
    internal: Path,
    storage_version: str | None = None,
) -> Layout:
    """Write the published file and the internal sidecar from the attached catalog ``source``.

    Both paths must not exist yet (write to temporary names, then rename them into place).
    ``storage_version`` (e.g. ``v1.4.0``) makes files older DuckDB readers open.
    """
    layout = split_schemas(schemas_with_relations(con, source))
    option = f" (STORAGE_VERSION {_literal(storage_version)})" if storage_version else ""
    for alias, path, schemas in (
        ("govperf_published", published, layout.published),
        ("govperf_internal", internal, layout.internal),
    ):
        con.execute(f"ATTACH {_literal(str(path))} AS {alias}{option}")
        try:
            for schema in schemas:
                for statement in copy_statements(con, source, alias, schema):
                    con.execute(statement)
        finally:
            con.execute(f"DETACH {alias}")
    return layout
