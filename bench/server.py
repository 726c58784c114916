"""Home-server benchmark: a real `personal-agent serve` on loopback, driven over HTTP.

- text: 50 concurrent clients (50 users, one device each) doing typed turns on the local path
  ("what time is it": intent recognizer, per-user database, no LLM), after one warm-up turn each;
- audio: 5 concurrent clients uploading a real 2.9 s recording (transcribe + answer + Piper speech),
  after one warm-up turn that loads the models.

Prints ONE JSON object: p50/p95 latency (ms) and throughput (turns/s) for both, and the load average.

``--flood``: the server under attack instead (bounded, loopback only; default login limits; the server
set up as behind the reverse proxy, so X-Forwarded-For names the client): for ``--flood-s`` seconds
- a login flood: wrong passwords for alice from rotating addresses and for many made-up names;
- oversized bodies: JSON sign-ins of 64 MB and audio uploads of 256 MB without a token (413/401 early?);
- slow clients: connections trickling their headers, and sign-ins trickling their body (slowloris);
meanwhile alice signs in with her password every half second from her home address. Prints ONE JSON
object: the server's peak RSS, what each attack got, alice's sign-in statuses and latency, load average.
Usage: .venv/bin/python bench/server.py [--text-clients 50] [--text-turns 20] [--audio-clients 5] [--audio-turns 2]
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
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIP = ROOT.parent / "shared" / "audio" / "timit_ldc93s1.wav"
PASSWORD = "bench password 1"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def summary(lat_s: list[float], wall_s: float) -> dict[str, float | int]:
    return {"turns": len(lat_s), "p50_ms": round(pct(lat_s, 0.5) * 1000, 1), "p95_ms": round(pct(lat_s, 0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(lat_s) * 1000, 1), "throughput_per_s": round(len(lat_s) / wall_s, 2),
            "wall_s": round(wall_s, 2)}


def start(home: Path, models: Path, env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    from tests.servers.base import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update({"PA_HOME": str(home), "PA_KEYRING_PASSWORD": "bench", "PA_LOG_LEVEL": "WARNING",
                "PA_STT__MODEL": str(models / "whisper-base"), "PA_STT__LANGUAGE": "en",
                **(env_extra if env_extra is not None else {"PA_SERVER__LOGIN_ATTEMPTS": "1000"})})
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


async def login(http: httpx.AsyncClient, name: str) -> dict[str, str]:
    r = await http.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD, "device_name": "bench"})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def text_phase(url: str, names: list[str], turns: int) -> dict[str, float | int]:
    limits = httpx.Limits(max_connections=len(names) + 5, max_keepalive_connections=len(names) + 5)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http:
        auths = await asyncio.gather(*(login(http, n) for n in names))

        async def turn(h: dict[str, str]) -> float:
            t0 = time.perf_counter()
            r = await http.post("/api/v1/turns/text", json={"text": "what time is it"}, headers=h)
            r.raise_for_status()
            assert r.json()["source"] == "local"
            return time.perf_counter() - t0

        await asyncio.gather(*(turn(h) for h in auths))  # warm-up: per-user databases are created here

        async def client(h: dict[str, str]) -> list[float]:
            return [await turn(h) for _ in range(turns)]

        t0 = time.perf_counter()
        lat = [x for xs in await asyncio.gather(*(client(h) for h in auths)) for x in xs]
        return {"clients": len(names), **summary(lat, time.perf_counter() - t0)}


async def audio_phase(url: str, names: list[str], turns: int) -> dict[str, float | int | str]:
    data = CLIP.read_bytes()
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        auths = await asyncio.gather(*(login(http, n) for n in names))

        async def turn(h: dict[str, str]) -> float:
            t0 = time.perf_counter()
            r = await http.post("/api/v1/turns/audio", files={"file": ("clip.wav", data, "audio/wav")}, headers=h)
            r.raise_for_status()
            body = r.json()
            assert "suit" in body["transcript"].lower() and body["audio"] is not None, body
            return time.perf_counter() - t0

        warm = await turn(auths[0])  # loads Whisper and the Piper voice

        async def client(h: dict[str, str]) -> list[float]:
            return [await turn(h) for _ in range(turns)]

        t0 = time.perf_counter()
        lat = [x for xs in await asyncio.gather(*(client(h) for h in auths)) for x in xs]
        return {"clients": len(names), "clip": CLIP.name, "clip_s": 2.9, "warm_up_ms": round(warm * 1000, 1),
                **summary(lat, time.perf_counter() - t0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--text-clients", type=int, default=50)
    ap.add_argument("--text-turns", type=int, default=20)
    ap.add_argument("--audio-clients", type=int, default=5)
    ap.add_argument("--audio-turns", type=int, default=2)
    ap.add_argument("--flood", action="store_true", help="the flood scenario instead (bench/server_flood.py)")
    ap.add_argument("--flood-s", type=float, default=20.0)
    args = ap.parse_args()
    from audio.models import install_whisper_base

    models = Path(os.environ.get("PA_TEST_MODELS_DIR") or Path(tempfile.gettempdir()) / "pa-bench-models")
    install_whisper_base(models)
    if args.flood:
        run_flood(models, args.flood_s)
        return
    with tempfile.TemporaryDirectory(prefix="pa-bench-server-") as tmp:
        home = Path(tmp)
        names = add_users(home, max(args.text_clients, args.audio_clients))
        proc, url = start(home, models)
        try:
            text = asyncio.run(text_phase(url, names[: args.text_clients], args.text_turns))
            audio = asyncio.run(audio_phase(url, names[: args.audio_clients], args.audio_turns))
        finally:
            proc.terminate()
            proc.wait(20)
    print(json.dumps({"bench": "server", "machine": machine(), "server": "personal-agent serve (uvicorn, 1 process, SQLite)",
                      "text_turns_local": text, "audio_turns": audio}))


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
