"""Meeting recording, the signal side: crash-safe segmented recording, live transcript with speakers.

Stages (each a small module): ``capture`` (sources) -> ``segments`` (compressed segments + manifest
through the storage adapter) and ``live`` (VAD, end-pointing, Whisper, diarization); ``recorder`` wires
the stages for one meeting; ``playback`` reads the audio back from any moment; ``der`` scores speaker
turns. Storing, summarising and searching meetings is the domain's (``agents.meetings``); the service the
GUI, the CLI and the agents use is ``app.meetings.service``."""
