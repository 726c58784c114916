"""Benchmark: what the OAuth sign-in adds to a mail login. A token refresh against the local OAuth server,
and an IMAP login with a password vs. SASL XOAUTH2 on the real Dovecot (its oauth2 passdb asks the server's
introspection endpoint on every login). Prints one JSON object with the load average and the targets.
Run: .venv/bin/python bench/oauth.py"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import imapclient

from agents.communication.oauth import OAuthClient, OAuthSession
from tests.servers.dovecot import start_dovecot, stop_dovecot
from tests.servers.oauth import start_oauth_server

RUNS = 20
TARGETS = {"refresh_p50_ms": 150.0, "xoauth2_login_overhead_p50_ms": 150.0}  # on loopback, 2 loaded cores


def p50_ms(fn: Callable[[], Any]) -> dict[str, float]:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    load_before = os.getloadavg()
    oauth, stop_oauth = start_oauth_server()
    dovecot = start_dovecot()
    try:
        dovecot.enable_oauth2(oauth.endpoint("introspect"))
        user = dovecot.add_user("bench")
        client = OAuthClient.for_provider("microsoft", "mail", oauth.add_client(), issuer=oauth.issuer)
        grant = oauth.grant_tokens(user.name, client.client_id, " ".join(client.scopes))
        session = OAuthSession(client, grant["refresh_token"], account="bench")
        refresh = p50_ms(lambda: session.access_token(force=True))
        token = session.access_token()
        ctx = dovecot.cert.client_context()

        def login(oauth_login: bool) -> None:
            conn = imapclient.IMAPClient("127.0.0.1", dovecot.imaps_port, ssl_context=ctx, timeout=30)
            if oauth_login:
                conn.oauth2_login(user.name, token)
            else:
                conn.login(user.name, user.password)
            conn.logout()

        password = p50_ms(lambda: login(False))
        xoauth2 = p50_ms(lambda: login(True))
    finally:
        stop_dovecot(dovecot)
        stop_oauth()
    overhead = round(xoauth2["p50_ms"] - password["p50_ms"], 1)
    print(json.dumps({
        "benchmark": "oauth", "runs": RUNS, "load_avg_1m_before": round(load_before[0], 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "token_refresh": refresh, "imap_login_password": password, "imap_login_xoauth2": xoauth2,
        "xoauth2_login_overhead_p50_ms": overhead, "introspections": oauth.introspections, "targets": TARGETS,
        "met": {"refresh_p50_ms": refresh["p50_ms"] <= TARGETS["refresh_p50_ms"],
                "xoauth2_login_overhead_p50_ms": overhead <= TARGETS["xoauth2_login_overhead_p50_ms"]},
    }))


if __name__ == "__main__":
    main()
