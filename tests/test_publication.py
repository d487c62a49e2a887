"""The published file holds the analyst schemas only; the rest goes to the internal sidecar (fast)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project import publication

BUILD = """
CREATE SCHEMA raw; CREATE SCHEMA staging; CREATE SCHEMA intermediate; CREATE SCHEMA marts; CREATE SCHEMA ops;
CREATE TABLE raw.report_texts (report_id VARCHAR, normalised_text VARCHAR);
INSERT INTO raw.report_texts VALUES ('r1', '全文');
CREATE VIEW staging.stg_report_texts AS SELECT * FROM raw.report_texts;
CREATE TABLE intermediate.int_x (a INTEGER);
CREATE TABLE marts.fct_budget (report_id VARCHAR, amount_wan_yuan DECIMAL(20,6));
INSERT INTO marts.fct_budget VALUES ('r1', 12345678901234.123456);
COMMENT ON TABLE marts.fct_budget IS 'Budget facts (预算数), one row per stated figure';
COMMENT ON COLUMN marts.fct_budget.amount_wan_yuan IS 'Amount (金额) in 万元, it''s exact';
CREATE VIEW marts.v_budget AS SELECT * FROM marts.fct_budget;
CREATE TABLE ops.refresh_log (run_id VARCHAR);
"""


def test_split_schemas_publishes_only_analyst_schemas_and_new_ones_stay_internal() -> None:
    layout = publication.split_schemas(["raw", "marts", "ops", "staging", "intermediate", "scratch", "pg_catalog"])
    assert layout.published == ("marts", "ops")
    assert layout.internal == ("intermediate", "raw", "scratch", "staging")


def test_internal_path_is_beside_the_warehouse() -> None:
    assert publication.internal_path(Path("/d/warehouse.duckdb")) == Path("/d/warehouse.internal.duckdb")


@pytest.mark.parametrize("storage_version", [None, "v1.4.0"])
def test_write_split_copies_tables_views_and_comments(tmp_path: Path, storage_version: str | None) -> None:
    build = tmp_path / "build.duckdb"
    con = duckdb.connect(str(build))
    con.execute(BUILD)
    published, internal = tmp_path / "wh.duckdb", tmp_path / "wh.internal.duckdb"
    layout = publication.write_split(con, "build", published, internal, storage_version)
    con.close()
    assert layout == publication.Layout(("marts", "ops"), ("intermediate", "raw", "staging"))

    with duckdb.connect(str(published), read_only=True) as out:
        assert publication.schemas_with_relations(out) == ["marts", "ops"]
        assert out.execute("SELECT amount_wan_yuan FROM marts.fct_budget").fetchone() == (
            Decimal("12345678901234.123456"),
        )
        assert (
            out.execute("SELECT * FROM marts.v_budget").fetchall()
            == out.execute("SELECT * FROM marts.fct_budget").fetchall()
        )
        assert out.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'fct_budget'").fetchone() == (
            "Budget facts (预算数), one row per stated figure",
        )
        assert out.execute(
            "SELECT data_type, comment FROM duckdb_columns() WHERE table_name = 'fct_budget' "
            "AND column_name = 'amount_wan_yuan'"
        ).fetchone() == ("DECIMAL(20,6)", "Amount (金额) in 万元, it's exact")

    with duckdb.connect(str(internal), read_only=True) as side:
        assert publication.schemas_with_relations(side) == ["intermediate", "raw", "staging"]
        assert side.execute("SELECT normalised_text FROM staging.stg_report_texts").fetchone() == ("全文",)
