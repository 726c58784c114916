"""Auth building blocks without a server: password hashing, JWTs, the login limiter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.server.passwords import PasswordPolicyError, hash_password, verify_password
from app.server.ratelimit import FailureLimiter, PairingLimiter, RateLimited
from app.server.tokens import TokenError, TokenIssuer

pytestmark = pytest.mark.unit
KEY = "k" * 40


def test_password_hash_is_argon2id_and_verifies() -> None:
    h = hash_password("correct horse")
    assert h.startswith("$argon2id$") and "correct horse" not in h
    assert verify_password(h, "correct horse") and not verify_password(h, "correct hors")
    assert not verify_password(None, "correct horse") and not verify_password("garbage", "x")
    with pytest.raises(PasswordPolicyError):
        hash_password("short")


def test_tokens_expire_and_are_typed() -> None:
    issuer = TokenIssuer(KEY, timedelta(minutes=1), timedelta(days=1))
    tok, claims = issuer.issue("access", 7, 3)
    assert issuer.verify(tok, "access").user_id == 7 and claims.dev == 3
    with pytest.raises(TokenError, match="invalid"):
        issuer.verify(tok, "refresh")
    old, _ = issuer.issue("access", 7, 3, now=datetime.now(UTC) - timedelta(minutes=5))
    with pytest.raises(TokenError, match="expired"):
        issuer.verify(old, "access")
    with pytest.raises(TokenError):
        TokenIssuer("z" * 40, timedelta(minutes=1), timedelta(days=1)).verify(tok, "access")
    with pytest.raises(ValueError):
        TokenIssuer("short", timedelta(minutes=1), timedelta(days=1))


def test_limiter_waits_double_after_the_free_attempts_and_a_success_clears_its_own_counter() -> None:
    now = [0.0]
    lim = FailureLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        lim.reserve("Alice", "1.2.3.4")  # counted as failed until it succeeds
    waits = []
    for _ in range(8):
        with pytest.raises(RateLimited) as exc:
            lim.reserve("ALICE", "1.2.3.4")
        waits.append(exc.value.retry_after_s)
        now[0] += exc.value.retry_after_s
        lim.reserve("alice", "1.2.3.4")
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]  # doubling, at most the longest wait
    lim.reserve("alice", "5.6.7.8")  # another address: its own counter
    lim.succeeded("alice", "5.6.7.8")
    lim.reserve("bob", "1.2.3.4")
    lim.succeeded("bob", "1.2.3.4")
    for _ in range(3):  # the success forgot bob's failures: three free again
        lim.reserve("bob", "1.2.3.4")
    now[0] += 86401  # a day without failures: forgotten
    lim.reserve("alice", "1.2.3.4")


def test_an_attack_does_not_lock_out_a_user_who_knows_the_password() -> None:
    now = [0.0]
    lim = FailureLimiter(5, 300, clock=lambda: now[0])
    lim.reserve("bob", "10.0.0.1")
    lim.succeeded("bob", "10.0.0.1")  # bob signed in from the family's address before
    for i in range(50):  # someone at the same address sprays names
        lim.reserve(f"user{i}", "10.0.0.1")
    with pytest.raises(RateLimited):
        lim.reserve("carol", "10.0.0.1")  # the spray is slowed for names not known there
    lim.reserve("bob", "10.0.0.1")  # bob is not
    lim.succeeded("bob", "10.0.0.1")
    for i in range(20):  # alice's password guessed from many addresses
        lim.reserve("alice", f"172.16.0.{i}")
    with pytest.raises(RateLimited):
        lim.reserve("alice", "172.16.1.1")  # distributed guessing is slowed ...
    lim.reserve("bob", "192.168.1.9")  # ... for alice only


def test_pairing_failures_slow_the_guessers_and_not_a_fresh_phone() -> None:
    now = [0.0]
    lim = PairingLimiter(5, 300, clock=lambda: now[0])
    for _ in range(5):
        lim.reserve("pairing", "10.0.0.66")
    with pytest.raises(RateLimited):
        lim.reserve("pairing", "10.0.0.66")
    for i in range(20):  # many addresses, one wrong code each
        lim.reserve("pairing", f"172.16.0.{i}")
    with pytest.raises(RateLimited):
        lim.reserve("pairing", "172.16.0.3")  # under pressure an address that failed waits at once
    lim.reserve("pairing", "192.168.1.20")  # the household's new phone gets its try
    lim.succeeded("pairing", "192.168.1.20")


def test_file_cache_deletes_only_files_unused_for_a_day(tmp_path: object) -> None:
    import os
    import time
    from pathlib import Path

    from app.server.file_cache import DAY_S, FileCache

    root = Path(str(tmp_path)) / "audio"
    root.mkdir()
    old, fresh, replayed, partial = (root / n for n in ("old.wav", "fresh.wav", "replayed.wav", "x.partial"))
    for p in (old, fresh, replayed, partial):
        p.write_bytes(b"RIFF")
    two_days_ago = time.time() - 2 * DAY_S
    for p in (old, replayed, partial):
        os.utime(p, (two_days_ago, two_days_ago))
    cache = FileCache(root)
    cache.used(replayed)  # served again just now
    assert cache.sweep() == 2
    assert sorted(p.name for p in root.iterdir()) == ["fresh.wav", "replayed.wav"]
    assert FileCache(root / "missing").sweep() == 0


def test_reply_audio_store_sweeps_on_save(tmp_path: object) -> None:
    import os
    import time
    from pathlib import Path

    import numpy as np

    from app.server.speech import AudioStore
    from audio.tts import SpeechAudio

    store = AudioStore(Path(str(tmp_path)) / "audio", max_age_s=3600)
    first, path = store.save(SpeechAudio(samples=np.zeros(1600, np.float32), sample_rate=16000))
    assert store.path(first) == path
    hours_ago = time.time() - 7200
    os.utime(path, (hours_ago, hours_ago))
    store.cache.every_s = 0.0  # sweep on every save for the test
    second, _ = store.save(SpeechAudio(samples=np.zeros(1600, np.float32), sample_rate=16000))
    assert store.path(first) is None and store.path(second) is not None
