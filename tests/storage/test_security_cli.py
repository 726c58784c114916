"""`personal-agent security encrypt|rotate-key|status` on a real installation: an existing plaintext
database (with a meeting transcript in its full-text index) and recordings are encrypted, search still
finds the transcript, no file in the data folder (database, WAL, recordings, key file) holds any of
it afterwards; the key rotates; a copy of the data folder with its keyring opens elsewhere; a wrong or
missing key ends in one line and changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agents.domains import migration_folders
from agents.meetings.store import MeetingStore
from app import secrets
from app.security import load_keys
from audio.meeting.models import TranscriptSegment
from storage.db.engine import Database, default_database_url
from storage.db.sqlcipher import opens_with
from storage.encrypted import SealedBackend
from storage.local import LocalBackend
from tests.foundation.test_cli_errors import one_line_failure

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "security-cli"
WORD = "Pumpernickel"
SECRET_TEXT = f"Das Zauberwort heißt {WORD}, die Größe des Budgets bleibt geheim."
AUDIO = b"fLaC" + f"{WORD} recorded audio ".encode() * 500


def run(home: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env |= {"PA_HOME": str(home), "PA_KEYRING_PASSWORD": password, "PA_TIMEZONE": "Europe/Berlin"}
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT, env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=300)


def ok(res: subprocess.CompletedProcess[bytes]) -> str:
    assert res.returncode == 0, res.stderr.decode()[-3000:]
    return res.stdout.decode()


def leaks(home: Path) -> list[str]:
    """Files under the home holding the transcript or the audio in the clear (any form of the word)."""
    needles = [WORD.encode(), WORD.lower().encode(), WORD.encode("utf-16-le"), "Größe".encode()]
    return [str(p) for p in home.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def snapshot(home: Path) -> dict[str, str]:
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file()}


@pytest.fixture
def installation(tmp_path: Path) -> Path:
    """An installation from before encryption: a meeting with its transcript, and its audio."""
    home = tmp_path / "home"
    data = home / "data"
    db = Database(default_database_url(data), migration_folders())
    db.migrate()
    store = MeetingStore(db)
    store.create("m1", "Budget", "mic", 1, "local", "meetings/m1", "h:1")
    store.add_segment("m1", TranscriptSegment(start=12.0, end=15.0, text=SECRET_TEXT, speaker="S1"))
    db.dispose()
    LocalBackend(data / "recordings").save("meetings/m1/seg-00000.flac", AUDIO)
    assert leaks(home)  # the plaintext is there to begin with
    return home


def test_encrypt_search_rotate_and_restore(installation: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    home = installation
    out = ok(run(home, "security", "encrypt"))
    assert "database: encrypted (1 file)" in out and "recordings encrypted now: 1" in out
    assert leaks(home) == []
    assert not list(home.rglob("*.pa-part"))

    out = ok(run(home, "meeting", "search", WORD))  # FTS5 inside SQLCipher: search still works
    assert f"[{WORD}]" in out and "00:12" in out
    assert leaks(home) == []  # also not in the WAL the search left behind

    again = ok(run(home, "security", "encrypt"))  # idempotent: nothing left to do
    assert "already encrypted" in again and "recordings encrypted now: 0" in again
    status = ok(run(home, "security", "status", "--scan"))
    assert "encrypted (SQLCipher)" in status and "unencrypted: 0" in status
    old_kek = status.split("key ", 1)[1].split(" ", 1)[0]

    key_file = home / "data" / "encryption-keys.json"
    old_db_key = json.loads(key_file.read_text())["database"]
    out = ok(run(home, "security", "rotate-key", "--reencrypt"))
    # the search recovered the meeting (it was left "recording") and wrote its manifest: sealed too
    assert f"replaces {old_kek}" in out and re.search(r"recordings re-encrypted: [12];", out)
    new_db_key = json.loads(key_file.read_text())["database"]
    assert new_db_key != old_db_key and f"database key now {new_db_key}" in out  # the database re-keyed too
    assert leaks(home) == []
    assert f"[{WORD}]" in ok(run(home, "meeting", "search", WORD))

    # restore: a copy of the data folder (with its encrypted keyring file) on another machine
    restored = tmp_path / "restored"
    shutil.copytree(home, restored)
    out = ok(run(restored, "meeting", "search", WORD))
    assert f"[{WORD}]" in out
    raw = LocalBackend(restored / "data" / "recordings")
    assert raw.load("meetings/m1/seg-00000.flac") != AUDIO
    monkeypatch.setenv("PA_HOME", str(restored))
    monkeypatch.setenv("PA_KEYRING_PASSWORD", PASSWORD)
    secrets.reset_backend()
    try:
        keys = load_keys(restored / "data")
        assert keys is not None
        db_file = next((restored / "data").glob("*.sqlite3"))
        assert opens_with(db_file, keys.key(keys.database)) and not opens_with(db_file, keys.key(old_db_key))
        assert SealedBackend(raw, keys).load("meetings/m1/seg-00000.flac") == AUDIO
    finally:
        secrets.reset_backend()


def test_wrong_or_missing_key_is_one_line_and_changes_nothing(installation: Path, tmp_path: Path) -> None:
    home = installation
    ok(run(home, "security", "encrypt"))
    before = snapshot(home)
    for args in (("meeting", "search", WORD), ("security", "rotate-key"), ("security", "encrypt")):
        one_line_failure(run(home, *args, password="wrong"), "wrong master password")
    assert snapshot(home) == before

    # a backup restored without its keyring: the key is missing
    no_keyring = tmp_path / "no-keyring"
    shutil.copytree(home, no_keyring)
    (no_keyring / "data" / "keyring.cfg").unlink()
    before = snapshot(no_keyring)
    for args in (("meeting", "search", WORD), ("security", "rotate-key")):
        one_line_failure(run(no_keyring, *args), "not in the keyring")
    after = snapshot(no_keyring)
    after.pop("data/keyring.cfg", None)  # the keyring file is created anew (empty), nothing else changes
    assert after == before

    # a backup restored without its key file: the database does not open, and says why
    no_keyfile = tmp_path / "no-keyfile"
    shutil.copytree(home, no_keyfile)
    (no_keyfile / "data" / "encryption-keys.json").unlink()
    before = snapshot(no_keyfile)
    one_line_failure(run(no_keyfile, "meeting", "search", WORD), "database", "no key file")
    assert snapshot(no_keyfile) == before


@pytest.mark.parametrize("cut", ["before_the_file", "after_the_file"])
def test_a_database_rekey_cut_off_is_finished_on_the_next_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                cut: str) -> None:
    """A rotation with --reencrypt that stopped between writing the new database key into the key file
    and marking it done: the next open of the database finishes it, whether or not the file was
    rewritten already; nothing is lost and no key is needed twice."""
    from app.security import _store_new_kek, finish_database_rekey
    from app.services import Services
    from app.settings import load_settings
    from storage import datakeys
    from storage.db.sqlcipher import rekey_sqlite

    home = tmp_path / "home"
    monkeypatch.setenv("PA_HOME", str(home))
    monkeypatch.setenv("PA_KEYRING_PASSWORD", PASSWORD)
    secrets.reset_backend()
    try:
        data = home / "data"
        data.mkdir(parents=True)
        kek_id, kek = _store_new_kek()
        keys = datakeys.DataKeys.create(kek_id)
        url = default_database_url(data)
        db = Database(url, migration_folders(), key=keys.key(keys.database))
        db.migrate()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE probe (text TEXT)")
            conn.exec_driver_sql("INSERT INTO probe VALUES ('Pumpernickel')")
        db.dispose()
        keys.database_next = datakeys.new_id("db")
        keys.keys[keys.database_next] = datakeys.new_key()
        datakeys.save(data, keys, kek)  # the new key is in the key file first, then the files are rewritten
        path = next(data.glob("*.sqlite3"))
        if cut == "after_the_file":
            rekey_sqlite(path, keys.key(keys.database_next), keys.key(keys.database))
        sv = Services(load_settings())
        with sv.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT text FROM probe").scalar() == "Pumpernickel"
        sv.db.dispose()
        after = load_keys(data)
        assert after is not None and after.database == keys.database_next and after.database_next is None
        assert opens_with(path, after.key(after.database)) and not opens_with(path, keys.key(keys.database))
        assert finish_database_rekey(data, url, after) == after  # nothing left to do
    finally:
        secrets.reset_backend()
