"""Catalogues of user-facing text in English and German: one typed Python mapping per catalogue
(key -> (English, German)), looked up by language with ``str.format`` placeholders. Used by the GUI's
strings (app/gui/strings.py) and the spoken/CLI phrases (agents/phrases.py). Why a Python catalogue and
not gettext: docs/ARCHITECTURE.md "Languages"."""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from typing import Literal

from babel.core import default_locale

Language = Literal["en", "de"]
LANGUAGES: tuple[Language, ...] = ("en", "de")


def system_language() -> Language:
    """The system locale's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), German or else English."""
    loc = default_locale("LC_MESSAGES") or ""
    return "de" if loc.lower().startswith("de") else "en"


def resolve_language(setting: str | None) -> Language:
    """A language setting as a catalogue language: "de" -> German, "en" -> English; "auto" or empty -> the
    system locale's; any other language (the catalogues hold only these two) -> English."""
    code = (setting or "auto").split("-")[0].split("_")[0].lower()
    if code == "auto":
        return system_language()
    return "de" if code == "de" else "en"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Catalogue(Mapping[str, tuple[str, str]]):
    """key -> (English, German). ``same`` names the keys whose German is the English on purpose (names of
    products, units)."""

    def __init__(self, entries: Mapping[str, tuple[str, str]], same: frozenset[str] = frozenset()) -> None:
        self._entries = dict(entries)
        self.same = same

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def text(self, key: str, lang: str, /, **values: object) -> str:
        """The text of ``key`` in ``lang`` (German for "de", else English) with its placeholders filled."""
        en, de = self._entries[key]
        out = de if lang == "de" else en
        return out.format(**values) if values else out

    def problems(self) -> list[str]:
        """What is wrong with the catalogue: a German text missing, the same as the English one (and not
        listed in ``same``), or with other placeholders than the English one."""
        out: list[str] = []
        for key, (en, de) in self._entries.items():
            if not de.strip():
                out.append(f"{key}: no German text")
            elif de == en and key not in self.same and any(c.isalpha() for c in en):
                out.append(f"{key}: German is the English text ({en!r})")
            if placeholders(en) != placeholders(de):
                out.append(f"{key}: placeholders differ ({sorted(placeholders(en))} vs {sorted(placeholders(de))})")
        return out
