"""Session fixtures that start real servers on free loopback ports. One module per server;
add one import line per fixture (tests/conftest.py star-imports this module)."""

# ruff: noqa: F401
from tests.servers.postgres import postgres_server
