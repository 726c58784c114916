"""Schemathesis against the live OpenAPI schema of a real server, through its Python API:

- every operation, with generated valid and invalid requests, signed in: no 5xx, and every status
  code, content type, header and body as documented;
- every operation without a token: nothing but the documented answers, and 401 for every operation
  that needs sign-in (valid requests);
- stateful: chains along the schema's OpenAPI links (app/server/openapi_links.py), e.g. a pairing code
  -> its claim -> the new device's refresh or sign-out, a meeting list -> the meeting's detail, export
  and recording, a spoken text -> its WAV.

No response body may carry a traceback, and the server's log must have none at the end. Signing out
(logout, or revoking the fuzzing device) is fuzzed too: the fuzzer then signs in again.
(Not checked: that unknown query parameters are refused; like most HTTP APIs the server ignores them.)

The requests go through a plain ``requests`` session: schemathesis' own transport breaks in this venv
because caldav pulls in urllib3-future, which replaces urllib3 (see DEPLOYMENT.md). Hypothesis runs
derandomized with a bounded number of examples, so the run is repeatable and takes about a minute."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import SHARED_AUDIO
from tests.server.conftest import _server_env
from tests.server.live import PASSWORD, LiveServer, start_server, stop_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = 12  # per operation and generation mode, signed in
EXAMPLES_ANONYMOUS = 4
STATEFUL_SCENARIOS, STATEFUL_STEPS = 80, 6  # more operations (finance, meetings) thin out the link chains
TOKEN_FRESH_S = 600
SETTINGS: dict[str, Any] = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None,
                            "derandomize": True}


class Fuzzer:
    """One signed-in user and device as the fuzzer; signs in again when a request signed it out."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.username = server.add_user("fuzz")
        self.session = requests.Session()
        self.tokens: dict[str, Any] = {}
        self.signed_in_at = 0.0
        self.signed_out: list[str] = []  # the requests after which the fuzzer had to sign in again
        self.sign_in()

    def sign_in(self) -> None:
        r = self.session.post(f"{self.server.url}/api/v1/auth/login", timeout=60,
                              json={"username": self.username, "password": PASSWORD, "device_name": "fuzz"})
        assert r.status_code == 200, r.text
        self.tokens = r.json()
        self.signed_in_at = time.monotonic()

    @property
    def headers(self) -> dict[str, str]:
        if time.monotonic() - self.signed_in_at > TOKEN_FRESH_S:  # an access token lives 15 minutes
            self.sign_in()
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def _kwargs(self, case: schemathesis.Case, headers: dict[str, str] | None) -> dict[str, Any]:
        kw = case.as_transport_kwargs(base_url=self.server.url, headers=headers)
        if headers:  # schemathesis leaves the token out of some generated cases (stateful): signed in means signed in
            kw["headers"] = {**kw.get("headers", {}), **headers}
        return kw

    def send(self, case: schemathesis.Case, headers: dict[str, str] | None) -> tuple[requests.Response, dict[str, Any]]:
        kw = self._kwargs(case, headers)
        resp = self.session.request(**kw, timeout=300)
        assert "Traceback" not in resp.text[:200_000], f"{case.method} {case.path}: traceback in the body"
        if headers and resp.status_code in (204, 401) and \
                self.session.get(f"{self.server.url}/api/v1/auth/me", headers=self.headers,
                                 timeout=60).status_code == 401:
            self.signed_out.append(f"{case.method.upper()} {case.path} -> {resp.status_code}")
            self.sign_in()  # the request signed the fuzzer out (logout, revoking its own device)
            if resp.status_code == 401:  # it was signed out before: send it again, signed in
                kw = self._kwargs(case, self.headers)
                resp = self.session.request(**kw, timeout=300)
        return resp, kw


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("fuzz-home"), _server_env(models_dir))
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def fuzzer(fuzz_server: LiveServer) -> Fuzzer:
    fz = Fuzzer(fuzz_server)
    # one real meeting, so that the links from the meeting list reach a detail, an export and a recording
    with (SHARED_AUDIO / "timit_ldc93s1.wav").open("rb") as f:
        r = fz.session.post(f"{fuzz_server.url}/api/v1/meetings", headers=fz.headers, timeout=120,
                            files={"file": ("standup.wav", f, "audio/wav")}, data={"title": "Standup"})
    assert r.status_code == 202, r.text
    return fz


@pytest.fixture(scope="module")
def schema(fuzz_server: LiveServer) -> Any:
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/api/openapi.json")


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]  # Err raises: an invalid schema fails


def _needs_sign_in(server: LiveServer) -> set[tuple[str, str]]:
    raw = requests.get(f"{server.url}/api/openapi.json", timeout=60).json()
    return {(m.upper(), p) for p, ops in raw["paths"].items() for m, op in ops.items() if op.get("security")}


def _fuzz(fuzzer: Fuzzer, op: Any, mode: GenerationMode, examples: int, signed_in: bool,
          protected: bool) -> None:
    @settings(max_examples=examples, **SETTINGS)
    @given(case=op.as_strategy(mode))
    def run(case: schemathesis.Case) -> None:
        resp, kw = fuzzer.send(case, fuzzer.headers if signed_in else None)
        case.validate_response(resp, checks=CHECKS, transport_kwargs=kw)
        if protected and mode == GenerationMode.POSITIVE:
            assert resp.status_code == 401, f"{case.method} {case.path} without a token: {resp.status_code}"

    run()


def _collect(failures: list[str], label: str, fn: Any) -> None:
    try:
        fn()
    except Unsatisfiable:  # no invalid input exists (e.g. GET /health takes no parameters)
        assert "negative" in label
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        inner = "; ".join(f"{type(e).__name__}: {str(e)[:1500]}" for e in getattr(exc, "exceptions", ()))
        failures.append(f"{label}: {str(exc)[:3000]}{' -- ' + inner if inner else ''}")


def test_every_operation_signed_in_has_no_500s_and_no_violations(fuzz_server: LiveServer, fuzzer: Fuzzer,
                                                                  schema: Any) -> None:
    failures: list[str] = []
    ops = _operations(schema)
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _collect(failures, f"{op.method.upper()} {op.path} [{mode.value}]",
                     lambda op=op, mode=mode: _fuzz(fuzzer, op, mode, EXAMPLES, True, False))
    assert len(ops) >= 25
    assert not failures, "\n\n".join(failures)
    assert fuzz_server.proc.poll() is None  # still alive
    assert "Traceback" not in fuzz_server.log.read_text()


def test_every_operation_without_a_token(fuzz_server: LiveServer, fuzzer: Fuzzer, schema: Any) -> None:
    protected = _needs_sign_in(fuzz_server)
    assert len(protected) >= 20
    failures: list[str] = []
    for op in _operations(schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _collect(failures, f"{op.method.upper()} {op.path} [{mode.value}, no token]",
                     lambda op=op, mode=mode: _fuzz(fuzzer, op, mode, EXAMPLES_ANONYMOUS, False,
                                                    (op.method.upper(), op.path) in protected))
    assert not failures, "\n\n".join(failures)
    assert "Traceback" not in fuzz_server.log.read_text()


def test_stateful_chains_along_the_links(fuzz_server: LiveServer, fuzzer: Fuzzer, schema: Any) -> None:
    raw = requests.get(f"{fuzz_server.url}/api/openapi.json", timeout=60).json()
    links = [(m, p, name) for p, ops in raw["paths"].items() for m, op in ops.items()
             for r in op["responses"].values() for name in r.get("links", {})]
    assert len(links) >= 15, links
    seen: list[tuple[str, str, int]] = []

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: schemathesis.Case, **kwargs: Any) -> Response:
            resp, _ = fuzzer.send(case, fuzzer.headers)  # the token as of now (a step may have signed out)
            seen.append((case.method.upper(), case.path, resp.status_code))
            return Response.from_requests(resp, verify=True)

        def validate_response(self, response: Response, case: schemathesis.Case,
                              additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Machine.run(settings=settings(max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS,
                                  **SETTINGS))
    ok = {(m, p) for m, p, status in seen if status < 300}
    print(f"{len(seen)} requests; fuzzer signed in again after {fuzzer.signed_out}; succeeded: {sorted(ok)}")
    # chains really ran: operations that only a link can feed answered with success (a pairing claim
    # may get 429 instead: the fuzzing before spent this address's wrong-code allowance)
    assert ok & {("POST", "/api/v1/pairing/claim"), ("POST", "/api/v1/auth/refresh"), ("GET", "/api/v1/audio/{audio_id}"),
                 ("GET", "/api/v1/meetings/{meeting_id}"), ("GET", "/api/v1/meetings/{meeting_id}/export")}, \
        sorted(set(seen))
    protected = _needs_sign_in(fuzz_server)  # there 401 would mean the fuzzer was not signed in
    assert not [x for x in seen if x[2] == 401 and x[:2] in protected]
    assert fuzz_server.proc.poll() is None
    assert "Traceback" not in fuzz_server.log.read_text()
