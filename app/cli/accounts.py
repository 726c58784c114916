"""`personal-agent accounts add|list|remove|test`."""

from __future__ import annotations

import json
import os
import sys
import webbrowser
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from app.accounts import AccountError, AccountIn, account_kinds, checked_account
from app.cli.common import fail, line, said_line, services
from app.secrets import SecretStoreError, set_secret

if TYPE_CHECKING:  # the sign-in code is imported when a sign-in runs: it pulls in the communication domain
    from agents.communication.oauth import DeviceCode, OAuthClient, Tokens

cli = typer.Typer(help="Accounts for mail, calendar, storage, models and banks. Secrets go to the keyring.")


def _parse_options(options: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in options:
        if "=" not in item:
            fail(line("accounts.bad_option", item=repr(item)), code=2)
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _field_problem(exc: ValidationError) -> str:
    """'kind: Input should be ...' for the first bad field (never the value, which may be secret)."""
    err = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or line("accounts.value")
    return f"{where}: {err.get('msg', 'invalid')}"


@cli.command("add")
def add(
    name: str = typer.Argument(..., help="a short name, e.g. gmx"),
    kind: str = typer.Option("mail", help=f"{' | '.join(account_kinds())} (FinTS: --username "
                                           "USER-ID -o bank_code=BLZ|bic=BIC -o url=https://... [-o tan_method=pushTAN] "
                                           "[-o iban=...]; the PIN goes to the keyring)"),
    username: str = typer.Option("", help="login name"),
    host: str | None = typer.Option(None, help="server host name"),
    port: int | None = typer.Option(None, help="server port"),
    option: list[str] = typer.Option([], "--option", "-o", help="extra key=value (repeatable)"),
    password_stdin: bool = typer.Option(False, help="read the secret from standard input"),
    no_secret: bool = typer.Option(False, help="store no secret"),
    oauth: bool = typer.Option(False, "--oauth", help="sign in with the provider (OAuth 2.0) instead of a "
                               "password: the browser opens; mail with --provider google|microsoft"),
    provider: str | None = typer.Option(None, help="google | microsoft (with --oauth)"),
    device_code: bool = typer.Option(False, "--device-code", help="with --oauth: sign in on another device "
                                     "with a code (the default when this machine has no display)"),
    server: str | None = typer.Option(None, "--server", help="Mastodon/Bluesky: the server's address, e.g. "
                                      "https://mastodon.social (the same as -o base_url=...)"),
) -> None:
    """Add an account; the password/token is prompted (not echoed) and stored in the keyring. Mastodon without
    --password-stdin: signs in in the browser (the app is registered on the server; its code is asked for)."""
    if server:
        option = [*option, f"base_url={server}"]
    if kind == "mastodon" and not password_stdin and not no_secret and not provider and not device_code:
        _add_mastodon_signed_in(name, username, host, port, _parse_options(option))
        return
    if oauth or provider or device_code:
        _add_signed_in(name, kind, username, host, port, _parse_options(option), oauth, provider, device_code)
        return
    try:
        acc = AccountIn(name=name, kind=kind, username=username, host=host, port=port,
                        options=_parse_options(option))
    except ValidationError as exc:
        fail(line("accounts.invalid", detail=_field_problem(exc)), code=2)
    except ValueError as exc:
        fail(line("accounts.invalid", detail=said_line(exc).splitlines()[0].strip()), code=2)
    try:
        acc = checked_account(acc)  # e.g. a bank's BLZ/BIC, URL and IBAN, before asking for the secret
    except AccountError as exc:
        fail(line("accounts.invalid", detail=said_line(exc)), code=2)
    secret: str | None = None
    if not no_secret:
        if password_stdin:
            secret = sys.stdin.readline().rstrip("\r\n")
        else:
            secret = typer.prompt(line("accounts.pin" if acc.kind == "bank" else "accounts.password"), hide_input=True,
                                  confirmation_prompt=False)
        if not secret:
            fail(line("accounts.empty_secret"), code=2)
    try:
        out = services().accounts.add(acc, secret)
    except (AccountError, SecretStoreError) as exc:
        fail(said_line(exc))
    typer.echo(line("accounts.added", kind=out.kind, name=out.name,
                    secret=line("common.yes" if out.has_secret else "common.no")))


def _add_mastodon_signed_in(name: str, username: str, host: str | None, port: int | None,
                            options: dict[str, str]) -> None:
    """``accounts add NAME --kind mastodon --server URL``: this app registered on the server, the authorize
    address opened (or printed), the code the server shows there exchanged for a token, the token into the
    keyring. Nothing is stored when any step fails."""
    from agents.deps import ServiceError
    from agents.social.config import mastodon_config
    from agents.social.mastodon_login import authorize_url, exchange_code, register_app

    try:
        acc = checked_account(AccountIn(name=name, kind="mastodon", username=username, host=host, port=port,
                                        options=options))
        base = mastodon_config(acc.username, acc.host, acc.port, acc.options).base_url
        app = register_app(base)
        url = authorize_url(app)
    except ValidationError as exc:
        fail(line("accounts.invalid", detail=_field_problem(exc)), code=2)
    except (AccountError, ValueError) as exc:
        fail(line("accounts.invalid", detail=said_line(exc).splitlines()[0].strip()), code=2)
    except ServiceError as exc:
        fail(line("accounts.not_signed_in", detail=said_line(exc)))
    typer.echo(line("accounts.mastodon_open", server=app.base_url, url=url))
    if not _headless():
        webbrowser.open(url)
    code = typer.prompt(line("accounts.mastodon_code"), hide_input=True).strip()
    try:
        token = exchange_code(app, code)
        out = services().accounts.add(acc.model_copy(update={"options": {**acc.options, "base_url": app.base_url}}),
                                      token)
    except ValueError as exc:
        fail(line("accounts.not_signed_in", detail=said_line(exc)), code=2)
    except ServiceError as exc:
        fail(line("accounts.not_signed_in", detail=said_line(exc)))
    except (AccountError, SecretStoreError) as exc:
        fail(said_line(exc))
    typer.echo(line("accounts.mastodon_added", name=out.name))


def _headless() -> bool:
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                                                     or os.environ.get("BROWSER"))


def _sign_in(client: OAuthClient, device_code: bool) -> Tokens:
    """The browser sign-in (PKCE, loopback redirect) or, headless, the device code; one line on failure."""
    from agents.communication.oauth import OAuthFailure
    from app.wiring.oauth import sign_in

    def show(code: DeviceCode) -> None:
        typer.echo(line("accounts.device_code", url=code.verification_uri, code=code.user_code,
                        minutes=code.expires_in // 60))

    def open_browser(url: str) -> None:
        typer.echo(line("accounts.browser", provider=client.provider.title()))
        if not webbrowser.open(url):
            typer.echo(line("accounts.open_to_sign_in", url=url))

    try:
        return sign_in(client, device_code or _headless(), show, open_browser)
    except OAuthFailure as exc:
        fail(said_line(exc))


def _add_signed_in(name: str, kind: str, username: str, host: str | None, port: int | None,
                   options: dict[str, str], oauth: bool, provider: str | None, device_code: bool) -> None:
    """``accounts add --oauth``: the record is checked, then the user signs in; the refresh token goes to
    the keyring, the granted scopes to the record."""
    from agents.communication.oauth import PROVIDERS, OAuthFailure
    from app.wiring.oauth import account_client, sign_in_record

    if not oauth:
        fail(line("accounts.needs_oauth"), code=2)
    if not provider or provider.lower() not in PROVIDERS:
        fail(line("accounts.needs_provider", providers=line("accounts.or").join(PROVIDERS)), code=2)
    if not username.strip():
        fail(line("accounts.needs_username"), code=2)
    try:
        acc = checked_account(sign_in_record(kind, name, username, provider, host, port, options))
    except OAuthFailure as exc:
        fail(line("accounts.invalid", detail=said_line(exc)), code=2)
    except ValidationError as exc:
        fail(line("accounts.invalid", detail=_field_problem(exc)), code=2)
    except (AccountError, ValueError) as exc:
        fail(line("accounts.invalid", detail=said_line(exc).splitlines()[0].strip()), code=2)
    sv = services()
    try:
        sv.accounts.get(acc.name, acc.kind)
        fail(line("accounts.exists", kind=acc.kind, name=acc.name), code=2)
    except AccountError:
        pass
    try:
        client = account_client(sv.settings, acc)
    except OAuthFailure as exc:
        fail(said_line(exc), code=2)
    tokens = _sign_in(client, device_code)
    acc.options["scopes"] = " ".join(tokens.scopes)
    try:
        out = sv.accounts.add(acc, tokens.refresh_token)
    except (AccountError, SecretStoreError) as exc:
        fail(said_line(exc))
    typer.echo(line("accounts.signed_in_added", kind=out.kind, name=out.name, provider=client.provider.title(),
                    scopes=acc.options["scopes"]))


@cli.command("signin")
def signin(
    name: str = typer.Argument(..., help="the account to sign in again"),
    kind: str | None = typer.Option(None, help="needed if two accounts share a name"),
    device_code: bool = typer.Option(False, "--device-code", help="sign in on another device with a code"),
) -> None:
    """Sign in again (an account whose sign-in was withdrawn or expired); the new sign-in replaces the old."""
    from agents.communication.oauth import OAuthFailure
    from app.wiring.oauth import account_client, forget_session, is_oauth

    sv = services()
    try:
        acc = sv.accounts.get(name, kind)
    except AccountError as exc:
        fail(said_line(exc), code=2)
    if not is_oauth(acc):
        fail(line("accounts.password_account", name=name), code=2)
    try:
        client = account_client(sv.settings, acc)
    except OAuthFailure as exc:
        fail(said_line(exc), code=2)
    tokens = _sign_in(client, device_code)
    try:
        sv.accounts.replace_secret(acc, tokens.refresh_token or "", {"scopes": " ".join(tokens.scopes)})
    except SecretStoreError as exc:
        fail(said_line(exc))
    forget_session(acc)
    typer.echo(line("accounts.signed_in_again", name=acc.name))


@cli.command("client-secret")
def client_secret(
    provider: str = typer.Argument(..., help="google"),
    stdin: bool = typer.Option(False, "--stdin", help="read it from standard input"),
) -> None:
    """Keep the client secret of your Google Desktop app client in the keyring (Microsoft needs none)."""
    from app.wiring.oauth import CLIENT_SECRET_KIND

    if provider.lower() != "google":
        fail(line("accounts.only_google"), code=2)
    value = sys.stdin.readline().strip() if stdin else typer.prompt(line("accounts.client_secret"), hide_input=True).strip()
    if not value:
        fail(line("accounts.empty_client_secret"), code=2)
    try:
        set_secret(CLIENT_SECRET_KIND, "google", value)
    except SecretStoreError as exc:
        fail(said_line(exc))
    typer.echo(line("accounts.client_secret_stored"))


@cli.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """List accounts (never their secrets)."""
    accounts = services().accounts.list()
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in accounts], indent=2))
        return
    if not accounts:
        typer.echo(line("accounts.none"))
    for a in accounts:
        where = (a.host + (f":{a.port}" if a.port else "")) if a.host else "-"
        typer.echo(line("accounts.row", kind=f"{a.kind:9}", name=f"{a.name:20}", user=f"{a.username or '-':30}",
                        where=f"{where:30}", secret=_secret_state(a.has_secret)))


def _secret_state(has: bool | None) -> str:
    return line("accounts.locked") if has is None else line("common.yes" if has else "common.no")


@cli.command("remove")
def remove(name: str, kind: str | None = typer.Option(None, help="needed if two accounts share a name")) -> None:
    """Remove an account and its secret."""
    try:
        acc = services().accounts.remove(name, kind)
    except AccountError as exc:
        fail(said_line(exc))
    typer.echo(line("accounts.removed", kind=acc.kind, name=acc.name))


@cli.command("test")
def test(name: str, kind: str | None = typer.Option(None), timeout: float = 10.0) -> None:
    """Log in to the account's server once and report."""
    try:
        res = services().accounts.test(name, kind, timeout)
    except AccountError as exc:
        fail(said_line(exc))
    typer.echo(line("accounts.test_ok" if res.ok else "accounts.test_failed", detail=res.message))
    if not res.ok:
        raise typer.Exit(1)


@cli.command("webhook")
def webhook(
    name: str = typer.Argument(..., help="the whatsapp account the webhook delivers to"),
    secrets_stdin: bool = typer.Option(False, help="read the app secret, then the verify token, one a line"),
) -> None:
    """Store a WhatsApp account's webhook secrets (app secret and verify token) in the keyring.

    Meta then reaches the home server at /api/v1/webhooks/whatsapp/NAME (set that URL and the same
    verify token in the app's WhatsApp > Configuration page)."""
    from agents.communication.whatsapp_webhook import WebhookError
    from app.wiring.communication import store_webhook_secrets

    try:
        services().accounts.get(name, "whatsapp")
    except AccountError:
        fail(line("accounts.no_whatsapp", name=name), code=2)
    if secrets_stdin:
        app_secret = sys.stdin.readline().strip()
        verify_token = sys.stdin.readline().strip()
    else:
        app_secret = typer.prompt(line("accounts.app_secret"), hide_input=True)
        verify_token = typer.prompt(line("accounts.verify_token"), hide_input=True)
    try:
        store_webhook_secrets(name, app_secret, verify_token)
    except (WebhookError, SecretStoreError) as exc:
        fail(said_line(exc), code=2)
    typer.echo(line("accounts.webhook_stored", name=name))
