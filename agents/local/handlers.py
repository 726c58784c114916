"""What every domain's local-intent handlers share: the reply for a recognized intent, the offline
help, "not connected", and ``handle`` (the handler of the intent's domain, from the registry).

Each handler takes the recognized intent and the deps and returns the reply. Reading (time, calendar,
mail, notes) happens at once; anything that changes the outside world (a calendar event) becomes a
pending approval that waits for the user's yes."""

from __future__ import annotations

from agents import domains
from agents.deps import AssistantDeps
from agents.local.phrases import tr
from agents.local.recognizer import IntentMatch
from agents.replies import AgentReply


def reply(m: IntentMatch, spoken: str, text: str | None = None, **kw: object) -> AgentReply:
    """The local reply to a recognized intent: ``spoken`` for speech, ``text`` added for the screen."""
    full = spoken if not text or text == spoken else f"{spoken}\n{text}"
    return AgentReply(spoken=spoken, text=full, source="local", language=m.language,
                      intent=m.intent, slots=m.slots, **kw)  # type: ignore[arg-type]


def help_text(lang: str, connect_hint: bool = True) -> str:
    """What works offline; ``connect_hint``: and that a language model does the rest (not said when one
    is connected but failed just now)."""
    text = tr(
        lang,
        "Offline I can tell the time and date, set timers and reminders, remember notes and "
        "recall or forget them, read your calendar for a day or week and add events, check unread mail "
        "and mail from a person, read your WhatsApp messages, control meeting recording, and tell your bank balance, spending, budgets and "
        "subscriptions and draft bank transfers, and read your Mastodon and Bluesky mentions and timeline and "
        "draft posts. For anything else, connect a language "
        "model in the settings.",
        "Offline kann ich Uhrzeit und Datum sagen, Timer und Erinnerungen stellen, Notizen merken, "
        "wiederfinden und vergessen, deinen Kalender für einen Tag oder eine Woche vorlesen und Termine "
        "eintragen, ungelesene Mails und Mails von einer Person prüfen, WhatsApp-Nachrichten vorlesen, "
        "die Meeting-Aufnahme steuern und "
        "Kontostand, Ausgaben, Budgets und Abos nennen, Überweisungen vorbereiten und deine Erwähnungen und "
        "Timeline auf Mastodon und Bluesky vorlesen und Beiträge vorbereiten. "
        "Für alles andere verbinde in den Einstellungen ein Sprachmodell.",
    )
    return text if connect_hint else text.rsplit(". ", 1)[0] + "."


def no_service(m: IntentMatch, what_en: str, what_de: str) -> AgentReply:
    """The service is not connected: say so, and where to connect it (words a user sees, no commands)."""
    msg = tr(m.language, f"No {what_en} is connected. You can add one in the settings, under accounts.",
             f"Kein {what_de} verbunden. Du kannst das in den Einstellungen unter Konten einrichten.")
    return reply(m, msg, error="service not connected")


def handle(m: IntentMatch, deps: AssistantDeps) -> AgentReply:
    return domains.handler(m.intent)(m, deps)
