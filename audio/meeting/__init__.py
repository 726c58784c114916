"""Meeting-recording mode: crash-safe segmented recording, live transcript with speakers, summary.

Stages (each a small module): ``capture`` (sources) -> ``segments`` (compressed segments + manifest
through the storage adapter) and ``live`` (VAD, end-pointing, Whisper, diarization) -> ``store``
(database, full-text search) -> ``notes`` (summary, decisions, action items). ``recorder`` wires the
stages for one meeting; ``service`` is the API the GUI, the CLI and the agents use."""
