"""SQLAlchemy's inspector (postgresql+psycopg) over the gateway's catalogs: what a BI tool or an
ORM reflects. Tables of tpch, memory and lake, seen through pg_namespace's "catalog.schema"
names, with their columns and types; keys, indexes and comments read as PostgreSQL reports a
table without them (issue 7, item 6)."""
import json
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import types as satypes

from conftest import conninfo, gateway_only

pytestmark = gateway_only

TPCH_TABLES = ["customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"]


def engine_url() -> str:
    c = conninfo()
    password = f":{c['password']}" if "password" in c else ""
    return f"postgresql+psycopg://{c['user']}{password}@{c['host']}:{c['port']}/{c['dbname']}"


@pytest.fixture(scope="module")
def inspector():
    with psycopg.connect(**conninfo(), autocommit=True) as c:
        for sql in [
            "drop schema if exists sa_suite cascade",
            "create schema sa_suite",
            "create table sa_suite.items (id int not null, name varchar(20), price numeric(10,2), added date)",
            "create view sa_suite.items_v as select id, name from sa_suite.items",
            'create schema if not exists "lake.sa_suite"',
            "drop table if exists lake.sa_suite.regions",
            "create table lake.sa_suite.regions as select r_regionkey, r_name from tpch.tiny.region",
        ]:
            c.execute(sql)
    engine = sa.create_engine(engine_url())
    yield sa.inspect(engine)
    engine.dispose()
    with psycopg.connect(**conninfo(), autocommit=True) as c:
        c.execute("drop schema sa_suite cascade")
        c.execute('drop schema "lake.sa_suite" cascade')


def columns_from_information_schema(schema: str, table: str) -> list:
    with psycopg.connect(**conninfo()) as c:
        rows = c.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s order by ordinal_position",
            (schema, table),
        ).fetchall()
    return [r[0] for r in rows]


def test_schema_names_cover_every_catalog(inspector):
    names = inspector.get_schema_names()
    for schema in ["public", "sa_suite", "tpch.tiny", "tpch.sf1", "lake.sa_suite", "information_schema"]:
        assert schema in names
    assert not [n for n in names if n.startswith("pg_")]


def test_table_and_view_names(inspector):
    assert inspector.get_table_names(schema="tpch.tiny") == TPCH_TABLES
    assert inspector.get_table_names(schema="sa_suite") == ["items"]
    assert inspector.get_view_names(schema="sa_suite") == ["items_v"]
    assert inspector.get_table_names(schema="lake.sa_suite") == ["regions"]
    assert inspector.get_view_names(schema="tpch.tiny") == []
    assert inspector.has_table("nation", schema="tpch.tiny")
    assert not inspector.has_table("no_such_table", schema="tpch.tiny")


def test_columns_of_a_tpch_table(inspector):
    cols = inspector.get_columns("nation", schema="tpch.tiny")
    assert [c["name"] for c in cols] == ["n_nationkey", "n_name", "n_regionkey", "n_comment"]
    kinds = [type(c["type"]) for c in cols]
    assert kinds == [satypes.INTEGER, satypes.CHAR, satypes.INTEGER, satypes.VARCHAR]
    assert cols[1]["type"].length == 25 and cols[3]["type"].length == 152
    assert all(c["default"] is None and c["comment"] is None for c in cols)


def test_columns_of_memory_table_and_view(inspector):
    cols = inspector.get_columns("items", schema="sa_suite")
    assert [(c["name"], type(c["type"]), c["nullable"]) for c in cols] == [
        ("id", satypes.INTEGER, False),
        ("name", satypes.VARCHAR, True),
        ("price", satypes.NUMERIC, True),
        ("added", satypes.DATE, True),
    ]
    assert (cols[2]["type"].precision, cols[2]["type"].scale) == (10, 2)
    view = inspector.get_columns("items_v", schema="sa_suite")
    assert [(c["name"], type(c["type"])) for c in view] == [("id", satypes.INTEGER), ("name", satypes.VARCHAR)]
    assert "sa_suite.items" in inspector.get_view_definition("items_v", schema="sa_suite")


def test_columns_of_a_lake_table(inspector):
    cols = inspector.get_columns("regions", schema="lake.sa_suite")
    assert [(c["name"], type(c["type"])) for c in cols] == [("r_regionkey", satypes.INTEGER), ("r_name", satypes.CHAR)]


@pytest.mark.parametrize("schema", ["tpch.tiny", "sa_suite", "lake.sa_suite"])
def test_same_columns_as_information_schema(inspector, schema):
    """What pgJDBC's getColumns lists (information_schema / pg_attribute) is what SQLAlchemy sees."""
    for table in inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema):
        reflected = [c["name"] for c in inspector.get_columns(table, schema=schema)]
        assert reflected == columns_from_information_schema(schema, table), f"{schema}.{table}"


@pytest.mark.parametrize("schema,table", [("tpch.tiny", "orders"), ("sa_suite", "items"), ("lake.sa_suite", "regions")])
def test_keys_and_indexes_as_for_a_table_without_them(inspector, schema, table):
    assert inspector.get_pk_constraint(table, schema=schema) == {"name": None, "constrained_columns": []}
    assert inspector.get_foreign_keys(table, schema=schema) == []
    assert inspector.get_indexes(table, schema=schema) == []
    assert inspector.get_unique_constraints(table, schema=schema) == []
    assert inspector.get_check_constraints(table, schema=schema) == []
    assert inspector.get_table_comment(table, schema=schema) == {"text": None}


def test_reflected_tables_join_across_catalogs(inspector):
    meta = sa.MetaData()
    nation = sa.Table("nation", meta, schema="tpch.tiny", autoload_with=inspector.bind)
    regions = sa.Table("regions", meta, schema="lake.sa_suite", autoload_with=inspector.bind)
    query = (
        sa.select(regions.c.r_name, sa.func.count())
        .select_from(nation.join(regions, nation.c.n_regionkey == regions.c.r_regionkey))
        .group_by(regions.c.r_name)
        .order_by(regions.c.r_name)
    )
    with inspector.bind.connect() as conn:
        rows = conn.execute(query).all()
    assert [(name.strip(), n) for name, n in rows] == [("AFRICA", 5), ("AMERICA", 5), ("ASIA", 5), ("EUROPE", 5), ("MIDDLE EAST", 5)]


# ---- the listing all metadata clients share (../catalog-listing.json, also read by pgJDBC and psqlODBC) ----

LISTING = json.loads((Path(__file__).parent.parent / "catalog-listing.json").read_text())
TYPNAMES = {satypes.SMALLINT: "int2", satypes.INTEGER: "int4", satypes.BIGINT: "int8", satypes.CHAR: "bpchar",
            satypes.VARCHAR: "varchar", satypes.NUMERIC: "numeric", satypes.DATE: "date", satypes.TEXT: "text"}


def listed_type(t) -> str:
    """A reflected type as the listing writes it: typname, (length) for bpchar/varchar, (precision,scale) for numeric."""
    name = TYPNAMES[type(t)]
    if name in ("bpchar", "varchar"):
        return f"{name}({t.length})"
    if name == "numeric":
        return f"{name}({t.precision},{t.scale})"
    return name


@pytest.fixture(scope="module")
def listing_inspector():
    with psycopg.connect(**conninfo(), autocommit=True) as c:
        for sql in LISTING["setup"]:
            c.execute(sql)
    engine = sa.create_engine(engine_url())
    yield sa.inspect(engine)
    engine.dispose()
    with psycopg.connect(**conninfo(), autocommit=True) as c:
        for sql in LISTING["teardown"]:
            c.execute(sql)


def test_lists_the_shared_listing(listing_inspector):
    """tpch.tiny, a memory table and view, a lake table and the remote PostgreSQL catalog's table:
    the same tables, columns, types and nullability as pgJDBC's getTables/getColumns."""
    schemas = sorted({t["schema"] for t in LISTING["tables"]})
    assert set(schemas) <= set(listing_inspector.get_schema_names())
    for schema in schemas:
        want = {t["table"]: (t["type"], t["columns"]) for t in LISTING["tables"] if t["schema"] == schema}
        seen = {}
        for kind, names in (("TABLE", listing_inspector.get_table_names(schema=schema)), ("VIEW", listing_inspector.get_view_names(schema=schema))):
            for table in names:
                cols = listing_inspector.get_columns(table, schema=schema)
                seen[table] = (kind, [[c["name"], listed_type(c["type"]), c["nullable"]] for c in cols])
        assert seen == want, schema
