"""Schemathesis against the live OpenAPI schema of a real server: generated valid and invalid requests
to every operation; no 5xx, and every status code, content type, header and body as documented.
(Not checked: that unknown query parameters are refused; like most HTTP APIs the server ignores them.)

The requests go through a plain ``requests`` session: schemathesis' own transport breaks in this venv
because caldav pulls in urllib3-future, which replaces urllib3 (see DEPLOYMENT.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server.conftest import _server_env
from tests.server.live import LiveServer, start_server, stop_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# signing the fuzzing device out would turn the rest of the run into 401s; both are covered in test_auth
SKIP = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/devices/{device_id}")}
EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("fuzz-home"), _server_env(models_dir))
    yield server
    stop_server(server)


def test_live_schema_has_no_500s_and_no_violations(fuzz_server: LiveServer) -> None:
    client = fuzz_server.new_client("fuzz")
    auth = {"Authorization": f"Bearer {client.tokens['access_token']}"}
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/api/openapi.json")
    session = requests.Session()
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        op = result.ok()  # type: ignore[union-attr]  # Err raises: an invalid schema fails the test
        if (op.method.upper(), op.path) in SKIP:
            continue
        tested += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                      derandomize=True)
            @given(case=op.as_strategy(mode))
            def run(case: schemathesis.Case) -> None:
                kw = case.as_transport_kwargs(base_url=fuzz_server.url, headers=auth)
                resp = session.request(**kw, timeout=120)
                case.validate_response(resp, checks=CHECKS, transport_kwargs=kw)

            try:
                run()
            except Unsatisfiable:  # no invalid input exists (e.g. GET /health takes no parameters)
                assert mode == GenerationMode.NEGATIVE
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append(f"{op.method.upper()} {op.path} [{mode.value}]: {str(exc)[:3000]}")
    assert tested >= 15
    assert not failures, "\n\n".join(failures)
    assert fuzz_server.proc.poll() is None  # still alive
    assert "Traceback" not in fuzz_server.log.read_text()
