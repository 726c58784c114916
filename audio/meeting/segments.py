"""Segment stage: audio blocks -> short FLAC segments written through the storage adapter, plus the
manifest. A segment is committed (fsynced locally, or stored remotely, or fsynced in the offline spool)
as soon as it is full, so a crash loses at most the segment being filled (``segment_s``)."""

from __future__ import annotations

import io
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from audio.meeting.capture import Block
from audio.meeting.models import Manifest, RecorderEvent, SegmentInfo, SpaceWarning, StorageNotice
from storage.base import Backend
from storage.bilingual import Bilingual
from storage.errors import StorageError

log = logging.getLogger(__name__)


class MeetingError(Bilingual):
    """A meeting cannot start or continue; the message says why and what to do."""


def segment_key(prefix: str, index: int) -> str:
    return f"{prefix}/seg-{index:06d}.flac"


def manifest_key(prefix: str) -> str:
    return f"{prefix}/manifest.json"


def encode_flac(block: Block, rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, np.clip(block, -1.0, 1.0), rate, format="FLAC", subtype="PCM_16")
    return buf.getvalue()


def decode_flac(data: bytes) -> Block:
    a, _rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return np.asarray(a, np.float32)


@dataclass
class SpaceMonitor:
    """Free space where segments land (local root or spool). Warns ``warn_minutes`` before it runs out;
    below ``reserve_mb`` it tells the recorder to stop cleanly."""

    paths: list[Path]
    reserve_mb: float = 50.0
    warn_minutes: float = 10.0
    bytes_per_s: float = 32_000.0  # 16 kHz 16-bit mono uncompressed: a safe over-estimate of FLAC

    def free_mb(self) -> tuple[float, Path]:
        best: tuple[float, Path] | None = None
        for p in self.paths:
            q = p
            while not q.exists() and q != q.parent:
                q = q.parent
            free = shutil.disk_usage(q).free / 1e6
            if best is None or free < best[0]:
                best = (free, p)
        assert best is not None
        return best

    def check_before_start(self, minutes: float = 10.0) -> None:
        free, path = self.free_mb()
        need = self.reserve_mb + minutes * 60 * self.bytes_per_s / 1e6
        if free < need:
            raise MeetingError(
                f"not enough free space at {path}: {free:.0f} MB free, a recording needs at least {need:.0f} MB "
                f"({minutes:.0f} min plus a {self.reserve_mb:.0f} MB reserve); free some space or choose other storage",
                de=f"nicht genug freier Platz unter {path}: {free:.0f} MB frei, eine Aufnahme braucht mindestens "
                   f"{need:.0f} MB ({minutes:.0f} min plus {self.reserve_mb:.0f} MB Reserve); mach Platz frei oder "
                   "wähl einen anderen Speicher")

    def check(self) -> SpaceWarning | None:
        free, path = self.free_mb()
        minutes = max(0.0, (free - self.reserve_mb) * 1e6 / self.bytes_per_s / 60)
        if free <= self.reserve_mb:
            return SpaceWarning(free_mb=round(free, 1), minutes_left=0.0, path=str(path), stopping=True)
        if minutes <= self.warn_minutes:
            return SpaceWarning(free_mb=round(free, 1), minutes_left=round(minutes, 1), path=str(path))
        return None


@dataclass
class SegmentWriter:
    backend: Backend
    prefix: str
    manifest: Manifest
    on_event: Callable[[RecorderEvent], None] = lambda e: None
    space: SpaceMonitor | None = None
    manifest_every: int = 5
    space_every_s: float = 5.0
    retry_s: float = 0.5
    _buf: list[Block] = field(default_factory=list)
    _buffered: int = 0
    _spooled: bool = False
    _last_space: float = 0.0
    stop_requested: bool = False
    bytes_written: int = 0

    @property
    def segment_samples(self) -> int:
        return int(self.manifest.segment_s * self.manifest.sample_rate)

    @property
    def written_s(self) -> float:
        return self.manifest.duration_s

    def start(self) -> None:
        self.write_manifest()

    def push(self, block: Block) -> None:
        self._buf.append(block)
        self._buffered += len(block)
        while self._buffered >= self.segment_samples:
            data = np.concatenate(self._buf)
            seg, rest = data[: self.segment_samples], data[self.segment_samples :]
            self._buf = [rest] if len(rest) else []
            self._buffered = len(rest)
            self._write_segment(seg)

    def flush(self) -> None:
        if self._buffered:
            data = np.concatenate(self._buf)
            self._buf, self._buffered = [], 0
            self._write_segment(data)

    def _write_segment(self, data: Block) -> None:
        m = self.manifest
        index = len(m.segments)
        key = segment_key(self.prefix, index)
        payload = encode_flac(data, m.sample_rate)
        attempt = 0
        while True:
            try:
                res = self.backend.save(key, payload)
                break
            except StorageError as exc:  # local disk trouble: keep the data, retry, tell the user
                attempt += 1
                if attempt == 1:
                    from audio.meeting.models import ErrorEvent

                    self.on_event(ErrorEvent(message=f"cannot store audio segment {key}: {exc}; retrying"))
                if attempt >= 20:
                    raise MeetingError(f"cannot store audio at {self.backend.location}: {exc}",
                                       de=f"Audio kann unter {self.backend.location} nicht gespeichert werden: {exc}") from exc
                time.sleep(self.retry_s)
        self.bytes_written += len(payload)
        start = m.duration_s
        m.segments.append(SegmentInfo(index=index, key=key, start_s=round(start, 4), samples=len(data),
                                      sha256=res.sha256, spooled=res.spooled))
        if res.spooled != self._spooled:
            self._spooled = res.spooled
            detail = (f"{self.backend.location} unreachable: audio goes to the local spool" if res.spooled
                      else f"{self.backend.location} reachable again")
            self.on_event(StorageNotice(spooled=res.spooled, detail=detail))
        if (index + 1) % self.manifest_every == 0:
            self.write_manifest()
        self._check_space()

    def _check_space(self) -> None:
        if self.space is None:
            return
        now = time.monotonic()
        if now - self._last_space < self.space_every_s:
            return
        self._last_space = now
        if self.manifest.duration_s > 5:
            rate = self.bytes_written / self.manifest.duration_s
            self.space.bytes_per_s = max(rate * 1.5, 4000.0)
        warning = self.space.check()
        if warning is not None:
            self.on_event(warning)
            if warning.stopping:
                self.stop_requested = True

    def write_manifest(self) -> None:
        data = self.manifest.model_dump_json(indent=1).encode()
        try:
            self.backend.save(manifest_key(self.prefix), data)
        except StorageError as exc:  # segments are what matter; recovery rebuilds the manifest from them
            log.warning("manifest of %s not stored: %s", self.manifest.meeting_id, exc)
