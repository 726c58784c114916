"""Text rules of the social domain: graphemes counted as the networks count them, long texts split into
a numbered thread at sentence boundaries, and posts made speakable (no raw URLs, handles said as names,
content warnings first)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import regex

from agents.local.phrases import tr
from agents.social.models import Post

URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]", re.IGNORECASE)
# @user, @user@instance.social, @handle.bsky.social
HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?:@([A-Za-z0-9.-]+\.[A-Za-z]{2,}))?")
_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+(?=\S)")
_MARK = " ({i}/{n})"


def graphemes(text: str) -> int:
    """User-perceived characters (an emoji with skin tone or a flag is one): what both networks limit."""
    return len(regex.findall(r"\X", text))


def _cut(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` graphemes: at word boundaries, a word longer than that cut hard."""
    out: list[str] = []
    cur = ""
    for word in text.split():
        cand = f"{cur} {word}" if cur else word
        if graphemes(cand) <= limit:
            cur = cand
            continue
        if cur:
            out.append(cur)
        clusters = regex.findall(r"\X", word)
        while len(clusters) > limit:
            out.append("".join(clusters[:limit]))
            clusters = clusters[limit:]
        cur = "".join(clusters)
    if cur:
        out.append(cur)
    return out


def split_thread(text: str, limit: int) -> list[str]:
    """The text as one post, or as a thread of posts each within ``limit`` graphemes including its
    " (i/n)" mark, split after whole sentences (inside a sentence only when it alone is too long)."""
    text = text.strip()
    if graphemes(text) <= limit:
        return [text]
    n_guess = 9
    while True:
        room = limit - graphemes(_MARK.format(i=n_guess, n=n_guess))
        pieces: list[str] = []
        cur = ""
        for sentence in _SENTENCE_END.split(text):
            cand = f"{cur} {sentence}" if cur else sentence
            if graphemes(cand) <= room:
                cur = cand
                continue
            if cur:
                pieces.append(cur)
                cur = ""
            if graphemes(sentence) <= room:
                cur = sentence
            else:
                *full, cur = _cut(sentence, room)
                pieces.extend(full)
        if cur:
            pieces.append(cur)
        if len(str(len(pieces))) <= len(str(n_guess)):
            n = len(pieces)
            return [p + _MARK.format(i=i, n=n) for i, p in enumerate(pieces, 1)]
        n_guess = n_guess * 10 + 9


def _host(url: str) -> str:
    host = urlsplit(url).hostname or "a website"
    return host.removeprefix("www.")


def speakable(text: str, names: dict[str, str] | None = None, lang: str = "en") -> str:
    """A post's text as it is read aloud: a URL becomes "a link to <site>", a handle the person's name
    (from ``names``, handle -> display name) or its user part, hashtags their word."""
    names = {k.lower().lstrip("@"): v for k, v in (names or {}).items()}

    def handle(m: re.Match[str]) -> str:
        full = m.group(0).lstrip("@").lower()
        user = m.group(1)
        return names.get(full) or names.get(user.lower()) or user.split(".")[0]

    t = URL.sub(lambda m: tr(lang, "a link to ", "ein Link zu ") + _host(m.group(0)), text)
    t = HANDLE.sub(handle, t)
    t = re.sub(r"(?<!\w)#(\w+)", r"\1", t)
    return re.sub(r"\s+", " ", t).strip()


def spoken_post(p: Post, lang: str, with_text: bool = False) -> str:
    """One post as a sentence: who, then the content warning only (unless the text is asked for), else
    the text made speakable."""
    who = speakable(p.author, lang=lang) or p.handle.split(".")[0]
    if p.cw and not with_text:
        return tr(lang, f"{who} posted with a content warning: {p.cw}.",
                  f"{who} hat mit Inhaltswarnung gepostet: {p.cw}.")
    return f"{who}: {speakable(p.text, lang=lang)}"
