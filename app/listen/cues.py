"""The short tones of push-to-talk: rising when the microphone opens, falling when it closes
(``audio.chime.cue_samples``), played on the speaker in a helper thread so the key never waits."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def play_cue(opening: bool, device: str | int | None = None,
             on_error: Callable[[str], None] | None = None) -> threading.Thread:
    """``on_error``: the speaker could not be opened (what went wrong)."""

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
            if on_error is not None:
                on_error(str(exc))
        finally:
            player.close()

    t = threading.Thread(target=run, name="cue", daemon=True)
    t.start()
    return t
