"""The meetings domain (agent side): ``models`` (transcript lines, notes, meetings, search hits),
``store`` (database, full-text search), ``notes`` (summary, decisions, action items), ``actions``
(action items -> pending calendar approvals), ``export`` (md/srt/vtt/json) and ``agent`` (the
pydantic-ai delegate with the meeting tools, on the agents' ``MeetingControl`` Protocol).

Nothing here imports ``audio`` or ``app``: the recording itself (``audio.meeting``) and the service
that joins both (``app.meetings``) sit beside and above."""
