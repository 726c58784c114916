"""Text made speakable for a TTS voice, in English and German.

A pipeline of small stages, each a function ``str -> str`` for one language: markdown and code are
reduced to what a person would read aloud, URLs and e-mail addresses are spoken ("example dot com"),
emoji are dropped, and numbers, dates, times, money, percentages and common abbreviations are
written out in words the way a person says them. Stages run in order; see :data:`STAGES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Literal

from num2words import num2words

Language = Literal["en", "de"]
Stage = Callable[[str, "Language"], str]

MONTHS: dict[Language, list[str]] = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
}
_MONTH_INDEX: dict[Language, dict[str, int]] = {
    lang: {m.lower(): i + 1 for i, m in enumerate(names)} for lang, names in MONTHS.items()
}
_MONTH_INDEX["en"].update({m[:3].lower(): i + 1 for i, m in enumerate(MONTHS["en"])})
_MONTH_INDEX["de"]["jänner"] = 1

_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "dot": "dot",
        "at": "at",
        "point": "point",
        "minus": "minus",
        "percent": "percent",
        "degrees": "degrees",
        "to": "to",
        "and": "and",
        "plus": "plus",
        "equals": "equals",
        "about": "about",
        "code": "See the code in the written reply.",
        "table": "See the table in the written reply.",
    },
    "de": {
        "dot": "Punkt",
        "at": "ät",
        "point": "Komma",
        "minus": "minus",
        "percent": "Prozent",
        "degrees": "Grad",
        "to": "bis",
        "and": "und",
        "plus": "plus",
        "equals": "gleich",
        "about": "etwa",
        "code": "Den Code findest du in der schriftlichen Antwort.",
        "table": "Die Tabelle findest du in der schriftlichen Antwort.",
    },
}

# -- number words -----------------------------------------------------------------------------


def cardinal(n: int, lang: Language) -> str:
    words: str = num2words(n, lang=lang)
    words = words.replace(",", "")
    return words.replace(" and ", " ") if lang == "en" else words  # "two hundred forty-nine"


def ordinal(n: int, lang: Language, ending: str = "") -> str:
    """English ordinal, or the German one with an inflection ending: "dritte" + "" / "n" / "r"."""
    words: str = num2words(n, lang=lang, to="ordinal")
    return words + ending if lang == "de" else words


def year(n: int, lang: Language) -> str:
    if lang == "en" and 2000 <= n <= 2009:
        return cardinal(n, lang).replace(" and ", " ")
    words: str = num2words(n, lang=lang, to="year")
    return words.replace(",", "")


def _digits(s: str, lang: Language) -> str:
    return " ".join(cardinal(int(d), lang) for d in s)


def decimal(int_part: str, frac_part: str, lang: Language) -> str:
    whole = cardinal(int(int_part or "0"), lang)
    if not frac_part:
        return whole
    return f"{whole} {_WORDS[lang]['point']} {_digits(frac_part, lang)}"


def _amount_parts(raw: str, lang: Language) -> tuple[str, str] | None:
    """Split a written amount into (integer digits, fraction digits) by the language's separators;
    None when it is no well-formed number (e.g. "1.2.3")."""
    thousands, dec = (",", ".") if lang == "en" else (".", ",")
    if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})+", raw):
        whole, frac = raw.replace(thousands, ""), ""
    elif dec in raw:
        a, _, frac = raw.rpartition(dec)
        whole = a.replace(thousands, "") if re.fullmatch(rf"\d{{1,3}}(?:\{thousands}\d{{3}})*|\d+", a) else a
    elif thousands in raw:  # "3,5" in an English text or "3.5" in a German one: a decimal mark
        whole, _, frac = raw.rpartition(thousands)
    else:
        whole, frac = raw, ""
    if not whole.isdigit() or (frac and not frac.isdigit()):
        return None
    return whole, frac


# -- stages -----------------------------------------------------------------------------------

_FENCE = re.compile(r"```[^\n]*\n.*?(?:```|\Z)", re.S)
_TABLE = re.compile(r"(?:^\s*\|.*\|\s*$\n?){2,}", re.M)


def strip_controls(text: str, lang: Language = "en") -> str:
    """Without control characters (NUL, ESC, ...; newline, tab and CR stay) and lone surrogates: they
    are not speakable, and Piper's phonemizer fails on a NUL."""
    return "".join(ch for ch in text if ch in "\n\t\r" or unicodedata.category(ch) not in ("Cc", "Cs"))


def strip_code(text: str, lang: Language) -> str:
    text = _FENCE.sub(lambda m: f" {_WORDS[lang]['code']} ", text)
    text = _TABLE.sub(lambda m: f" {_WORDS[lang]['table']} ", text)
    return re.sub(r"`([^`]*)`", r"\1", text)


def strip_markdown(text: str, lang: Language) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: alt text
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links: link text
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)  # headings
    text = re.sub(r"^\s*>+\s?", "", text, flags=re.M)  # quotes
    text = re.sub(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+", "", text, flags=re.M)  # list markers
    text = re.sub(r"^\s*(?:[-*_]\s*){3,}$", "", text, flags=re.M)  # rules
    text = re.sub(r"(\*\*|__|~~)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)", r"\1", text)
    return text


_EMAIL = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"']+", re.I)


def _spell_host(host: str, lang: Language) -> str:
    parts = [p for p in re.split(r"[.]", host) if p]
    return f" {_WORDS[lang]['dot']} ".join(parts)


def speak_emails(text: str, lang: Language) -> str:
    def repl(m: re.Match[str]) -> str:
        user = m.group(1).replace(".", f" {_WORDS[lang]['dot']} ").replace("_", " underscore ")
        user = user.replace("-", " dash ").replace("+", " plus ")
        return f"{user} {_WORDS[lang]['at']} {_spell_host(m.group(2), lang)}"

    return _EMAIL.sub(repl, text)


def speak_urls(text: str, lang: Language) -> str:
    def repl(m: re.Match[str]) -> str:
        url = m.group(0).rstrip(".,;:!?")
        tail = m.group(0)[len(url) :]
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I).split("/")[0].split("?")[0]
        host = host.split(":")[0]
        return _spell_host(host, lang) + tail

    return _URL.sub(repl, text)


_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols, flags
    "\u2600-\u27bf"  # misc symbols and dingbats
    "\u2b00-\u2bff"  # arrows, stars
    "\u2300-\u23ff"  # technical (⌚ ⏰)
    "\ufe0f\ufe0e\u200d\u20e3"  # variation selectors, zero width joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (subdivision flags)
    "]+"
)


def strip_emoji(text: str, lang: Language) -> str:
    return _EMOJI.sub(" ", text)


_ABBREVIATIONS: dict[Language, list[tuple[str, str]]] = {
    "en": [
        (r"\be\.\s?g\.", "for example"),
        (r"\bi\.\s?e\.", "that is"),
        (r"\betc\.", "et cetera"),
        (r"\bvs\.?(?=\s)", "versus"),
        (r"\bapprox\.", "approximately"),
        (r"\bDr\.(?=\s)", "Doctor"),
        (r"\bMr\.(?=\s)", "Mister"),
        (r"\bMrs\.(?=\s)", "Missus"),
        (r"\bMs\.(?=\s)", "Miz"),
        (r"\bProf\.(?=\s)", "Professor"),
        (r"\bNo\.\s?(?=\d)", "number "),
        (r"\bSt\.(?=\s[A-Z])", "Saint"),
    ],
    "de": [
        (r"\bz\.\s?B\.", "zum Beispiel"),
        (r"\bd\.\s?h\.", "das heißt"),
        (r"\bu\.\s?a\.", "unter anderem"),
        (r"\bu\.\s?U\.", "unter Umständen"),
        (r"\busw\.", "und so weiter"),
        (r"\betc\.", "et cetera"),
        (r"\bbzw\.", "beziehungsweise"),
        (r"\bca\.", "circa"),
        (r"\bevtl\.", "eventuell"),
        (r"\bggf\.", "gegebenenfalls"),
        (r"\binkl\.", "inklusive"),
        (r"\bvgl\.", "vergleiche"),
        (r"\bsog\.", "sogenannt"),
        (r"\bNr\.\s?", "Nummer "),
        (r"\bDr\.(?=\s)", "Doktor"),
        (r"\bProf\.(?=\s)", "Professor"),
        (r"\bHr\.(?=\s)", "Herr"),
        (r"\bHrn\.(?=\s)", "Herrn"),
        (r"\bFr\.(?=\s)", "Frau"),
        (r"(?<=\w)str\.(?=\s)", "straße"),
        (r"\bStr\.(?=\s)", "Straße"),
        (r"\bMio\.", "Millionen"),
        (r"\bMrd\.", "Milliarden"),
    ],
}


_SENTENCE_FINAL = {"et cetera", "und so weiter"}


def expand_abbreviations(text: str, lang: Language) -> str:
    for pattern, words in _ABBREVIATIONS[lang]:

        def repl(m: re.Match[str], words: str = words) -> str:
            end = m.string[m.end() :].strip()
            keep_period = (
                m.group(0).endswith(".") and words in _SENTENCE_FINAL and (not end or end[0].isupper())
            )
            return words + ("." if keep_period else "")

        text = re.sub(pattern, repl, text)
    return text


def _date_words(day: int, month: int, yr: int | None, lang: Language, ending: str) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    name = MONTHS[lang][month - 1]
    if lang == "en":
        s = f"{name} {ordinal(day, lang)}"
        return f"{s}, {year(yr, lang)}" if yr is not None else s
    s = f"{ordinal(day, lang, ending)} {name}"
    return f"{s} {year(yr, lang)}" if yr is not None else s


_DATIVE_BEFORE = re.compile(r"\b(?:am|im|vom|zum|beim|dem|den|des)\s*$", re.I)
_ARTICLE_BEFORE = re.compile(r"\b(?:der|die|das)\s*$", re.I)


def _de_ending(text: str, start: int) -> str:
    """German ordinal ending from the word before: "am dritten", "der dritte", "dritter"."""
    before = text[max(0, start - 12) : start]
    if _DATIVE_BEFORE.search(before):
        return "n"
    return "" if _ARTICLE_BEFORE.search(before) else "r"


def _month_number(lang: Language, name: str) -> int | None:
    """1-12; None for a word re.I matched only through a Unicode case variant ('ſeptember' with a long
    s, 'OKtober' with a Kelvin sign), which lower() does not map back."""
    return _MONTH_INDEX[lang].get(name.lower().rstrip("."))


def speak_dates(text: str, lang: Language) -> str:
    def iso(m: re.Match[str]) -> str:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _date_words(d, mo, y, lang, _de_ending(m.string, m.start())) or m.group(0)

    text = re.sub(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", iso, text)

    def dotted(m: re.Match[str]) -> str:  # 15.03.2024 / 15.3.
        d, mo = int(m.group(1)), int(m.group(2))
        y = int(m.group(3)) if m.group(3) else None
        if y is not None and y < 100:
            y += 2000
        return _date_words(d, mo, y, lang, _de_ending(m.string, m.start())) or m.group(0)

    # 15.03.2024 everywhere; 15.03.24 and 15.3. only in German (in English "3.5." is a decimal)
    year_part = r"\d{4}(?!\d)|\d{2}(?!\d)|(?!\d)" if lang == "de" else r"\d{4}(?!\d)"
    text = re.sub(rf"(?<![\d.])\b(\d{{1,2}})\.(\d{{1,2}})\.({year_part})", dotted, text)

    def slashed(m: re.Match[str]) -> str:  # US order month/day unless the first can only be a day
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000
        month, day = (a, b) if lang == "en" and a <= 12 else (b, a)
        return _date_words(day, month, y, lang, _de_ending(m.string, m.start())) or m.group(0)

    text = re.sub(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b", slashed, text)

    months = "|".join(sorted(_MONTH_INDEX[lang], key=len, reverse=True))
    if lang == "en":

        def month_day(m: re.Match[str]) -> str:
            mo = _month_number("en", m.group(1))
            if mo is None:
                return m.group(0)
            y = int(m.group(3)) if m.group(3) else None
            return _date_words(int(m.group(2)), mo, y, lang, "") or m.group(0)

        text = re.sub(
            rf"\b({months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?",
            month_day,
            text,
            flags=re.I,
        )

        def day_month(m: re.Match[str]) -> str:
            mo = _month_number("en", m.group(2))
            d = int(m.group(1))
            if mo is None or not 1 <= d <= 31:
                return m.group(0)
            s = f"the {ordinal(d, lang)} of {MONTHS['en'][mo - 1]}"
            return f"{s} {year(int(m.group(3)), lang)}" if m.group(3) else s

        text = re.sub(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({months})\b\.?(?:,?\s+(\d{{4}})\b)?",
            day_month,
            text,
            flags=re.I,
        )
    else:

        def de_day_month(m: re.Match[str]) -> str:
            mo = _month_number("de", m.group(2))
            if mo is None:
                return m.group(0)
            y = int(m.group(3)) if m.group(3) else None
            return _date_words(int(m.group(1)), mo, y, lang, _de_ending(m.string, m.start())) or m.group(0)

        text = re.sub(rf"\b(\d{{1,2}})\.\s*({months})\b(?:\s+(\d{{4}})\b)?", de_day_month, text, flags=re.I)
    # years after a cue word: "in 1999", "seit 2010"
    cues = r"in|since|by|until|of|from|year" if lang == "en" else r"im Jahre?|seit|bis|von|ab|Jahr"
    text = re.sub(
        rf"\b({cues})\s+(1[1-9]\d\d|20\d\d)\b(?![.,]\d)",
        lambda m: f"{m.group(1)} {year(int(m.group(2)), lang)}",
        text,
        flags=re.I,
    )
    return text


_AMPM = r"\s?([AaPp])\.?\s?[Mm]\b\.?"


def _en_time(h: int, mi: int, ampm: str | None) -> str:
    suffix = ""
    if ampm:
        suffix = " a.m." if ampm.lower() == "a" else " p.m."
    elif h >= 13:
        h -= 12
        suffix = " p.m."
    elif h == 0:
        h = 12
        suffix = " a.m."
    hw = cardinal(h, "en")
    if mi == 0:
        return f"{hw}{suffix}" if suffix else f"{hw} o'clock"
    mw = f"oh {cardinal(mi, 'en')}" if mi < 10 else cardinal(mi, "en")
    return f"{hw} {mw}{suffix}"


def _de_time(h: int, mi: int) -> str:
    hw = "ein" if h == 1 else cardinal(h, "de")
    return f"{hw} Uhr" if mi == 0 else f"{hw} Uhr {cardinal(mi, 'de')}"


def speak_times(text: str, lang: Language) -> str:
    if lang == "en":

        def hm(m: re.Match[str]) -> str:
            h, mi = int(m.group(1)), int(m.group(2))
            if h > 23 or mi > 59:
                return m.group(0)
            return _en_time(h, mi, m.group(3))

        text = re.sub(rf"\b(\d{{1,2}}):(\d{{2}})(?::\d{{2}})?(?:{_AMPM})?", hm, text)
        text = re.sub(rf"\b(\d{{1,2}})\.(\d{{2}}){_AMPM}", hm, text)  # British 10.30 am

        def h_only(m: re.Match[str]) -> str:
            h = int(m.group(1))
            return _en_time(h, 0, m.group(2)) if 1 <= h <= 12 else m.group(0)

        return re.sub(rf"\b(\d{{1,2}}){_AMPM}", h_only, text)

    def de_hm(m: re.Match[str]) -> str:
        h, mi = int(m.group(1)), int(m.group(2))
        if h > 24 or mi > 59:
            return m.group(0)
        return _de_time(h, mi)

    text = re.sub(r"\b(\d{1,2})[:.](\d{2})\s*Uhr\b", de_hm, text)
    text = re.sub(r"\b(\d{1,2}):(\d{2})\b(?::\d{2})?", de_hm, text)
    return re.sub(r"\b(\d{1,2})\s*Uhr\b", lambda m: _de_time(int(m.group(1)), 0), text)


_CURRENCY = {
    "$": ("dollar", "dollars", "cent", "cents", "Dollar", "Cent"),
    "USD": ("dollar", "dollars", "cent", "cents", "Dollar", "Cent"),
    "€": ("euro", "euros", "cent", "cents", "Euro", "Cent"),
    "EUR": ("euro", "euros", "cent", "cents", "Euro", "Cent"),
    "£": ("pound", "pounds", "penny", "pence", "Pfund", "Pence"),
    "GBP": ("pound", "pounds", "penny", "pence", "Pfund", "Pence"),
    "CHF": ("franc", "francs", "centime", "centimes", "Franken", "Rappen"),
}
_SCALE = {
    "en": {"k": "thousand", "thousand": "thousand", "m": "million", "million": "million", "mio": "million"}
    | {"bn": "billion", "billion": "billion", "b": "billion"},
    "de": {"tsd": "tausend", "tausend": "tausend", "mio": "Millionen", "millionen": "Millionen"}
    | {"million": "Million", "mrd": "Milliarden", "milliarden": "Milliarden", "milliarde": "Milliarde"},
}
_NUM = r"\d[\d.,]*\d|\d"
_SYM = r"\$|€|£|USD|EUR|GBP|CHF"


def _money(raw: str, symbol: str, scale: str | None, lang: Language) -> str:
    names = _CURRENCY[symbol]
    parts = _amount_parts(raw, lang)
    if parts is None:  # not a well-formed amount: say the digits, then the currency
        return f"{speak_numbers(raw, lang)} {names[1] if lang == 'en' else names[4]}"
    whole, frac = parts
    if scale:
        scale_word = _SCALE[lang].get(scale.lower().rstrip("."), scale)
        amount = decimal(whole, frac, lang)
        unit = names[1] if lang == "en" else names[4]
        return f"{amount} {scale_word} {unit}"
    n = int(whole or "0")
    cents = int((frac + "00")[:2]) if frac else 0
    if lang == "en":
        said = []
        if n or not cents:
            said.append(f"{cardinal(n, lang)} {names[0] if n == 1 else names[1]}")
        if cents:
            said.append(f"{cardinal(cents, lang)} {names[2] if cents == 1 else names[3]}")
        return " and ".join(said)
    unit, sub = names[4], names[5]
    words = "ein" if n == 1 else cardinal(n, lang)
    if n and cents:
        return f"{words} {unit} {cardinal(cents, lang)}"
    if cents:
        return f"{cardinal(cents, lang)} {sub}"
    return f"{words} {unit}"


def speak_money(text: str, lang: Language) -> str:
    scales = "|".join(sorted(_SCALE[lang], key=len, reverse=True))
    before = re.compile(rf"({_SYM})\s?({_NUM})(?:\s?({scales})\b\.?)?", re.I)
    after = re.compile(rf"\b({_NUM})(?:\s?({scales})\b\.?)?\s?({_SYM})(?![A-Za-z])", re.I)
    text = before.sub(lambda m: _money(m.group(2), m.group(1).upper(), m.group(3), lang), text)
    return after.sub(lambda m: _money(m.group(1), m.group(3).upper(), m.group(2), lang), text)


_UNITS: dict[Language, dict[str, str]] = {
    "en": {
        "km/h": "kilometers per hour",
        "mph": "miles per hour",
        "km": "kilometers",
        "kg": "kilograms",
        "cm": "centimeters",
        "mm": "millimeters",
        "ml": "milliliters",
        "GB": "gigabytes",
        "MB": "megabytes",
        "TB": "terabytes",
        "kWh": "kilowatt hours",
        "min": "minutes",
    },
    "de": {
        "km/h": "Kilometer pro Stunde",
        "km": "Kilometer",
        "kg": "Kilogramm",
        "cm": "Zentimeter",
        "mm": "Millimeter",
        "ml": "Milliliter",
        "GB": "Gigabyte",
        "MB": "Megabyte",
        "TB": "Terabyte",
        "kWh": "Kilowattstunden",
        "min": "Minuten",
        "Std.": "Stunden",
    },
}


def speak_units(text: str, lang: Language) -> str:
    w = _WORDS[lang]
    text = re.sub(
        r"(\d)\s?°\s?([CF])\b",
        lambda m: f"{m.group(1)} {w['degrees']} {'Celsius' if m.group(2) == 'C' else 'Fahrenheit'}",
        text,
    )
    text = re.sub(r"(\d)\s?°", lambda m: f"{m.group(1)} {w['degrees']}", text)
    text = re.sub(r"(\d)\s?%", lambda m: f"{m.group(1)} {w['percent']}", text)
    units = "|".join(re.escape(u) for u in sorted(_UNITS[lang], key=len, reverse=True))
    return re.sub(rf"(\d)\s?({units})(?![\w])", lambda m: f"{m.group(1)} {_UNITS[lang][m.group(2)]}", text)


def speak_ordinals(text: str, lang: Language) -> str:
    if lang == "en":
        return re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", lambda m: ordinal(int(m.group(1)), lang), text)

    def de(m: re.Match[str]) -> str:  # "der 3. Platz": an ordinal when a word follows
        return ordinal(int(m.group(1)), lang, _de_ending(m.string, m.start()))

    return re.sub(r"(?<![\d.,])\b(\d{1,3})\.(?=\s+[^\W\d_])", de, text)


def speak_numbers(text: str, lang: Language) -> str:
    w = _WORDS[lang]
    # ranges: 5-10, 10:00–11:00 were already words; digits joined by a dash
    text = re.sub(r"(?<=\d)\s?[–—]\s?(?=\d)|(?<=\d)-(?=\d)", f" {w['to']} ", text)
    # phone numbers and long digit runs: digit by digit
    text = re.sub(
        r"\+\d[\d ]{6,}\d",
        lambda m: "plus " + " ".join(_digits(g, lang) for g in m.group(0)[1:].split()),
        text,
    )
    text = re.sub(r"\b\d{10,}\b", lambda m: _digits(m.group(0), lang), text)
    # version-like numbers 3.11.2
    text = re.sub(
        r"\b\d+(?:\.\d+){2,}\b",
        lambda m: f" {w['dot']} ".join(cardinal(int(p), lang) for p in m.group(0).split(".")),
        text,
    )

    def number(m: re.Match[str]) -> str:
        sign = f"{w['minus']} " if m.group(1) else ""
        parts = _amount_parts(m.group(2), lang)
        if parts is None:  # e.g. "1,2,3": each digit group on its own
            groups = re.split(r"[.,]", m.group(2))
            return sign + f" {w['point']} ".join(cardinal(int(g), lang) for g in groups if g)
        return sign + decimal(*parts, lang)

    text = re.sub(r"(?<![\w.,])(-)?(\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\d])", number, text)
    # whatever digits are left (inside words, odd separators): as numbers, never as raw digits
    return re.sub(
        r"\d+",
        lambda m: (
            f" {_digits(m.group(0), lang) if len(m.group(0)) > 9 else cardinal(int(m.group(0)), lang)} "
        ),
        text,
    )


_SYMBOLS: dict[Language, list[tuple[str, str]]] = {
    "en": [(r"\s&\s", " and "), (r"\s\+\s", " plus "), (r"\s=\s", " equals "), (r"~\s?", "about ")],
    "de": [(r"\s&\s", " und "), (r"\s\+\s", " plus "), (r"\s=\s", " gleich "), (r"~\s?", "etwa ")],
}


def speak_symbols(text: str, lang: Language) -> str:
    for pattern, words in _SYMBOLS[lang]:
        text = re.sub(pattern, words, text)
    return text


def tidy(text: str, lang: Language) -> str:
    text = re.sub(r"[*_#|`<>\[\]{}\\^]+", " ", text)
    text = re.sub(r"\s*\n+\s*", ". ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"([.!?:;,])(?:\s*\.)+", r"\1", text)
    return text.strip(" ,;:")


STAGES: list[Stage] = [
    strip_controls,
    strip_code,
    strip_markdown,
    speak_emails,
    speak_urls,
    strip_emoji,
    expand_abbreviations,
    speak_dates,
    speak_times,
    speak_money,
    speak_units,
    speak_ordinals,
    speak_numbers,
    speak_symbols,
    tidy,
]


def make_speakable(text: str, language: Language = "en") -> str:
    """The text as the voice should say it; empty when nothing in it can be spoken."""
    if language not in ("en", "de"):
        raise ValueError(f"no speakable-text rules for language '{language}' (en, de)")
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ")
    for stage in STAGES:
        text = stage(text, language)
    return text if any(ch.isalnum() for ch in text) else ""
