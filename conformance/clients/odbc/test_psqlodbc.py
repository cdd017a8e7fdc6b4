"""psqlODBC (the PostgreSQL Unicode driver) through unixODBC's driver manager, driven by pyodbc:
SQLTables, SQLColumns, SQLPrimaryKeys, SQLStatistics and queries over the gateway's tpch, memory
and lake catalogs. Target from env: LAKEGATE_HOST, LAKEGATE_PORT, LAKEGATE_USER, LAKEGATE_DB."""
import json
import os
from pathlib import Path

import pyodbc
import pytest

TPCH_TABLES = ["customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"]


def connect_string(**options):
    parts = {
        "Driver": "{PostgreSQL Unicode}",
        "Servername": os.environ.get("LAKEGATE_HOST", "127.0.0.1"),
        "Port": os.environ.get("LAKEGATE_PORT", "7432"),
        "Database": os.environ.get("LAKEGATE_DB", "lakegate"),
        "Username": os.environ.get("LAKEGATE_USER", "lakegate"),
        "Password": os.environ.get("LAKEGATE_PASSWORD", ""),
        "SSLmode": "disable",
        **options,
    }
    return ";".join(f"{k}={v}" for k, v in parts.items())


def connect():
    return pyodbc.connect(connect_string(), autocommit=True, timeout=10)


@pytest.fixture(scope="module")
def cur():
    conn = connect()
    c = conn.cursor()
    for sql in [
        "drop schema if exists odbc_suite cascade",
        "create schema odbc_suite",
        "create table odbc_suite.items (id int not null, name varchar(20), price numeric(10,2), added date)",
        "insert into odbc_suite.items values (1, 'bolt', 0.25, date '2024-02-29'), (2, 'nut', null, null)",
        "create view odbc_suite.items_v as select id, name from odbc_suite.items",
        'create schema if not exists "lake.odbc_suite"',
        "drop table if exists lake.odbc_suite.regions",
        "create table lake.odbc_suite.regions as select r_regionkey, r_name from tpch.tiny.region",
    ]:
        c.execute(sql)
    yield c
    c.execute("drop schema odbc_suite cascade")
    c.execute('drop schema "lake.odbc_suite" cascade')
    conn.close()


def test_query(cur):
    assert cur.execute("select count(*) from tpch.tiny.lineitem").fetchone()[0] == 60175
    rows = cur.execute("select id, name, price, added from odbc_suite.items order by id").fetchall()
    assert [tuple(r) for r in rows][0][:2] == (1, "bolt")
    assert str(rows[0].price) == "0.25" and str(rows[0].added) == "2024-02-29"
    assert rows[1].price is None and rows[1].added is None


def test_query_with_parameters_across_catalogs(cur):
    sql = (
        'select r.r_name, count(*) from "tpch.tiny".nation n join "lake.odbc_suite".regions r '
        "on r.r_regionkey = n.n_regionkey where n.n_nationkey >= ? group by r.r_name order by r.r_name"
    )
    rows = cur.execute(sql, 0).fetchall()
    assert [(r[0].strip(), r[1]) for r in rows] == [("AFRICA", 5), ("AMERICA", 5), ("ASIA", 5), ("EUROPE", 5), ("MIDDLE EAST", 5)]


def test_sqltables(cur):
    assert [r.table_name for r in cur.tables(schema="tpch.tiny").fetchall()] == TPCH_TABLES
    assert {r.table_type for r in cur.tables(schema="tpch.tiny").fetchall()} == {"TABLE"}
    memory = {(r.table_name, r.table_type) for r in cur.tables(schema="odbc_suite").fetchall()}
    assert memory == {("items", "TABLE"), ("items_v", "VIEW")}
    assert [r.table_name for r in cur.tables(schema="lake.odbc_suite").fetchall()] == ["regions"]
    schemas = {r.table_schem for r in cur.tables(schema="%", tableType="TABLE").fetchall()}
    assert {"tpch.tiny", "odbc_suite", "lake.odbc_suite"} <= schemas


def test_sqlcolumns(cur):
    nation = [(r.column_name, r.type_name, r.column_size) for r in cur.columns(table="nation", schema="tpch.tiny").fetchall()]
    assert nation == [("n_nationkey", "int4", 10), ("n_name", "bpchar", 25), ("n_regionkey", "int4", 10), ("n_comment", "varchar", 152)]
    items = [(r.column_name, r.type_name, r.nullable) for r in cur.columns(table="items", schema="odbc_suite").fetchall()]
    assert items == [("id", "int4", 0), ("name", "varchar", 1), ("price", "numeric", 1), ("added", "date", 1)]
    view = [(r.column_name, r.type_name) for r in cur.columns(table="items_v", schema="odbc_suite").fetchall()]
    assert view == [("id", "int4"), ("name", "varchar")]
    regions = [(r.column_name, r.type_name) for r in cur.columns(table="regions", schema="lake.odbc_suite").fetchall()]
    assert regions == [("r_regionkey", "int4"), ("r_name", "bpchar")]


@pytest.mark.parametrize("schema,table", [("tpch.tiny", "orders"), ("odbc_suite", "items"), ("lake.odbc_suite", "regions")])
def test_keys_and_indexes_as_for_a_table_without_them(cur, schema, table):
    assert cur.primaryKeys(table, schema=schema).fetchall() == []
    assert cur.foreignKeys(table, schema=schema).fetchall() == []
    assert [r for r in cur.statistics(table, schema=schema).fetchall() if r.index_name is not None] == []


# ---- the listing all metadata clients share (../catalog-listing.json, also read by pgJDBC and SQLAlchemy) ----

LISTING = json.loads((Path(__file__).parent.parent / "catalog-listing.json").read_text())


def listed_column(r) -> list:
    """An SQLColumns row as the listing writes a column: [name, typname with (length) or (precision,scale), nullable]."""
    kind = r.type_name
    if kind in ("bpchar", "varchar"):
        kind = f"{kind}({r.column_size})"
    elif kind == "numeric":
        kind = f"{kind}({r.column_size},{r.decimal_digits})"
    return [r.column_name, kind, r.nullable == pyodbc.SQL_NULLABLE]


@pytest.fixture(scope="module")
def listing_cur():
    conn = connect()
    c = conn.cursor()
    for sql in LISTING["setup"]:
        c.execute(sql)
    yield c
    for sql in LISTING["teardown"]:
        c.execute(sql)
    conn.close()


def test_sqltables_and_sqlcolumns_list_the_shared_listing(listing_cur):
    """tpch.tiny, a memory table and view, a lake table and the remote PostgreSQL catalog's table:
    the same tables, columns, types and nullability as pgJDBC's getTables/getColumns."""
    for schema in sorted({t["schema"] for t in LISTING["tables"]}):
        want = {t["table"]: (t["type"], t["columns"]) for t in LISTING["tables"] if t["schema"] == schema}
        tables = [(r.table_name, r.table_type) for r in listing_cur.tables(schema=schema, tableType="TABLE,VIEW").fetchall()]
        seen = {name: (kind, [listed_column(r) for r in listing_cur.columns(table=name, schema=schema).fetchall()]) for name, kind in tables}
        assert seen == want, schema


def test_declare_fetch_mode(cur):
    """UseDeclareFetch=1: the driver reads results through DECLARE … CURSOR and FETCH in pieces of Fetch rows."""
    sql = "select l_orderkey, l_linenumber from tpch.tiny.lineitem order by 1, 2"
    whole = [tuple(r) for r in cur.execute(sql).fetchall()]
    conn = pyodbc.connect(connect_string(UseDeclareFetch=1, Fetch=100), autocommit=False, timeout=10)
    try:
        fetched = [tuple(r) for r in conn.cursor().execute(sql).fetchall()]
        conn.commit()
    finally:
        conn.close()
    assert len(fetched) == 60175 and fetched == whole
