"""Meetings, the app-level feature: ``service`` joins the recorder (``audio.meeting``: capture, segments,
live transcription, diarization, playback) and the meetings domain (``agents.meetings``: store, notes,
export) into the API the GUI, the CLI and the server use; ``control`` offers it to the agents as their
``MeetingControl``; ``events`` are the live events a subscriber gets. Built by ``app.wiring.meetings``."""
