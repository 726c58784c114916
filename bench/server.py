"""Home-server benchmark: a real `personal-agent serve` on loopback, driven over HTTP.

- text: 50 concurrent clients (50 users, one device each) doing typed turns on the local path
  ("what time is it": intent recognizer, per-user database, no LLM), after one warm-up turn each;
- audio: 5 concurrent clients uploading a real 2.9 s recording (transcribe + answer + Piper speech),
  after one warm-up turn that loads the models.

Prints ONE JSON object: p50/p95 latency (ms), throughput (turns/s) and errors (a turn that failed or was
not 200, by status) for both, and the load average.

``--postgres``: the scale path: the server on a throw-away PostgreSQL (initdb on loopback, its default
``max_connections`` 100), each user's data in its own schema, and by default 200 concurrent text clients
and 20 audio clients (bounded: every request has a deadline, sign-ins at most 8 at once, retried on 429).

``--flood``: the server under attack instead (bounded, loopback only; default login limits; the server
set up as behind the reverse proxy, so X-Forwarded-For names the client): for ``--flood-s`` seconds
- a login flood: wrong passwords for alice from rotating addresses and for many made-up names;
- oversized bodies: JSON sign-ins of 64 MB and audio uploads of 256 MB without a token (413/401 early?);
- slow clients: connections trickling their headers, and sign-ins trickling their body (slowloris);
meanwhile alice signs in with her password every half second from her home address. Prints ONE JSON
object: the server's peak RSS, what each attack got, alice's sign-in statuses and latency, load average.
Usage: .venv/bin/python bench/server.py [--text-clients 50] [--text-turns 20] [--audio-clients 5] [--audio-turns 2]
       .venv/bin/python bench/server.py --postgres [--text-clients 200] [--audio-clients 20] [--audio-turns 1]
       .venv/bin/python bench/server.py --flood [--flood-s 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIP = ROOT.parent / "shared" / "audio" / "timit_ldc93s1.wav"
PASSWORD = "bench password 1"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def summary(lat_s: list[float], wall_s: float, errors: Counter[str] | None = None) -> dict[str, object]:
    """Latency of the turns that succeeded; ``errors``: the others, by HTTP status or exception name."""
    errs = errors or Counter()
    ok: dict[str, object] = {"p50_ms": round(pct(lat_s, 0.5) * 1000, 1), "p95_ms": round(pct(lat_s, 0.95) * 1000, 1),
                             "mean_ms": round(statistics.fmean(lat_s) * 1000, 1)} if lat_s else {}
    return {"turns": len(lat_s), **ok, "throughput_per_s": round(len(lat_s) / wall_s, 2), "wall_s": round(wall_s, 2),
            "errors": sum(errs.values()), "errors_by_kind": dict(errs)}


async def timed(errors: Counter[str], request: Any) -> float | None:
    """Seconds a request took if it answered 200; else counts it in ``errors`` and returns None."""
    t0 = time.perf_counter()
    try:
        r = await request
    except httpx.HTTPError as exc:
        errors[type(exc).__name__] += 1
        return None
    if r.status_code != 200:
        errors[str(r.status_code)] += 1
        return None
    return time.perf_counter() - t0


def start(home: Path, models: Path, env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    from tests.servers.base import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update({"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "bench", "PA_LOG_LEVEL": "WARNING",
                "PA_STT__MODEL": str(models / "whisper-base"), "PA_STT__LANGUAGE": "en",
                **(env_extra if env_extra is not None else {"PA_SERVER__LOGIN_ATTEMPTS": "1000"})})
    with (home / "server.log").open("wb") as log:  # server_errors() reads it
        proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "serve", "--port", str(port)], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start within 120 s")


def add_users(home: Path, n: int) -> list[str]:
    os.environ.update({"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "bench"})
    from app.services import build_services

    sv = build_services()
    from app.server.tokens import signing_key

    signing_key()
    from datetime import timedelta

    from app.server.tokens import TokenIssuer
    from app.server.users import UserStore

    store = UserStore(sv.db, sv.audit, TokenIssuer("x" * 32, timedelta(minutes=1), timedelta(days=1)),
                      timedelta(minutes=5))
    names = [f"bench{i:03d}" for i in range(n)]
    for name in names:
        store.create_user(name, PASSWORD)
    sv.db.dispose()
    return names


async def login_all(http: httpx.AsyncClient, names: list[str]) -> list[dict[str, str]]:
    """Everyone signs in, at most 8 at once: the server checks two passwords at once and turns a long
    queue away (429, retried after its Retry-After)."""
    gate = asyncio.Semaphore(8)
    return list(await asyncio.gather(*(login(http, n, gate) for n in names)))


async def login(http: httpx.AsyncClient, name: str, gate: asyncio.Semaphore | None = None) -> dict[str, str]:
    async with gate or asyncio.Semaphore(1):
        for _ in range(20):
            r = await http.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD,
                                                             "device_name": "bench"})
            if r.status_code != 429:
                break
            await asyncio.sleep(float(r.headers.get("retry-after", "1")))
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def text_phase(url: str, names: list[str], turns: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=len(names) + 5, max_keepalive_connections=len(names) + 5)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        auths = await login_all(http, names)
        warm_errors: Counter[str] = Counter()
        errors: Counter[str] = Counter()

        def turn(h: dict[str, str], errs: Counter[str]) -> Any:
            return timed(errs, http.post("/api/v1/turns/text", json={"text": "what time is it"}, headers=h))

        t0 = time.perf_counter()
        await asyncio.gather(*(turn(h, warm_errors) for h in auths))  # per-user databases are created here
        warm_s = time.perf_counter() - t0

        async def client(h: dict[str, str]) -> list[float | None]:
            return [await turn(h, errors) for _ in range(turns)]

        t0 = time.perf_counter()
        lat = [x for xs in await asyncio.gather(*(client(h) for h in auths)) for x in xs if x is not None]
        return {"clients": len(names), **summary(lat, time.perf_counter() - t0, errors),
                "first_turns_s": round(warm_s, 2), "first_turn_errors": dict(warm_errors)}


async def audio_phase(url: str, names: list[str], turns: int) -> dict[str, object]:
    data = CLIP.read_bytes()
    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        auths = await login_all(http, names)

        async def turn(h: dict[str, str], errs: Counter[str]) -> float | None:
            t0 = time.perf_counter()
            try:
                r = await http.post("/api/v1/turns/audio", files={"file": ("clip.wav", data, "audio/wav")}, headers=h)
            except httpx.HTTPError as exc:
                errs[type(exc).__name__] += 1
                return None
            body = r.json() if r.status_code == 200 else {}
            if r.status_code != 200 or "suit" not in body.get("transcript", "").lower() or body.get("audio") is None:
                errs[str(r.status_code) if r.status_code != 200 else "wrong transcript or no audio"] += 1
                return None
            return time.perf_counter() - t0

        warm = await turn(auths[0], errors)  # loads Whisper and the Piper voice

        async def client(h: dict[str, str]) -> list[float | None]:
            return [await turn(h, errors) for _ in range(turns)]

        t0 = time.perf_counter()
        lat = [x for xs in await asyncio.gather(*(client(h) for h in auths)) for x in xs if x is not None]
        return {"clients": len(names), "clip": CLIP.name, "clip_s": 2.9,
                "warm_up_ms": round(warm * 1000, 1) if warm is not None else None,
                **summary(lat, time.perf_counter() - t0, errors)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--text-clients", type=int, default=None, help="default 50; 200 with --postgres")
    ap.add_argument("--text-turns", type=int, default=None, help="default 20; 5 with --postgres")
    ap.add_argument("--audio-clients", type=int, default=None, help="default 5; 20 with --postgres")
    ap.add_argument("--audio-turns", type=int, default=None, help="default 2; 1 with --postgres")
    ap.add_argument("--postgres", action="store_true", help="the server on a throw-away PostgreSQL (the scale path)")
    ap.add_argument("--flood", action="store_true", help="the flood scenario instead (bench/server_flood.py)")
    ap.add_argument("--flood-s", type=float, default=20.0)
    args = ap.parse_args()
    scale = args.postgres
    text_clients = args.text_clients or (200 if scale else 50)
    text_turns = args.text_turns or (5 if scale else 20)
    audio_clients = args.audio_clients or (20 if scale else 5)
    audio_turns = args.audio_turns or (1 if scale else 2)
    from audio.models import install_whisper_base

    models = Path(os.environ.get("PA_TEST_MODELS_DIR") or Path(tempfile.gettempdir()) / "pa-bench-models")
    install_whisper_base(models)
    if args.flood:
        run_flood(models, args.flood_s)
        return
    at_start = machine()
    with tempfile.TemporaryDirectory(prefix="pa-bench-server-") as tmp, database(scale) as db_url:
        home = Path(tmp)
        env = {"PA_SERVER__LOGIN_ATTEMPTS": "1000", **({"PA_DATABASE_URL": db_url} if db_url else {})}
        if db_url:
            os.environ["PA_DATABASE_URL"] = db_url
        names = add_users(home, max(text_clients, audio_clients))
        proc, url = start(home, models, env)
        try:
            text = asyncio.run(text_phase(url, names[:text_clients], text_turns))
            audio = asyncio.run(audio_phase(url, names[:audio_clients], audio_turns))
        finally:
            stop(proc)
        errors = server_errors(home)
    database_name = "PostgreSQL (throw-away, loopback, max_connections 100)" if scale else "SQLite"
    print(json.dumps({"bench": "server", "machine": at_start, "load_avg_end": machine()["load_avg"],
                      "server": f"personal-agent serve (uvicorn, 1 process, {database_name})",
                      "text_turns_local": text, "audio_turns": audio, "server_errors": errors}))


def server_errors(home: Path, top: int = 3) -> dict[str, int]:
    """The most frequent error lines of the server's log (exception types and messages, first 160 chars)."""
    log = home / "server.log"
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found = Counter(ln.strip()[:160] for ln in lines
                    if ln[:1].isalpha() and ("Error" in ln.split(":", 1)[0] or "FATAL" in ln) and "Traceback" not in ln)
    return dict(found.most_common(top))


def database(postgres: bool) -> AbstractContextManager[str | None]:
    """A throw-away PostgreSQL's URL (tests/servers/postgres.py), or None for the SQLite default."""
    if not postgres:
        return nullcontext(None)
    from contextlib import contextmanager

    from tests.servers.postgres import running_postgres

    @contextmanager
    def pg() -> Any:
        with running_postgres(user="pa_bench", dbname="personal_agent") as server:
            yield server.url

    return pg()


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn then waits for open connections), SIGKILL after 20 s."""
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_avg": [round(x, 2) for x in os.getloadavg()]}


def run_flood(models: Path, seconds: float) -> None:
    from server_flood import flood  # bench/ is on sys.path when this file runs as a script

    with tempfile.TemporaryDirectory(prefix="pa-bench-flood-") as tmp:
        home = Path(tmp)
        add_users(home, 0)
        os.environ.update({"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "bench"})
        from app.services import build_services

        sv = build_services()
        from app.server.tokens import TokenIssuer
        from app.server.users import UserStore

        UserStore(sv.db, sv.audit, TokenIssuer("x" * 32, timedelta(minutes=1), timedelta(days=1)),
                  timedelta(minutes=5)).create_user("alice", PASSWORD)
        sv.db.dispose()
        # default limits; the server as behind the reverse proxy: X-Forwarded-For from loopback names the client
        proc, url = start(home, models, {"PA_SERVER__FORWARDED_ALLOW_IPS": "127.0.0.1"})
        at_start = machine()
        try:
            result = asyncio.run(flood(url, proc.pid, PASSWORD, seconds))
            alive = proc.poll() is None and httpx.get(url + "/api/v1/health", timeout=30).status_code == 200
        finally:
            stop(proc)
    print(json.dumps({"bench": "server-flood", "machine": at_start, "load_avg_end": machine()["load_avg"],
                      "server": "personal-agent serve (uvicorn, 1 process, SQLite), default limits, "
                                "X-Forwarded-For trusted from 127.0.0.1 (as behind the proxy)",
                      "server_alive_after": alive, **result}))


if __name__ == "__main__":
    main()
