"""The meetings domain (agent side): ``intents`` (the local intents: start, stop, pause, resume the
recording, search the transcripts), ``agent`` (the pydantic-ai delegate with the meeting tools, on
the agents' ``MeetingControl`` Protocol), ``models`` (transcript lines, notes, meetings, search hits),
``db`` + ``migrations/`` (its tables, its own Alembic branch), ``store`` (database, full-text search), ``notes`` (summary, decisions, action items), ``actions``
(action items -> pending calendar approvals) and ``export`` (md/srt/vtt/json), ``after`` ("send the notes to everyone", "forget Anna's voice": drafts for approval and what runs after the yes).

Nothing here imports ``audio`` or ``app``: the recording itself (``audio.meeting``) and the service
that joins both (``app.meetings``) sit beside and above."""

from pathlib import Path

from agents.domains import Domain
from agents.meetings.after import ACTIONS
from agents.meetings.intents import HANDLERS, INTENTS, SAY_BACK

DOMAIN = Domain(
    name="meetings",
    description="Meeting recording (start, stop, pause, resume, status) and what was said or decided in recorded "
                "meetings (their transcripts).",
    intents=INTENTS,
    handlers=HANDLERS,
    say_back=SAY_BACK,
    actions=ACTIONS,  # after the user's yes: the notes mail, a voice profile deleted (after.py)
    delegate="agents.meetings.agent:media_agent",
    migrations=Path(__file__).parent / "migrations",  # its tables: db.py
    cues=(r"record", r"aufnahme", r"aufnehm", r"transcripts?", r"protokoll", r"mitschrift", r"meeting notes",
          # what was said in a meeting ("in the budget meeting", "laut dem Meeting"), not when one is
          r"(?:in|im|from|aus|laut|according to|during|während) (?:the |a |our |my |dem |der |einem |unserem |"
          r"unserer )?(?:last |letzten )?(?:\w+ )?(?:meetings?|besprechung|sitzung|projekttreffen)\b"),
    warm_requests=("Start the recording",),
)
