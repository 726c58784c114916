"""After a meeting, by voice: "send the notes to everyone" (a mail with the notes to the named speakers
whose address is known, after the user's yes) and "forget Anna's voice" (a voice profile deleted, after
the user's yes).

The meeting side is reached through two small Protocols the app's meeting control implements
(``NotesSource``, ``VoiceProfiles``); a participant's address is the one address their mails came from
(the mail service's search by sender): for a name with none or several the user is asked
(``agents.meetings.recipients``), never a guess."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from pydantic import BaseModel

from agents.deps import ServiceError
from agents.local.phrases import fmt_date, tr
from agents.meetings.models import MeetingNotes, speaker_label
from agents.models import MailQuery, OutgoingMail

if TYPE_CHECKING:
    from agents.approvals import ApprovalRecord
    from agents.deps import AssistantDeps, MailService
    from agents.domains import ActionRunner

SEND_NOTES = "meetings.send_notes"
FORGET_VOICE = "meetings.forget_voice"
_ADDRESS = re.compile(r"<([^<>@\s]+@[^<>\s]+)>|([^<>@\s]+@[^<>\s]+)")


class FinishedMeeting(BaseModel):
    """The last finished meeting as the notes mail needs it."""

    id: str
    title: str
    started_at: datetime
    speakers: list[str]
    notes: MeetingNotes | None = None


@runtime_checkable
class NotesSource(Protocol):
    def last_finished(self) -> FinishedMeeting | None:
        """The newest finished meeting (None: there is none yet)."""
        ...


@runtime_checkable
class VoiceProfiles(Protocol):
    def voice_profiles(self) -> list[str]:
        """The names of the stored voice profiles."""
        ...

    def forget_voice(self, name: str) -> str | None:
        """Delete a voice profile; the name deleted, None if there is none by that name."""
        ...


def named_speakers(speakers: list[str]) -> list[str]:
    """The speakers the user named (not the diarizer's "S2"), once each, in order."""
    return list(dict.fromkeys(s for s in speakers if s and speaker_label(s) == s))


def address_of(mail: MailService | None, name: str) -> str | None:
    """The one address mails from ``name`` came from; None for none or several (never a guess)."""
    if mail is None:
        return None
    try:
        found = mail.search(MailQuery(sender=name, limit=20))
    except ServiceError:
        return None
    addresses = set()
    for m in found:
        hit = _ADDRESS.search(m.sender)
        if hit:
            addresses.add((hit.group(1) or hit.group(2)).strip().lower())
    return next(iter(addresses)) if len(addresses) == 1 else None


def notes_text(meeting: FinishedMeeting, lang: str) -> str:
    """The mail's text: summary, decisions, action items with owner and due date (EN or DE)."""
    when = fmt_date(meeting.started_at.date(), lang)
    lines = [tr(lang, f"Notes of the meeting “{meeting.title}” ({when})",
                f"Notizen der Besprechung „{meeting.title}“ ({when})"), ""]
    n = meeting.notes
    if n is None or not (n.summary or n.decisions or n.action_items):
        lines.append(tr(lang, "There are no notes for this meeting.", "Zu dieser Besprechung gibt es keine Notizen."))
        return "\n".join(lines)
    if n.summary:
        lines += [tr(lang, "Summary:", "Zusammenfassung:"), n.summary, ""]
    if n.decisions:
        lines += [tr(lang, "Decisions:", "Entscheidungen:"), *(f"- {x}" for x in n.decisions), ""]
    if n.action_items:
        lines.append(tr(lang, "Action items:", "Aufgaben:"))
        for a in n.action_items:
            extra = [speaker_label(a.owner)] if a.owner else []
            if a.due:
                extra.append(tr(lang, f"due {fmt_date(a.due, lang)}", f"bis {fmt_date(a.due, lang)}"))
            lines.append(f"- {a.text}" + (f" ({', '.join(extra)})" if extra else ""))
    return "\n".join(lines).rstrip() + "\n"


def run_send_notes(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    """The approved mail, exactly as shown, once."""
    lang = d.language
    mail = d.services.mail
    if mail is None:
        return False, tr(lang, "No mail account is connected: the notes were not sent.",
                         "Kein Mailkonto verbunden: die Notizen wurden nicht gesendet.")
    out = OutgoingMail.model_validate(rec.payload["mail"])
    d.record_tool(SEND_NOTES, {"to": out.to, "subject": out.subject})
    res = mail.send(out)
    d.acted("send_mail", {"to": ", ".join(out.to), "subject": out.subject},
            "sent" if res.ok else f"error: {res.detail}")
    if not res.ok:
        return False, tr(lang, f"The notes were not sent: {res.detail}.", f"Die Notizen wurden nicht gesendet: {res.detail}.")
    return True, tr(lang, f"Sent the notes to {', '.join(out.to)}.", f"Die Notizen sind an {', '.join(out.to)} gesendet.")


def run_forget_voice(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    lang = d.language
    mc = d.services.meetings
    name = str(rec.payload["name"])
    if not isinstance(mc, VoiceProfiles):
        return False, tr(lang, "Meeting recording is not available here: nothing was deleted.",
                         "Meeting-Aufnahme ist hier nicht verfügbar: nichts wurde gelöscht.")
    d.record_tool(FORGET_VOICE, {"name": name})
    gone = mc.forget_voice(name)
    d.acted("forget_voice", {"name": name}, f"deleted {gone}" if gone else "error: no such voice")
    if gone is None:
        return False, tr(lang, f"There was no voice profile of {name} any more.",
                         f"Es gab kein Stimmprofil von {name} mehr.")
    return True, tr(lang, f"Deleted the voice profile of {gone}; meetings keep the names they show.",
                    f"Das Stimmprofil von {gone} ist gelöscht; die Besprechungen behalten ihre Namen.")


ACTIONS: dict[str, ActionRunner] = {SEND_NOTES: run_send_notes, FORGET_VOICE: run_forget_voice}
