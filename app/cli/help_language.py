"""``--help`` in the CLI's language.

Three sources of words, each translated the way its owner supports:

- our own texts (a command's docstring or ``help=``, an option's ``help=``): written in English in the code,
  their German in ``app/cli/help_de.py`` (the English text is the key, as gettext's message id); set on the
  command objects of this run before click parses the arguments (``localize``);
- typer's words that typer marks for gettext (the panel titles "Options", "Arguments", "Commands",
  "[default: …]", "[required]", the error panel's title): gettext's default domain, bound to
  ``app/cli/locale`` (``messages.po``/``.mo``); typer reads them once, when ``typer.rich_utils`` is imported,
  so the command imports it first with gettext's language set to the CLI's (``use_typer_words``);
- the words of the click copy inside typer that gettext no longer reaches ("Usage: ", "Show this message and
  exit.", "[OPTIONS]", "COMMAND [ARGS]..."): click's documented extension points, a ``Context`` subclass with
  its own ``formatter_class`` (the usage prefix), the help option's ``help`` and the commands'
  ``options_metavar``/``subcommand_metavar``, from the CLI catalogue (``app/cli/strings.py``, ``help.*``).
  Only German has lines here (the catalogue's two languages; English is click's own).

The language: the language setting, else ``PA_LANGUAGE`` and the system locale, as ``cli_language`` (read
here without building the services: ``--help`` opens no database)."""

from __future__ import annotations

import gettext
import os
import sys
from pathlib import Path

from typer import _click

from agents.i18n import Language, resolve_language
from app.cli.help_de import HELP_DE

LOCALE_DIR = Path(__file__).with_name("locale")


def help_language() -> Language:
    """The CLI's language for ``--help``: the settings' (config file and ``PA_LANGUAGE``), else the system
    locale's; a settings file that cannot be read leaves the environment's rule (the command says why when it
    runs)."""
    from app.settings import Settings

    try:
        setting: str | None = Settings().language
    except (ValueError, OSError):  # a bad setting or file: the command itself reports it in one line
        setting = os.environ.get("PA_LANGUAGE")
    return resolve_language(setting)


def german(text: str | None) -> str | None:
    """The German of one of our help texts (None when it has none)."""
    if not text:
        return None
    return HELP_DE.get(" ".join(text.split()))


def _catalogue_line(key: str, lang: Language) -> str:
    from app.cli.strings import CLI

    return CLI.text(key, lang)


class _GermanFormatter(_click.HelpFormatter):
    """click's help formatter with the usage line's prefix in German."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _catalogue_line("help.usage", "de") if prefix is None else prefix)


class _GermanContext(_click.Context):
    formatter_class = _GermanFormatter


def use_typer_words(lang: Language) -> None:
    """typer's gettext-marked words in ``lang``, for this process: gettext's language is its environment's
    (``LANGUAGE`` first), so that is set to the CLI's while ``typer.rich_utils`` reads them, then put back. Called
    once by the ``personal-agent`` command (``app.cli.main.run``), before anything is rendered; a process that
    has imported ``typer.rich_utils`` already (a test runner) keeps the words it has. English: nothing to do
    (without the binding gettext finds no catalogue for typer's words, whatever the system locale)."""
    if lang == "en" or "typer.rich_utils" in sys.modules:
        return
    gettext.bindtextdomain(gettext.textdomain(), str(LOCALE_DIR))
    before = os.environ.get("LANGUAGE")
    os.environ["LANGUAGE"] = lang
    try:
        import typer.rich_utils  # noqa: F401 - its module constants are the translated words
    finally:
        if before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = before


def localize(command: _click.Command, lang: Language) -> None:
    """Put this run's command tree (built afresh by typer for each run) into ``lang``; English is how the code
    writes it."""
    if lang == "en":
        return
    help_text = _catalogue_line("help.help_option", lang)
    options_metavar = _catalogue_line("help.options_metavar", lang)
    command_metavar = _catalogue_line("help.command_metavar", lang)
    todo = [command]
    while todo:
        cmd = todo.pop()
        cmd.context_class = _GermanContext
        cmd.help = german(cmd.help) or cmd.help
        cmd.short_help = german(cmd.short_help) or cmd.short_help
        if cmd.options_metavar == "[OPTIONS]":
            cmd.options_metavar = options_metavar
        for param in cmd.params:
            text = getattr(param, "help", None)
            if text:
                param.help = german(text) or text  # type: ignore[attr-defined]  # options' and typer's arguments'
        option = cmd.get_help_option(_GermanContext(cmd))  # click keeps this one object for the command
        if option is not None:
            option.help = help_text
        subcommands = getattr(cmd, "commands", None)
        if isinstance(subcommands, dict):
            if getattr(cmd, "subcommand_metavar", None) == "COMMAND [ARGS]...":
                cmd.subcommand_metavar = command_metavar  # type: ignore[attr-defined]  # typer's group
            todo.extend(subcommands.values())
