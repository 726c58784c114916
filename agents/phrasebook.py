"""The spoken and CLI phrases that every part of the assistant says the same way, in English and German
(one catalogue: agents/i18n.py): the approval question, what a yes or a no did, failures, and the
`say` command's lines. Said in the language of the user's request (a German request gets German), or
the app's language where no request is at hand (the CLI). Phrases that belong to one intent stay with
it (``tr(lang, en, de)`` beside the code that knows what happened)."""

from __future__ import annotations

from agents.i18n import Catalogue

PHRASES = Catalogue({
    # approvals: the question after a summary of what will happen, and what the answer did
    "approval.question": (" Shall I?", " Soll ich?"),
    "approval.go_on_transfer": ("Shall I go on with the transfer?", "Soll ich mit der Überweisung weitermachen?"),
    "approval.expired": ("That request has expired; nothing was done. Please ask again.",
                         "Die Anfrage ist abgelaufen; es wurde nichts gemacht. Bitte frag noch einmal."),
    "approval.declined": ("Okay, I won't do it.", "Okay, ich mache es nicht."),
    "approval.cli_hint": ("[approval #{id}] answer: personal-agent ask yes | personal-agent ask no",
                          "[Freigabe #{id}] antworten: personal-agent ask ja | personal-agent ask nein"),
    # confirmations of what ran
    "done.calendar_event": ("Done, \"{title}\" is in your calendar.", "Erledigt, „{title}“ steht im Kalender."),
    "done.notes_deleted_one": ("Done, {count} note deleted.", "Erledigt, {count} Notiz gelöscht."),
    "done.notes_deleted_many": ("Done, {count} notes deleted.", "Erledigt, {count} Notizen gelöscht."),
    "done.tool": ("Done: {tool}.", "Erledigt: {tool}."),
    # errors
    "error.failed": ("That failed: {detail}", "Das hat nicht geklappt: {detail}"),
    "error.turn_failed": ("Sorry, that failed ({detail}).", "Entschuldigung, das hat nicht geklappt ({detail})."),
    # `personal-agent say`
    "say.empty": ("say: nothing to say: the text is empty", "say: nichts zu sagen: der Text ist leer"),
    "say.too_long": ("say: the text is too long to speak at once: at most {limit} characters (this one has "
                     "{length}); split it into parts",
                     "say: der Text ist zu lang, um ihn auf einmal zu sprechen: höchstens {limit} Zeichen (dieser "
                     "hat {length}); teil ihn auf"),
    "say.unsupported": ("say: language '{language}' is not supported (en, de)",
                        "say: die Sprache '{language}' wird nicht unterstützt (en, de)"),
    "say.no_words": ("say: nothing to say: the text has no words to speak (only emoji or symbols)",
                     "say: nichts zu sagen: der Text hat keine Wörter zum Sprechen (nur Emoji oder Zeichen)"),
    "say.rate": ("say: --rate must be above 0.2 and at most 3.0", "say: --rate muss über 0.2 und höchstens 3.0 sein"),
    "say.fallback": ("no {language} Piper voice installed: spoken by the fallback voice espeak-ng (install {voice} "
                     "in Voices & models for a natural voice)",
                     "keine Piper-Stimme für {language} installiert: es spricht die Ersatzstimme espeak-ng "
                     "(installier {voice} unter Voices & models für eine natürliche Stimme)"),
    "say.wrote": ("wrote {path} ({seconds} s, {rate} Hz)", "{path} geschrieben ({seconds} s, {rate} Hz)"),
    "say.stopped": ("stopped after {seconds} s; spoken: {text}", "angehalten nach {seconds} s; gesprochen: {text}"),
    "say.spoke": ("spoke {count} sentence(s), {seconds} s on {device}",
                  "{count} Satz/Sätze gesprochen, {seconds} s auf {device}"),
    "language.en": ("English", "Englisch"),
    "language.de": ("German", "Deutsch"),
    "say.failed": ("say: {detail}", "say: {detail}"),
}, same=frozenset({"say.failed"}))


def phrase(key: str, lang: str, /, **values: object) -> str:
    """The phrase ``key`` in ``lang`` ("de" German, else English) with its placeholders filled."""
    return PHRASES.text(key, lang, **values)
