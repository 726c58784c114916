"""Amounts for the ear and for the screen, in English and German.

- ``say_amount``: words a voice reads ("12,50 €" -> "zwölf Euro fünfzig", 12.50 EUR -> "twelve euros
  fifty"); the number words come from ``num2words`` (the agents layer cannot use the speech layer's
  text normaliser, and a reply's spoken part is handed over already in words).
- ``show_amount``: the screen text in the user's locale with Babel ("12,50 €" / "€12.50")."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from num2words import num2words

from agents.finance.money import exponent

_LOCALE = {"de": "de_DE", "en": "en_IE"}  # en_IE: English words, the euro as a European writes it
# currency -> (EN one, EN many, EN minor one, EN minor many, DE, DE minor)
_NAMES: dict[str, tuple[str, str, str, str, str, str]] = {
    "EUR": ("euro", "euros", "cent", "cents", "Euro", "Cent"),
    "USD": ("dollar", "dollars", "cent", "cents", "Dollar", "Cent"),
    "GBP": ("pound", "pounds", "penny", "pence", "Pfund", "Pence"),
    "CHF": ("franc", "francs", "centime", "centimes", "Franken", "Rappen"),
}


def _words(n: int, lang: str) -> str:
    text: str = num2words(n, lang="de" if lang == "de" else "en")
    return text.replace(",", "").replace(" and ", " ") if lang != "de" else text


def say_amount(amount: Decimal, currency: str = "EUR", lang: str = "en") -> str:
    """The amount in words: "twelve euros fifty", "one euro", "fifty cents", "zwölf Euro fünfzig",
    "ein Euro", "fünfzig Cent"; a negative amount starts with "minus"."""
    ccy = currency.upper()
    minus = amount < 0
    e = exponent(ccy)
    scaled = int((abs(amount) * (10 ** e)).to_integral_value())
    whole, minor = divmod(scaled, 10 ** e) if e else (scaled, 0)
    names = _NAMES.get(ccy)
    if names is None:  # no names for it: the number and the code
        number = _words(whole, lang) + (f" {'Komma' if lang == 'de' else 'point'} {_words(minor, lang)}" if minor else "")
        said = f"{number} {ccy}"
    elif lang == "de":
        unit, sub = names[4], names[5]
        w = "ein" if whole == 1 else _words(whole, lang)
        said = f"{w} {unit} {_words(minor, lang)}" if whole and minor else (
            f"{_words(minor, lang)} {sub}" if minor else f"{w} {unit}")
    else:
        unit = names[0] if whole == 1 else names[1]
        if whole and minor:
            said = f"{_words(whole, lang)} {unit} {_words(minor, lang)}"
        elif minor:
            said = f"{_words(minor, lang)} {names[2] if minor == 1 else names[3]}"
        else:
            said = f"{_words(whole, lang)} {unit}"
    return f"minus {said}" if minus else said


def show_amount(amount: Decimal, currency: str = "EUR", lang: str = "en") -> str:
    """The amount as the user's locale writes it (Babel): "1.234,50 €" (de), "€1,234.50" (en)."""
    return str(format_currency(amount, currency.upper(), locale=_LOCALE.get(lang, "en_IE")))
