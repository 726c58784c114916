"""Speakers of a multi-channel recording (an online call: channel 1 the microphone, channel 2 the
computer's sound output): every channel diarized on its own, so two far-side voices in channel 2 come
out as two speakers, and a voice never crosses from one channel's speakers to the other's.

Each channel has its own :class:`Diarizer` (speaker count estimation, MFCC clusters merged by voice
vectors): a channel of one voice stays one speaker. The first speaker of channel ``c`` is ``S{c+1}`` (as
before: S1 = you, S2 = the call); further speakers are numbered after the channels, in the order they
first speak (``S3``, ``S4``, ...). Every turn carries its channel. A number of participants the user gives
(``num_speakers``) caps each channel at that number minus one speaker for every other channel.

Channel 1 is the user's microphone: it stays one speaker unless it clearly holds more. Its clusters are one
voice unless their voice vectors are clearly apart (``USER_CHANNEL_LIKENESS``: the same-voice thresholds
scaled down). In every channel a cluster with fewer than ``MIN_VOICE_VECTORS`` voice vectors joins the most
alike one (a 5 s channel split in two by the MFCC clusters had one vector per cluster). On the generated calls a single user's clusters scored 0.67-1.09 of the usual threshold
(a few seconds of speech per cluster make noisy means), two different far-side voices 0.53-0.78."""

from __future__ import annotations

import dataclasses

import numpy as np

from audio.frames import Samples
from audio.meeting.diarization import Diarizer, DiarizerConfig, speaker_of
from audio.meeting.models import SpeakerTurn

USER_CHANNEL_LIKENESS = 0.6  # channel 1's clusters are one voice unless this far below the usual threshold
MIN_VOICE_VECTORS = 3  # a channel's cluster with less voice than ~3 s of speech windows is not a speaker of its own


def channel_config(config: DiarizerConfig, channels: int, channel: int) -> DiarizerConfig:
    """One channel's diarizer settings: estimated per channel, at most what the total number allows; the
    user's channel (0) merges clusters unless their voices are clearly apart."""
    cfg = dataclasses.replace(config, min_voice_vectors=MIN_VOICE_VECTORS)
    if config.num_speakers is not None:
        cfg = dataclasses.replace(cfg, num_speakers=None, max_speakers=max(1, config.num_speakers - (channels - 1)))
    if channel == 0:
        cfg = dataclasses.replace(cfg, same_voice=cfg.same_voice * USER_CHANNEL_LIKENESS,
                                  same_voice_ratio=cfg.same_voice_ratio * USER_CHANNEL_LIKENESS)
    return cfg


class ChannelDiarizers:
    """One diarizer per channel; speakers named across the channels."""

    def __init__(self, channels: int, config: DiarizerConfig | None = None) -> None:
        self.channels = channels
        self._d = [Diarizer(channel_config(config or DiarizerConfig(), channels, c)) for c in range(channels)]
        self._live: dict[tuple[int, str], str] = {(c, "S1"): f"S{c + 1}" for c in range(channels)}

    def push(self, channel: int, frame: Samples, speech_prob: float) -> None:
        self._d[channel].push(frame, speech_prob)

    @property
    def has_voices(self) -> bool:
        return all(d.has_voices for d in self._d)

    @property
    def features(self) -> str:
        return f"{self._d[0].features}, per channel"

    def label_for(self, channel: int, start_s: float, end_s: float) -> str:
        """Provisional speaker of a span of one channel (live view); may change after :meth:`turns`."""
        key = (channel, self._d[channel].label_for(start_s, end_s))
        if key not in self._live:
            self._live[key] = f"S{self.channels + 1 + sum(1 for k in self._live if k[1] != 'S1')}"
        return self._live[key]

    def turns(self) -> list[SpeakerTurn]:
        """Final turns of every channel, each with its channel, named across the channels."""
        local = [(c, t) for c, d in enumerate(self._d) for t in d.turns()]
        names = {(c, "S1"): f"S{c + 1}" for c in range(self.channels)}
        first: dict[tuple[int, str], float] = {}
        for c, t in local:
            key = (c, t.speaker)
            if key not in names:
                first[key] = min(first.get(key, t.start), t.start)
        for i, key in enumerate(sorted(first, key=lambda k: (first[k], k))):
            names[key] = f"S{self.channels + 1 + i}"
        out = [SpeakerTurn(start=t.start, end=t.end, speaker=names[(c, t.speaker)], channel=c) for c, t in local]
        return sorted(out, key=lambda t: (t.start, t.speaker))

    def voiceprints(self, turns: list[SpeakerTurn]) -> dict[str, tuple[np.ndarray, int]]:
        """Per speaker: the mean voice vector of their windows in their own channel (see
        :meth:`Diarizer.voiceprints`)."""
        out: dict[str, tuple[np.ndarray, int]] = {}
        for c, d in enumerate(self._d):
            out.update(d.voiceprints([t for t in turns if t.channel == c]))
        return out


def channel_speaker(turns: list[SpeakerTurn], channel: int | None, start: float, end: float, default: str) -> str:
    """The speaker who talks most within [start, end) in ``channel`` (turns without a channel: any)."""
    mine = [t for t in turns if t.channel is None or t.channel == channel]
    return speaker_of(mine, start, end, default)
