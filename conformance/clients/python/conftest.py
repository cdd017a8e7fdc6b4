"""psycopg 3 client suite fixtures.

Target from env: LAKEGATE_HOST, LAKEGATE_PORT (127.0.0.1:7432), LAKEGATE_USER,
LAKEGATE_DB (lakegate); LAKEGATE_TARGET=postgres skips the tests that need the
tpch catalog.
"""
import os

import psycopg
import pytest

TARGET = os.environ.get("LAKEGATE_TARGET", "gateway")
ON_POSTGRES = TARGET == "postgres"

gateway_only = pytest.mark.skipif(ON_POSTGRES, reason="needs the tpch catalog; target is postgres")


def conninfo() -> dict:
    info = dict(
        host=os.environ.get("LAKEGATE_HOST", "127.0.0.1"),
        port=int(os.environ.get("LAKEGATE_PORT", "7432")),
        user=os.environ.get("LAKEGATE_USER", "lakegate"),
        dbname=os.environ.get("LAKEGATE_DB", "lakegate"),
        connect_timeout=10,
        application_name="lakegate-psycopg-suite",
    )
    if os.environ.get("LAKEGATE_PASSWORD"):
        info["password"] = os.environ["LAKEGATE_PASSWORD"]
    return info


@pytest.fixture
def conn():
    with psycopg.connect(**conninfo()) as c:
        yield c
