"""The meetings domain: meeting recording by voice and search in the transcripts (the recorder's
signal path is in ``audio/meeting``; the meeting service is composed in ``app``)."""

from agents.domains import Domain
from agents.meetings.intents import HANDLERS, INTENTS

DOMAIN = Domain(
    name="meetings",
    description="Meeting recording (start, stop, pause, resume, status) and searching meeting transcripts.",
    intents=INTENTS,
    handlers=HANDLERS,
    delegate="agents.media:media_agent",
)
