"""The short tones of push-to-talk: rising when the microphone opens, falling when it closes
(``audio.chime.cue_samples``), played on the speaker in a helper thread so the key never waits."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def play_cue(opening: bool, device: str | int | None = None) -> threading.Thread:
    def run() -> None:
        from audio.chime import cue_samples
        from audio.playback import AudioPlayer, PlaybackError
        from audio.tts import SpeechAudio

        samples, rate = cue_samples(opening)
        player = AudioPlayer(device, sample_rate=rate)
        try:
            player.open()
            player.enqueue("", SpeechAudio(samples, rate))
            player.end_of_input()
            player.wait(timeout=5)
        except PlaybackError as exc:
            log.warning("no cue tone: %s", exc)
        finally:
            player.close()

    t = threading.Thread(target=run, name="cue", daemon=True)
    t.start()
    return t
