"""libpq 18 signs in with OAuth 2.0 (SASL OAUTHBEARER, pg_hba method `oauth`), end to end.

psycopg-binary bundles libpq 18 (psycopg_binary.libs/libpq-*.so.5.18), which has the OAuth
client and PQsetAuthDataHook but not the libpq-oauth device-flow module. The test loads that same
shared object with ctypes and installs a PQAUTHDATA_OAUTH_BEARER_TOKEN hook that hands libpq a
token, as an application with its own token source would; psycopg's connections then run libpq's
whole OAUTHBEARER client: discovery, the issuer check, the hook, the retry with the token.

../oidc/issuer-gateway.mjs (needs `npm run build`) serves a local OIDC-style issuer over HTTPS
and starts a dedicated gateway with `hostssl … oauth issuer="<issuer>" scope="openid lakegate"`
whose JWT settings fetch the issuer's JWKS; it prints the gateway's port and the tokens it minted.
Independent of LAKEGATE_TARGET: the shared gateway is not used.
"""
import ctypes
import json
import os
import select
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import pq
from psycopg.conninfo import make_conninfo

HELPER = Path(__file__).resolve().parent.parent / "oidc" / "issuer-gateway.mjs"
CLIENT_ID = "lakegate-psycopg-suite"

# libpq-fe.h (PostgreSQL 18): PGauthData, PGVerbosity, PGoauthBearerRequest
PQAUTHDATA_OAUTH_BEARER_TOKEN = 1
PQERRORS_VERBOSE = 2


class PGoauthBearerRequest(ctypes.Structure):
    _fields_ = [
        ("openid_configuration", ctypes.c_char_p),  # hook input: the OIDC discovery URI
        ("scope", ctypes.c_char_p),  # hook input: required scopes, or NULL
        ("async_", ctypes.c_void_p),  # PostgresPollingStatusType (*async)(PGconn *, PGoauthBearerRequest *, int *)
        ("cleanup", ctypes.c_void_p),  # void (*cleanup)(PGconn *, PGoauthBearerRequest *)
        ("token", ctypes.c_char_p),  # hook output: the Bearer token
        ("user", ctypes.c_void_p),
    ]


AuthDataHook = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


def libpq_mappings() -> dict:
    """Every libpq shared object mapped into this process -> its address ranges."""
    found: dict = {}
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and os.path.basename(fields[5]).startswith("libpq"):
                start, end = (int(a, 16) for a in fields[0].split("-"))
                found.setdefault(fields[5], []).append((start, end))
    return found


@pytest.fixture(scope="module")
def libpq():
    """The libpq psycopg's C extension is linked to, opened again with ctypes (the same object)."""
    assert pq.__impl__ == "binary", f"psycopg uses its {pq.__impl__} implementation, not psycopg-binary's libpq"
    mapped = libpq_mappings()
    assert len(mapped) == 1, f"expected one libpq in the process, found {sorted(mapped)}"
    path = next(iter(mapped))
    assert "psycopg_binary.libs" in path, path
    lib = ctypes.CDLL(path)
    lib.PQsetAuthDataHook.argtypes = [AuthDataHook]
    lib.PQsetAuthDataHook.restype = None
    lib.PQdefaultAuthDataHook.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
    lib.PQdefaultAuthDataHook.restype = ctypes.c_int
    lib.PQsetErrorVerbosity.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.PQsetErrorVerbosity.restype = ctypes.c_int
    lib.path = path
    return lib


class TokenFlow:
    """A PQAUTHDATA_OAUTH_BEARER_TOKEN hook: hands libpq `token`, records what libpq asked with."""

    def __init__(self, lib):
        self.lib = lib
        self.token: bytes | None = None
        self.requests: list = []
        self.hook = AuthDataHook(self._hook)  # kept referenced while installed

    def _hook(self, kind, conn, data):
        if kind != PQAUTHDATA_OAUTH_BEARER_TOKEN:
            return self.lib.PQdefaultAuthDataHook(kind, conn, data)
        request = ctypes.cast(data, ctypes.POINTER(PGoauthBearerRequest)).contents
        self.requests.append((
            request.openid_configuration and request.openid_configuration.decode(),
            request.scope and request.scope.decode(),
        ))
        request.token = self.token  # libpq copies it before the hook's caller returns
        return 1

    def hand_out(self, token: str) -> None:
        self.token = token.encode()
        self.requests.clear()


@pytest.fixture(scope="module")
def flow(libpq):
    f = TokenFlow(libpq)
    libpq.PQsetAuthDataHook(f.hook)
    yield f
    libpq.PQsetAuthDataHook(AuthDataHook())  # NULL: reinstalls libpq's default handler


@pytest.fixture(scope="module")
def issuer_gateway():
    helper = subprocess.Popen(["node", str(HELPER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = helper.stdout.readline()
        assert line, f"{HELPER} exited without starting the gateway (see stderr)"
        yield json.loads(line)
    finally:
        helper.stdin.close()  # the helper stops the gateway and the issuer on EOF
        try:
            rc = helper.wait(timeout=20)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()
            raise
    assert rc == 0, f"{HELPER} exit status {rc}"


@pytest.fixture
def gw(issuer_gateway, flow, monkeypatch):
    monkeypatch.delenv("PGOAUTHDEBUG", raising=False)  # keep libpq's https-only rule for issuers
    flow.hand_out(issuer_gateway["tokens"][issuer_gateway["users"]["oauth"]]["valid"])
    return issuer_gateway


def params(gw, **overrides) -> dict:
    """Connection parameters for the dedicated gateway; an override of None leaves a parameter out."""
    p = dict(
        host=gw["host"], port=gw["port"], dbname="lakegate", user=gw["users"]["oauth"], sslmode="require",
        oauth_issuer=gw["issuer"], oauth_client_id=CLIENT_ID, connect_timeout=10,
    )
    p.update(overrides)
    return {k: v for k, v in p.items() if v is not None}


def token(gw, kind: str) -> str:
    return gw["tokens"][gw["users"]["oauth"]][kind]


def assert_signs_in(gw, **overrides) -> None:
    with psycopg.connect(**params(gw, **overrides)) as conn:
        assert conn.execute("select current_user, count(*) from tpch.tiny.nation").fetchone() == (gw["users"]["oauth"], 25)


def refused_verbosely(libpq, **conn_params) -> str:
    """A connection attempt through psycopg's libpq binding with PQERRORS_VERBOSE set before it
    starts, so the FATAL in the message carries its SQLSTATE (psycopg has no sqlstate for a failed
    connection). Returns the error message; fails if the attempt succeeds."""
    pgconn = pq.PGconn.connect_start(make_conninfo(**conn_params).encode())
    try:
        libpq.PQsetErrorVerbosity(pgconn.pgconn_ptr, PQERRORS_VERBOSE)
        status = pq.PollingStatus.WRITING
        deadline = time.monotonic() + 30
        while status not in (pq.PollingStatus.OK, pq.PollingStatus.FAILED):
            assert time.monotonic() < deadline, "the connection attempt did not finish in 30 s"
            waiting = [pgconn.socket]
            select.select(*((waiting, []) if status == pq.PollingStatus.READING else ([], waiting)), [], 1)
            status = pgconn.connect_poll()
        assert status == pq.PollingStatus.FAILED, "signed in"
        return pgconn.error_message.decode()
    finally:
        pgconn.finish()


def gateway_log(gw) -> str:
    return Path(gw["gatewayLog"]).read_text()


def await_logged(gw, line: str) -> None:
    """The reason reaches the gateway's log file shortly after the FATAL reaches the client."""
    deadline = time.monotonic() + 5
    while line not in gateway_log(gw) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert line in gateway_log(gw), gateway_log(gw)


def test_psycopg_runs_the_bundled_libpq_18_the_hook_is_set_on(libpq):
    assert pq.version() >= 180000
    assert ctypes.CDLL(libpq.path).PQlibVersion() == pq.version()
    # the hook setter called through ctypes lies in the one libpq psycopg is linked to
    address = ctypes.cast(libpq.PQsetAuthDataHook, ctypes.c_void_p).value
    assert any(start <= address < end for start, end in libpq_mappings()[libpq.path])


def test_valid_token_signs_in_and_the_hook_saw_the_gateways_discovery_uri_and_scope(gw, flow):
    assert_signs_in(gw)
    # one hook call, after libpq's discovery round trip: the gateway's RFC 7628 error JSON
    # named the discovery document of the rule's issuer and the rule's scope
    assert flow.requests == [(gw["discovery"], gw["scope"])]


def test_oauth_issuer_given_as_the_discovery_uri(gw, flow):
    # libpq then knows the discovery URI up front and asks the hook before the server has sent
    # anything, so the hook gets no scope (the token carries the rule's scopes anyway)
    assert_signs_in(gw, oauth_issuer=gw["discovery"])
    assert flow.requests == [(gw["discovery"], None)]


@pytest.mark.parametrize("kind, reason", [
    ("expired", 'ERR_JWT_EXPIRED'),
    ("wrongAudience", 'ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "aud" claim value'),
    ("unknownKey", "ERR_JWKS_NO_MATCHING_KEY"),
    ("algNone", "ERR_JOSE_ALG_NOT_ALLOWED"),
])
def test_bad_token_is_refused_with_28000_then_a_valid_one_signs_in(gw, flow, libpq, kind, reason):
    user = gw["users"]["oauth"]
    bad = token(gw, kind)
    flow.hand_out(bad)
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(**params(gw)).close()
    message = str(refused.value)
    # libpq discovered, took the hook's token, retried with it, and the gateway refused it
    assert "retrying connection with new bearer token" in message
    assert f'FATAL:  OAuth bearer authentication failed for user "{user}"' in message
    assert flow.requests == [(gw["discovery"], gw["scope"])]
    assert f'FATAL:  28000: OAuth bearer authentication failed for user "{user}"' in refused_verbosely(libpq, **params(gw))
    await_logged(gw, f'OAuth bearer authentication failed for user "{user}": {reason}')
    payload, signature = bad.split(".")[1:]
    assert payload not in gateway_log(gw) and (signature == "" or signature not in gateway_log(gw)), "the token reached the log"

    flow.hand_out(token(gw, "valid"))
    assert_signs_in(gw)


@pytest.mark.parametrize("variant", ["another issuer", "the discovery URI over http", "no oauth_issuer"])
def test_libpq_refuses_before_asking_for_a_token(gw, flow, variant):
    other = gw["issuer"].replace("127.0.0.1", "localhost")
    plain = gw["discovery"].replace("https://", "http://")
    overrides, expected = {
        "another issuer": (
            {"oauth_issuer": other},
            f'server\'s discovery document at {gw["discovery"]} (issuer "{gw["issuer"]}") is incompatible with oauth_issuer ({other})',
        ),
        "the discovery URI over http": (
            {"oauth_issuer": plain},
            f'OAuth discovery URI "{plain}" must use HTTPS',
        ),
        "no oauth_issuer": (
            {"oauth_issuer": None},
            "server requires OAuth authentication, but oauth_issuer and oauth_client_id are not both set",
        ),
    }[variant]
    logged_before = len(gateway_log(gw))
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(**params(gw, **overrides)).close()
    assert expected in str(refused.value)
    assert flow.requests == [], "libpq asked for a token"  # so no token was ever sent
    time.sleep(0.2)
    # the gateway verified no token (it logs the reason for every refused one); when libpq gives
    # up before answering, it only logs `closing connection: 08006 connection closed during authentication`
    assert "OAuth bearer authentication failed" not in gateway_log(gw)[logged_before:]
    assert_signs_in(gw)
