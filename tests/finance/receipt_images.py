"""Receipt pictures drawn by the tests (PIL, the DejaVu fonts of Debian's fonts-dejavu-core): German and
English shops, totals named "Summe", "Gesamt", "Total", "zu zahlen", amounts like 1.234,56 and 1,234.56,
dates in several formats. ``receipt_set(seed)``: the same generator with another seed gives another set;
the tests keep seed 1 to tune on and seed 2 held apart (never looked at while tuning the extraction)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
VENDORS = ["REWE Markt GmbH", "EDEKA Neukauf", "Baumarkt Hellweg", "Café Müller", "Apotheke am Markt",
           "Shell Station Köln", "Corner Deli Ltd", "Elektro Schulz", "Bäckerei Schmitt", "Bookshop & Co",
           "Malermeister Krause", "Drogerie Rossmann", "Hardware Store Inc", "Blumen Lange"]
ITEMS_DE = ["Milch", "Brot", "Kaffee", "Äpfel", "Schrauben", "Farbe weiß", "Käse", "Zeitung", "Wasser 6x1,5l"]
ITEMS_EN = ["Milk", "Bread", "Coffee", "Apples", "Screws", "Paint", "Cheese", "Newspaper", "Water"]
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Receipt:
    lines: list[str]
    vendor: str
    amount: Decimal
    day: date


def _de(a: Decimal) -> str:
    return f"{a:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _en(a: Decimal) -> str:
    return f"{a:,.2f}"


def make_receipt(rnd: random.Random) -> Receipt:
    german = rnd.random() < 0.6
    vendor = rnd.choice(VENDORS)
    day = date(2026, 1, 1) + timedelta(days=rnd.randrange(330))
    n = rnd.randint(1, 5)
    prices = [Decimal(rnd.randrange(49, 250_00 if rnd.random() < 0.2 else 40_00)) / 100 for _ in range(n)]
    if rnd.random() < 0.15:
        prices.append(Decimal(rnd.randrange(1000_00, 3000_00)) / 100)  # a big one: thousands separator
    total = sum(prices, Decimal(0))
    money = _de if german else _en
    names = ITEMS_DE if german else ITEMS_EN
    if german:
        when = rnd.choice([day.strftime("%d.%m.%Y"), day.strftime("%d.%m.%y"), day.isoformat(),
                           f"{day.day}. {MONTHS_DE[day.month - 1]} {day.year}"])
        head = [vendor, "Hauptstraße 12, 50667 Köln", f"Datum: {when}  {rnd.randrange(8, 20)}:{rnd.randrange(60):02d}"]
        total_line = rnd.choice(["SUMME EUR {}", "Gesamt {} EUR", "Zu zahlen: {} €", "Gesamtbetrag {} EUR"])
        vat = f"MwSt 19% {money((total * Decimal('0.19') / Decimal('1.19')).quantize(Decimal('0.01')))}"
        tail = [f"Bar {money(total + 10)}", f"Rückgeld {money(Decimal(10))}", "Vielen Dank für Ihren Einkauf"]
    else:
        when = rnd.choice([day.strftime("%d/%m/%Y"), day.isoformat(), f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}",
                           f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"])
        head = [vendor, "12 High Street, London", f"Date: {when}"]
        total_line = rnd.choice(["TOTAL EUR {}", "Total: € {}", "Amount due {} EUR", "TOTAL {}"])
        vat = f"VAT 20% {money((total / 6).quantize(Decimal('0.01')))}"
        tail = [f"Cash {money(total + 5)}", f"Change {money(Decimal(5))}", "Thank you!"]
    body = [f"{rnd.choice(names):<18}{money(p):>10}" for p in prices]
    sub = [f"{'Zwischensumme' if german else 'Subtotal':<18}{money(total):>10}"] if rnd.random() < 0.3 else []
    lines = [*head, "-" * 28, *body, *sub, total_line.format(money(total)), vat, *tail]
    return Receipt(lines, vendor, total, day)


def draw(r: Receipt, path: Path, rnd: random.Random, noisy: bool) -> Path:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(FONT), 26)
    img = Image.new("L", (620, 60 + 40 * len(r.lines)), 255)
    pen = ImageDraw.Draw(img)
    for i, line in enumerate(r.lines):
        pen.text((24, 30 + 40 * i), line, font=font, fill=0)
    if noisy:
        img = img.rotate(rnd.uniform(-1.2, 1.2), expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
        img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.3, 0.8)))
    if path.suffix == ".pdf":
        img.convert("RGB").save(path, "PDF", resolution=150.0)
    elif path.suffix == ".png":
        img.save(path)
    else:
        img.save(path, quality=rnd.randrange(60, 90))
    return path


def receipt_set(seed: int, n: int, folder: Path, noisy: bool = True) -> list[tuple[Path, Receipt]]:
    rnd = random.Random(seed)
    out: list[tuple[Path, Receipt]] = []
    for i in range(n):
        r = make_receipt(rnd)
        suffix = rnd.choice([".jpg", ".jpg", ".png", ".pdf"])
        out.append((draw(r, folder / f"receipt-{seed}-{i}{suffix}", rnd, noisy), r))
    return out
