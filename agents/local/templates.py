"""Sentence templates of the local intents, in the spirit of Home Assistant's hassil.

Each domain keeps its templates in its folder (``agents/<domain>/intents.py``); the recognizer tries
them in the order of the domain registry (``agents/domains.py``).

Syntax: ``[optional words]``, ``(one|or|other)``, ``{slot}``. Slots are typed by name:
``{when}`` a point in time, ``{duration}`` a length of time, ``{range}`` a day or week,
``{person}`` up to four words, any other name free text. Templates are tried in order; the
first whose words and slot values all fit wins. Utterances are normalized first (lower case,
no punctuation, polite wrappers like "please" / "kannst du" removed)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "de"]
Intents = dict[str, dict[Lang, list[str]]]  # intent -> language -> templates (each domain has its own)

WHAT_IS = "(what's|what is|whats)"
