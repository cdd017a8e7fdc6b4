"""psycopg 3 against the gateway: text vs binary results, server-side prepared
statements, SQLSTATEs on errors, transactions."""
import datetime as dt
import os
import tempfile
from decimal import Decimal

import psycopg
import pytest
from psycopg import errors
from psycopg.pq import TransactionStatus

from conftest import conninfo, gateway_only

PARAM_SQL = (
    "select %s::int4 + 1, %s::text, %s::numeric(10,2), %s::int8, %s::float8, "
    "%s::bool, %s::date, %s::timestamp"
)
PARAMS = (
    41,
    "héllo, wörld",
    Decimal("12.345"),
    9007199254740993,
    3.25,
    True,
    dt.date(2024, 2, 29),
    dt.datetime(2024, 2, 29, 13, 45, 56, 123456),
)
EXPECTED = (
    42,
    "héllo, wörld",
    Decimal("12.35"),
    9007199254740993,
    3.25,
    True,
    dt.date(2024, 2, 29),
    dt.datetime(2024, 2, 29, 13, 45, 56, 123456),
)


def _rows(cur, sql, params, n=10, **kw):
    out = []
    for _ in range(n):
        cur.execute(sql, params, **kw)
        out.append(cur.fetchall())
    return out


def test_parameterized_text_and_binary_identical(conn):
    text = _rows(conn.cursor(), PARAM_SQL, PARAMS)
    binary = _rows(conn.cursor(binary=True), PARAM_SQL, PARAMS)
    for i, rows in enumerate(text + binary):
        assert rows == [EXPECTED], f"execution {i + 1}"
    # and the exact Python types, not just equal values
    assert [type(v) for v in binary[0][0]] == [type(v) for v in EXPECTED]
    assert [type(v) for v in text[0][0]] == [type(v) for v in EXPECTED]


def test_binary_parameters_too(conn):
    cur = conn.cursor(binary=True)
    for i in range(10):
        # %b sends the parameters in binary format as well
        cur.execute(PARAM_SQL.replace("%s", "%b"), PARAMS)
        assert cur.fetchall() == [EXPECTED], f"execution {i + 1}"


def test_result_column_types(conn):
    cur = conn.cursor()
    cur.execute(PARAM_SQL, PARAMS)
    assert [d.type_code for d in cur.description] == [23, 25, 1700, 20, 701, 16, 1082, 1114]


def test_nulls_text_and_binary(conn):
    for binary in (False, True):
        cur = conn.cursor(binary=binary)
        cur.execute("select %s::int4, %s::text, %s::numeric", (None, None, None))
        assert cur.fetchall() == [(None, None, None)]


def test_server_side_prepared_statement(conn):
    """prepare=True: one Parse of a named statement, then Bind/Execute reusing it."""
    with tempfile.TemporaryFile(mode="w+") as trace:
        conn.pgconn.trace(trace.fileno())
        try:
            for binary in (False, True):
                cur = conn.cursor(binary=binary)
                for i in range(10):
                    cur.execute("select %s::int4 * 2, upper(%s::text)", (i, f"v{i}"), prepare=True)
                    assert cur.fetchall() == [(i * 2, f"V{i}")]
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        lines = trace.read().splitlines()
    parses = [l for l in lines if "\tParse\t" in l]
    binds = [l for l in lines if "\tBind\t" in l]
    named = [l for l in parses if '"_pg3_' in l]
    assert len(named) == 1, f"expected one named Parse, got {parses}"
    name = named[0].split('"')[1]
    assert sum(1 for b in binds if f'"{name}"' in b) == 20, f"expected 20 Binds of {name}"


def test_prepare_threshold_default(conn):
    """Default prepare_threshold=5: executions 6+ use a prepared statement; same values throughout."""
    cur = conn.cursor()
    results = _rows(cur, PARAM_SQL, PARAMS, n=10)
    assert all(r == [EXPECTED] for r in results)
    bcur = conn.cursor(binary=True)
    results = _rows(bcur, PARAM_SQL, PARAMS, n=10)
    assert all(r == [EXPECTED] for r in results)


def test_errors_have_sqlstate(conn):
    cur = conn.cursor()
    with pytest.raises(errors.DivisionByZero) as e:
        cur.execute("select 1/0")
    assert e.value.sqlstate == "22012"
    assert e.value.diag.sqlstate == "22012"
    conn.rollback()
    with pytest.raises(errors.UndefinedTable) as e:
        cur.execute("select * from no_such_table_lakegate")
    assert e.value.sqlstate == "42P01"
    conn.rollback()
    with pytest.raises(errors.InvalidTextRepresentation) as e:
        cur.execute("select %s::int4", ("not a number",))
    assert e.value.sqlstate == "22P02"
    conn.rollback()
    cur.execute("select 1")
    assert cur.fetchone() == (1,)


def test_transaction_commit_and_rollback():
    with psycopg.connect(**conninfo(), autocommit=True) as conn:
        info = conn.info
        assert info.transaction_status == TransactionStatus.IDLE
        with conn.transaction():
            conn.execute("select 1")
            assert info.transaction_status == TransactionStatus.INTRANS
        assert info.transaction_status == TransactionStatus.IDLE

        class Boom(Exception):
            pass

        with pytest.raises(Boom):
            with conn.transaction():
                conn.execute("select 2")
                raise Boom()
        assert info.transaction_status == TransactionStatus.IDLE

        conn.execute("BEGIN")
        with pytest.raises(errors.DivisionByZero):
            conn.execute("select 1/0")
        assert info.transaction_status == TransactionStatus.INERROR
        with pytest.raises(errors.InFailedSqlTransaction) as e:
            conn.execute("select 1")
        assert e.value.sqlstate == "25P02"
        conn.execute("ROLLBACK")
        assert info.transaction_status == TransactionStatus.IDLE
        assert conn.execute("select 3").fetchone() == (3,)


def test_implicit_transaction_non_autocommit(conn):
    # psycopg's default (autocommit off) issues BEGIN before the first statement
    conn.execute("select 1")
    assert conn.info.transaction_status == TransactionStatus.INTRANS
    conn.commit()
    assert conn.info.transaction_status == TransactionStatus.IDLE


@gateway_only
def test_tpch_headline_count(conn):
    assert conn.execute("select count(*) from tpch.tiny.lineitem").fetchone() == (60175,)


@gateway_only
def test_tpch_text_and_binary_identical(conn):
    sql = (
        "select o_orderkey, o_custkey, o_totalprice, o_orderdate, o_orderstatus "
        "from tpch.tiny.orders where o_orderkey <= %s order by o_orderkey"
    )
    text = conn.cursor().execute(sql, (500,)).fetchall()
    binary = conn.cursor(binary=True).execute(sql, (500,)).fetchall()
    assert len(text) > 0
    assert text == binary
    assert isinstance(text[0][2], Decimal) and isinstance(text[0][3], dt.date)
