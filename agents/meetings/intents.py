"""Local intents of the meetings domain (EN+DE): start, stop, pause and resume the recording, and
search the transcripts. Templates first, then the handler."""

from __future__ import annotations

from collections.abc import Callable

from agents.deps import AssistantDeps, ServiceError
from agents.domains import Handler
from agents.local.handlers import reply
from agents.local.phrases import fmt_date, tr
from agents.local.recognizer import IntentMatch
from agents.local.templates import Intents, Lang
from agents.meetings.after import (
    FORGET_VOICE,
    SEND_NOTES,
    FinishedMeeting,
    NotesSource,
    VoiceProfiles,
    address_of,
    named_speakers,
    notes_text,
)
from agents.meetings.recipients import OpenQuestion, ask, spoken_address, take_open
from agents.models import OutgoingMail
from agents.phrasebook import phrase
from agents.replies import AgentReply, ToolCallInfo

INTENTS: Intents = {
    "MeetingStart": {
        "en": ["(start|begin) [the|a] [meeting] recording [of] [the|this] [meeting|call] [(called|named|about|titled) {title}]",
               "(start|begin) recording [the|this] [meeting|call|conversation] [(called|named|about|titled) {title}]",
               "record [the|this] (meeting|call|conversation)"],
        "de": ["(starte|start|beginne|beginn) [die|eine] (meetingaufnahme|besprechungsaufnahme|aufnahme)",
               "(starte|start|beginne) [die|eine] aufnahme [(des|vom) (meeting|meetings|gesprächs|treffens)] [(namens|zum thema|über) {title}]",
               "(nimm|nehme) [das|dieses|die|den] (meeting|gespräch|treffen|besprechung|telefonat|anruf|call|konferenz) auf", "aufnahme (starten|an|ein)",
               "(meeting|besprechung) aufnehmen", "(fang|fange|beginn|beginne) [mit] [der] aufnahme an", "(fang|fange) an aufzunehmen"],
    },
    "MeetingStop": {
        "en": ["(stop|end|finish) [the] [meeting] recording", "(stop|end|finish) recording [the|this] [meeting|call]"],
        "de": ["(stoppe|stopp|stop|beende|beend) [die] (meetingaufnahme|besprechungsaufnahme|aufnahme)",
               "aufnahme (beenden|stoppen|aus|ende)", "(hör|höre) auf aufzunehmen", "(hör|höre) (auf mit der aufnahme|mit der aufnahme auf)",
               "(mach|mache|schalt|schalte) die aufnahme (aus|ab)"],
    },
    "MeetingPause": {
        "en": ["pause [the] [meeting] recording", "pause recording [the|this] [meeting]", "(hold|suspend) [the] recording"],
        "de": ["(pausiere|pausier) [die] aufnahme", "aufnahme [kurz] (pausieren|anhalten)", "(halte|halt) die aufnahme an",
               "(mach|mache) [eine|mal] pause (bei|mit|in) der aufnahme"],
    },
    "MeetingResume": {
        "en": ["(resume|continue|unpause|restart) [the] [meeting] recording", "(resume|continue) recording",
               "(go on|carry on|keep going|continue) with [the] recording"],
        "de": ["(setze|setz) [die] aufnahme fort", "aufnahme fortsetzen", "(nimm|nehme) wieder auf",
               "weiter aufnehmen", "(mach|mache) [mit der] aufnahme weiter", "weiter mit der aufnahme"],
    },
    "NameSpeaker": {
        "en": ["speaker {which} (is|was) {person}", "the {which} speaker (is|was) {person}",
               "(call|name) speaker {which} {person}"],
        "de": ["(sprecher|sprecherin) {which} (ist|war) {person}", "(der|die) {which} (sprecher|sprecherin) (ist|war) {person}"],
    },
    "SearchTranscripts": {
        "en": ["(search|check) [in] [the|my] (transcripts|meetings|recordings|meeting notes) (for|about) {query}",
               "what was said about {query} [in the meeting|in the last meeting|in meetings|in a meeting]",
               "(find|look for) {query} in [the|my] (transcripts|meetings|recordings)",
               "(when|where) did we ((talk|speak) about|discuss|mention) {query}", "did we ((talk|speak) about|discuss|mention) {query} [in a meeting|in the meeting]",
               "what did we (say|discuss|decide) about {query} [in the meeting|in the last meeting|last meeting|at the last meeting]",
               "what did {person} (say|said|tell us) about {query} [in the meeting|in the last meeting|in meetings]"],
        "de": ["(durchsuche|durchsuch) [die|meine] (transkripte|meetings|aufnahmen|besprechungen) nach {query}",
               "(suche|such) in [den|meinen] (transkripten|meetings|aufnahmen|besprechungen) nach {query}",
               "was wurde (über|zu|zum thema) {query} (gesagt|besprochen)", "was haben wir (über|zu|zum|zur) {query} (gesagt|besprochen|beschlossen|entschieden)",
               "(wann|wo) haben wir über {query} (gesprochen|geredet|diskutiert)", "haben wir über {query} (gesprochen|geredet|diskutiert)",
               "was hat {person} (über|zu|zum|zur) {query} gesagt"],
    },
    "SendMeetingNotes": {
        "en": ["(send|mail|email|e-mail) [the|my|our] [meeting] (notes|minutes|meeting notes) to (everyone|everybody|all|the participants|all participants|all attendees|the attendees)",
               "(send|mail|email|e-mail) (everyone|everybody|all participants|the participants|all attendees) the [meeting] (notes|minutes)"],
        "de": ["(schick|schicke|sende|send|maile) [die|das|unsere] (notizen|mitschrift|protokoll|besprechungsnotizen|meetingnotizen) an alle [teilnehmer|teilnehmerinnen|beteiligten|anwesenden]",
               "(schick|schicke|sende|send|maile) [die|das|unsere] (notizen|mitschrift|protokoll) an (die teilnehmer|die teilnehmerinnen|die beteiligten|jeden)",
               "(schick|schicke|sende|send|maile) allen [teilnehmern|beteiligten] (die notizen|die mitschrift|das protokoll)"],
    },
    "MeetingNotesAddress": {  # the answer to "I don't have Bob's address. What is it?"
        "en": ["{address}", "(it's|it is|that's|that is) {address}",
               "(the|his|her|their) [e-mail|email] address is {address}", "(it's|the address is) {address} please"],
        "de": ["(es ist|das ist|sie ist|sie lautet|die lautet|die ist) {address}",
               "(die|seine|ihre) [e-mail-adresse|e-mail adresse|mailadresse|adresse] (ist|lautet) {address}"],
    },
    "MeetingNotesSkip": {
        "en": ["skip [(him|her|them|it|that one|this one)]", "leave (him|her|them) out",
               "(i don't|i do not) (know|have) (it|the address|his address|her address|their address)"],
        "de": ["überspringen", "(überspring|überspringe) (ihn|sie|das)", "(lass|lasse) (ihn|sie) weg",
               "(ich weiß|weiß ich) (sie|es|die adresse) nicht", "(ich habe|hab ich) (sie|die adresse) nicht"],
    },
    "ForgetVoice": {
        "en": ["(forget|delete|remove|erase) {person}'s voice [profile]", "(forget|delete|remove|erase) {person} voice [profile]",
               "(forget|delete|remove|erase) the voice [profile] of {person}"],
        "de": ["(vergiss|lösche|lösch|entferne) {person} (stimme|stimmprofil)",
               "(vergiss|lösche|lösch|entferne) (die stimme|das stimmprofil) von {person}"],
    },
}


SAY_BACK: dict[str, dict[Lang, str]] = {
    "MeetingStart": {"en": "start recording the meeting", "de": "starte die Aufnahme"},
    "MeetingStop": {"en": "stop the recording", "de": "beende die Aufnahme"},
    "MeetingPause": {"en": "pause the recording", "de": "pausiere die Aufnahme"},
    "MeetingResume": {"en": "resume the recording", "de": "setze die Aufnahme fort"},
}


ORDINALS = {"one": 1, "first": 1, "two": 2, "second": 2, "three": 3, "third": 3, "four": 4, "fourth": 4,
            "five": 5, "fifth": 5, "six": 6, "sixth": 6, "eins": 1, "erste": 1, "erster": 1, "zwei": 2, "zweite": 2,
            "zweiter": 2, "drei": 3, "dritte": 3, "dritter": 3, "vier": 4, "vierte": 4, "vierter": 4, "fünf": 5,
            "fünfte": 5, "fünfter": 5, "sechs": 6, "sechste": 6, "sechster": 6}


def speaker_number(which: str) -> int | None:
    """ "2", "two", "second", "zweite", "2." -> 2."""
    w = which.strip().lower().rstrip(".")
    if w.isdigit():
        return int(w) if 0 < int(w) < 100 else None
    return ORDINALS.get(w)


def _name_speaker(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    mc, lang = d.services.meetings, m.language
    assert mc is not None
    number = speaker_number(str(m.values.get("which", "")))
    name = str(m.values.get("person", "")).strip()
    if number is None or not name:
        return reply(m, tr(lang, "Which speaker, by number? For example: speaker 2 is Anna.",
                           "Welcher Sprecher, mit Nummer? Zum Beispiel: Sprecher 2 ist Anna."), error="no speaker number")
    title = mc.name_speaker(number, name)
    call = ToolCallInfo(name="meetings.name_speaker", args={"speaker": str(number), "name": name})
    return reply(m, tr(lang, f"Speaker {number} in {title} is now {name}; I'll recognise the voice in later meetings.",
                       f"Sprecher {number} in {title} ist jetzt {name}; die Stimme erkenne ich in späteren Besprechungen."),
                 tool_calls=[call])


def _send_notes(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    """A mail with the last meeting's notes to its named speakers whose address is known, for approval;
    the names without an address are said, never guessed."""
    lang, mc = m.language, d.services.meetings
    if not isinstance(mc, NotesSource):
        return reply(m, tr(lang, "Sending meeting notes is not available here.",
                           "Besprechungsnotizen verschicken geht hier nicht."), error="no notes source")
    meeting = mc.last_finished()
    if meeting is None:
        return reply(m, tr(lang, "There is no finished meeting yet.", "Es gibt noch keine beendete Besprechung."),
                     error="no finished meeting")
    people = named_speakers(meeting.speakers)
    if not people:
        return reply(m, tr(lang, f"The speakers of {meeting.title} have no names yet, so I don't know whom to send the "
                                 "notes to. Name them first, for example: speaker 2 is Anna.",
                           f"Die Sprecher in {meeting.title} haben noch keine Namen, also weiß ich nicht, an wen die "
                           "Notizen gehen. Benenne sie zuerst, zum Beispiel: Sprecher 2 ist Anna."),
                     error="no named speakers")
    if d.services.mail is None:
        return reply(m, tr(lang, "No mail account is connected, so I cannot send the notes.",
                           "Kein Mailkonto verbunden, daher kann ich die Notizen nicht senden."), error="no mail account")
    found = {p: address_of(d.services.mail, p) for p in people}
    to = list(dict.fromkeys(a for a in found.values() if a))
    missing = [p for p, a in found.items() if a is None]
    if missing:  # asked for, one at a time; the next turn answers (an address or "skip")
        q = OpenQuestion(meeting.id, lang, to, missing[0], missing[1:])
        return reply(m, ask(d, q), error=None)
    return _draft_notes(m, d, meeting, to, [])


def _draft_notes(m: IntentMatch, d: AssistantDeps, meeting: FinishedMeeting, to: list[str],
                 skipped: list[str]) -> AgentReply:
    """The notes mail to every address, for the user's yes; the approval names all recipients."""
    lang = m.language
    if not to:
        names_en, names_de = " and ".join(skipped), " und ".join(skipped)
        return reply(m, tr(lang, f"I have no address of {names_en}, so there is nobody to send the notes to. "
                                 "Nothing was sent.",
                           f"Ich habe keine Adresse von {names_de}, also gibt es niemanden, an den die "
                           "Notizen gehen. Nichts wurde gesendet."), error="no known address")
    subject = tr(lang, f"Notes: {meeting.title}", f"Notizen: {meeting.title}")
    mail = OutgoingMail(to=to, subject=subject, body=notes_text(meeting, lang))
    summary = tr(lang, f"Send the notes of {meeting.title} to {', '.join(to)}.",
                 f"Die Notizen von {meeting.title} an {', '.join(to)} senden.")
    if skipped:
        summary += tr(lang, f" Without an address, left out: {', '.join(skipped)}.",
                      f" Ohne Adresse, nicht dabei: {', '.join(skipped)}.")
    rec = d.approvals.request(SEND_NOTES, summary, {"meeting": meeting.id, "mail": mail.model_dump(mode="json")}, d.now())
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", lang), mail.body, approval=rec.info())


def _notes_answer(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    """The next turn after "I don't have Bob's address. What is it?": the address or "skip"."""
    q = take_open(d)
    if q is None:
        return reply(m, tr(m.language, "I haven't asked for an address.", "Ich habe nach keiner Adresse gefragt."),
                     error="no open question")
    m = m.model_copy(update={"language": q.language})  # the conversation's language, not the address's
    mc = d.services.meetings
    meeting = mc.last_finished() if isinstance(mc, NotesSource) else None
    if meeting is None or meeting.id != q.meeting_id:
        return reply(m, tr(q.language, "The meeting is no longer the last one; ask again to send its notes.",
                           "Die Besprechung ist nicht mehr die letzte; bitte frag noch einmal nach den Notizen."),
                     error="meeting changed")
    if m.intent == "MeetingNotesSkip":
        q.skipped.append(q.asking)
    else:
        address = spoken_address(str(m.slots.get("address", "")))
        if address is None:  # asked again, still open
            return reply(m, tr(q.language, "I didn't catch an e-mail address. ", "Ich habe keine E-Mail-Adresse "
                               "verstanden. ") + ask(d, q), error="no address")
        q.to = list(dict.fromkeys([*q.to, address]))
    if q.later:
        q.asking, q.later = q.later[0], q.later[1:]
        return reply(m, ask(d, q))
    return _draft_notes(m, d, meeting, q.to, q.skipped)


def _forget_voice(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    """Deleting a voice profile waits for the user's yes; "Annas Stimme" finds Anna."""
    lang, mc = m.language, d.services.meetings
    said = " ".join(str(m.values.get("person", "")).split()).strip()
    if not isinstance(mc, VoiceProfiles):
        return reply(m, tr(lang, "Voice profiles are not available here.", "Stimmprofile gibt es hier nicht."),
                     error="no voice profiles")
    known = {p.lower(): p for p in mc.voice_profiles()}
    low = said.lower()
    name = known.get(low) or known.get(low.removesuffix("'s")) or known.get(low.removesuffix("s"))
    if name is None:
        return reply(m, tr(lang, f"I have no voice profile of {said}.", f"Ich habe kein Stimmprofil von {said}."))
    summary = tr(lang, f"Delete the voice profile of {name}; later meetings will no longer name {name} by voice.",
                 f"Das Stimmprofil von {name} löschen; spätere Besprechungen erkennen {name} dann nicht mehr an der Stimme.")
    rec = d.approvals.request(FORGET_VOICE, summary, {"name": name}, d.now())
    d.pending.append(rec)
    return reply(m, summary + phrase("approval.question", lang), approval=rec.info())


def _meeting(m: IntentMatch, d: AssistantDeps) -> AgentReply:
    mc = d.services.meetings
    lang = m.language
    if mc is None:
        msg = tr(lang, "Meeting recording is not available in this installation yet.",
                 "Meeting-Aufnahme ist in dieser Installation noch nicht verfügbar.")
        return reply(m, msg, error="meeting recording not available")
    try:
        if m.intent == "NameSpeaker":
            return _name_speaker(m, d)
        if m.intent == "SendMeetingNotes":
            return _send_notes(m, d)
        if m.intent == "ForgetVoice":
            return _forget_voice(m, d)
        if m.intent in ("MeetingNotesAddress", "MeetingNotesSkip"):
            return _notes_answer(m, d)
        if m.intent == "SearchTranscripts":
            query = str(m.values["query"])
            person = str(m.values["person"]) if m.values.get("person") else None
            hits = mc.search_transcripts(query, limit=5, speaker=person)
            call = ToolCallInfo(name="meetings.search_transcripts",
                                args={"query": query, **({"speaker": person} if person else {})})
            if not hits and person:
                return reply(m, tr(lang, f"{person} said nothing about {query} in the transcripts.",
                                    f"{person} hat in den Transkripten nichts zu {query} gesagt."), tool_calls=[call])
            if not hits:
                return reply(m, tr(lang, f"Nothing about {query} in the transcripts.",
                                    f"In den Transkripten steht nichts zu {query}."), tool_calls=[call])
            lines = [f"{h.title} ({fmt_date(h.at.astimezone(d.tz).date(), lang)}): {h.text}" for h in hits]
            return reply(m, tr(lang, f"Found {len(hits)} passage(s). First, in {hits[0].title}.",
                                f"{len(hits)} Stelle(n) gefunden. Zuerst in {hits[0].title}."),
                          "\n".join(lines), tool_calls=[call])
        actions: dict[str, tuple[Callable[[], object], str, str]] = {
            "MeetingStart": (lambda: mc.start(m.values.get("title")), "Recording started.", "Aufnahme gestartet."),
            "MeetingStop": (mc.stop, "Recording stopped.", "Aufnahme beendet."),
            "MeetingPause": (mc.pause, "Recording paused.", "Aufnahme pausiert."),
            "MeetingResume": (mc.resume, "Recording resumed.", "Aufnahme fortgesetzt."),
        }
        fn, en, de = actions[m.intent]
        fn()
        return reply(m, tr(lang, en, de), tool_calls=[ToolCallInfo(name=f"meetings.{m.intent[7:].lower()}")])
    except ServiceError as exc:
        return reply(m, str(exc), error=str(exc))


HANDLERS: dict[str, Handler] = {name: _meeting for name in INTENTS}
