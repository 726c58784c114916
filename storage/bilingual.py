"""Errors whose one-line message exists in English and German. They are raised below the layer that knows
the user's language (storage, audio, the app's services); the layer that speaks to the user (the engine,
the CLI, the server) picks the text with :func:`said`. ``str(exc)`` is the English text (logs, tests)."""

from __future__ import annotations


class Bilingual(Exception):
    """An error with an English message (``args[0]``) and, when given, its German text (``de``)."""

    def __init__(self, en: str, *args: object, de: str | None = None) -> None:
        super().__init__(en, *args)
        self.de = de


def said(exc: BaseException, lang: str) -> str:
    """The error's message in ``lang`` ("de": the German text where the error has one)."""
    if lang == "de" and isinstance(exc, Bilingual) and exc.de:
        return exc.de
    return str(exc)
