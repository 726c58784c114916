"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import errno
import logging
import sqlite3
import ssl
import sys
import unicodedata
from typing import Any, NoReturn

import typer
from typer import _click  # typer's own click, whose Context the group's invoke takes
from typer.core import TyperGroup

from agents.i18n import Language, resolve_language
from app.services import Services, build_services
from app.settings import ConfigError
from storage.bilingual import Bilingual, said

_services: Services | None = None


def services() -> Services:
    global _services
    if _services is None:
        try:
            _services = build_services()
        except ConfigError as exc:
            fail(said(exc, cli_language()), code=2)
    return _services


def cli_language() -> Language:
    """The language of the CLI's lines: the app's language setting, or (before the settings could be
    read) the environment's and the system locale's."""
    import os

    if _services is not None:
        return resolve_language(_services.settings.language)
    return resolve_language(os.environ.get("PA_LANGUAGE"))


def line(key: str, /, **values: object) -> str:
    """The CLI catalogue's line ``key`` (app/cli/strings.py) in the CLI's language."""
    from app.cli.strings import CLI

    return CLI.text(key, cli_language(), **values)


# the operating system's reasons a user meets most (a file, a folder, the disk, a connection), in the CLI's words
OS_REASONS = {errno.ENOENT: "os.not_found", errno.EACCES: "os.denied", errno.EPERM: "os.not_permitted",
              errno.EISDIR: "os.is_dir", errno.ENOTDIR: "os.not_dir", errno.ENOSPC: "os.no_space",
              errno.EEXIST: "os.exists", errno.EROFS: "os.read_only", errno.ENOTEMPTY: "os.not_empty",
              errno.ENAMETOOLONG: "os.name_too_long", errno.ECONNREFUSED: "os.refused", errno.ETIMEDOUT: "os.timed_out",
              errno.EHOSTUNREACH: "os.unreachable", errno.ENETUNREACH: "os.unreachable",
              errno.EADDRINUSE: "os.in_use"}


def os_reason(exc: OSError) -> str:
    """An OS error's reason in the CLI's language: German from the catalogue for the usual ones, else (and in
    English) the operating system's own words."""
    key = OS_REASONS.get(exc.errno or 0)
    if key is None or cli_language() == "en" or isinstance(exc, ssl.SSLError):
        return exc.strerror or _first_line(exc)
    return line(key)


def said_line(exc: BaseException) -> str:
    """An error's one line in the CLI's language (German where the error has a German text, and for the
    operating system's usual errors: ``os_reason``)."""
    lang = cli_language()
    if lang == "de" and isinstance(exc, OSError) and not isinstance(exc, Bilingual | ssl.SSLError) \
            and exc.errno in OS_REASONS:
        where = f"{exc.filename}: " if exc.filename else ""
        return where + os_reason(exc)
    return said(exc, lang)


def reset() -> None:
    global _services
    _services = None


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    sys.stdout.flush()
    raise typer.Exit(code)


def terminal_safe(text: str) -> str:
    """Stored text as it may reach a terminal: control characters other than newline and tab (an
    ESC sequence in a note could set the terminal's title or worse) are shown as \\xNN."""
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch) != "Cc" else f"\\x{ord(ch):02x}" for ch in text)


def echo(text: str = "", err: bool = False, nl: bool = True) -> None:
    """typer.echo for text that comes from storage, mail, transcripts or the user: terminal_safe."""
    typer.echo(terminal_safe(text), err=err, nl=nl)


def _first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:limit]


def user_error(exc: BaseException) -> tuple[str, int] | None:
    """The one line (and exit code) for an error a user can cause and fix; None for a bug."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

    from app.secrets import SecretStoreError

    if isinstance(exc, ConfigError):
        return said_line(exc), 2
    if isinstance(exc, SecretStoreError):
        return said_line(exc), 1
    from storage.db.engine import DatabaseKeyError
    from storage.sealed import KeyUnavailableError

    if isinstance(exc, DatabaseKeyError):
        return line("common.database", detail=said_line(exc)), 1
    if isinstance(exc, KeyUnavailableError):
        return line("common.encrypted", detail=said_line(exc)), 1
    if isinstance(exc, NoSuchModuleError):
        return line("common.db_kind"), 2
    if isinstance(exc, ArgumentError):
        return line("common.db_address"), 2
    if isinstance(exc, DBAPIError):
        orig = exc.orig if exc.orig is not None else exc
        return line("common.database", detail=_first_line(orig)), 1
    if isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return line("common.database", detail=_first_line(exc)), 1
    if isinstance(exc, ssl.SSLError):
        return line("common.tls", detail=exc.reason or _first_line(exc)), 2
    if isinstance(exc, UnicodeError):
        return line("common.utf8"), 2
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return line("common.file", where=where, detail=os_reason(exc)), 1
    return None


def _bad_argv() -> bool:
    return any("\udc80" <= ch <= "\udcff" for arg in sys.argv[1:] for ch in arg)


class SafeGroup(TyperGroup):
    """The command group of the CLI: an error a user can cause ends in one line on stderr and a
    non-zero exit, never a traceback (``user_error``); with log level DEBUG the traceback is logged."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from app.cli.help_language import help_language, localize

        localize(self, help_language())  # --help in the CLI's language (app/cli/help_language.py)
        return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> _click.Context:
        from app.cli.help_language import help_language
        from app.cli.usage_language import in_language

        try:
            return super().make_context(*args, **kwargs)
        except _click.exceptions.UsageError as exc:  # this group's own options: said in the CLI's language
            raise in_language(exc, help_language()) from None

    def invoke(self, ctx: _click.Context) -> object:
        if _bad_argv():
            typer.echo(line("common.bad_argv"), err=True)
            raise typer.Exit(2)
        try:
            return super().invoke(ctx)
        except _click.exceptions.UsageError as exc:  # a sub-command's arguments: said in the CLI's language
            from app.cli.help_language import help_language
            from app.cli.usage_language import in_language

            raise in_language(exc, help_language()) from None
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise  # typer's own: usage errors, fail(), exits
        except Exception as exc:
            known = user_error(exc)
            if known is None:
                raise
            logging.getLogger("app.cli").debug("command failed", exc_info=True)
            typer.echo(known[0], err=True)
            raise typer.Exit(known[1]) from None
