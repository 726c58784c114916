"""Reading a meeting's audio back from storage: the manifest, the segments from any moment on, and
rebuilding the manifest from the segments alone (after a crash)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import numpy as np

from audio.frames import SAMPLE_RATE
from audio.meeting.capture import Block
from audio.meeting.models import Manifest, SegmentInfo
from audio.meeting.segments import decode_flac, manifest_key
from storage.base import Backend
from storage.errors import NotFoundError, StorageError

log = logging.getLogger(__name__)
_SEG = re.compile(r"/seg-(\d{6})\.flac$")


def load_manifest(backend: Backend, prefix: str) -> Manifest | None:
    try:
        return Manifest.model_validate_json(backend.load(manifest_key(prefix)))
    except NotFoundError:
        return None
    except (StorageError, ValueError) as exc:
        log.warning("manifest of %s unreadable (%s); rebuilding it from the segments", prefix, exc)
        return None


def rebuild_manifest(backend: Backend, prefix: str, base: Manifest) -> Manifest:
    """The manifest as the stored segments say: every segment found, in order, with its real length.
    A segment that does not decode is reported and skipped (it cannot be played anyway)."""
    keys = sorted(k for k in backend.list(prefix + "/") if _SEG.search(k))
    known = {s.key: s for s in base.segments}
    segs: list[SegmentInfo] = []
    start = 0
    for k in keys:
        m = _SEG.search(k)
        assert m is not None
        info = known.get(k)
        if info is None:
            try:
                n = len(decode_flac(backend.load(k)))
            except (StorageError, RuntimeError, ValueError) as exc:
                log.error("segment %s is unreadable (%s); skipped", k, exc)
                continue
            info = SegmentInfo(index=int(m.group(1)), key=k, start_s=0.0, samples=n)
        segs.append(info.model_copy(update={"start_s": round(start / base.sample_rate, 4)}))
        start += info.samples
    return base.model_copy(update={"segments": segs})


def iter_audio(backend: Backend, manifest: Manifest, start_s: float = 0.0) -> Iterator[Block]:
    """Blocks (samples, channels) from ``start_s`` on (recorded-audio time)."""
    rate = manifest.sample_rate
    for seg in manifest.segments:
        seg_end = seg.start_s + seg.samples / rate
        if seg_end <= start_s:
            continue
        a = decode_flac(backend.load(seg.key))
        skip = max(0, round((start_s - seg.start_s) * rate))
        if skip < len(a):
            yield a[skip:]


def read_audio(backend: Backend, manifest: Manifest, start_s: float = 0.0, seconds: float | None = None) -> Block:
    parts: list[Block] = []
    n = 0
    limit = None if seconds is None else int(seconds * SAMPLE_RATE)
    for b in iter_audio(backend, manifest, start_s):
        parts.append(b)
        n += len(b)
        if limit is not None and n >= limit:
            break
    a = np.concatenate(parts) if parts else np.zeros((0, manifest.channels), np.float32)
    return a if limit is None else a[:limit]
