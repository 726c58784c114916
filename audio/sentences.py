"""Streaming sentence splitter: text arriving in pieces (an LLM's tokens) in, whole sentences out.

A sentence is emitted as soon as its end is certain, so speech can start while the rest of the
reply is still being written. Robust to abbreviations ("Dr.", "e.g.", "z. B."), decimals (3.5),
times (10:30), URLs and e-mail addresses (no space after the dot), ellipses, German ordinals
("am 3. März") and markdown list markers ("1. item"). Code fences are kept as one piece.
Very long runs without an end mark are cut at a comma or a space (``max_chars``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Language = Literal["en", "de"]

_TERMINATORS = ".!?…"
_CLOSERS = "\"'”’»«)]*_"
_MONTHS_DE = {
    "januar",
    "jänner",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
}
# Words after which a period never ends a sentence (the next word belongs to the same sentence).
_NEVER_END = {
    "dr.",
    "mr.",
    "mrs.",
    "ms.",
    "prof.",
    "st.",
    "sr.",
    "jr.",
    "vs.",
    "e.g.",
    "i.e.",
    "cf.",
    "approx.",
    "no.",
    "nos.",
    "fig.",
    "mt.",
    "z.b.",
    "d.h.",
    "u.a.",
    "bzw.",
    "ca.",
    "nr.",
    "hr.",
    "hrn.",
    "fr.",
    "evtl.",
    "ggf.",
    "inkl.",
    "exkl.",
    "vgl.",
    "sog.",
    "str.",
    "tel.",
    "abs.",
    "art.",
    "bd.",
    "jh.",
    "mio.",
    "mrd.",
    "incl.",
    "excl.",
    "avg.",
    "est.",
    "dept.",
    "resp.",
    "ref.",
    "vol.",
    "pp.",
    "ch.",
}
# Abbreviations that may also end a sentence: they do when the next word starts with a capital.
_MAYBE_END = {
    "etc.",
    "usw.",
    "u.s.w.",
    "inc.",
    "ltd.",
    "co.",
    "corp.",
    "a.m.",
    "p.m.",
    "u.s.",
    "u.k.",
    "min.",
}
# German words after which "<number>." is an ordinal ("der 3. Platz", "zum 2. Mal").
_DE_ORDINAL_CUES = {
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "am",
    "im",
    "zum",
    "zur",
    "vom",
    "beim",
    "bis",
    "ab",
    "seit",
    "jeden",
    "jede",
    "jedes",
    "jeder",
    "ihr",
    "ihre",
    "sein",
    "seine",
    "mein",
    "meine",
    "unser",
    "unsere",
    "ein",
    "eine",
}
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]\s+)?(?:\d{1,3}|[a-zA-Z])$")
_SOFT_BREAK = re.compile(r"[,;:–—](?=\s)|\s[-–—]\s")


class SentenceSplitter:
    """Feed text pieces with :meth:`feed`; it returns the sentences completed so far.
    Call :meth:`flush` at the end of the text for the rest."""

    def __init__(self, language: Language = "en", max_chars: int = 300, first_clause: bool = False) -> None:
        """``first_clause``: the first piece ends already at a clause break (", " "; " ": "), so speech
        can start sooner; later pieces are whole sentences."""
        if max_chars < 20:
            raise ValueError("max_chars must be at least 20")
        self.language: Language = language
        self.max_chars = max_chars
        self.first_clause = first_clause
        self._emitted = 0
        self._buf = ""

    @property
    def pending(self) -> str:
        """Text received but not yet emitted as a sentence."""
        return self._buf

    def flush_text(self) -> str:
        """Drop and return the text not yet emitted (a stopped reply's unspoken rest)."""
        rest, self._buf = self._buf, ""
        return rest.lstrip()

    def feed(self, text: str) -> list[str]:
        self._buf += text
        return self._drain(final=False)

    def flush(self) -> list[str]:
        out = self._drain(final=True)
        rest = self._buf.strip()
        self._buf = ""
        if rest:
            out.append(rest)
            self._emitted += 1
        return out

    # -- internals ---------------------------------------------------------------------------

    def _drain(self, final: bool) -> list[str]:
        out: list[str] = []
        while True:
            cut = self._next_cut(final)
            if cut is None:
                break
            piece, self._buf = self._buf[:cut].strip(), self._buf[cut:]
            if piece:
                out.append(piece)
                self._emitted += 1
        return out

    def _next_cut(self, final: bool) -> int | None:
        buf = self._buf
        start = len(buf) - len(buf.lstrip())
        if buf.startswith("```", start):
            return self._fence_cut(buf, start, final)
        i = start
        n = len(buf)
        while i < n:
            ch = buf[i]
            if ch == "\n":
                return i + 1
            if buf.startswith("```", i):
                return i  # a code fence starts mid-line: cut before it
            if ch in ",;:" and self.first_clause and not self._emitted and buf[start:i].strip():
                if i + 1 >= n:
                    return len(buf) if final else None
                if buf[i + 1].isspace():
                    return i + 1
            if ch in _TERMINATORS:
                decision, end = self._decide(buf, start, i, final)
                if decision is None:
                    return None  # need more text to decide
                if decision:
                    return end
                i = end
                continue
            i += 1
        if n - start > self.max_chars:
            return self._forced_cut(buf, start)
        return None

    def _fence_cut(self, buf: str, start: int, final: bool) -> int | None:
        close = buf.find("```", start + 3)
        if close < 0:
            return len(buf) if final else None
        nl = buf.find("\n", close + 3)
        if nl < 0:
            return len(buf) if final else None
        return nl + 1

    def _forced_cut(self, buf: str, start: int) -> int:
        window = buf[start : start + self.max_chars]
        soft = [m.end() for m in _SOFT_BREAK.finditer(window) if m.end() > len(window) // 3]
        if soft:
            return start + soft[-1]
        space = window.rfind(" ")
        if space > len(window) // 3:
            return start + space + 1
        return start + self.max_chars

    def _decide(self, buf: str, start: int, i: int, final: bool) -> tuple[bool | None, int]:
        """Is the terminator run starting at ``i`` a sentence end? Returns (decision, index after the run);
        decision None means: wait for more text."""
        n = len(buf)
        j = i
        while j < n and buf[j] in _TERMINATORS:
            j += 1
        while j < n and buf[j] in _CLOSERS:
            j += 1
        run = buf[i:j]
        if j >= n:
            return (True, j) if final else (None, j)
        if not buf[j].isspace():
            return False, j  # 3.5, example.com, "?q=", "a.m." inside a word
        k = j
        while k < n and buf[k] in " \t":
            k += 1
        if k < n and buf[k] == "\n":
            return True, j
        nxt = buf[k] if k < n else ""
        wait = not nxt and not final  # some cases below need the next word's first letter
        ws = max(buf.rfind(" ", 0, i), buf.rfind("\n", 0, i), buf.rfind("\t", 0, i), start - 1)
        word = buf[ws + 1 : i + 1].lower().lstrip("\"'“‘»«([*_")
        bare = word.rstrip(".")
        is_period = run.rstrip(_CLOSERS) == "."
        ellipsis = "…" in run or run.startswith("..")
        if not is_period and not ellipsis:
            return True, j  # ! or ? followed by space
        starts_upper = bool(nxt) and (nxt.isupper() or nxt in "\"“„'‘»«(")
        if ellipsis:
            return (None, j) if wait else ((starts_upper or not nxt), j)
        compact = word.replace(" ", "")
        if compact in _NEVER_END or self._initial(word):
            return False, j
        if compact in _MAYBE_END:
            return (None, j) if wait else ((starts_upper or not nxt or nxt.isdigit()), j)
        if bare.isdigit():
            before = buf[start : ws + 1]
            if _LIST_MARKER.match(before + bare) or not before.strip():
                return False, j  # "1. Buy milk" list marker at the start
            if self.language == "de":
                if wait:
                    return None, j
                prev = before.split()[-1].lower() if before.split() else ""
                nxt_word = buf[k:].split(maxsplit=1)[0].lower().strip(".,;:!?") if nxt else ""
                if nxt_word in _MONTHS_DE or prev in _DE_ORDINAL_CUES or (nxt and nxt.islower()):
                    return False, j
        return True, j

    @staticmethod
    def _initial(word: str) -> bool:
        """A single letter with a period: an initial ("J. Smith") or part of "z. B."/"d. h."."""
        return bool(re.fullmatch(r"[^\W\d_]\.", word))


def split_sentences(text: str, language: Language = "en", max_chars: int = 300, first_clause: bool = False) -> list[str]:
    """All sentences of a complete text (``first_clause``: the first piece ends at a clause break)."""
    splitter = SentenceSplitter(language, max_chars, first_clause)
    return [*splitter.feed(text), *splitter.flush()]


def split_stream(pieces: Iterable[str], language: Language = "en", max_chars: int = 300) -> Iterable[str]:
    """Sentences of a text that arrives in pieces, each yielded as soon as it is complete."""
    splitter = SentenceSplitter(language, max_chars)
    for piece in pieces:
        yield from splitter.feed(piece)
    yield from splitter.flush()
