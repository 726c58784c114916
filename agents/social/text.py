"""Text rules of the social domain: graphemes counted as the networks count them, long texts split into
a numbered thread at sentence boundaries, and posts made speakable (no raw URLs, handles said as names,
content warnings first)."""

from __future__ import annotations

import re
import unicodedata
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
    t = re.sub(r"\s+", " ", _emoji_once(t, lang)).strip()
    return re.sub(r"\s+([,;:!?.])(?=\s|$)", r"\1", t)


_EMOJI = regex.compile(r"\X")
_MODIFIERS = {"\u200d", "\ufe0f", "\ufe0e", "\u20e3"} | {chr(c) for c in range(0x1F3FB, 0x1F400)}  # ZWJ, variation, skin tones


def _emoji_name(cluster: str) -> str | None:
    """What an emoji is called ("party popper", "flag DE"), or None for a cluster that is not one."""
    cps = [c for c in cluster if c not in _MODIFIERS]
    if not cps:
        return None
    if all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in cps) and len(cps) == 2:  # two regional indicators: a flag
        return "flag " + "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in cps)
    first = cps[0]
    if unicodedata.category(first) != "So" or ord(first) < 0x2190:
        return None
    try:
        return unicodedata.name(first).lower()
    except ValueError:
        return None


def _emoji_once(text: str, lang: str) -> str:
    """Each kind of emoji said once, by its name, in parentheses (a row of 🎉🎉🎉 is one "party popper"; later
    ones of the same kind are left out): a voice reading the raw characters says nothing or their code."""
    seen: set[str] = set()
    out: list[str] = []
    for cluster in _EMOJI.findall(text):
        name = _emoji_name(cluster)
        if name is None:
            out.append(cluster)
        elif name not in seen:
            seen.add(name)
            out.append(f" ({tr(lang, name, 'Emoji ' + name)}) ")
    return "".join(out)


def spoken_post(p: Post, lang: str, with_text: bool = False) -> str:
    """One post as a sentence: who, then the content warning only (unless the text is asked for), else
    the text made speakable."""
    who = speakable(p.author, lang=lang) or p.handle.split(".")[0]
    if p.cw and not with_text:
        return tr(lang, f"{who} posted with a content warning: {p.cw}.",
                  f"{who} hat mit Inhaltswarnung gepostet: {p.cw}.")
    return f"{who}: {speakable(p.text, lang=lang)}"
