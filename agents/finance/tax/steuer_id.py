"""The German tax identification number (Steuerliche Identifikationsnummer, § 139b AO), checked when one
is entered: 11 digits, the first not 0; in the first ten one digit appears twice or three times (three
times never in a row) and every other digit at most once; the eleventh is the check digit of ISO/IEC
7064 MOD 11,10 over the first ten (the Bundeszentralamt für Steuern's published algorithm)."""

from __future__ import annotations

import re
from collections import Counter


class SteuerIdError(ValueError):
    """Why the number is not a valid Steuer-ID (English; ``de`` holds the German)."""

    def __init__(self, en: str, de: str) -> None:
        super().__init__(en)
        self.de = de


def check_digit(first_ten: str) -> int:
    product = 10
    for ch in first_ten:
        total = (int(ch) + product) % 10 or 10
        product = (total * 2) % 11
    check = 11 - product
    return 0 if check == 10 else check


def validate_steuer_id(text: str) -> str:
    """The 11 digits (spaces and slashes taken out), or ``SteuerIdError``."""
    digits = re.sub(r"[\s/.-]", "", text)
    if not digits.isdigit() or len(digits) != 11:
        raise SteuerIdError("a tax ID (Steuer-ID) has exactly 11 digits",
                            "eine Steuer-ID hat genau 11 Ziffern")
    if digits[0] == "0":
        raise SteuerIdError("a tax ID (Steuer-ID) never starts with 0", "eine Steuer-ID beginnt nie mit 0")
    counts = Counter(digits[:10])
    repeated = [d for d, n in counts.items() if n > 1]
    if len(repeated) != 1 or counts[repeated[0]] > 3 or repeated[0] * 3 in digits[:10]:
        raise SteuerIdError("this is not a tax ID (Steuer-ID): its digits do not follow the official pattern",
                            "das ist keine Steuer-ID: ihre Ziffern folgen nicht dem amtlichen Muster")
    if check_digit(digits[:10]) != int(digits[10]):
        raise SteuerIdError("this tax ID (Steuer-ID) has a typo: its check digit does not fit",
                            "diese Steuer-ID enthält einen Tippfehler: die Prüfziffer passt nicht")
    return digits
