"""The wake phrase in what Whisper heard, tolerant of how it mishears it.

Whisper rarely writes "hey assistant" for a wake phrase said in a room: it writes "High assistant",
"Hai assistant", "A assistant", "Hase assistant", "Hey, Assist, Chant" or "Hey Assistent" (heard on
Piper and espeak-ng voices, EN and DE; tests/speech_input/test_wake.py keeps them). Two ways to match,
on words folded to a rough sound (letters only, accents off, y/ie/igh/ey -> i/ai, c/ck -> k, z -> s,
w -> v, doubled letters once):

1. the first words, joined, sound like the whole phrase (similarity >= ``PHRASE_SIMILARITY``), the first
   of them not an article or a possessive ("my assistant is great" is no call);
2. the phrase's name ("assistant": every word after the first) starts the text or follows one short
   word that is not an article or a possessive ("A assistant", "Hai assistant", but never "the
   assistant said" or "my assistant"), sounding alike (>= ``NAME_SIMILARITY``).

A phrase of one word uses the first way only.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

PHRASE_SIMILARITY = 0.8
NAME_SIMILARITY = 0.85
# words that make "<word> assistant" a sentence about an assistant, not a call to one ("a" is not one of
# them: "a assistant" is no English, it is how Whisper writes a quick "hey")
DETERMINERS = frozenset(
    ["the", "an", "my", "your", "his", "her", "its", "our", "their", "this", "that", "these", "those", "some", "any", "no", "every", "which", "what", "whose", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "mein", "meine", "meinen", "dein", "deine", "sein", "seine", "ihr", "ihre", "unser", "unsere", "euer", "kein", "keine", "jeder", "jede", "dieser", "diese", "dieses", "welcher", "welche"]
)
_SOUNDS = [("igh", "ai"), ("ey", "ai"), ("ei", "ai"), ("ay", "ai"), ("ie", "i"), ("ph", "f"), ("ck", "k"),
           ("y", "i"), ("c", "k"), ("z", "s"), ("w", "v"), ("ß", "ss")]


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", unicodedata.normalize("NFKC", text).lower())


def fold(word: str) -> str:
    """A word as a rough sound: letters only, no accents, a few spellings of one sound made one."""
    w = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if c.isalpha() and not unicodedata.combining(c))
    for a, b in _SOUNDS:
        w = w.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", w)


def _similar(a: str, b: str) -> float:
    return float(Levenshtein.normalized_similarity(a, b)) if a and b else 0.0


def wake_words_heard(text: str, wake_phrase: str) -> int | None:
    """How many of the text's words (as :func:`words` splits them) hold the wake phrase at its start,
    or None when it does not start with it."""
    wake = words(wake_phrase)
    heard = words(text)
    if not wake:
        return 0
    if not heard:
        return None
    if heard[: len(wake)] == wake:
        return len(wake)
    target = "".join(fold(w) for w in wake)
    best: tuple[float, int] = (0.0, 0)
    for k in range(1, min(len(heard), len(wake) + 1) + 1):
        score = _similar("".join(fold(w) for w in heard[:k]), target)
        if score > best[0]:
            best = (score, k)
    if best[0] >= PHRASE_SIMILARITY and (heard[0] not in DETERMINERS or heard[0] == wake[0]):
        return best[1]
    name = wake[1:]
    if not name:
        return None
    folded_name = "".join(fold(w) for w in name)
    for lead in (0, 1):
        if lead and (heard[0] in DETERMINERS or len(heard[0]) > 5):
            continue
        for k in range(max(1, len(name) - 1), len(name) + 2):
            part = heard[lead : lead + k]
            if len(part) == k and _similar("".join(fold(w) for w in part), folded_name) >= NAME_SIMILARITY:
                return lead + k
    return None


def strip_wake_phrase(text: str, wake_phrase: str) -> str | None:
    """The text after the wake phrase when the text starts with it (as Whisper may have misheard it),
    else None."""
    n = wake_words_heard(text, wake_phrase)
    if n is None:
        return None
    raw = re.findall(r"\S+", text)
    count, i = 0, 0
    while i < len(raw) and count < n:  # drop as many raw tokens as hold those words
        count += len(words(raw[i]))
        i += 1
    return " ".join(raw[i:]).lstrip(" ,.!?;:-")
