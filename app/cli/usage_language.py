"""A usage error of the command line (an unknown option, a missing argument, a refused value, an extra
argument, an unknown command) in the CLI's language. The click copy inside typer words these in English with
no translation hook (its gettext calls were taken out), so the CLI's group (``SafeGroup``) catches them and
raises a ``UsageError`` worded from the CLI catalogue (``usage.*``) in their place: typer shows it in its error
panel, exit code 2, as before. The reason inside a refused value (typer's or pydantic's words about the value)
is passed on as it is, as the server does with pydantic's reasons."""

from __future__ import annotations

import re

from typer import _click
from typer._click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption, UsageError

from agents.i18n import Language


def _line(key: str, lang: Language, **values: object) -> str:
    from app.cli.strings import CLI

    return CLI.text(key, lang, **values)


def _hint(exc: BadParameter) -> str:
    hint = exc.param_hint if exc.param_hint is not None else exc.param.get_error_hint() if exc.param else ""
    return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)


# the English messages that come as plain text (click's parser and core, typer's group), and their keys
_PLAIN = [
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)", re.DOTALL), "usage.extra"),
    (re.compile(r"No such command '(?P<name>.*)'\.", re.DOTALL), "usage.no_such_command"),
    (re.compile(r"Missing command\."), "usage.missing_command"),
    (re.compile(r"Option '(?P<name>.*)' requires (?:an argument|(?P<n>\d+) arguments)\."), "usage.needs_value"),
    (re.compile(r"Option '(?P<name>.*)' does not take a value\."), "usage.no_value"),
]


def worded(exc: UsageError, lang: Language) -> UsageError | None:
    """The error worded in ``lang`` (None: English, or a message this module does not know: shown as it is)."""
    if lang == "en":
        return None
    if isinstance(exc, NoSuchOption):
        text = _line("usage.no_such_option", lang, name=exc.option_name)
        if exc.possibilities:
            text += " " + _line("usage.possible", lang, options=", ".join(sorted(exc.possibilities)))
    elif isinstance(exc, MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        what = _line("usage.kind_argument" if kind == "argument" else "usage.kind_option" if kind == "option"
                     else "usage.kind_parameter", lang)
        text = _line("usage.missing", lang, kind=what, hint=_hint(exc))
    elif isinstance(exc, BadParameter):
        hint = _hint(exc)
        text = (_line("usage.invalid_for", lang, hint=hint, reason=exc.message) if hint
                else _line("usage.invalid", lang, reason=exc.message))
    elif isinstance(exc, BadOptionUsage | UsageError):
        for pattern, key in _PLAIN:
            m = pattern.fullmatch(exc.message.strip())
            if m:
                values = {k: v for k, v in m.groupdict().items() if v is not None}
                if key == "usage.needs_value" and "n" in values:
                    key = "usage.needs_values"
                text = _line(key, lang, **values)
                break
        else:
            return None
    else:
        return None
    return UsageError(text, ctx=exc.ctx)


def in_language(exc: _click.exceptions.UsageError, lang: Language) -> _click.exceptions.UsageError:
    """The error to show: worded in ``lang`` where this module knows it, else the error itself."""
    return worded(exc, lang) or exc
