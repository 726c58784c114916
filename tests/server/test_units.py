"""Auth building blocks without a server: password hashing, JWTs, the login limiter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.server.passwords import PasswordPolicyError, hash_password, verify_password
from app.server.ratelimit import FailureLimiter, RateLimited
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


def test_limiter_window_and_keys() -> None:
    now = [0.0]
    lim = FailureLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        lim.check("Alice", "1.2.3.4")
        lim.failed("alice", "1.2.3.4")
    with pytest.raises(RateLimited) as exc:
        lim.check("ALICE", "1.2.3.4")
    assert 1 <= exc.value.retry_after_s <= 61
    lim.check("alice", "5.6.7.8")  # another address: under the per-name limit still
    lim.check("bob", "1.2.3.4")
    now[0] = 61.0
    lim.check("alice", "1.2.3.4")  # the window passed
    lim.failed("bob", "9.9.9.9")
    lim.succeeded("bob", "9.9.9.9")
    lim.check("bob", "9.9.9.9")


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
