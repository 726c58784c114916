"""Issue 17, encryption at rest on the home server: what it makes to serve in byte ranges (a spoken
reply, a meeting rendered to one WAV) is sealed on disk too, and served exactly as before (whole, in
ranges, the last bytes, 416 beyond the end)."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storage.sealed import MAGIC
from tests.server.live import Client, LiveServer, as_home, start_server, stop_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def sealed_server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("sealed-home")
    with as_home(home):
        from app.cli.main import cli

        res = CliRunner().invoke(cli, ["security", "encrypt"])
        assert res.exit_code == 0, res.output
    server = start_server(home, {"PA_STT__MODEL": str(models_dir / "whisper-base"), "PA_TIMEZONE": "Europe/Berlin"})
    yield server
    stop_server(server)


def _served_like_a_file(c: Client, url: str) -> bytes:
    full = c.get(url)
    assert full.status_code == 200 and full.content[:4] == b"RIFF" and full.headers["accept-ranges"] == "bytes"
    assert int(full.headers["content-length"]) == len(full.content)
    n = len(full.content)
    part = c.get(url, headers={"Range": "bytes=100-70099"})  # 64 KiB segments (format 1) ended there
    assert part.status_code == 206 and part.content == full.content[100:70100]
    assert part.headers["content-range"] == f"bytes 100-70099/{n}"
    tail = c.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == full.content[-10:]
    assert c.get(url, headers={"Range": f"bytes={n + 10}-"}).status_code == 416
    assert c.get(url, headers={"Range": "bytes=abc"}).status_code == 416
    return full.content


def _sealed_on_disk(folder: Path, plain: bytes) -> None:
    files = [p for p in folder.iterdir() if p.is_file()]
    assert files
    for p in files:
        raw = p.read_bytes()
        assert raw.startswith(MAGIC), p
        assert all(plain[i:i + 64] not in raw for i in range(44, len(plain) - 64, len(plain) // 16))


def test_spoken_replies_and_rendered_recordings_are_sealed(sealed_server: LiveServer, shared_audio: Path) -> None:
    c = sealed_server.new_client()
    r = c.post("/api/v1/speech", json={"text": "Your balance is one thousand two hundred euros.", "language": "en"})
    assert r.status_code == 201, r.text
    spoken = _served_like_a_file(c, r.json()["url"])
    with wave.open(io.BytesIO(spoken)) as w:
        assert w.getnframes() / w.getframerate() > 1.0
    _sealed_on_disk(sealed_server.home / "data" / "server" / "audio", spoken)

    with (shared_audio / "jfk.flac").open("rb") as f:
        r = c.post("/api/v1/meetings", files={"file": ("jfk.flac", f, "audio/flac")}, data={"title": "Address"})
    assert r.status_code == 202, r.text
    meeting_id, deadline = r.json()["id"], time.monotonic() + 300
    while (body := c.get(f"/api/v1/meetings/{meeting_id}").json())["state"] in ("recording", "processing", "paused"):
        assert time.monotonic() < deadline
        time.sleep(1)
    assert body["state"] == "done", body
    audio = _served_like_a_file(c, str(body["recording_url"]))
    with wave.open(io.BytesIO(audio)) as w:
        assert abs(w.getnframes() / w.getframerate() - 11.0) < 0.5
        assert len(audio) == 44 + w.getnframes() * w.getnchannels() * 2  # the header says what follows
    _sealed_on_disk(sealed_server.home / "data" / "server" / "recordings", audio)
