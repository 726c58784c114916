"""A real Dovecot IMAP server in a temp dir on free loopback ports.

Its own config file (nothing under /etc is read), users in a passwd-file (plain passwords), one
Maildir per user. IMAP on ``imap_port`` offers STARTTLS, ``imaps_port`` is implicit TLS; both use a
session self-signed cert (``cert``). Tests make a fresh user per test with ``add_user()`` so they do
not see each other's mail, and seed messages straight into the Maildir with ``deliver()`` (Dovecot
indexes them on the next SELECT), which is how an MDA delivers too."""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from tests.servers.base import (
    announce,
    free_port,
    require_binary,
    stop_process_group,
    unavailable,
    wait_for_port,
)
from tests.servers.tls_cert import SelfSignedCert, self_signed_cert

SPECIAL_FOLDERS = {"Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Archive": "\\Archive",
                   "Junk": "\\Junk"}

_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{ssl_dh}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 0
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_fsync = never
imap_max_line_length = 65536
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd.d/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd.d/%u
  default_fields = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
{folders}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  chroot =
}}
!include_try {root}/conf.d/*.conf
"""


@dataclass
class MailUser:
    name: str
    password: str
    home: Path

    @property
    def maildir(self) -> Path:
        return self.home / "Maildir"

    @property
    def address(self) -> str:
        return f"{self.name}@example.test"


@dataclass
class DovecotServer:
    root: Path
    imap_port: int
    imaps_port: int
    cert: SelfSignedCert
    uid: int
    gid: int
    binary: str
    proc: subprocess.Popen[bytes] | None = None
    users: dict[str, MailUser] = field(default_factory=dict)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    host: str = "127.0.0.1"

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def doveadm(self) -> str:
        return shutil.which("doveadm") or "/usr/bin/doveadm"

    def add_user(self, prefix: str = "user", password: str | None = None) -> MailUser:
        """A new user with an empty mailbox (INBOX and the special folders)."""
        name = f"{prefix}{next(self._seq)}"
        user = MailUser(name=name, password=password or f"pw-{uuid.uuid4().hex[:10]}", home=self.root / "home" / name)
        for sub in ("", *(f"/.{f}" for f in SPECIAL_FOLDERS)):
            for part in ("cur", "new", "tmp"):
                (user.maildir.parent / (user.maildir.name + sub) / part).mkdir(parents=True, exist_ok=True)
        self._chown_tree(user.home)
        self.users[name] = user
        # one passwd-file per user: Dovecot re-reads a changed file at most once a second, a new one at once
        entry = self.root / "passwd.d" / name
        entry.write_text(f"{name}:{{PLAIN}}{user.password}::::::\n", encoding="utf-8")
        entry.chmod(0o644)
        return user

    def deliver(self, user: MailUser, raw: bytes, folder: str = "INBOX", seen: bool = False,
                when: datetime | None = None) -> Path:
        """Put one message into a folder of the user's Maildir (as an MDA does)."""
        box = user.maildir if folder == "INBOX" else user.maildir / f".{folder.replace('/', '.')}"
        if not (box / "cur").exists():
            for part in ("cur", "new", "tmp"):
                (box / part).mkdir(parents=True, exist_ok=True)
            (box / "maildirfolder").touch()
            self._chown_tree(box)
        base = f"{time.time_ns()}.P{os.getpid()}Q{next(self._seq)}.{socket.gethostname()},S={len(raw)}"
        tmp = box / "tmp" / base
        tmp.write_bytes(raw)
        if when is not None:
            ts = when.timestamp()
            os.utime(tmp, (ts, ts))
        os.chown(tmp, self.uid, self.gid)
        dest = box / "cur" / f"{base}:2,S" if seen else box / "new" / base
        tmp.rename(dest)
        return dest

    def kick(self, user: MailUser) -> None:
        """Drop the user's open IMAP connections (as a server restart would)."""
        subprocess.run([self.doveadm, "-c", str(self.config), "kick", user.name],
                       capture_output=True, check=False)

    def enable_oauth2(self, introspection_url: str) -> None:
        """Also accept SASL XOAUTH2 and OAUTHBEARER: an ``oauth2`` passdb that asks ``introspection_url``
        (RFC 7662, POST ``token=...``) and takes the login only when the token is active and its
        ``username`` is the user's. Added to the running server with ``doveadm reload``; idempotent."""
        conf = self.root / "conf.d" / "oauth2.conf"
        if conf.exists():
            return
        ext = self.root / "dovecot-oauth2.conf.ext"
        ext.write_text(f"introspection_mode = post\nintrospection_url = {introspection_url}\n"
                       "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
                       "scope = \n", encoding="utf-8")
        ext.chmod(0o644)
        conf.write_text("auth_mechanisms = plain login xoauth2 oauthbearer\n"
                        f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {ext}\n}}\n",
                        encoding="utf-8")
        conf.chmod(0o644)
        subprocess.run([self.doveadm, "-c", str(self.config), "reload"], capture_output=True, check=True, timeout=30)
        deadline = time.monotonic() + 30  # the reload restarts the auth process: wait until a login answers
        while time.monotonic() < deadline:
            try:
                wait_for_port(self.imap_port, timeout=5)
                return
            except TimeoutError:
                continue

    def _chown_tree(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        for dirpath, _dirs, files in os.walk(path):
            os.chown(dirpath, self.uid, self.gid)
            for f in files:
                os.chown(os.path.join(dirpath, f), self.uid, self.gid)


def _accounts() -> tuple[str, str, str, int, int]:
    """(internal user, internal group, login user, mail uid, mail gid) for running as root or not."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        group = me.pw_name
        try:
            import grp

            group = grp.getgrgid(os.getegid()).gr_name
        except KeyError:
            pass
        return me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid
    try:
        pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
        nobody = pwd.getpwnam("nobody")
    except KeyError as exc:
        unavailable(f"running as root needs the system users dovecot, dovenull, nobody ({exc})")
    return "dovecot", "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid


def start_dovecot() -> DovecotServer:
    binary = require_binary("dovecot", "/usr/sbin/dovecot", hint="apt-get install dovecot-imapd")
    if not (shutil.which("doveadm") or os.path.exists("/usr/bin/doveadm")):
        unavailable("'doveadm' not found: apt-get install dovecot-core")
    cert = self_signed_cert()
    internal_user, internal_group, login_user, uid, gid = _accounts()
    root = Path(tempfile.mkdtemp(prefix="pa-dovecot-"))
    root.chmod(0o755)  # the mail user must traverse into home/
    for d in ("run", "state", "home", "passwd.d", "conf.d"):
        (root / d).mkdir()
    dh = Path("/usr/share/dovecot/dh.pem")
    folders = "\n".join(
        f"  mailbox {name} {{\n    special_use = {flag}\n    auto = subscribe\n  }}"
        for name, flag in SPECIAL_FOLDERS.items()
    )
    server = DovecotServer(root=root, imap_port=free_port(), imaps_port=free_port(), cert=cert, uid=uid,
                           gid=gid, binary=binary)
    server.config.write_text(_CONF.format(
        root=root, cert=cert.cert, key=cert.key, ssl_dh=f"ssl_dh = <{dh}" if dh.exists() else "",
        internal_user=internal_user, internal_group=internal_group, login_user=login_user, uid=uid, gid=gid,
        folders=folders, imap_port=server.imap_port, imaps_port=server.imaps_port,
    ), encoding="utf-8")
    server.proc = subprocess.Popen([binary, "-F", "-c", str(server.config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_port(server.imap_port, proc=server.proc)
        wait_for_port(server.imaps_port, proc=server.proc)
    except (RuntimeError, TimeoutError) as exc:
        log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
        stop_dovecot(server)
        raise RuntimeError(f"dovecot did not start: {exc}\n{log[-2000:]}") from None
    return server


def stop_dovecot(server: DovecotServer) -> None:
    stop_process_group(server.proc)
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[DovecotServer]:
    server = start_dovecot()
    announce("Dovecot", f"IMAP 127.0.0.1:{server.imap_port} (STARTTLS), IMAPS 127.0.0.1:{server.imaps_port}")
    try:
        yield server
    finally:
        stop_dovecot(server)
