"""`personal-agent serve` (home-server mode) and `personal-agent server ...` (users, pairing codes)."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from app.cli.common import cli_language, fail, line, os_reason, said_line, services

if TYPE_CHECKING:
    from app.server.users import UserStore
    from app.services import Services

server_cli = typer.Typer(help="Home-server users and device pairing.", no_args_is_help=True)


def _users() -> UserStore:
    from app.server.state import ServerState

    return ServerState.build(services()).users


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    pw: str = typer.prompt(line("server.password"), hide_input=True, confirmation_prompt=True)
    return pw


@server_cli.command("add-user")
def add_user(
    username: str,
    admin: bool = typer.Option(False, "--admin", help="may manage the household's settings"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
) -> None:
    """Create a user who can sign in from a phone or browser."""
    from app.server.passwords import PasswordPolicyError
    from app.server.users import UserError

    try:
        user = _users().create_user(username, _read_password(password_stdin), is_admin=admin)
    except (UserError, PasswordPolicyError) as exc:
        fail(said_line(exc), code=2)
    typer.echo(line("server.user_created", name=user.username, id=user.id))


@server_cli.command("passwd")
def passwd(
    username: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
) -> None:
    """Set a user's password; all of the user's devices are signed out."""
    from app.server.passwords import PasswordPolicyError
    from app.server.users import UserError

    try:
        _users().set_password(username, _read_password(password_stdin))
    except (UserError, PasswordPolicyError) as exc:
        fail(said_line(exc), code=2)
    typer.echo(line("server.password_changed", name=username))


@server_cli.command("users")
def list_users() -> None:
    """List the server's users."""
    for u in _users().users():
        typer.echo(line("server.user_row", id=u.id, name=u.username,
                        role=line("server.admin" if u.is_admin else "server.user"),
                        disabled=line("server.disabled") if u.disabled else ""))


@server_cli.command("pair")
def pair(username: str) -> None:
    """Show a one-time code that signs a new device (phone) in as this user."""
    users = _users()
    user = users.by_name(username)
    if user is None:
        fail(line("server.no_user", name=username), code=2)
    code, expires = users.create_pairing_code(user.id)
    typer.echo(line("server.pairing_code", name=username, code=code, until=f"{expires.astimezone():%H:%M:%S}"))


def serve(
    host: str | None = typer.Option(None, help="address to listen on (default: settings server.host)"),
    port: int | None = typer.Option(None, help="port (default: settings server.port)"),
) -> None:
    """Run the home-server REST API (FastAPI under uvicorn)."""
    import uvicorn

    from app.server.app import create_app

    sv = services()
    cfg = sv.settings.server
    bind = host or cfg.host
    if (cfg.tls_certfile is None) != (cfg.tls_keyfile is None):
        fail(line("server.tls_pair"), code=2)
    if cfg.tls_certfile is not None and cfg.tls_keyfile is not None:
        _check_tls(cfg.tls_certfile, cfg.tls_keyfile)
    if bind not in ("127.0.0.1", "::1", "localhost") and cfg.tls_certfile is None:
        typer.echo(line("server.plain_http"), err=True)
    app = create_app(sv)
    stop_metrics = _start_metrics(sv)
    try:
        _serve(uvicorn, app, bind, port or cfg.port, sv)
    finally:
        stop_metrics()
        sv.close()  # background work (spool replay) stops, connections close


def _start_metrics(sv: Services) -> Callable[[], None]:
    """The metrics listener on its own port (server.metrics_port; 0: none)."""
    cfg = sv.settings.server
    if not cfg.metrics_port:
        return lambda: None
    from app.metrics import serve_metrics

    try:
        return serve_metrics(sv, cfg.metrics_host, cfg.metrics_port)
    except OSError as exc:
        fail(line("server.metrics", host=cfg.metrics_host, port=cfg.metrics_port, detail=os_reason(exc)), code=2)


def _check_tls(certfile: Path, keyfile: Path) -> None:
    """Load the certificate and key now, so a missing, empty or mismatched file is one line before
    the server starts (not a traceback from inside uvicorn)."""
    import ssl

    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(certfile), str(keyfile))
    except OSError as exc:  # ssl.SSLError is an OSError too
        reason = getattr(exc, "reason", None) or os_reason(exc)
        known = {"KEY_VALUES_MISMATCH": "server.tls_mismatch", "PEM lib": "server.tls_not_pem",
                 "NO_START_LINE": "server.tls_not_pem"}.get(reason)
        fail(line("server.tls", cert=certfile, key=keyfile, detail=line(known) if known else reason), code=2)


def _serve(uvicorn: Any, app: Any, bind: str, port: int, sv: Services) -> None:
    from app.server.service_notify import NotifyingServer
    from app.server.slow_clients import DeadlineH11Protocol

    cfg = sv.settings.server
    # log_config=None: uvicorn's loggers go through the app's handlers (app/logs.py: JSON, scrubbed, the file)
    config = uvicorn.Config(app, host=bind, port=port, log_config=None, log_level=None,
                            ssl_certfile=str(cfg.tls_certfile) if cfg.tls_certfile else None,
                            ssl_keyfile=str(cfg.tls_keyfile) if cfg.tls_keyfile else None,
                            # X-Forwarded-For names the client only when a configured proxy sent it (default: none)
                            proxy_headers=bool(cfg.forwarded_allow_ips.strip()),
                            forwarded_allow_ips=cfg.forwarded_allow_ips.strip() or None, server_header=False,
                            # slow clients (slowloris, a stalled body) are closed here too, not only by a proxy
                            http=DeadlineH11Protocol.configured(cfg.head_timeout_s, cfg.body_idle_s))
    # uvicorn.run's one-process path, with a server that tells systemd it is ready and pings its watchdog
    server = NotifyingServer(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        raise SystemExit(3)  # uvicorn's start-up failure code (it has logged why)


remote_cli = typer.Typer(help="Use a home server from this machine (the phone build's path).", no_args_is_help=True)
REMOTE_KIND, REMOTE_NAME = "remote", "default"


def _remote_store(url: str, access: str, refresh: str) -> None:
    from app.secrets import set_secret

    set_secret(REMOTE_KIND, REMOTE_NAME, json.dumps({"url": url, "access": access, "refresh": refresh}))


def _remote_load() -> dict[str, str]:
    from app.secrets import get_secret

    raw = get_secret(REMOTE_KIND, REMOTE_NAME)
    if not raw:
        fail(line("server.not_paired"), code=2)
    data: dict[str, str] = json.loads(raw)
    return data


@remote_cli.command("pair")
def remote_pair(
    url: str = typer.Argument(..., help="the server, e.g. https://assistant.home.example"),
    code: str = typer.Argument(..., help="the one-time code shown by 'personal-agent server pair USER'"),
    device_name: str = typer.Option("this computer", help="how the device is listed on the server"),
) -> None:
    """Pair this machine with a home server; the tokens go to the keyring."""
    import asyncio

    from app.engine import EngineError
    from app.engine.remote import RemoteEngine

    services()  # settings must load (and the keyring unlock) before we talk to the server

    async def run() -> None:
        eng = await RemoteEngine.pair(url, code, device_name, language=cli_language())
        _remote_store(url, eng.tokens.access_token, eng.tokens.refresh_token)
        await eng.close()

    try:
        asyncio.run(run())
    except EngineError as exc:
        fail(line("server.pairing_failed", detail=exc))
    typer.echo(line("server.paired", url=url))


@remote_cli.command("ui")
def remote_ui(port: int | None = typer.Option(None, help="port of the web UI")) -> None:
    """Open the app's web UI on 127.0.0.1, backed by the paired home server (RemoteEngine)."""
    import os

    os.environ.setdefault("FLET_WEB_NO_CDN", "1")
    import flet as ft

    from app.engine import Engine
    from app.engine.remote import RemoteEngine, Tokens
    from app.gui.page import build_page
    from app.gui.web import web_assets_dir

    sv = services()
    saved = _remote_load()

    def keep(tokens: Tokens) -> None:
        _remote_store(saved["url"], tokens.access_token, tokens.refresh_token)

    def engine() -> Engine:
        return RemoteEngine(saved["url"], saved["access"], saved["refresh"], on_tokens=keep)

    p = port or sv.settings.ui_port
    typer.echo(line("server.remote_ui", server=saved["url"], url=f"http://127.0.0.1:{p}/"))
    ft.run(build_page(sv, engine_factory=engine), view=None, host="127.0.0.1", port=p, no_cdn=True,  # type: ignore[arg-type]
           assets_dir=str(web_assets_dir(sv.paths.cache_dir / "web")))


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
    cli.add_typer(server_cli, name="server")
    cli.add_typer(remote_cli, name="remote")
