"""What the intent classifier learns from: sentences the templates spell out (a few per template,
slots filled with sample words) and the example requests in ``intent_examples.json`` (the committed
utterance sets and requests that need a model, class ``none``)."""

from __future__ import annotations

import hashlib
import json
import random
import re
from functools import lru_cache
from pathlib import Path

from agents import domains
from agents.local import features, normalize
from agents.local.expand import expand
from agents.local.features import BUCKETS, CHAR_NGRAMS

EXAMPLES = Path(__file__).with_name("intent_examples.json")
PER_TEMPLATE = 12
NONE = "none"

_FILLERS: dict[str, dict[str, list[str]]] = {
    "duration": {"en": ["5 minutes", "ten minutes", "an hour", "half an hour", "90 seconds", "2 hours"],
                 "de": ["5 minuten", "zehn minuten", "einer stunde", "einer halben stunde", "90 sekunden"]},
    "when": {"en": ["tomorrow at 9", "at 5 pm", "on friday at noon", "tonight", "in 20 minutes", "at half past six"],
             "de": ["morgen um 9", "um 17 uhr", "am freitag um 12", "heute abend", "in 20 minuten", "um halb sieben"]},
    "range": {"en": ["today", "tomorrow", "next week", "on friday", "this weekend"],
              "de": ["heute", "morgen", "nächste woche", "am freitag", "am wochenende"]},
    "person": {"en": ["anna", "peter", "mister schneider", "my boss"], "de": ["anna", "peter", "herrn schneider", "meiner chefin"]},
    "text": {"en": ["call the bank", "buy milk", "the car is on level 3", "water the plants"],
             "de": ["die bank anrufen", "milch kaufen", "das auto steht auf ebene 3", "die blumen gießen"]},
    "topic": {"en": ["the car", "the wifi password", "my sister"], "de": ["das auto", "das wlan passwort", "meine schwester"]},
    "fact": {"en": ["wifi password", "locker code", "dentist"], "de": ["wlan passwort", "spind code", "zahnarzt"]},
    "title": {"en": ["dentist", "lunch with tom", "team meeting"], "de": ["zahnarzt", "mittagessen mit tom", "teamsitzung"]},
    "query": {"en": ["the budget", "the new website", "holidays"], "de": ["das budget", "die neue website", "urlaub"]},
    "label": {"en": ["pasta", "tea"], "de": ["nudeln", "tee"]},
}


def _filled(sentence: str, lang: str, rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(_FILLERS.get(m.group(1), _FILLERS["text"])[lang]), sentence)


@lru_cache(maxsize=4)
def template_examples(registry: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    rng = random.Random(7)
    out: list[tuple[str, str]] = []
    for intent, langs in domains.intents(registry).items():
        for lang, templates in langs.items():
            for template in templates:
                sentences = expand(template)
                picked = sentences if len(sentences) <= PER_TEMPLATE else rng.sample(sentences, PER_TEMPLATE)
                out += [(_filled(s, lang, rng), intent) for s in picked]
    return tuple(out)


@lru_cache(maxsize=1)
def example_requests() -> tuple[tuple[str, str], ...]:
    data = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return tuple((text, intent or NONE) for text, intent in [*data["from_tests"], *data["written"]])


def training_examples(exclude: set[str] | None = None) -> list[tuple[str, str]]:
    """Template sentences and example requests, less the texts in ``exclude``."""
    skip = exclude or set()
    examples = [*template_examples(tuple(domains.DOMAINS)), *example_requests()]
    return [(t, c) for t, c in examples if t not in skip]


def fingerprint() -> str:
    """What the saved model depends on: the templates, the examples, the fillers, the normalisation and
    the features (their source files, so an edit there also calls for training again)."""
    h = hashlib.sha256()
    for part in (repr(sorted(domains.intents(tuple(domains.DOMAINS)).items())), EXAMPLES.read_text(encoding="utf-8"),
                 repr(_FILLERS), repr((PER_TEMPLATE, BUCKETS, CHAR_NGRAMS)),
                 *(Path(str(mod.__file__)).read_text(encoding="utf-8") for mod in (normalize, features))):
        h.update(part.encode())
    return h.hexdigest()[:16]
