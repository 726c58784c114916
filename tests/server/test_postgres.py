"""The server on PostgreSQL (as in docker-compose): shared tables in one database, each user's assistant
data in its own schema; two users' notes stay apart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.server.conftest import _server_env
from tests.server.live import LiveServer, start_server, stop_server
from tests.servers.postgres import PostgresServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path,
              postgres_server: PostgresServer) -> Iterator[LiveServer]:
    url = postgres_server.fresh_database("pa_server_test")
    server = start_server(tmp_path_factory.mktemp("pg-home"), {**_server_env(models_dir), "PA_DATABASE_URL": url})
    yield server
    stop_server(server)


def test_users_get_their_own_schema_on_postgres(pg_server: LiveServer) -> None:
    alice, bob = pg_server.new_client("alice"), pg_server.new_client("bob")
    r = alice.post("/api/v1/turns/text", json={"text": "remember that the garage code is 2580"})
    assert r.status_code == 200, r.text
    recall = alice.post("/api/v1/turns/text", json={"text": "what do you know about the garage code"}).json()
    assert "2580" in recall["text"]
    other = bob.post("/api/v1/turns/text", json={"text": "what do you know about the garage code"}).json()
    assert "2580" not in other["text"]
    assert pg_server.database_url is not None
    eng = create_engine(pg_server.database_url)
    with eng.connect() as conn:
        schemas = set(conn.scalars(text("SELECT schema_name FROM information_schema.schemata")))
        ids = [alice.tokens["user"]["id"], bob.tokens["user"]["id"]]
        assert {f"pa_user_{i}" for i in ids} <= schemas
        facts = conn.scalar(text(f"SELECT count(*) FROM pa_user_{ids[0]}.agent_facts"))
        assert facts == 1
        assert conn.scalar(text(f"SELECT count(*) FROM pa_user_{ids[1]}.agent_facts")) == 0
        assert conn.scalar(text("SELECT count(*) FROM public.server_users")) == 2
    eng.dispose()
