"""Speaker diarization for mono audio, offline, no torch and no downloads.

Method: MFCC statistics (mean and standard deviation of c1..c19 over 1.5 s windows with a 0.25 s hop,
speech frames only, as the VAD says) are standardised, length-normalised and clustered with k-means
(several seeds, the lowest inertia wins). The number of speakers is ``num_speakers`` when the user
gives it; otherwise k runs from ``min_speakers`` (2: it is a meeting) to ``max_speakers`` and a larger
k wins only if its cosine silhouette beats the smaller one's by ``k_margin``. MFCC statistics alone
split a single voice by what is said, so when the GE2E speaker encoder is installed
(``audio.meeting.voice_encoder``) one voice vector per second of speech (1.6 s windows) is kept and
clusters whose vectors are one voice merge (see :meth:`Diarizer._merge_same_voices`): one voice comes out
as one speaker. A number of participants the user gives is taken as it is. Each 10 ms speech frame
takes the label most windows covering it voted for; turns shorter than ``min_turn_s`` merge into their
neighbours.

Memory is constant per window (38 floats every 0.25 s of speech, ~2 MB per hour; 256 floats per voice
vector, ~4 MB per hour) plus one byte per 10 ms for the speech mask; audio is not kept. It runs live: :meth:`Diarizer.label_for` gives a
provisional speaker for an utterance; :meth:`Diarizer.turns` the final result after stop."""

from __future__ import annotations

import collections
import itertools
import logging
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from audio.frames import SAMPLE_RATE, Samples
from audio.meeting.features import HOP, N_MFCC, MfccStream
from audio.meeting.models import SpeakerTurn
from audio.meeting.voice_encoder import (
    N_MELS,
    PARTIAL_ROWS,
    EncoderUnavailable,
    MelPowerStream,
    SpeakerEncoder,
    level,
    shared_encoder,
)

log = logging.getLogger(__name__)
ROW_S = HOP / SAMPLE_RATE  # 10 ms per MFCC row
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


@dataclass
class DiarizerConfig:
    window_s: float = 1.5
    hop_s: float = 0.25
    num_speakers: int | None = None
    min_speakers: int = 2
    max_speakers: int = 4
    k_margin: float = 0.05
    min_turn_s: float = 0.3
    speech_threshold: float = 0.5
    seeds: int = 6
    # voice vectors (the GE2E encoder, when installed): one per voice_hop_s of speech, for the speaker count
    # (clusters of one voice merge) and for voice profiles
    voices: bool = True
    voice_hop_s: float = 1.0
    voice_batch: int = 8
    same_voice: float = 0.89  # clusters whose mean voice vectors are this similar are one speaker
    same_voice_ratio: float = 0.93  # ... or whose vectors are this similar across as within (see below)
    # a cluster with fewer voice vectors than this (seconds of speech) is too little to be a speaker of its
    # own and joins the most alike one (0 = off; the channels of a call use it: audio.meeting.channel_diarization)
    min_voice_vectors: int = 0


def _unit(v: FloatArray) -> FloatArray:
    return (v / max(float(np.linalg.norm(v)), 1e-9)).astype(np.float32)


def _mean_pair_sim(a: FloatArray, b: FloatArray | None = None) -> float:
    """Mean cosine of the pairs of unit vectors within ``a`` (b None) or between ``a`` and ``b``."""
    if b is not None:
        return float((a @ b.T).mean())
    n = len(a)
    return float(((a @ a.T).sum() - n) / (n * (n - 1))) if n > 1 else 1.0


def _voice_likeness(a: FloatArray, b: FloatArray, cfg: DiarizerConfig) -> float:
    """>= 1 when the vectors ``a`` and ``b`` are one voice by either test; the larger, the surer."""
    cos = float(_unit(a.mean(0)) @ _unit(b.mean(0)))
    within = max(1e-6, _mean_pair_sim(a) * _mean_pair_sim(b))
    ratio = _mean_pair_sim(a, b) / within ** 0.5
    return max(cos / cfg.same_voice, ratio / cfg.same_voice_ratio)


def _voice_encoder(wanted: bool) -> SpeakerEncoder | None:
    if not wanted:
        return None
    try:
        return shared_encoder()
    except EncoderUnavailable as exc:
        log.info("no voice vectors: %s", exc)
        return None


def _standardize(e: FloatArray) -> FloatArray:
    x = (e - e.mean(0)) / (e.std(0) + 1e-6)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-9)).astype(np.float32)


def kmeans(x: FloatArray, k: int, seed: int, iters: int = 40) -> tuple[IntArray, float]:
    """Plain k-means with k-means++ seeding; returns (labels, inertia)."""
    rng = np.random.default_rng(seed)
    centers = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d = np.min(((x[:, None, :] - np.array(centers)[None]) ** 2).sum(-1), axis=1)
        p = d / d.sum() if d.sum() > 0 else None
        centers.append(x[rng.choice(len(x), p=p)])
    c = np.array(centers)
    labels = np.zeros(len(x), np.int64)
    for _ in range(iters):
        d = ((x[:, None, :] - c[None]) ** 2).sum(-1)
        new = d.argmin(1)
        if np.array_equal(new, labels) and _ > 0:
            break
        labels = new
        c = np.array([x[labels == j].mean(0) if np.any(labels == j) else c[j] for j in range(k)])
    inertia = float(((x - c[labels]) ** 2).sum())
    return labels, inertia


def silhouette(x: FloatArray, labels: IntArray) -> float:
    """Mean silhouette with cosine distance (x is length-normalised)."""
    ks = np.unique(labels)
    if len(ks) < 2:
        return -1.0
    d = 1.0 - x @ x.T
    s = np.zeros(len(x))
    for i in range(len(x)):
        own = labels == labels[i]
        n_own = own.sum() - 1
        if n_own <= 0:
            continue
        a = d[i, own].sum() / n_own
        b = min(d[i, labels == k].mean() for k in ks if k != labels[i])
        s[i] = (b - a) / max(a, b, 1e-9)
    return float(s.mean())


def cluster(embeddings: FloatArray, cfg: DiarizerConfig) -> IntArray:
    n = len(embeddings)
    lo = cfg.num_speakers or cfg.min_speakers
    hi = cfg.num_speakers or cfg.max_speakers
    hi = min(hi, n // 4)
    if n < 8 or hi < 2:
        return np.zeros(n, np.int64)
    x = _standardize(embeddings)
    rng = np.random.default_rng(0)
    sub = rng.choice(n, size=min(n, 800), replace=False)
    best_labels = np.zeros(n, np.int64)
    best_score = -2.0
    for k in range(max(1, lo), hi + 1):
        if k == 1:
            best_labels, best_score = np.zeros(n, np.int64), 0.0
            continue
        runs = [kmeans(x, k, seed) for seed in range(cfg.seeds)]
        labels = min(runs, key=lambda r: r[1])[0]
        score = silhouette(x[sub], labels[sub])
        if best_score == -2.0 or score > best_score + cfg.k_margin:
            best_score, best_labels = score, labels
    return best_labels


@dataclass
class Diarizer:
    """Streaming speaker features; clustering on demand."""

    config: DiarizerConfig = field(default_factory=DiarizerConfig)

    def __post_init__(self) -> None:
        c = self.config
        self._mfcc = MfccStream()
        self._zero = np.zeros(N_MFCC - 1, np.float32)
        self._win = round(c.window_s / ROW_S)
        self._hop = round(c.hop_s / ROW_S)
        self._rows: collections.deque[FloatArray] = collections.deque(maxlen=self._win)
        self._flags: collections.deque[bool] = collections.deque(maxlen=self._win)
        self._speech = bytearray()  # one byte per 10 ms row: 1 = speech
        self._emb: list[FloatArray] = []
        self._starts: list[int] = []
        self._since_hop = 0
        self._labels: IntArray = np.zeros(0, np.int64)
        self._labelled = 0
        self._encoder = _voice_encoder(c.voices)
        self._mel = MelPowerStream()
        self._mel_rows: collections.deque[FloatArray] = collections.deque(maxlen=PARTIAL_ROWS)
        self._mel_flags: collections.deque[bool] = collections.deque(maxlen=PARTIAL_ROWS)
        self._voice_hop = round(c.voice_hop_s / ROW_S)
        self._since_voice = 0
        self._voice_rows = 0
        self._pending: list[FloatArray] = []
        self._pending_starts: list[int] = []
        self._vectors: list[FloatArray] = []  # unit voice vectors, one per voice window
        self._vector_starts: list[int] = []  # first row of each
        self._merge: dict[int, int] = {}

    @property
    def rows(self) -> int:
        return len(self._speech)

    @property
    def windows(self) -> int:
        return len(self._emb)

    def push(self, frame: Samples, speech_prob: float) -> None:
        is_speech = speech_prob >= self.config.speech_threshold
        if self._encoder is not None:
            self._push_voice(frame, is_speech)
        if not is_speech:  # no features needed: only the speech mask and the window clock move on
            for _ in range(self._mfcc.skip(frame)):
                self._rows.append(self._zero)
                self._flags.append(False)
                self._speech.append(0)
                self._since_hop += 1
                if self._since_hop >= self._hop and len(self._rows) == self._win:
                    self._since_hop = 0
                    self._window()
            return
        for row in self._mfcc.push(frame):
            self._rows.append(row)
            self._flags.append(is_speech)
            self._speech.append(1 if is_speech else 0)
            self._since_hop += 1
            if self._since_hop >= self._hop and len(self._rows) == self._win:
                self._since_hop = 0
                self._window()

    def _window(self) -> None:
        if sum(self._flags) < self._win // 4:
            return
        flags = np.array(self._flags, bool)
        if flags.sum() < self._win // 4:
            return
        m = np.array(self._rows, np.float32)[flags]
        self._emb.append(np.concatenate([m.mean(0), m.std(0)]).astype(np.float32))
        self._starts.append(self.rows - self._win)

    # ------------------------------------------------------------------------------ voice vectors

    def _push_voice(self, frame: Samples, is_speech: bool) -> None:
        if not is_speech:
            rows: list[FloatArray] = [np.zeros(N_MELS + 1, np.float32)] * self._mel.skip(frame)
        else:
            mel, power = self._mel.push(frame)
            rows = list(np.concatenate([mel, power[:, None]], axis=1))
        for row in rows:
            self._mel_rows.append(row)
            self._mel_flags.append(is_speech)
            self._voice_rows += 1
            self._since_voice += 1
            if self._since_voice >= self._voice_hop and len(self._mel_rows) == PARTIAL_ROWS:
                flags = np.array(self._mel_flags, bool)
                if flags.sum() >= PARTIAL_ROWS // 2:
                    self._since_voice = 0
                    m = np.array(self._mel_rows, np.float32)[flags]
                    mel = level(m[:, :N_MELS], m[:, N_MELS])
                    self._pending.append(np.pad(mel, ((PARTIAL_ROWS - len(mel), 0), (0, 0))))
                    self._pending_starts.append(self._voice_rows - PARTIAL_ROWS)
                    if len(self._pending) >= self.config.voice_batch:
                        self._embed_pending()

    def _embed_pending(self) -> None:
        if self._encoder is None or not self._pending:
            return
        self._vectors.extend(self._encoder.embed(np.stack(self._pending)))
        self._vector_starts.extend(self._pending_starts)
        self._pending.clear()
        self._pending_starts.clear()

    @property
    def has_voices(self) -> bool:
        return self._encoder is not None

    @property
    def features(self) -> str:
        """What the speakers are told apart by (for reports)."""
        return "MFCC statistics + GE2E voice vectors" if self._encoder is not None else "MFCC statistics"

    def _vector_labels(self, labels: IntArray) -> IntArray:
        """The cluster most feature windows centred inside each voice window belong to (-1: none)."""
        out = np.full(len(self._vectors), -1, np.int64)
        centers = np.array(self._starts[: len(labels)]) + self._win // 2
        for i, s in enumerate(self._vector_starts):
            inside = labels[(centers >= s) & (centers < s + PARTIAL_ROWS)]
            if len(inside):
                out[i] = int(np.bincount(inside).argmax())
        return out

    def _merge_same_voices(self, labels: IntArray) -> dict[int, int]:
        """Clusters of one voice become one speaker (MFCC statistics split a voice by what is said; voice
        vectors do not). Two clusters are one voice when their mean vectors are at least ``same_voice``
        similar, or when their vectors are about as similar across the two as within each
        (``same_voice_ratio``: this catches short clusters, whose mean of a few vectors is noisy). The most
        alike pair merges first, then the rest are compared again."""
        self._embed_pending()
        if self.config.num_speakers is not None or not self._vectors:
            return {}
        vecs = np.array(self._vectors, np.float32)
        vec_labels = self._vector_labels(labels)
        merge: dict[int, int] = {}
        while True:
            best: tuple[float, int, int] | None = None
            for a, b in itertools.combinations(sorted(set(vec_labels.tolist()) - {-1}), 2):
                score = _voice_likeness(vecs[vec_labels == a], vecs[vec_labels == b], self.config)
                if score >= 1.0 and (best is None or score > best[0]):
                    best = (score, a, b)
            if best is None:
                break
            _, a, b = best
            vec_labels[vec_labels == b] = a
            merge = {k: (a if v == b else v) for k, v in merge.items()}
            merge[b] = a
        if self.config.min_voice_vectors > 0:
            self._merge_small(labels, vec_labels, vecs, merge)
        return merge

    def _merge_small(self, labels: IntArray, vec_labels: IntArray, vecs: FloatArray, merge: dict[int, int]) -> None:
        """Clusters with fewer than ``min_voice_vectors`` voice vectors join the most alike cluster (one
        without any vectors: the one with the most); ``merge`` and ``vec_labels`` change in place."""
        while True:
            alive = sorted({merge.get(x, x) for x in set(labels.tolist())})
            if len(alive) < 2:
                return
            count = {c: int((vec_labels == c).sum()) for c in alive}
            small = [c for c in alive if count[c] < self.config.min_voice_vectors]
            if not small:
                return
            b = min(small, key=lambda c: (count[c], c))
            others = [c for c in alive if c != b]
            if count[b] and any(count[c] for c in others):
                a = max((c for c in others if count[c]), key=lambda c: _voice_likeness(
                    vecs[vec_labels == b], vecs[vec_labels == c], self.config))
            else:
                a = max(others, key=lambda c: (count[c], int((labels == c).sum())))
            vec_labels[vec_labels == b] = a
            for k, v in list(merge.items()):
                if v == b:
                    merge[k] = a
            merge[b] = a

    def voiceprints(self, turns: list[SpeakerTurn]) -> dict[str, tuple[FloatArray, int]]:
        """Per speaker of ``turns``: the mean unit voice vector of the windows mostly in their turns and how
        many windows it averages (empty without the encoder)."""
        self._embed_pending()
        by: dict[str, list[FloatArray]] = {}
        for s, v in zip(self._vector_starts, self._vectors, strict=True):
            spk = speaker_of(turns, s * ROW_S, (s + PARTIAL_ROWS) * ROW_S, "")
            if spk:
                by.setdefault(spk, []).append(v)
        return {spk: (_unit(np.mean(vs, axis=0)), len(vs)) for spk, vs in by.items()}

    # --------------------------------------------------------------------------------- clustering

    def _refresh(self, force: bool = False) -> IntArray:
        n = len(self._emb)
        if force or (n - self._labelled >= max(16, self._labelled // 10)):
            labels = cluster(np.array(self._emb, np.float32), self.config) if n else np.zeros(0, np.int64)
            merge = self._merge_same_voices(labels)
            self._labels = np.array([merge.get(x, x) for x in labels.tolist()], np.int64) if merge else labels
            self._labelled = n
        return self._labels

    def _names(self, labels: IntArray) -> dict[int, str]:
        order: list[int] = []
        for lab in labels.tolist():
            if lab not in order:
                order.append(lab)
        return {lab: f"S{i + 1}" for i, lab in enumerate(order)}

    def label_for(self, start_s: float, end_s: float) -> str:
        """Provisional speaker of a span (live view); may change after :meth:`turns`."""
        labels = self._refresh()
        if not len(labels):
            return "S1"
        names = self._names(labels)
        starts = np.array(self._starts[: len(labels)])
        centers = (starts + self._win / 2) * ROW_S
        mask = (centers >= start_s) & (centers <= end_s)
        if not mask.any():
            mask = np.abs(centers - (start_s + end_s) / 2) == np.min(np.abs(centers - (start_s + end_s) / 2))
        votes = np.bincount(labels[mask])
        return names[int(votes.argmax())]

    def turns(self) -> list[SpeakerTurn]:
        """Final speaker turns over all audio pushed so far."""
        labels = self._refresh(force=True)
        n = self.rows
        if n == 0:
            return []
        speech = np.frombuffer(bytes(self._speech), np.uint8).astype(bool)
        k = int(labels.max()) + 1 if len(labels) else 1
        votes = np.zeros((n, k), np.int32)
        for s, lab in zip(self._starts[: len(labels)], labels.tolist(), strict=True):
            votes[s : s + self._win, lab] += 1
        lab_rows = np.where(votes.sum(1) > 0, votes.argmax(1), -1)
        # speech rows no window covered: take the nearest covered row's label
        covered = np.flatnonzero(lab_rows >= 0)
        if len(covered) == 0:
            lab_rows = np.zeros(n, np.int64)
        else:
            missing = np.flatnonzero(lab_rows < 0)
            pos = np.clip(np.searchsorted(covered, missing), 0, len(covered) - 1)
            prev = np.clip(pos - 1, 0, len(covered) - 1)
            nearest = np.where(
                np.abs(covered[pos] - missing) <= np.abs(covered[prev] - missing), covered[pos], covered[prev]
            )
            lab_rows[missing] = lab_rows[nearest]
        lab_rows = np.where(speech, lab_rows, -1)
        names = self._names(labels) if len(labels) else {0: "S1"}
        return _smooth(_runs(lab_rows, names), self.config.min_turn_s)


def _runs(lab_rows: IntArray, names: dict[int, str]) -> list[SpeakerTurn]:
    out: list[SpeakerTurn] = []
    if not len(lab_rows):
        return out
    change = np.flatnonzero(np.diff(lab_rows)) + 1
    bounds = [0, *change.tolist(), len(lab_rows)]
    for a, b in itertools.pairwise(bounds):
        lab = int(lab_rows[a])
        if lab >= 0:
            out.append(SpeakerTurn(start=round(a * ROW_S, 3), end=round(b * ROW_S, 3), speaker=names.get(lab, "S1")))
    return out


def _smooth(turns: list[SpeakerTurn], min_turn_s: float) -> list[SpeakerTurn]:
    """Relabel turns shorter than ``min_turn_s`` as the neighbouring speaker and merge same-speaker turns
    separated by short gaps."""
    for i, t in enumerate(turns):
        if t.end - t.start < min_turn_s:
            prev = turns[i - 1] if i > 0 else None
            nxt = turns[i + 1] if i + 1 < len(turns) else None
            near = [x for x in (prev, nxt) if x is not None and min(abs(x.end - t.start), abs(t.end - x.start)) < 0.2]
            if near:
                t.speaker = max(near, key=lambda x: x.end - x.start).speaker
    merged: list[SpeakerTurn] = []
    for t in turns:
        if merged and merged[-1].speaker == t.speaker and t.start - merged[-1].end < 0.2:
            merged[-1].end = t.end
        else:
            merged.append(t.model_copy())
    return merged


def channel_turns(speech_rows: dict[int, list[tuple[float, float]]]) -> list[SpeakerTurn]:
    """Multi-channel input: one speaker per channel, turns are that channel's speech spans."""
    out = [SpeakerTurn(start=s, end=e, speaker=f"S{ch + 1}", channel=ch)
           for ch, spans in speech_rows.items() for s, e in spans]
    return sorted(out, key=lambda t: (t.start, t.speaker))


def speaker_of(turns: list[SpeakerTurn], start: float, end: float, default: str = "S1") -> str:
    """The speaker who talks most within [start, end)."""
    share: dict[str, float] = {}
    for t in turns:
        ov = min(end, t.end) - max(start, t.start)
        if ov > 0:
            share[t.speaker] = share.get(t.speaker, 0.0) + ov
    return max(share, key=lambda k: share[k]) if share else default
