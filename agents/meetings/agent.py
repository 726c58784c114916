"""The media delegate: meeting recording and transcripts, through the agents' ``MeetingControl`` Protocol."""

from __future__ import annotations

from pydantic_ai import RunContext

from agents.deps import AssistantDeps, ServiceError
from agents.local.phrases import fmt_date, tr
from agents.toolkit import log_call, need, new_delegate, user_named
from agents.untrusted import UNTRUSTED_RULE, untrusted
from agents.worded import quoted

# the words that start, stop, pause or resume a recording (agents/toolkit.py: asked_for): a question about
# the recording or its transcripts does not see control_recording
_CONTROL = (r"(?<![\w-])(?:start\w*|stop\w*|pause\w*|resume|continue|begin\w*|end\b|finish|record\b|beginn\w*|"
            r"beend\w*|halt\w* (?:\w+ )*an\b|pausier\w*|fortsetz\w*|setz\w* (?:\w+ )*fort\b|nimm\w* (?:\w+ )*auf\b|"
            r"aufnehm\w*|mach\w* (?:\w+ )*weiter|weiter\b)")

media_agent = new_delegate(
    "media",
    (
        "You handle meeting recordings and their transcripts with the tools. If no recorder is connected, "
        "say that meeting recording is not available. " + UNTRUSTED_RULE
    ),
    actions={"control_recording": _CONTROL},
)


@media_agent.tool
def recording_status(ctx: RunContext[AssistantDeps]) -> str:
    """Whether a meeting is being recorded (idle, recording, paused) and its title."""
    need(ctx.deps.services.meetings, "meeting recorder")
    assert ctx.deps.services.meetings is not None
    log_call(ctx, "recording_status")
    st = ctx.deps.services.meetings.status()
    lang, title = ctx.deps.language, f" ({st.title})" if st.title else ""
    said = {"recording": tr(lang, f"A meeting is being recorded{title}.", f"Ein Meeting wird aufgenommen{title}."),
            "paused": tr(lang, f"The recording is paused{title}.", f"Die Aufnahme ist pausiert{title}.")}
    ctx.deps.answer(ctx.tool_call_id, said.get(st.state, tr(lang, "No meeting is being recorded.",
                                                            "Es wird kein Meeting aufgenommen.")))
    return f"{st.state} {st.title or ''}".strip()


@media_agent.tool(requires_approval=True)
def control_recording(ctx: RunContext[AssistantDeps], action: str, title: str | None = None) -> str:
    """Start, stop, pause or resume the meeting recording (needs the user's approval).
    action: one of start, stop, pause, resume."""
    need(ctx.deps.services.meetings, "meeting recorder")
    mc = ctx.deps.services.meetings
    assert mc is not None
    log_call(ctx, "control_recording", action=action)
    try:
        if action == "start":
            st = mc.start(title)
        elif action == "stop":
            st = mc.stop()
        elif action == "pause":
            st = mc.pause()
        elif action == "resume":
            st = mc.resume()
        else:
            return "error: action must be start, stop, pause or resume"
    except ServiceError as exc:
        return f"error: {exc}"
    return f"recording is now {st.state}"


@media_agent.tool
def search_transcripts(ctx: RunContext[AssistantDeps], query: str, limit: int = 5,
                       speaker: str | None = None) -> list[str]:
    """Transcript passages of recorded meetings that match the query (untrusted text); ``speaker`` (a
    person's name or "Speaker 2") keeps only what they said ("what did Anna say about the budget")."""
    need(ctx.deps.services.meetings, "meeting recorder")
    assert ctx.deps.services.meetings is not None
    if speaker and not user_named(ctx.deps, speaker):
        speaker = None  # a speaker the user did not name (a small model added "Speaker 2", "Anna": no hits)
    log_call(ctx, "search_transcripts", query=query, **({"speaker": speaker} if speaker else {}))
    try:
        hits = ctx.deps.services.meetings.search_transcripts(query, max(1, min(limit, 20)), speaker)
    except ServiceError as exc:
        return [f"error: {exc}"]
    for h in hits:
        ctx.deps.heard_from(f"the meeting transcript “{h.title}”")
    lang = ctx.deps.language
    ctx.deps.answer(ctx.tool_call_id, "\n".join(
        tr(lang, f"In “{h.title}” ({fmt_date(h.at.astimezone(ctx.deps.tz).date(), lang)}): {quoted(h.text, lang, 400)}",
           f"In „{h.title}“ ({fmt_date(h.at.astimezone(ctx.deps.tz).date(), lang)}): {quoted(h.text, lang, 400)}")
        for h in hits) or tr(lang, f"The transcripts say nothing about {query}.",
                             f"In den Mitschriften steht nichts zu {query}."))
    return [f"{h.at.isoformat()}: " + untrusted("transcript", f"meeting: {h.title}\n{h.text}") for h in hits]
