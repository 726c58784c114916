"""Questions about what the user told the assistant to remember ("what is my sister's name" after
"remember that my sister's name is Julia", "wie heißt der Hausmeister", "where did I park"): the
question's key words, lightly lemmatised (my/mein, 's, plurals, a few word families across EN and DE,
German compounds), are looked up in the notes; the note that holds all of them answers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from agents.local.match import IntentMatch
from agents.local.normalize import normalize
from agents.local.phrases import tr
from agents.local.templates import Lang

_QUESTION = re.compile(
    r"^(?:what|what's|whats|who|who's|where|where's|when|when's|which|how|do you know|tell me|"
    r"wie|wo|wann|was|wer|welche|welcher|welches|welchen|weißt du|kennst du|sag mir)\b"
)
# words that only shape the question (never looked up in the notes)
_FRAME = {
    "what", "what's", "whats", "who", "who's", "where", "where's", "when", "when's", "which", "how", "is",
    "are", "was", "were", "do", "does", "did", "have", "has", "had", "you", "know", "tell", "me", "my", "i",
    "the", "a", "an", "of", "to", "again", "remember", "please", "your", "it", "there",
    "wie", "wo", "wann", "wer", "welche", "welcher", "welches", "welchen", "ist", "sind", "war",
    "hat", "habe", "hab", "hatte", "weißt", "kennst", "du", "mir", "sag", "mein", "meine", "meiner",
    "meinem", "meinen", "meines", "ich", "der", "die", "das", "den", "dem", "des", "nochmal", "noch",
    "einmal", "denn", "eigentlich", "bitte", "von", "im", "in", "on", "at", "for", "and", "und", "mich",
}
# word families: either word of a family meets the other (across English and German)
_FAMILIES: dict[str, str] = {}
for _family in (
    ("name", "names", "named", "called", "call", "heißt", "heisst", "heißen", "heiße", "namens", "nennt"),
    ("birthday", "birthdays", "geburtstag", "geburtstage", "born", "geboren"),
    ("park", "parked", "parking", "parke", "parkt", "parken", "geparkt", "abgestellt", "steht"),
    ("password", "passwort", "kennwort", "passcode"),
    ("wifi", "wi-fi", "wlan"),
    ("mother", "mom", "mum", "mama", "mutter", "mami"),
    ("father", "dad", "papa", "vater", "papi"),
    ("sister", "schwester"), ("brother", "bruder"), ("wife", "frau", "ehefrau"), ("husband", "mann", "ehemann"),
    ("car", "auto", "wagen"), ("key", "keys", "schlüssel"), ("locker", "spind", "schließfach"),
    ("number", "nummer"), ("phone", "telefon", "handy"), ("doctor", "arzt", "ärztin"),
    ("dentist", "zahnarzt", "zahnärztin"), ("janitor", "caretaker", "hausmeister"), ("code", "pin", "zahlencode"),
    ("address", "adresse"), ("anniversary", "jahrestag"), ("wedding", "hochzeit"),
):
    for _w in _family:
        _FAMILIES[_w] = _family[0]
NO_NOTE = "no matching note"  # the error of a RecallNote reply that found nothing (a model may try instead)
_SUFFIXES = ("ing", "ed", "es", "en", "er", "e", "s", "n")


class _Note(Protocol):
    id: int
    text: str


def is_question(norm: str) -> bool:
    return _QUESTION.match(norm) is not None


def _lemma(word: str) -> str:
    w = re.sub(r"'s$|s'$|'$", "", word.lower())
    if w in _FAMILIES:
        return _FAMILIES[w]
    if w.endswith("s") and w[:-1] in _FAMILIES:  # "Mamas Geburtstag"
        return _FAMILIES[w[:-1]]
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.lower())


def _keys(question: str) -> list[tuple[str, str]]:
    return list(dict.fromkeys((_lemma(w), w) for w in _words(question) if w not in _FRAME and len(w) > 1))


def question_keywords(question: str) -> list[str]:
    """The looked-up words of a question ("what is my sister's name" -> sister, name)."""
    return list(dict.fromkeys(lemma for lemma, _ in _keys(question)))


def _meets(key: tuple[str, str], lemmas: set[str], raw: set[str]) -> bool:
    lemma, word = key
    if lemma in lemmas or word in raw:
        return True
    if len(word) >= 4 and any(len(w) >= 6 and word in w for w in raw):  # a part of a note's compound
        return True
    # a German compound in the question: both parts in the note ("Spindcode" ~ "Code für den Spind")
    for i in range(3, len(word) - 2):
        head, tail = word[:i], word[i:]
        tails = (tail, tail[1:]) if tail.startswith("s") and len(tail) > 4 else (tail,)  # Geburtstagstorte
        if (head in raw or _lemma(head) in lemmas) and any(t in raw or _lemma(t) in lemmas for t in tails):
            return True
    return False


def best_note(question: str, notes: Sequence[_Note]) -> _Note | None:
    """The note that holds every key word of the question (the newest of equals), else None."""
    keys = _keys(question)
    if not keys:
        return None
    best: tuple[int, int, _Note] | None = None
    for note in notes:
        raw = set(_words(note.text))
        lemmas = {_lemma(w) for w in raw}
        if all(_meets(k, lemmas, raw) for k in keys):
            rank = (-len(raw), note.id)  # the most specific note, then the newest
            if best is None or rank > best[:2]:
                best = (*rank, note)
    return best[2] if best else None


_TO_YOU_EN = {"my": "your", "mine": "yours", "i": "you", "i'm": "you're", "me": "you", "am": "are",
              "myself": "yourself"}
_TO_YOU_DE = {"mein": "dein", "meine": "deine", "meinen": "deinen", "meinem": "deinem", "meiner": "deiner",
              "meines": "deines", "ich": "du", "mir": "dir", "mich": "dich", "bin": "bist", "habe": "hast",
              "hab": "hast"}


def as_told(note: str, language: str) -> str:
    """The note said back to the user ("my sister's name is Julia" -> "your sister's name is Julia")."""
    table = _TO_YOU_DE if language == "de" else _TO_YOU_EN

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        said = table.get(word.lower())
        if said is None:
            return word
        return said.capitalize() if word[0].isupper() and word.lower() != "i" else said

    return re.sub(r"[\w']+", swap, note)


def answer(note: str, language: str) -> str:
    told = as_told(note, language).rstrip(".")
    return tr(language, f"You told me: {told}.", f"Du hast mir gesagt: {told}.")


_GERMAN = re.compile(r"^(?:wie|wo|wann|was|wer|welche[rsnm]?|weißt du|kennst du|sag mir)\b")


def match_note_question(text: str, notes: Sequence[_Note]) -> IntentMatch | None:
    """A question that a stored note answers ("wie heißt der Hausmeister"), as RecallNote; None when it is
    no question or no note holds its key words ("what is the capital of France")."""
    norm = normalize(text)
    if not is_question(norm) or best_note(norm, notes) is None:
        return None
    lang: Lang = "de" if _GERMAN.match(norm) else "en"
    return IntentMatch(intent="RecallNote", language=lang, text=norm, slots={"fact": norm}, values={"fact": norm},
                       template="(a question the notes answer)")
