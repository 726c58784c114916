"""Table tests of the speakable-text normalizer in English and German."""

from __future__ import annotations

import pytest

from audio.speakable import Language, make_speakable

pytestmark = pytest.mark.unit

EN: list[tuple[str, str]] = [
    # markdown, code, links, emoji
    ("**Bold** and _italic_ and `code`.", "Bold and italic and code."),
    ("# Heading\n- first item\n- second item", "Heading. first item. second item"),
    ("See [the docs](https://example.com/docs).", "See the docs."),
    ("Here:\n```python\nprint('hi')\n```\nDone.", "Here: See the code in the written reply. Done."),
    ("> quoted text", "quoted text"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\nAfter.", "See the table in the written reply. After."),
    ("Great job 🎉👍🏽!", "Great job!"),
    ("I ❤️ it 👨‍👩‍👧", "I it"),
    # URLs and e-mail
    ("Visit https://www.example.com/path?q=1 now.", "Visit example dot com now."),
    ("Go to www.python.org.", "Go to python dot org."),
    ("Mail anna.schmidt@example.org today.", "Mail anna dot schmidt at example dot org today."),
    ("Write to j_doe+news@mail.co.uk", "Write to j underscore doe plus news at mail dot co dot uk"),
    # numbers
    ("I have 3 cats and 21 dogs.", "I have three cats and twenty-one dogs."),
    ("It weighs 3.5 kg.", "It weighs three point five kilograms."),
    (
        "There were 1,234,567 people.",
        "There were one million two hundred thirty-four thousand five hundred sixty-seven people.",
    ),
    ("It is -5 outside.", "It is minus five outside."),
    ("Pages 5-10 and 20–30.", "Pages five to ten and twenty to thirty."),
    ("She came 1st and he 22nd.", "She came first and he twenty-second."),
    ("Version 3.11.2 is out.", "Version three dot eleven dot two is out."),
    ("Call +49 30 1234567.", "Call plus four nine three zero one two three four five six seven."),
    ("Growth was 15% or 2.5 %.", "Growth was fifteen percent or two point five percent."),
    ("It is 25°C or 77 °F.", "It is twenty-five degrees Celsius or seventy-seven degrees Fahrenheit."),
    ("In 1999 we moved.", "In nineteen ninety-nine we moved."),
    # money
    ("It costs $5.50.", "It costs five dollars and fifty cents."),
    ("Only $1 or $0.99 or $1.01.", "Only one dollar or ninety-nine cents or one dollar and one cent."),
    ("Pay €1,200 now.", "Pay one thousand two hundred euros now."),
    ("That is 20 EUR or £3.", "That is twenty euros or three pounds."),
    ("A $2.5 million deal.", "A two point five million dollars deal."),
    # dates
    ("On 2024-03-15 we meet.", "On March fifteenth, twenty twenty-four we meet."),
    ("On 03/04/2025 we meet.", "On March fourth, twenty twenty-five we meet."),
    ("On 25/12/2025 we meet.", "On December twenty-fifth, twenty twenty-five we meet."),
    ("Due March 15, 2025.", "Due March fifteenth, twenty twenty-five."),
    ("Due 15 March 2025.", "Due the fifteenth of March twenty twenty-five."),
    ("Since Jan 3rd.", "Since January third."),
    ("By 2000 and 2008.", "By two thousand and two thousand eight."),
    # times
    ("At 10:30 we start.", "At ten thirty we start."),
    ("At 9:05 am or 4:15 PM.", "At nine oh five a.m. or four fifteen p.m."),
    ("At 14:30 and 00:15.", "At two thirty p.m. and twelve fifteen a.m."),
    ("At 10:00 sharp.", "At ten o'clock sharp."),
    ("Come at 7pm or 8 a.m.", "Come at seven p.m. or eight a.m."),
    ("It starts 10.30 am.", "It starts ten thirty a.m."),
    # abbreviations and symbols
    ("Dr. Smith, e.g. the surgeon, etc.", "Doctor Smith, for example the surgeon, et cetera."),
    ("Mr. Lee vs. Mrs. Park", "Mister Lee versus Missus Park"),
    ("Rock & roll", "Rock and roll"),
    ("It is ~5 km.", "It is about five kilometers."),
]

DE: list[tuple[str, str]] = [
    ("**Fett** und `Code`.", "Fett und Code."),
    ("Super gemacht 🎉!", "Super gemacht!"),
    ("Code:\n```\nx = 1\n```", "Code: Den Code findest du in der schriftlichen Antwort."),
    (
        "Schreib an max.mustermann@beispiel.de bitte.",
        "Schreib an max Punkt mustermann ät beispiel Punkt de bitte.",
    ),
    ("Siehe https://www.beispiel.de/seite.", "Siehe beispiel Punkt de."),
    ("Ich habe 3 Katzen und 21 Hunde.", "Ich habe drei Katzen und einundzwanzig Hunde."),
    ("Es sind 3,5 kg.", "Es sind drei Komma fünf Kilogramm."),
    ("Es kamen 1.234 Leute.", "Es kamen eintausendzweihundertvierunddreißig Leute."),
    ("Es wuchs um 3,5 %.", "Es wuchs um drei Komma fünf Prozent."),
    ("Draußen sind -3 °C.", "Draußen sind minus drei Grad Celsius."),
    ("Das kostet 12,99 €.", "Das kostet zwölf Euro neunundneunzig."),
    ("Das kostet 1 € oder 0,50 €.", "Das kostet ein Euro oder fünfzig Cent."),
    ("Das kostet 1.234,50 EUR.", "Das kostet eintausendzweihundertvierunddreißig Euro fünfzig."),
    ("Ein Deal über 2,5 Mio. €.", "Ein Deal über zwei Komma fünf Millionen Euro."),
    ("Es kostet $5.", "Es kostet fünf Dollar."),
    ("Am 15.03.2024 treffen wir uns.", "Am fünfzehnten März zweitausendvierundzwanzig treffen wir uns."),
    ("Am 3. Oktober ist Feiertag.", "Am dritten Oktober ist Feiertag."),
    ("Heute ist der 1. Mai.", "Heute ist der erste Mai."),
    ("Termin: 2024-12-24.", "Termin: vierundzwanzigster Dezember zweitausendvierundzwanzig."),
    ("Seit 1999 wohne ich hier.", "Seit neunzehnhundertneunundneunzig wohne ich hier."),
    ("Um 14:30 Uhr geht es los.", "Um vierzehn Uhr dreißig geht es los."),
    ("Um 9.15 Uhr oder 1:00.", "Um neun Uhr fünfzehn oder ein Uhr."),
    ("Um 8 Uhr.", "Um acht Uhr."),
    ("Der 3. Platz geht an Dr. Müller.", "Der dritte Platz geht an Doktor Müller."),
    ("Im 21. Jahrhundert.", "Im einundzwanzigsten Jahrhundert."),
    (
        "Obst, z. B. Äpfel, bzw. Birnen usw.",
        "Obst, zum Beispiel Äpfel, beziehungsweise Birnen und so weiter.",
    ),
    ("Das dauert ca. 5 min.", "Das dauert circa fünf Minuten."),
    ("Haus Nr. 7 in der Hauptstr. 5", "Haus Nummer sieben in der Hauptstraße fünf"),
    ("Seiten 5-10", "Seiten fünf bis zehn"),
]


@pytest.mark.parametrize(("text", "expected"), EN)
def test_english(text: str, expected: str) -> None:
    assert make_speakable(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), DE)
def test_german(text: str, expected: str) -> None:
    assert make_speakable(text, "de") == expected


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("text", ["", "   ", "\n\t", "😀🎉👍🏽", "🇩🇪 🇺🇸", "**", "``` ```", "---"])
def test_nothing_speakable_gives_empty_text(text: str, lang: Language) -> None:
    assert make_speakable(text, lang) == ""


@pytest.mark.parametrize("lang", ["en", "de"])
def test_control_characters_are_dropped(lang: Language) -> None:
    assert make_speakable("Hallo\x00 Welt\x1b\x07", lang) == "Hallo Welt"
    assert make_speakable("\x00\x1b\x7f", lang) == ""


def test_unicode_case_variants_of_month_names_do_not_fail() -> None:
    # re.I matches 'ſeptember' (long s) and 'OKtober' (Kelvin sign); the month table did not have them
    assert make_speakable("on 3 ſeptember, ſeptember 4", "en")
    assert make_speakable("am 5. \u212aOKTOBER", "de")


def test_long_text_is_handled_whole() -> None:
    text = "The price is $5.50 on 2024-03-15 at 10:30. " * 250  # about 10,000 characters
    out = make_speakable(text, "en")
    assert out.count("five dollars and fifty cents") == 250
    assert not any(ch.isdigit() for ch in out)


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="language 'fr'"):
        make_speakable("Bonjour", "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_odd_input_never_crashes_and_leaves_no_digits(lang: Language) -> None:
    import random

    rng = random.Random(4)
    alphabet = "0123456789" * 3 + ".,:;-–/ $€£%°CFkmgh@#*_`[]()!?+=~&ämpaAPM\n😀"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        out = make_speakable(text, lang)
        assert isinstance(out, str)
        assert not any(ch.isdigit() for ch in out), (text, out)
