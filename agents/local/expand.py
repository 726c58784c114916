"""A template's sentences spelled out ("[the] (time|date)" -> "time", "date", "the time", "the date"),
for the fuzzy matcher. Slots stay as ``{name}``; a template with very many sentences is cut off."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\s\[\]()|{}]+|\{[^}]*\}")


class _Expander:
    def __init__(self, template: str, cap: int) -> None:
        self.s = template
        self.i = 0
        self.cap = cap

    def alternatives(self, end: str | None) -> list[str]:
        out = self.sequence(end)
        while self.i < len(self.s) and self.s[self.i] == "|":
            self.i += 1
            out += self.sequence(end)
        return out[: self.cap]

    def sequence(self, end: str | None) -> list[str]:
        out = [""]
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "|" or (end is not None and c == end):
                break
            if c == " ":
                self.i += 1
                continue
            if c in "[(":
                self.i += 1
                inner = self.alternatives("]" if c == "[" else ")")
                self.i += 1  # the closing bracket
                parts = ["", *inner] if c == "[" else inner
            else:
                m = _WORD.match(self.s, self.i)
                if m is None:
                    raise ValueError(f"bad template {self.s!r} at {self.i}")
                self.i = m.end()
                parts = [m.group(0)]
            out = [f"{a} {b}" if a and b else a or b for a in out for b in parts][: self.cap]
        return out


def expand(template: str, cap: int = 400) -> list[str]:
    """Every sentence of the template (at most ``cap``), words single-spaced."""
    return list(dict.fromkeys(" ".join(s.split()) for s in _Expander(template, cap).alternatives(None)))


def slots_of(sentence: str) -> tuple[str, ...]:
    return tuple(sorted(re.findall(r"\{([^}]*)\}", sentence)))
