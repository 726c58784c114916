"""Benchmark: the offline timeline digest of 1,000 posts (ranking, p50) and the posting round trip
(draft -> published, one post) against the local servers: mastodon-mock and the Bluesky XRPC stand-in
(p50/p95). Prints one JSON object with the load average. Run: .venv/bin/python bench/social.py"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.social.bluesky_client import BlueskyClient
from agents.social.config import BlueskyConfig, MastodonConfig
from agents.social.hub import make_draft, rank
from agents.social.mastodon_client import MastodonClient
from agents.social.models import Post
from tests.servers.base import stop_process_group
from tests.servers.bluesky import start_bluesky
from tests.servers.mastodon import start_mastodon

POSTS, DIGEST_RUNS, POST_RUNS = 1_000, 50, 30
TARGETS = {"digest_p50_ms": 20.0, "mastodon_post_p50_ms": 150.0, "bluesky_post_p50_ms": 100.0}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 2)


def digest_ms() -> list[float]:
    rnd = random.Random(7)
    posts = [Post(network="mastodon", id=str(i), author=f"Person {i % 200}", handle=f"p{i % 200}",
                  text=f"post {i} https://example.org/{i}", replies=rnd.randint(0, 40), boosts=rnd.randint(0, 90),
                  likes=rnd.randint(0, 300)) for i in range(POSTS)]
    out = []
    for _ in range(DIGEST_RUNS):
        t = time.perf_counter()
        rank(posts, 5)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    result: dict[str, object] = {"loadavg": [round(x, 2) for x in os.getloadavg()], "posts": POSTS}
    d = digest_ms()
    result["digest_p50_ms"] = pct(d, 0.5)
    with tempfile.TemporaryDirectory() as tmp:
        mastodon_server = start_mastodon(Path(tmp))
        bluesky_server, httpd = start_bluesky()
        try:
            mastodon = MastodonClient(MastodonConfig(base_url=mastodon_server.base_url), mastodon_server.token())
            me = bluesky_server.user("me.example.com")
            bluesky = BlueskyClient(BlueskyConfig(base_url=bluesky_server.base_url, handle=me.handle), me.password)
            bluesky.login()
            for name, client in (("mastodon", mastodon), ("bluesky", bluesky)):
                times = []
                for i in range(POST_RUNS):
                    draft = make_draft(f"Benchmark post {i}: hello https://example.org @bob.example.com",
                                       [name])  # type: ignore[list-item]
                    t = time.perf_counter()
                    res = client.publish(draft, draft.parts[name])  # type: ignore[index]
                    times.append((time.perf_counter() - t) * 1000)
                    assert res.ok, res.error
                result[f"{name}_post_p50_ms"] = pct(times, 0.5)
                result[f"{name}_post_p95_ms"] = pct(times, 0.95)
                result[f"{name}_post_mean_ms"] = round(statistics.mean(times), 2)
        finally:
            stop_process_group(mastodon_server.proc)
            httpd.shutdown()
    result["targets"] = TARGETS
    result["met"] = {k: float(result[k]) <= v for k, v in TARGETS.items()}  # type: ignore[arg-type]
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
