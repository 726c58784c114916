"""`personal-agent serve` (home-server mode) and `personal-agent server ...` (users, pairing codes)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from app.cli.common import fail, services

if TYPE_CHECKING:
    from app.server.users import UserStore

server_cli = typer.Typer(help="Home-server users and device pairing.", no_args_is_help=True)


def _users() -> UserStore:
    from app.server.state import ServerState

    return ServerState.build(services()).users


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    pw: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
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
        fail(str(exc), code=2)
    typer.echo(f"user {user.username} created (id {user.id})")


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
        fail(str(exc), code=2)
    typer.echo(f"password of {username} changed; all devices signed out")


@server_cli.command("users")
def list_users() -> None:
    """List the server's users."""
    for u in _users().users():
        typer.echo(f"{u.id}\t{u.username}\t{'admin' if u.is_admin else 'user'}{'  (disabled)' if u.disabled else ''}")


@server_cli.command("pair")
def pair(username: str) -> None:
    """Show a one-time code that signs a new device (phone) in as this user."""
    users = _users()
    user = users.by_name(username)
    if user is None:
        fail(f"no user '{username}': create one with 'personal-agent server add-user {username}'", code=2)
    code, expires = users.create_pairing_code(user.id)
    typer.echo(f"pairing code for {username}: {code} (valid until {expires.astimezone():%H:%M:%S})")


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
        fail("config error: server.tls_certfile and server.tls_keyfile must be set together", code=2)
    if bind not in ("127.0.0.1", "::1", "localhost") and cfg.tls_certfile is None:
        typer.echo("note: serving plain HTTP on a non-loopback address: put it behind the TLS reverse proxy "
                   "(docs/DEPLOYMENT.md) or set server.tls_certfile/tls_keyfile", err=True)
    app = create_app(sv)
    uvicorn.run(app, host=bind, port=port or cfg.port, log_level=sv.settings.log_level.lower(),
                ssl_certfile=str(cfg.tls_certfile) if cfg.tls_certfile else None,
                ssl_keyfile=str(cfg.tls_keyfile) if cfg.tls_keyfile else None,
                proxy_headers=True, forwarded_allow_ips=cfg.forwarded_allow_ips, server_header=False)


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
    cli.add_typer(server_cli, name="server")
