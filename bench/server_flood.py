"""The flood scenario of bench/server.py (``--flood``): a running home server on loopback under a login
flood, oversized bodies and slow clients, while the right user keeps signing in. Bounded: a fixed
number of connections and bytes, for a fixed time."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

ALICE_HOME = "192.168.1.10"  # alice's address at home (the proxy passes it in X-Forwarded-For)


def rss_kb(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))] if s else float("nan")


async def _login_flood(url: str, until: float, names: int, concurrency: int) -> dict[str, Any]:
    """Wrong passwords: alice from rotating addresses (distributed guessing) and made-up names from a
    few addresses (spraying)."""
    statuses: dict[str, int] = {}
    rng = random.Random(17)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def worker(i: int) -> None:
            n = 0
            while time.monotonic() < until:
                n += 1
                if (i + n) % 2:
                    user, addr = "alice", f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                else:
                    user, addr = f"user{rng.randrange(names)}", f"203.0.113.{rng.randrange(1, 9)}"
                try:
                    r = await http.post("/api/v1/auth/login", headers={"X-Forwarded-For": addr},
                                        json={"username": user, "password": f"guess-{n}-{i}"})
                    key = str(r.status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                statuses[key] = statuses.get(key, 0) + 1

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return {"requests": sum(statuses.values()), "statuses": statuses, "concurrency": concurrency}


async def _oversized(host: str, port: int, path: str, headers: str, size: int) -> dict[str, Any]:
    """Send a body of ``size`` bytes (announced in Content-Length) until the server answers or closes;
    how much it took before it answered, and with what."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {size}\r\n{headers}\r\n".encode())
    sent, chunk, status = 0, b"0" * (256 << 10), "none"
    read = asyncio.ensure_future(reader.readline())
    t0 = time.monotonic()
    try:
        while sent < size and not read.done():
            writer.write(chunk[: size - sent])
            await asyncio.wait_for(writer.drain(), 30)
            sent += min(len(chunk), size - sent)
        line = await asyncio.wait_for(read, 60)
        status = line.split()[1].decode() if len(line.split()) > 1 else "closed"
    except (ConnectionError, TimeoutError):  # the server answered and closed while we were still sending
        first = read.result() if read.done() and read.exception() is None else b""
        status = first.split()[1].decode() if len(first.split()) > 1 else "reset by server"
    finally:
        read.cancel()
        writer.close()
    return {"status": status, "sent_mb": round(sent / 2**20, 1), "answered_after_s": round(time.monotonic() - t0, 3)}


async def _slow_client(host: str, port: int, until: float, body: bool) -> str:
    """Slowloris: trickle header lines (or, with ``body``, a sign-in body) one piece a second; whether
    the server closed the connection before ``until``."""
    reader, writer = await asyncio.open_connection(host, port)
    if body:
        writer.write(f"POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     "Content-Length: 4000\r\n\r\n{".encode())
    else:
        writer.write(f"GET /api/v1/health HTTP/1.1\r\nHost: {host}\r\n".encode())
    try:
        i = 0
        while time.monotonic() < until:
            writer.write(b" " if body else f"X-Slow-{i}: {'a' * 10}\r\n".encode())
            await asyncio.wait_for(writer.drain(), 5)
            i += 1
            try:
                data = await asyncio.wait_for(reader.read(1024), 1.0)
                if not data:
                    return "closed by server"
                return "answered " + data.split(b" ")[1].decode(errors="replace")
            except TimeoutError:
                continue
        return "still open"
    except (ConnectionError, TimeoutError):
        return "closed by server"
    finally:
        writer.close()


async def _alice(url: str, password: str, until: float) -> dict[str, Any]:
    """The right user signs in every half second, each time on a fresh connection."""
    lat: list[float] = []
    statuses: dict[str, int] = {}
    while time.monotonic() < until:
        t0 = time.perf_counter()
        try:
            async with httpx.AsyncClient(base_url=url, timeout=60) as http:
                r = await http.post("/api/v1/auth/login", headers={"X-Forwarded-For": ALICE_HOME},
                                    json={"username": "alice", "password": password, "device_name": "phone"})
            key = str(r.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        lat.append(time.perf_counter() - t0)
        statuses[key] = statuses.get(key, 0) + 1
        await asyncio.sleep(0.5)
    return {"logins": len(lat), "statuses": statuses, "p50_ms": round(_pct(lat, 0.5) * 1000, 1),
            "p95_ms": round(_pct(lat, 0.95) * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1)}


def _count(results: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        key = r if isinstance(r, str) else type(r).__name__
        out[key] = out.get(key, 0) + 1
    return out


async def flood(url: str, pid: int, password: str, seconds: float, *, concurrency: int = 64,
                names: int = 500, oversized: int = 8, slow: int = 100) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:  # alice signed in from home before
        r = await http.post("/api/v1/auth/login", headers={"X-Forwarded-For": ALICE_HOME},
                            json={"username": "alice", "password": password, "device_name": "laptop"})
        r.raise_for_status()
    before_kb = rss_kb(pid, "VmRSS")
    t0 = time.monotonic()
    until = t0 + seconds
    alice = asyncio.ensure_future(_alice(url, password, until))
    logins = asyncio.ensure_future(_login_flood(url, until, names, concurrency))
    slow_tasks = [asyncio.ensure_future(_slow_client(host, int(port), until, body=i % 2 == 1)) for i in range(slow)]
    big = await asyncio.gather(
        *(_oversized(host, int(port), "/api/v1/auth/login", "Content-Type: application/json\r\n", 64 << 20)
          for _ in range(oversized // 2)),
        *(_oversized(host, int(port), "/api/v1/meetings",
                     "Content-Type: multipart/form-data; boundary=x\r\n", 256 << 20) for _ in range(oversized // 2)),
        return_exceptions=True)
    slow_results = await asyncio.gather(*slow_tasks, return_exceptions=True)
    flood_result = await logins
    alice_result = await alice
    return {
        "flood_s": round(time.monotonic() - t0, 1),
        "server_rss_mb": {"before": round(before_kb / 1024, 1), "peak": round(rss_kb(pid, "VmHWM") / 1024, 1),
                          "after": round(rss_kb(pid, "VmRSS") / 1024, 1)},
        "login_flood": flood_result,
        "oversized_bodies": [b if isinstance(b, dict) else {"error": type(b).__name__} for b in big],
        "slow_clients": {"connections": slow, "outcomes": _count(slow_results)},
        "alice_signs_in_during_flood": alice_result,
    }
