"""Close paraphrases of the templates ("tell me what the time is", "was steht heute so an"): the
utterance is compared with every sentence the templates spell out (rapidfuzz, offline, well under a
millisecond), typed slots first replaced by placeholders so "set the timer on 7 minutes" meets
"set a timer for {duration}". Only intents whose slots are all typed take part (a free-text slot such
as a note's text cannot be guessed), and never yes/no.

The confidence is the string similarity (0..1) less a penalty for every word the intent never uses
("what's the weather" is not "what's the time"): at ``ROUTE`` or above the intent runs, from ``ASK``
it is only suggested ("Did you mean …?"), below it nothing is returned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from agents import domains
from agents.local.expand import expand, slots_of
from agents.local.match import IntentMatch
from agents.local.normalize import normalize, prepare
from agents.local.templates import Lang
from agents.local.timeparse import MONTHS, WEEKDAYS, parse_day_range, parse_duration

ROUTE = 0.88
ASK = 0.72
UNKNOWN_WORD_PENALTY = 0.2
_TYPED = {"duration", "range"}
_NEVER = {"Confirm", "Reject"}
# words that carry no request of their own (they never count as unknown)
_NEUTRAL = {
    "the", "a", "an", "my", "me", "i", "you", "please", "so", "just", "actually", "really", "now", "then",
    "again", "currently", "exactly", "and", "is", "it", "to", "of", "der", "die", "das", "den",
    "dem", "ein", "eine", "einen", "mein", "meine", "meinen", "mir", "mich", "ich", "du", "bitte", "mal",
    "denn", "eigentlich", "gerade", "jetzt", "noch", "schon", "doch", "ja", "nun", "halt", "eben",
    "kurz", "es", "ist", "und", "on", "in", "at", "for", "with", "from", "by", "up", "about", "all", "any",
    "some", "do", "does", "did", "have", "has", "got", "are", "was", "be", "von", "mit", "für", "auf", "im",
    "am", "um", "zu", "bei", "vom", "zum", "zur", "ins", "alles", "etwas", "hab", "habe", "hat", "haben",
    "wir", "we", "us", "uns", "dir", "dich", "your", "dein", "deine", "this", "that", "these", "dies", "diese",
}
_DURATION_START = re.compile(
    r"^(?:\d|a$|an$|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|ninety|half|quarter|couple|few|ein|eine|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|"
    r"elf|zwölf|fünfzehn|zwanzig|dreißig|vierzig|fünfzig|sechzig|neunzig|halbe|viertel|dreiviertel|anderthalb|"
    r"\w+einhalb|paar)"
)
_RANGE_START = {
    "today", "tonight", "tomorrow", "next", "this", "coming", "on", "for", "the", "heute", "morgen",
    "übermorgen", "nächste", "nächsten", "kommende", "kommenden", "diese", "dieser", "dieses", "diesen",
    "am", "für", "in", "day", "weekend", "wochenende", *WEEKDAYS, *MONTHS,
}


@dataclass(frozen=True)
class _Sentence:
    intent: str
    language: Lang
    slots: tuple[str, ...]


@dataclass(frozen=True)
class _Index:
    sentences: list[str]
    sorted_sentences: list[str]  # words in order of the alphabet (a word order of its own is no miss)
    meta: list[_Sentence]
    vocab: dict[tuple[str, Lang], frozenset[str]]
    cues: dict[str, re.Pattern[str]]  # intent -> its domain's cues, for domains with ``fuzzy_needs_cue``


def _eligible(sentence: str) -> bool:
    return set(slots_of(sentence)) <= _TYPED


@lru_cache(maxsize=4)
def _index(registry: tuple[str, ...]) -> _Index:
    seen: dict[str, _Sentence] = {}
    vocab: dict[tuple[str, Lang], set[str]] = {}
    for intent, langs in domains.intents(registry).items():
        for lang, templates in langs.items():
            words = vocab.setdefault((intent, lang), set())
            for template in templates:
                for raw in expand(template):
                    words.update(w for w in normalize(raw).split() if not w.startswith("{"))
                    if intent in _NEVER or not _eligible(raw):
                        continue
                    s = normalize(raw)
                    if len(s.split()) >= 2 and s not in seen:
                        seen[s] = _Sentence(intent, lang, slots_of(s))
    cues = {intent: re.compile(r"(?<![\w-])(?:" + "|".join(d.cues) + ")", re.IGNORECASE)
            for d in domains.domains(registry) if d.fuzzy_needs_cue and d.cues for intent in d.intents}
    return _Index(list(seen), [_sorted(s) for s in seen], list(seen.values()),
                  {k: frozenset(v) for k, v in vocab.items()}, cues)


def _sorted(sentence: str) -> str:
    return " ".join(sorted(sentence.split()))


def warm_up() -> int:
    """Build the index now (tests, start-up); returns how many sentences it holds."""
    return len(_index(tuple(domains.DOMAINS)).sentences)


def _find_slot(words: list[str], kind: str, now: datetime) -> tuple[int, int, Any] | None:
    """The longest run of words (at most 6) that is a duration / a day range: (start, end, value)."""
    for i, w in enumerate(words):
        if kind == "duration" and not _DURATION_START.match(w):
            continue
        if kind == "range" and w not in _RANGE_START:
            continue
        for j in range(min(len(words), i + 6), i, -1):
            span = " ".join(words[i:j])
            value = parse_duration(span) if kind == "duration" else parse_day_range(span, now)
            if value is not None:  # "on friday", "for today": the day is the slot, the preposition the sentence's
                return (i + 1 if kind == "range" and j - i > 1 and w in ("on", "for") else i), j, value
    return None


def _with_placeholders(norm: str, now: datetime) -> tuple[str, dict[str, tuple[int, int, Any]]]:
    words = norm.split()
    found: dict[str, tuple[int, int, Any]] = {}
    for kind in ("range", "duration"):
        hit = _find_slot(words, kind, now)
        if hit is not None and not any(hit[0] < e and s < hit[1] for s, e, _ in found.values()):
            found[kind] = hit
    out = list(words)
    for kind, (s, e, _) in sorted(found.items(), key=lambda kv: -kv[1][0]):
        out[s:e] = ["{" + kind + "}"]
    return " ".join(out), found


@lru_cache(maxsize=8192)
def _known(word: str, vocab: frozenset[str]) -> bool:
    if word in vocab or word in _NEUTRAL or word.startswith("{"):
        return True
    if len(word) < 6:  # "news" is not "new", "neues" not "neue"
        return False
    limit = 1 if len(word) < 8 else 2  # a slip of the recognizer: "calender", "erinerungen"
    return any(abs(len(v) - len(word)) <= limit and Levenshtein.distance(word, v, score_cutoff=limit) <= limit
               for v in vocab)


def _unknown_words(query: str, intent: str, lang: Lang, index: _Index) -> list[str]:
    vocab = index.vocab.get((intent, lang), frozenset())
    return [w for w in query.split() if not _known(w, vocab)]


def match_fuzzy(text: str, now: datetime) -> IntentMatch | None:
    """The closest template sentence as an IntentMatch with its confidence (None below ``ASK``)."""
    norm = normalize(text)
    if len(norm.split()) < 2:
        return None
    index = _index(tuple(domains.DOMAINS))
    query, found = _with_placeholders(norm, now)
    # the words as heard, and (if a slot was found) with its placeholder: "today" may be a slot or
    # a word of the sentence ("what's the date today")
    queries = {(): norm, tuple(sorted(found)): query}
    best: tuple[float, str, _Sentence] | None = None
    for wanted, q in queries.items():
        candidates = process.extract(q, index.sentences, scorer=fuzz.ratio, limit=8, score_cutoff=ASK * 100 - 10)
        candidates += process.extract(_sorted(q), index.sorted_sentences, scorer=fuzz.ratio, limit=8,
                                      score_cutoff=ASK * 100 - 10)
        for _, score, i in candidates:
            meta, sentence = index.meta[i], index.sentences[i]
            if meta.slots != wanted:  # every slot heard must have its place, and every place a slot
                continue
            cue = index.cues.get(meta.intent)
            if cue is not None and not cue.search(norm):  # its domain is guessed only when named
                continue
            unknown = _unknown_words(q, meta.intent, meta.language, index)
            confidence = score / 100 - UNKNOWN_WORD_PENALTY * len(unknown)
            if best is None or confidence > best[0]:
                best = (confidence, sentence, meta)
    if best is None or best[0] < ASK:
        return None
    confidence, sentence, meta = best
    cased = prepare(text).split()
    used = {k: v for k, v in found.items() if k in meta.slots}
    slots = {k: " ".join(cased[s:e]) for k, (s, e, _) in used.items()}
    values = {k: v for k, (_, _, v) in used.items()}
    return IntentMatch(intent=meta.intent, language=meta.language, text=norm, slots=slots, values=values,
                       template=sentence, confidence=round(min(confidence, 0.99), 3))


def intent_words(intent: str) -> frozenset[str]:
    """Every word the intent's templates use, in both languages."""
    index = _index(tuple(domains.DOMAINS))
    return frozenset().union(*(v for (i, _), v in index.vocab.items() if i == intent))
