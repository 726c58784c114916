"""Honest replies: a model's reply that claims an action when no tool ran, or asks "shall I?" with no
approval stored, is not passed on. The assistant asks the model once more with a correction, and if the
reply still claims what did not happen, it says plainly that nothing was done.

The checks are word patterns in English and German (small models write a few stock phrases: "I've set
a timer", "Reminder added", "Erledigt", "Soll ich ...?"). They are used only when NO tool ran and
nothing waits for approval, so an answer about real results is never touched. What counts is what
changed something (``AssistantDeps.actions``, noted by agents/tool_guard.py): reading a mail does not
make "I've forwarded it" true."""

from __future__ import annotations

import re

from agents.local.phrases import tr
from agents.replies import ActionInfo

_CLAIM_EN = re.compile(
    r"\b(?:i(?:'ve| have| had)?|i'll|i will|i'm going to|i am going to|let me)\s+(?:now\s+|just\s+|also\s+|already\s+)?"
    r"(?:set|sent|send|create|created|add|added|schedule|scheduled|book|booked|cancel|cancell?ed|delete|deleted|"
    r"remove|removed|start|started|stop|stopped|forward|forwarded|reply|replied|remind|reminded|save|saved|"
    r"remember|remembered|note|noted|record|recorded|pause|paused|resume|resumed|mark|marked|turn|turned|"
    r"call|called|let|tell|told|inform|informed|notify|notified|contact|contacted|write|wrote|text|texted|"
    r"message|messaged|e-?mail|e-?mailed|post|posted|pay|paid|transfer|transferred|order|ordered)\b"
    r"|\b(?:reminder|timer|alarm|event|appointment|meeting|e-?mail|mail|message|note|recording)s?\s+"
    r"(?:has been |have been |was |were |is |are )?(?:now )?"
    r"(?:set|added|created|sent|scheduled|booked|started|stopped|paused|resumed|deleted|cancell?ed|saved|forwarded)\b"
    r"|^\s*(?:done|all done|ok(?:ay)?,? done)\b",
    re.IGNORECASE | re.MULTILINE,
)
_CLAIM_DE = re.compile(
    r"\b(?:ich habe|ich hab|hab ich|habe ich|ich werde|ich)\b[^.!?\n]{0,60}?\b"
    r"(?:gesendet|gesandt|geschickt|verschickt|erstellt|angelegt|eingetragen|gestellt|gelöscht|entfernt|"
    r"gestartet|gestoppt|beendet|pausiert|fortgesetzt|weitergeleitet|gespeichert|gemerkt|notiert|"
    r"geantwortet|abgesagt|storniert|erinnere|erinnern|stelle|lege|trage|sende|schicke|schreibe|"
    r"geschrieben|sage|gesagt|rufe|angerufen|informiere|informiert|bezahlt|überwiesen|bestellt|gepostet)\b"
    r"|\b(?:erinnerung|timer|wecker|termin|e-?mail|mail|nachricht|notiz|aufnahme)\s+(?:ist|wurde|wurden)\s+"
    r"(?:jetzt |nun )?(?:gestellt|erstellt|angelegt|eingetragen|gesendet|verschickt|gestartet|gestoppt|gelöscht|"
    r"gespeichert)\b"
    r"|^\s*(?:erledigt|gemacht|fertig)\b",
    re.IGNORECASE | re.MULTILINE,
)
_CLAIM_BARE = re.compile(  # a sentence that starts with what was done ("Sent the e-mail to Jörg.", "Gelöscht.")
    r"^(?:(?:okay|ok|sure|alright|gut|alles klar)[,!.]?\s+)?"
    r"(?:sent|created|added|scheduled|booked|deleted|removed|cancell?ed|forwarded|saved|replied|posted|paid|"
    r"transferred|texted|messaged|e-?mailed|noted|"
    r"gesendet|gesandt|geschickt|verschickt|erstellt|angelegt|eingetragen|gelöscht|entfernt|abgesagt|"
    r"weitergeleitet|gespeichert|notiert|gepostet|bezahlt|überwiesen|beantwortet)\b"
    # "The e-mail to Jörg is sent", "Die Nachricht an Anna wurde verschickt"
    r"|\b(?:e-?mail|mail|message|nachricht|reply|antwort)\s+(?:to|an)\s+[^.!?]{1,60}?\s+"
    r"(?:is|has been|was|ist|wurde)\s+(?:now\s+|jetzt\s+)?"
    r"(?:sent|delivered|on its way|gesendet|verschickt|geschickt|unterwegs)\b"
    # German puts the participle last: "E-Mail an Jörg gesendet.", "Termin am Montag eingetragen!"
    r"|^(?:die |der |den |eine |ein )?(?:e-?mail|mail|nachricht|antwort|termin|erinnerung|timer|wecker|notiz)\b"
    r"[^.!?]{0,60}\s(?:gesendet|verschickt|geschickt|erstellt|angelegt|eingetragen|gelöscht|gestellt|gespeichert)"
    r"\s*[.!]?$",
    re.IGNORECASE,
)
_ASKS = re.compile(  # a yes/no question about doing something; "When should I remind you?" asks for a detail
    r"(?:^|[.!?:;,]\s*|\b(?:okay|ok|so|also|gut|alright)\s+)"
    r"(?:shall i|should i|do you want me to|would you like me to|may i|can i go ahead|"
    r"soll ich|möchtest du,? dass ich|willst du,? dass ich|darf ich)\b[^?]*\?",
    re.IGNORECASE | re.MULTILINE,
)

CORRECTION = (
    "Check of your last answer: no tool was called, so nothing was done and nothing waits for the "
    "user's approval. Never say that something was done or ask 'shall I?' without calling the tool. "
    "If the user wants an action, call the right tool now (the user is asked for approval by the "
    "system); otherwise answer without claiming any action."
)


_DETAIL_QUESTION = re.compile(  # asks for a missing detail: "When should I remind you?", "An wen soll ich …?"
    r"^(?:(?:okay|ok|alright|gut|also)[,.]?\s+)?(?:(?:to|for|with|an|für|mit|von|zu|um)\s+)?"
    r"(?:what|when|where|who|whom|which|how|why|was|wann|wo|wer|wen|wem|welche[rsmn]?|wie|warum|wohin)\b[^?]*\?$",
    re.IGNORECASE,
)


_QUOTE = re.compile(r"“[^”]*”|„[^“”]*[“”]|\"[^\"]*\"")  # someone else's words, quoted (agents/worded.py)


def _statements(text: str) -> str:
    """The text without quotes (someone else's words: a mail read out claims nothing of the assistant's)
    and without its questions for a missing detail (they claim nothing)."""
    own = _QUOTE.sub("“…”", text.strip())
    return " ".join(s for s in _sentences(own) if not _DETAIL_QUESTION.match(s))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def claims_action(text: str) -> bool:
    """The text says an action was (or is being) done, or asks to confirm one."""
    said = _statements(text)
    return bool(_CLAIM_EN.search(said) or _CLAIM_DE.search(said) or _ASKS.search(said)
                or any(_CLAIM_BARE.search(s) for s in _sentences(said)))


def parrots_correction(text: str) -> bool:
    """The model repeated the correction instead of answering (a small model does)."""
    return "no tool was called" in text.lower() or "nothing waits for the user" in text.lower()


def nothing_done(lang: str) -> str:
    """What to say when the model keeps claiming an action that did not run."""
    return tr(lang, "I haven't done that: no action ran and nothing is waiting for your yes. Please ask again "
                    "in other words.",
              "Das habe ich nicht gemacht: es wurde nichts ausgeführt und nichts wartet auf deine Zustimmung. "
              "Bitte frag noch einmal anders.")


def ran_before(actions: list[ActionInfo], lang: str) -> str:
    """The sentence that names what a failed turn already changed (empty when nothing)."""
    done = [a.name.replace("_", " ") + (f" ({a.summary})" if a.summary else "") for a in actions
            if a.status == "done"]
    if not done:
        return ""
    return tr(lang, f" Before that, this ran: {'; '.join(done)}.", f" Davor lief schon: {'; '.join(done)}.")


_RAW_CALL = re.compile(r"^\s*(?:```\w*\s*)?[\[{]\s*{?\s*\"(?:name|arguments|function|tool|tool_calls|parameters)\"", re.IGNORECASE)


_RAW_TAG = re.compile(r"^\s*</?\s*(?:tools?|tool_calls?|tool_response|function(?:_call)?s?)\b", re.IGNORECASE)


_TAG_INSIDE = re.compile(r"</?\s*(?:tools?|tool_calls?|tool_response|function(?:_call)?s?)\s*>", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?:[\"“”»)\]]*)(?=\s|$)")


# pydantic-ai's words to the model on a retry, which a small model repeated to the user ("Please return text or
# call a tool. Create the event …", eval case a-book-en)
_FRAMEWORK_WORDS = re.compile(r"(?i)(?:please return text or call a tool|fix the errors and try again|please include "
                              r"your response in a tool call|validation feedback:?)[.!]?\s*")


# the date, time and zone that come with each request (agents/toolkit.py: situated): never part of an answer
SITUATION = "(Now it is "
_SITUATION_ECHO = re.compile(r"\s*" + re.escape(SITUATION) + r"\w+, \d{4}-\d{2}-\d{2} \d{2}:\d{2} in my time zone.*",
                             re.DOTALL)


def without_situation(text: str) -> str:
    """The text without the request's date-and-time note that a model repeated (it ends an answer)."""
    return _SITUATION_ECHO.split(text, maxsplit=1)[0]


def without_framework_words(text: str) -> str:
    """The text without pydantic-ai's retry words that a model repeated ("Please return text or call a tool.")."""
    return _FRAMEWORK_WORDS.sub("", text)


def model_text(text: str) -> str:
    """A model's free text as it may be shown: cut where the chat template's tags start (a small model ran
    on with "<tool_response>" and repeated itself until its token bound) or where it repeated the request's
    date and time ("Anna's invoice\n\n(Now it is Wednesday, …"), without the framework's retry words it
    repeated, and, when the bound cut a sentence, ended after the last whole sentence."""
    text = without_framework_words(without_situation(_TAG_INSIDE.split(text, maxsplit=1)[0])).strip()
    if not text or text[-1] in ".!?…\"“”»)]:" or text.endswith("```"):
        return text
    ends = list(_SENTENCE_END.finditer(text))
    return text[:ends[-1].end()] if ends else text


def raw_tool_call(text: str) -> bool:
    """The model wrote a tool call (or the template's tags: "<tools></tools>") as text: never say it aloud."""
    return bool(_RAW_CALL.match(text) or _RAW_TAG.match(text))


def no_usable_answer(lang: str) -> str:
    return tr(lang, "The language model gave no usable answer, so nothing was done. Please ask again.",
              "Das Sprachmodell hat keine brauchbare Antwort gegeben; es wurde nichts gemacht. Bitte frag noch einmal.")
