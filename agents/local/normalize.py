"""What speech recognition (or a hurried typist) hands over, made plain before the templates see it:
punctuation, politeness ("could you", "would you mind", "kannst du mal", "bitte"), greetings and
hesitations, German particles, doubled words and a few frequent mishearings ("time her" -> timer).
Case is kept (slot values keep the user's capitals); ``normalize`` gives the lower-case form."""

from __future__ import annotations

import re
from collections.abc import Callable

# ---------------------------------------------------------------- politeness and discourse words

_PREFIXES = re.compile(
    r"(?i)^(?:(?:hey|hi|hallo|hello) (?:assistant|assistent|computer) |please |bitte |"
    r"(?:please )?(?:would|do) you mind |would you be so kind (?:as to |and )|"
    r"(?:can|could|would|will) you (?:please |possibly |just |maybe )*|"
    r"(?:i need|i'd like|i would like|i want) you to |i was wondering if you could |"
    r"(?:any chance|do you think) you (?:could|can) |magst du (?:mal |bitte )*|"
    r"is it possible to |can i ask you to |do me a favou?r and |"
    r"(?:kannst|könntest|würdest|kann|könnten|würden) (?:du|sie) (?:bitte |mal |vielleicht |eben |kurz |schnell )*|"
    r"(?:sei|wärst du) so (?:nett|gut|lieb) und |ich hätte gerne? (?:dass du )?|"
    r"(?:i want to|i'd like to|i would like to|ich möchte|ich will|ich würde gerne?) (?:know )?)+"
)
_SUFFIXES = re.compile(
    r"(?i)(?: (?:please|bitte|for me|für mich|thanks|thank you|thanks a lot|danke|danke schön|dankeschön|"
    r"vielen dank|now|right now|jetzt|gerade|mal|if you can|if you could|if possible|if you don't mind|"
    r"real quick|quickly|again|wenn du kannst|wenn möglich|wenn's geht|okay|ok|eigentlich|denn|überhaupt|"
    r"by any chance|by the way|übrigens|cheers|danke dir|thanks so much|thank you so much|mate|buddy))+$"
)
# a greeting or a discourse word first ("hey", "okay so", "um", "sag mal", "also"). Yes/no words are
# never dropped: they are requests of their own ("okay" alone stays a yes).
_LEAD = re.compile(
    r"(?i)^(?:(?:hi there|hey there|hey|hi|hello|hallo|ok|okay|so|well|alright|right|oh|ah|"
    r"um+(?= \D)|uh+|uhm+|erm+|er|hm+|äh+m?|öh+m?|na|also|sag mal|sag einmal|du|hör mal|"
    r"excuse me|sorry|entschuldigung|quick question|kurze frage|quick|(?:listen|look)(?! (?:at|in|into|for|up|to|through|after|over)\b)|by the way|übrigens)(?: |$))+"
)
# ("um" is also German for "at": only a leading "um" before a word is a hesitation)
_HESITATION = re.compile(r"(?i)(?<!\S)(?:uh+|uhm+|erm+|äh+m?|öh+m?|hm+)(?!\S)")
_PARTICLE = re.compile(r"(?i)(?<=\S) mal(?= \S)")
# softeners right after the first word or two ("stell bitte einen Timer", "remind me please to ...");
# later in the sentence they may belong to a note's text and stay
_EARLY_SOFTENER = re.compile(r"(?i)^(\S+(?: (?:mir|me|mich|dir|uns))?) (?:bitte|please|kurz|eben|schnell|doch|just)(?= \S)"
                            r"|^(\S+ \S+) (?:bitte|please)(?= \S)")  # "überweis Anna bitte 40 Euro"

# ---------------------------------------------------------------- mishearings

_SLIPS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"(?i)\btime (?:her|a|or|ah)(?= (?:for|of|to|on|auf|für|\d))"), "timer"),
    (re.compile(r"(?i)\btime her\b"), "timer"),
    (re.compile(r"(?i)\b((?:set|start|make) (?:a |an |the |me a )?)time(?= (?:for|of) (?:\d|a |an |one|two|three|"
                r"four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|half))"), r"\1timer"),
    (re.compile(r"(?i)\b(?:timmer|tymer|taimer|timor)\b"), "timer"),
    (re.compile(r"(?i)\bwhat s\b|\bwhats\b|\bwats\b|\bwot's\b"), "what's"),
    (re.compile(r"(?i)\bhows\b"), "how's"),
    (re.compile(r"(?i)\bre mind\b"), "remind"),
    (re.compile(r"(?i)\b(?:remained|remand|remine) me\b"), "remind me"),  # Whisper's "remind me"
    # "remember me at 8 pm to call grandma" (a learner's or Whisper's "remind me"), "be reminded on friday to ..."
    (re.compile(r"(?i)\bremember me(?= (?:at|on|in|tomorrow|tonight|next|this)\b.* to \S)"), "remind me"),
    (re.compile(r"(?i)^(?:i (?:want|need|would like|'d like) to )?(?:be|get) reminded\b"), "remind me"),
    # "I need a reminder at 4 to …", "ich brauche eine Erinnerung …": asking for one is setting one
    (re.compile(r"(?i)^(?:i (?:need|want|'d like|would like)|give me|ich (?:brauche?|hätte gerne?|will)) (an?|eine) "
                r"(?=reminder\b|erinnerung\b)"), lambda m: "set a " if m.group(1) != "eine" else "stell mir eine "),
    (re.compile(r"(?i)\bwieviel(?=e?\b)"), "wie viel"),  # both spellings are in use; templates say "wie viel"
    (re.compile(r"(?i)\bcalender\b|\bcalander\b"), "calendar"),
    (re.compile(r"(?i)\bkalendar\b"), "kalender"),
    (re.compile(r"(?i)\bwie spät is es\b"), "wie spät ist es"),
    (re.compile(r"(?i)\bwie viel uhr is es\b"), "wie viel uhr ist es"),
    (re.compile(r"(?i)\bwie spät ists\b"), "wie spät ist es"),
    (re.compile(r"(?i)\b(?:ne|'ne) (?=erinnerung|notiz)"), "eine "),
    (re.compile(r"(?i)\b'?n(?:en)? (?=timer)"), "einen "),
]
# colloquial, Bavarian/Austrian and typed-as-spoken German, in a sentence that is German anyway
# ("wie spät is", "erinner mi heut", "hamma", "kannste", "des passt ned"); English words that look the
# same ("is", "i", "des") are left alone in English sentences
_COLLOQUIAL_DE: dict[str, str] = {
    "is": "ist", "i": "ich", "mi": "mich", "hamma": "haben wir", "hammer": "haben wir", "heut": "heute",
    "grad": "gerade", "haste": "hast du", "hast'e": "hast du", "kannste": "kannst du", "willste": "willst du",
    "ned": "nicht", "net": "nicht", "nix": "nichts", "des": "das", "gibts": "gibt es", "gibt's": "gibt es",
    "scho": "schon", "nee": "nein", "nö": "nein", "ne": "nein", "naa": "nein", "na": "nein", "jo": "ja", "joa": "ja",
    "ja ja": "ja", "freilich": "ja", "eieruhr": "timer", "kurzzeitwecker": "timer", "countdown": "timer",
    "hab's": "habe es", "ham": "haben", "ner": "einer", "nem": "einem", "nen": "einen",
    "biste": "bist du", "weißte": "weißt du", "machste": "machst du", "hasse": "hast du", "wos": "was", "mei": "mein", "mim": "mit dem", "aufm": "auf dem",
    "isses": "ist es", "schaut's": "sieht es", "schauts": "sieht es",
    "dran": "daran", "drauf": "darauf", "nochmal": "", "eigentlich": "", "denn": "", "geh": "", "servus": "", "grüß gott": "", "sodala": "",
}
_COLLOQUIAL_DE_RE = re.compile(
    r"(?i)(?<![\w'])(" + "|".join(sorted((re.escape(k) for k in _COLLOQUIAL_DE), key=len, reverse=True)) + r")(?![\w'])")
_COLLOQUIAL_EN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\bremind (?:her|a)s\b"), "reminders"),
    (re.compile(r"(?i)\b(?:remind her|remind a)\b(?! (?:to|about|that|of)\b)"), "reminder"),
    (re.compile(r"(?i)\b(?:egg timer|countdown|count down timer)\b"), "timer"),
    (re.compile(r"(?i)\b(?:uh huh|uh-huh|mhm|mm-hmm|yeah yeah|yes yes)\b"), "yes"),
    (re.compile(r"(?i)\bwanna\b"), "want to"),
    (re.compile(r"(?i)\bgonna\b"), "going to"),
    (re.compile(r"(?i)\bgimme\b"), "give me"),
    (re.compile(r"(?i)\blemme\b"), "let me"),
    (re.compile(r"(?i)\bd'you\b"), "do you"),
    (re.compile(r"(?i)\b(?:pls|plz)\b"), "please"),
]


def _colloquial_en(t: str) -> str:
    for pattern, repl in _COLLOQUIAL_EN:
        t = pattern.sub(repl, t)
    return t


# German particles that only colour a sentence: "halt" (a verb first: "halt die Aufnahme an"), "so" before the
# last word ("was steht morgen so an"), a softener before a separable prefix ("halt die Aufnahme kurz an")
_PARTICLES_DE = re.compile(r"(?i)(?<=\S) (?:halt(?= \S|$)|so(?= \S+$)|(?:kurz|eben|schnell)"
                           r"(?= (?:an|ab|aus|auf|vor|fort|ein|weiter|zu|durch)$))")


def _colloquial_de(t: str) -> str:
    if guess_language(t) == "de" or re.search(r"[äöüß]", t):
        # (?i) also matches ı, ſ and K (Kelvin) for i, s and k: a word that is not in the table stays
        t = _COLLOQUIAL_DE_RE.sub(lambda m: _COLLOQUIAL_DE.get(m.group(1).lower(), m.group(1)), t)
        t = _PARTICLES_DE.sub("", t)
        t = re.sub(r"(?i)\bschaut\b(?=.* aus$)", "sieht", t)  # "wie schaut mein Tag aus" (Austria, Bavaria)
        t = re.sub(r"\s+", " ", t).strip()
    return t


_DOUBLED = re.compile(r"(?i)\b([^\W\d]+)(?: \1\b)+")

# ---------------------------------------------------------------- verbs

# "would you mind setting a timer" -> "set a timer"
_GERUNDS = {
    "telling": "tell", "setting": "set", "starting": "start", "checking": "check", "reminding": "remind",
    "reading": "read", "showing": "show", "creating": "create", "adding": "add", "cancelling": "cancel",
    "canceling": "cancel", "stopping": "stop", "pausing": "pause", "resuming": "resume",
    "searching": "search", "making": "make", "putting": "put", "scheduling": "schedule", "writing": "write",
    "noting": "note", "deleting": "delete", "forgetting": "forget", "recording": "record",
    "giving": "give", "finding": "find", "opening": "open", "listing": "list", "ending": "end",
}
# German verb-final requests after a modal ("kannst du einen Timer auf 5 Minuten stellen"):
# the infinitive -> the imperative first (and a separable prefix last)
_INFINITIVES: dict[str, tuple[str, str]] = {
    "stellen": ("stell", ""), "starten": ("starte", ""), "setzen": ("setz", ""), "machen": ("mach", ""),
    "sagen": ("sag", ""), "zeigen": ("zeig", ""), "nennen": ("nenn", ""), "löschen": ("lösche", ""),
    "beenden": ("beende", ""), "stoppen": ("stoppe", ""), "erinnern": ("erinnere", ""),
    "prüfen": ("prüfe", ""), "checken": ("check", ""), "pausieren": ("pausiere", ""),
    "durchsuchen": ("durchsuche", ""), "notieren": ("notiere", ""), "erstellen": ("erstelle", ""),
    "planen": ("plane", ""), "wecken": ("weck", ""), "merken": ("merk", ""), "vergessen": ("vergiss", ""),
    "abbrechen": ("brich", "ab"), "vorlesen": ("lies", "vor"), "eintragen": ("trag", "ein"),
    "anhalten": ("halte", "an"), "fortsetzen": ("setze", "fort"), "aufnehmen": ("nimm", "auf"),
    "aufschreiben": ("schreib", "auf"), "anlegen": ("leg", "an"),
}
_PRONOUNS = ("mir ", "dir ", "mich ")


def _verb_first(t: str) -> str:
    """A German infinitive at the end goes first as the imperative; a leading gerund becomes the verb."""
    words = t.split(" ")
    first = words[0].lower()
    if first in _GERUNDS:
        return " ".join([_GERUNDS[first], *words[1:]])
    last = words[-1].lower()
    if len(words) >= 2 and last in _INFINITIVES:
        verb, prefix = _INFINITIVES[last]
        body = " ".join(words[:-1])
        if verb == "merk" and body.lower().startswith("dir "):
            body = body[4:]
            verb = "merk dir"
        out = f"{verb} {body}" + (f" {prefix}" if prefix else "")
        return out
    m = re.match(r"(?i)^(dir|mir) (merken|notieren|aufschreiben)\b ?(.*)$", t)
    if m and m.group(2).lower() in _INFINITIVES:  # not 'aufſchreiben' (long s, matched by (?i))
        verb, prefix = _INFINITIVES[m.group(2).lower()]
        return f"{verb} {m.group(1)}" + (f" {prefix}" if prefix else "") + (f" {m.group(3)}" if m.group(3) else "")
    return t


def _punctuation(text: str) -> str:
    t = text.replace("’", "'").replace("`", "'").replace("…", " ")
    t = re.sub(r"\b([ap])\.\s?m\.?(?=\s|$|[,;!?])", r"\1m", t, flags=re.IGNORECASE)  # Whisper writes "6 p.m."
    t = re.sub(r"[?!;\"“”„«»()]", " ", t)
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)  # "1,000": a thousands comma
    t = re.sub(r"(?<!\d),|,(?!\d)", " ", t)  # a decimal comma stays: "7,5 Stunden", "95,50 Euro"
    t = re.sub(r"(?<=\s)[-–—]+(?=\s)|^[-–—]+|[-–—]+$", " ", t)  # dashes between words, not in "e-mail"
    t = re.sub(r"\.{2,}", " ", t)
    t = re.sub(r"(?<!\d):(?!\d)", " ", t)  # a colon, but not in 15:30
    t = re.sub(r"\.(?=\s|$)(?<!\b\d\.)(?<!\b\d\d\.)", " ", t)  # sentence dots, keep '5.' ordinals
    t = re.sub(r"\b[eE][ -]([mM]ails?)\b", lambda m: "e" + m.group(1).lower(), t)
    return t


# "from 5 to 5:30 pm", "von 10 bis 12 Uhr": a span of clock times is said as its start and length, which the
# templates' {when} and {duration} read ("at 5:00 pm for 30 minutes", "um 10:00 uhr für 120 minuten")
_SPAN_EN = re.compile(r"(?i)\bfrom (\d{1,2})(?:[:.](\d{2}))?(?: ?(am|pm))? (?:to|till|until|-) (\d{1,2})(?:[:.](\d{2}))?"
                      r"(?: ?(am|pm))?\b")
_SPAN_DE = re.compile(r"(?i)\bvon (\d{1,2})(?:[:.](\d{2}))?(?: uhr)? bis (\d{1,2})(?:[:.](\d{2}))?( uhr)?\b")


def _span_minutes(h1: int, m1: int, mer1: str | None, h2: int, m2: int, mer2: str | None,
                  wrap: bool = True) -> tuple[int, int] | None:
    """Start (minutes after midnight) and length; None when the span is not a plausible one (over 12 hours,
    backwards). ``wrap``: an end before the start with no half of the day said is read 12 hours later
    ("from 11 to 1"); not in German, where the clock goes to 24."""
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    mer1 = mer1 or (mer2 if mer2 and (h1 % 12) * 60 + m1 <= (h2 % 12) * 60 + m2 else None)
    start = (h1 % 12 + (12 if mer1 == "pm" else 0)) * 60 + m1 if mer1 else h1 * 60 + m1
    end = (h2 % 12 + (12 if mer2 == "pm" else 0)) * 60 + m2 if mer2 else h2 * 60 + m2
    if end <= start and not (mer1 or mer2) and wrap:
        end += 12 * 60
    length = end - start
    return (start, length) if 0 < length <= 12 * 60 else None


def _spans(t: str) -> str:
    def en(m: re.Match[str]) -> str:
        got = _span_minutes(int(m[1]), int(m[2] or 0), (m[3] or "").lower() or None, int(m[4]), int(m[5] or 0),
                            (m[6] or "").lower() or None)
        if got is None:
            return m[0]
        start, length = got
        mer = m[3] or m[6]
        clock = f"{start // 60 % 12 or 12}:{start % 60:02d} {'pm' if start >= 12 * 60 else 'am'}" if mer \
            else f"{start // 60}:{start % 60:02d}"
        return f"at {clock} for {length} minutes"

    def de(m: re.Match[str]) -> str:
        got = _span_minutes(int(m[1]), int(m[2] or 0), None, int(m[3]), int(m[4] or 0), None, wrap=False)
        if got is None:
            return m[0]
        start, length = got
        return f"um {start // 60}:{start % 60:02d} uhr für {length} minuten"

    return _SPAN_DE.sub(de, _SPAN_EN.sub(en, t))


def prepare(text: str) -> str:
    """Punctuation, politeness, hesitations and slips removed; spans of clock times as start and length;
    case kept."""
    t = _spans(_colloquial_en(_punctuation(text)))
    t = re.sub(r"\s+", " ", _HESITATION.sub(" ", t)).strip()
    for pattern, repl in _SLIPS:
        t = pattern.sub(repl, t)
    t = _colloquial_de(t) or t
    t = _DOUBLED.sub(r"\1", t)
    for _ in range(3):
        had_modal = _PREFIXES.match(t) is not None
        stripped = _PARTICLE.sub("", _LEAD.sub("", _PREFIXES.sub("", t))).strip()
        t2 = _SUFFIXES.sub("", _PREFIXES.sub("", stripped or t)).strip()  # "okay" alone stays a yes
        t2 = _EARLY_SOFTENER.sub(lambda m: m.group(1) or m.group(2), t2)
        if had_modal and t2:
            t2 = _verb_first(t2)
        if t2 == t:
            break
        t = t2 or t
    return t


def normalize(text: str) -> str:
    return prepare(text).lower()


_GERMAN_WORDS = {
    "ich", "du", "mir", "mich", "dir", "wie", "was", "wo", "wann", "wer", "warum", "der", "die", "das", "den",
    "dem", "ist", "sind", "und", "nicht", "ein", "eine", "einen", "mein", "meine", "bitte", "kannst", "hast",
    "habe", "hab", "auf", "für", "mit", "von", "zu", "morgen", "heute", "wird", "wetter", "mach", "sag", "mal",
    "gibt", "es", "noch", "schon", "auch", "im", "am", "um", "über", "einem", "einer", "welche", "welcher",
    "nee", "naa", "nö", "jo", "passt", "scho", "des", "ned", "net", "mi", "heut", "grad", "hamma", "kannste",
    "haste", "gibts", "servus", "geh", "lass", "erinner", "merk", "uhr", "timer", "aufnahme", "nein", "ja",
}
_ENGLISH_WORDS = {
    "i", "you", "me", "my", "what", "what's", "how", "where", "when", "who", "why", "the", "is", "are", "and",
    "not", "a", "an", "please", "can", "could", "do", "does", "have", "for", "with", "to", "of", "tomorrow",
    "today", "will", "it", "it's", "on", "in", "at", "this", "that", "there", "about", "tell", "show",
}


def guess_language(text: str) -> str | None:
    """'de' or 'en' when the words say so clearly (umlauts, common function words), else None."""
    words = re.findall(r"[\w']+", text.lower())
    de = sum(w in _GERMAN_WORDS or bool(re.search(r"[äöüß]", w)) for w in words)
    en = sum(w in _ENGLISH_WORDS for w in words)
    if de > en:
        return "de"
    if en > de:
        return "en"
    return None
