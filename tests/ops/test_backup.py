"""Backup and restore, end to end: data in several domains (a user's conversation and notes, a meeting
recorded to S3, the household's bank ledger, an account with its secret in the keyring), a backup to
the S3 server (SeaweedFS) taken while the home server runs and another user keeps talking to it, PA_HOME
wiped, a new machine's minimal setup (config and the S3 secret), restore with the backup key: the same
checksums, and the restarted server serves it all. Bad input (no such backup, wrong key, a damaged
archive) is one line, exit 1, and nothing of the installation is replaced."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.server.live import KEYRING_PASSWORD, ROOT, as_home, start_server, stop_server
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Server
from tests.servers.samba import SambaServer

STATEMENT = ROOT.parent / "shared" / "finance" / "statements" / "mt940" / "betterplace_sepa_mt9401.sta"


def cli(home: Path, *args: str, stdin: str | None = None, timeout: float = 600,
        env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update({"PA_HOME": str(home), "PA_KEYRING_PASSWORD": KEYRING_PASSWORD, **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def table_digests(db: Path) -> dict[str, str]:
    """One SHA-256 per table over its rows in a fixed order: the database's content, not its pages."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        out = {}
        for t in tables:
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{t}"'))
            out[t] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out
    finally:
        conn.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_machine(home: Path, s3: S3Server, prefix: str, models_dir: Path) -> None:
    """What a user sets up before a backup can be reached: the config and the S3 account's secret."""
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(f"""timezone = "Europe/Berlin"

[stt]
model = "{models_dir / 'whisper-base'}"

[storage]
backend = "s3"
s3_bucket = "{s3.bucket}"
s3_endpoint_url = "{s3.endpoint_url}"
s3_access_key_id = "{s3.access_key}"
s3_prefix = "{prefix}/recordings"
s3_part_size_mb = 5

[backup]
backend = "s3"
prefix = "{prefix}/backups"
keep = 2
""", encoding="utf-8")
    with as_home(home):
        from app import secrets

        secrets.set_secret("s3", "default", s3.secret_key)


def test_backup_to_s3_while_serving_then_restore_on_a_wiped_home(
        tmp_path: Path, s3_server: S3Server, models_dir: Path, shared_audio: Path) -> None:
    home = tmp_path / "home"
    prefix = f"ops-{uuid.uuid4().hex[:8]}"
    new_machine(home, s3_server, prefix, models_dir)
    # the household's ledger (finance) and an account whose password is in the keyring
    assert cli(home, "finance", "import", str(STATEMENT)).returncode == 0
    added = cli(home, "accounts", "add", "work-cal", "--kind", "caldav", "--username", "anna",
                "-o", "url=http://127.0.0.1:9/cal", "--password-stdin", stdin="cal-secret\n")
    assert added.returncode == 0, added.stderr

    server = start_server(home, timeout=300)  # a loaded machine starts it slowly
    try:
        anna = server.new_client("anna")
        bob = server.new_client("bob")
        for text in ("remember that the spare key is under the blue pot", "set a timer for 25 minutes"):
            assert anna.post("/api/v1/turns/text", json={"text": text}).status_code == 200
        with (shared_audio / "jfk.flac").open("rb") as f:
            r = anna.post("/api/v1/meetings", files={"file": ("jfk.flac", f, "audio/flac")},
                          data={"title": "Inaugural address"})
        assert r.status_code == 202, r.text
        meeting_id = r.json()["id"]
        deadline = time.monotonic() + 300
        while anna.get(f"/api/v1/meetings/{meeting_id}").json()["state"] != "done":
            assert time.monotonic() < deadline, "the meeting was not processed in time"
            time.sleep(1)
        assert bob.post("/api/v1/turns/text", json={"text": "what time is it"}).status_code == 200

        data = home / "data"
        users = {p.parent.name: p for p in (data / "server" / "users").glob("*/assistant.sqlite3")}
        anna_id = next(uid for uid, p in users.items() if "spare key" in _texts(p))
        bob_id = next(uid for uid in users if uid != anna_id)
        before = {
            "main": table_digests(data / "personal-agent.sqlite3"),
            "anna": table_digests(users[anna_id]),
            "config": sha(home / "config" / "config.toml"),
        }
        bob_turns_before = _count_turns(users[bob_id])

        # bob keeps talking to the server while the backup is taken
        stop = threading.Event()
        talked: list[int] = []

        def talk() -> None:
            while not stop.is_set():
                talked.append(bob.post("/api/v1/turns/text", json={"text": "what time is it"}).status_code)

        writer = threading.Thread(target=talk)
        writer.start()
        try:
            made = cli(home, "backup", "create")
        finally:
            stop.set()
            writer.join(120)
        assert made.returncode == 0, made.stderr
        assert talked and set(talked) == {200}
        backup_id = made.stdout.split()[1].rstrip(":")
        after_backup = {"main": table_digests(data / "personal-agent.sqlite3"), "anna": table_digests(users[anna_id])}
        before["keyring"] = sha(data / "keyring.cfg")  # with the backup key, which the backup made first
        code = cli(home, "backup", "key")
        assert code.returncode == 0
        backup_key = code.stdout.strip()
        listed = cli(home, "backup", "list")
        assert backup_id in listed.stdout
        bob_turns_after = _count_turns(users[bob_id])
    finally:
        stop_server(server)

    objects = {o["Key"] for o in s3_server.client().list_objects_v2(Bucket=s3_server.bucket,
                                                                    Prefix=f"{prefix}/backups/")["Contents"]}
    assert objects == {f"{prefix}/backups/{backup_id}.pabackup", f"{prefix}/backups/{backup_id}.json"}
    sealed = s3_server.client().get_object(Bucket=s3_server.bucket,
                                           Key=f"{prefix}/backups/{backup_id}.pabackup")["Body"].read()
    assert sealed.startswith(b"PAENC\x00") and b"spare key" not in sealed and b"SQLite format" not in sealed

    shutil.rmtree(home)  # the machine is gone
    new_machine(home, s3_server, prefix, models_dir)
    assert cli(home, "backup", "verify", backup_id, "--key-stdin", stdin=backup_key + "\n").returncode == 0
    restored = cli(home, "backup", "restore", backup_id, "--key-stdin", "--yes", stdin=backup_key + "\n")
    assert restored.returncode == 0, restored.stderr

    data = home / "data"
    after_users = {p.parent.name: p for p in (data / "server" / "users").glob("*/assistant.sqlite3")}
    for part, path in (("main", data / "personal-agent.sqlite3"), ("anna", after_users[anna_id])):
        # every table as it was before the backup (the idle ones: the same as after it)
        now = table_digests(path)
        changed = {t for t in now if now[t] != before[part].get(t)}
        moved = {t for t in before[part] if before[part][t] != after_backup[part].get(t)}
        assert not changed, f"{part}: {sorted(changed)} differ; written during the backup: {sorted(moved)}"
    assert sha(data / "keyring.cfg") == before["keyring"]
    assert sha(home / "config" / "config.toml") == before["config"]
    restored_bob = after_users[bob_id]
    assert sqlite3.connect(restored_bob).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert bob_turns_before <= _count_turns(restored_bob) <= bob_turns_after  # one moment during the talk

    # the restored installation works: sign-in, conversation, meeting and its recording on S3, ledger, account
    server = start_server(home, timeout=300)  # a loaded machine starts it slowly
    try:
        anna = server.login(anna.username)
        history = [t["text"] for t in anna.get("/api/v1/turns").json()]
        assert any("spare key" in t for t in history)
        assert [m["id"] for m in anna.get("/api/v1/meetings").json()] == [meeting_id]
        rec = anna.get(f"/api/v1/meetings/{meeting_id}/recording")
        assert rec.status_code == 200 and rec.content[:4] == b"RIFF"
    finally:
        stop_server(server)
    accounts = cli(home, "accounts", "list")
    assert "work-cal" in accounts.stdout, accounts.stdout + accounts.stderr
    with as_home(home):
        from app import secrets

        assert secrets.get_secret("caldav", "work-cal") == "cal-secret"
    assert "97" in cli(home, "finance", "balance").stdout or _count(data / "personal-agent.sqlite3",
                                                                      "fin_transactions") >= 97


def _texts(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return " ".join(repr(r) for t in tables for r in conn.execute(f'SELECT * FROM "{t}"'))
    finally:
        conn.close()


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        conn.close()


def _count_turns(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        name = next(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
                    if "turn" in r[0])
        return int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def local_home(pa_home: Path) -> Path:
    """A home with a database, an account secret and a backup on the local backend."""
    assert cli(pa_home, "finance", "import", str(STATEMENT)).returncode == 0
    return pa_home


def _installation(home: Path) -> dict[str, str]:
    data = home / "data"
    return {p.name: sha(p) for p in (data / "personal-agent.sqlite3", data / "keyring.cfg")}


def test_bad_input_is_one_line_and_replaces_nothing(local_home: Path, tmp_path: Path) -> None:
    made = cli(local_home, "backup", "create")
    assert made.returncode == 0, made.stderr
    backup_id = made.stdout.split()[1].rstrip(":")
    before = _installation(local_home)

    def refused(*args: str, stdin: str | None = None) -> str:
        res = cli(local_home, "backup", *args, stdin=stdin)
        assert res.returncode == 1, (res.stdout, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr, res.stderr
        assert _installation(local_home) == before
        return res.stderr

    assert "no backup named" in refused("restore", "20200101T000000Z-000000", "--yes")
    assert "no backup named" in refused("restore", "../../etc/passwd", "--yes")
    other = cli(tmp_path / "other-home", "backup", "key").stdout.strip()  # another installation's key
    assert "not with" in refused("restore", backup_id, "--yes", "--key-stdin", stdin=other + "\n")
    same_id_wrong_bytes = other.replace(other.split(":")[0], cli(local_home, "backup", "key").stdout.split(":")[0])
    assert "damaged" in refused("restore", backup_id, "--yes", "--key-stdin", stdin=same_id_wrong_bytes + "\n")
    assert "not a backup key" in refused("verify", backup_id, "--key-stdin", stdin="hunter2\n")

    archive = local_home / "data" / "backups" / f"{backup_id}.pabackup"
    good = archive.read_bytes()
    damaged = bytearray(good)
    damaged[len(good) // 2] ^= 0x01
    archive.write_bytes(bytes(damaged))
    assert "damaged" in refused("restore", backup_id, "--yes")
    archive.write_bytes(good[: len(good) // 2])
    assert "damaged" in refused("verify", backup_id)
    archive.write_bytes(good)
    assert cli(local_home, "backup", "verify", backup_id).returncode == 0


def test_retention_keeps_the_newest(local_home: Path) -> None:
    ids = []
    for _ in range(3):
        made = cli(local_home, "backup", "create", "--keep", "2")
        assert made.returncode == 0, made.stderr
        ids.append(made.stdout.split()[1].rstrip(":"))
        time.sleep(1.1)  # ids are per second (plus a random part): keep them in order
    listed = cli(local_home, "backup", "list").stdout
    assert ids[0] not in listed and ids[1] in listed and ids[2] in listed
    assert sorted(p.name for p in (local_home / "data" / "backups").iterdir()) == sorted(
        f"{i}{s}" for i in ids[1:] for s in (".json", ".pabackup"))


def test_encrypted_installation_restored_on_a_new_machine_with_the_key(tmp_path: Path) -> None:
    """Encryption at rest on (SQLCipher database, key file, KEK in the keyring): the backup holds them
    sealed; on a new machine the backup key and the keyring's password bring it all back."""
    home, store = tmp_path / "home", tmp_path / "backups-disk"
    config = f'[backup]\nlocal_dir = "{store}"\n'
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(config, encoding="utf-8")
    assert cli(home, "finance", "import", str(STATEMENT)).returncode == 0
    encrypted = cli(home, "security", "encrypt")
    assert encrypted.returncode == 0, encrypted.stderr
    balance = cli(home, "finance", "balance")
    assert balance.returncode == 0, balance.stderr
    assert not (home / "data" / "personal-agent.sqlite3").read_bytes().startswith(b"SQLite format 3")
    made = cli(home, "backup", "create")
    assert made.returncode == 0, made.stderr
    backup_id = made.stdout.split()[1].rstrip(":")
    backup_key = cli(home, "backup", "key").stdout.strip()
    keys = sha(home / "data" / "encryption-keys.json")

    shutil.rmtree(home)
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(config, encoding="utf-8")
    assert "no backup key" in cli(home, "backup", "restore", backup_id, "--yes").stderr  # the new keyring lacks it
    restored = cli(home, "backup", "restore", backup_id, "--yes", "--key-stdin", stdin=backup_key + "\n")
    assert restored.returncode == 0, restored.stderr
    assert sha(home / "data" / "encryption-keys.json") == keys
    again = cli(home, "finance", "balance")
    assert again.returncode == 0, again.stderr
    assert again.stdout == balance.stdout


def test_postgresql_backup_with_pg_dump_and_restore(tmp_path: Path, postgres_server: PostgresServer) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")

    def fresh() -> None:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS pa_backup_test WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE pa_backup_test"))

    fresh()
    url = postgres_server.url.rsplit("/", 1)[0] + "/pa_backup_test"
    env = {"PA_DATABASE_URL": url}
    home = tmp_path / "home"
    assert cli(home, "finance", "import", str(STATEMENT), env_extra=env).returncode == 0
    added = cli(home, "server", "add-user", "anna", "--password-stdin", stdin="correct horse battery\n", env_extra=env)
    assert added.returncode == 0, added.stderr

    def content() -> dict[str, str]:
        eng = create_engine(url)
        try:
            with eng.connect() as conn:
                tables = [r[0] for r in conn.execute(text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"))]
                return {t: hashlib.sha256("\n".join(sorted(repr(tuple(r)) for r in conn.execute(
                    text(f'SELECT * FROM public."{t}"')))).encode()).hexdigest() for t in tables}
        finally:
            eng.dispose()

    before = content()
    assert len(before) > 5
    made = cli(home, "backup", "create", env_extra=env)
    assert made.returncode == 0, made.stderr
    backup_id = made.stdout.split()[1].rstrip(":")
    fresh()  # the database is lost
    restored = cli(home, "backup", "restore", backup_id, "--yes", env_extra=env)
    assert restored.returncode == 0, restored.stderr
    assert content() == before
    admin.dispose()


def test_backup_to_smb(pa_home: Path, samba_server: SambaServer) -> None:
    """The same commands with the backups on a NAS share (Samba), the recordings staying local."""
    prefix = f"ops-{uuid.uuid4().hex[:8]}/backups"
    (pa_home / "config").mkdir(parents=True, exist_ok=True)
    (pa_home / "config" / "config.toml").write_text(f"""[storage]
smb_server = "{samba_server.host}"
smb_port = {samba_server.port}
smb_share = "{samba_server.share}"
smb_username = "{samba_server.username}"

[backup]
backend = "smb"
prefix = "{prefix}"
""", encoding="utf-8")
    with as_home(pa_home):
        from app import secrets

        secrets.set_secret("smb", "default", samba_server.password)
    assert cli(pa_home, "finance", "import", str(STATEMENT)).returncode == 0
    made = cli(pa_home, "backup", "create")
    assert made.returncode == 0, made.stderr
    backup_id = made.stdout.split()[1].rstrip(":")
    assert backup_id in cli(pa_home, "backup", "list").stdout
    verified = cli(pa_home, "backup", "verify", backup_id)
    assert verified.returncode == 0 and "all checksums match" in verified.stdout, verified.stderr
    before = table_digests(pa_home / "data" / "personal-agent.sqlite3")
    (pa_home / "data" / "personal-agent.sqlite3").unlink()
    assert cli(pa_home, "backup", "restore", backup_id, "--yes").returncode == 0
    assert table_digests(pa_home / "data" / "personal-agent.sqlite3") == before
