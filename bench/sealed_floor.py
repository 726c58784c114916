"""What a sealed local download can cost at least, on this machine: the parts of reading a sealed
object (``storage.sealed.OpeningReader`` over a local file) measured alone, beside the plain page-cache
read it is compared with in ``bench/storage.py``. All in one process, on files that stay in the page
cache, each part ``--repeat`` times in rotating order; medians of wall and CPU time (user + system of
this process). Prints ONE JSON object with the load average.

- ``plain_read``: ``open`` + ``read`` in 1 MiB pieces (the plain backend's download; one kernel copy);
- ``memcpy``: copying a 64 MiB buffer in 1 MiB pieces in user space (larger than the caches);
- ``map_only``: mapping the sealed file 8 MiB at a time (populated) and unmapping it, nothing read;
- ``aes_gcm_only``: AES-256-GCM decryption of 1 MiB segments already in memory, each into a new bytes
  object (what the reader does per segment, without any I/O);
- ``sealed_read``: the real reader (mapping + decryption + the reader's own work).

``bound_ratio_if_reading_were_free`` = plain_read time / aes_gcm_only time: the best a sealed download
could do against the plain one on one core if getting the ciphertext cost nothing;
``bound_ratio_map_plus_aes`` adds the mapping.

    .venv/bin/python bench/sealed_floor.py [--size-mb 256] [--repeat 7]"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.sealed import TAG, OpeningReader, Sealer, _nonce

MiB = 1 << 20


def _cpu() -> float:
    return time.process_time()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    size = args.size_mb * MiB
    key = secrets.token_bytes(32)
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="pa-bench-sealed-floor-") as tmp:
        plain_path, sealed_path = Path(tmp) / "plain.bin", Path(tmp) / "sealed.bin"
        sealer = Sealer("blob-bench", key, secrets.token_bytes(7))
        with open(plain_path, "wb") as fp, open(sealed_path, "wb") as fs:
            fs.write(sealer.header)
            for _ in range(args.size_mb):
                piece = os.urandom(MiB)
                fp.write(piece)
                fs.write(sealer.push(piece))
            fs.write(sealer.finish())
        header = sealer.header
        seg = sealer.segment
        # 64 sealed segments in memory for the AES-only part (64 MiB: larger than the caches)
        with open(sealed_path, "rb") as fh:
            fh.seek(len(header))
            in_memory = [fh.read(seg + TAG) for _ in range(min(64, args.size_mb))]
        aead = AESGCM(key)
        prefix = header[-7:]
        src, dst = bytearray(os.urandom(64 * MiB)), bytearray(64 * MiB)

        def plain_read() -> None:
            with open(plain_path, "rb") as fh:
                while fh.read(MiB):
                    pass

        def memcpy() -> None:
            s, d = memoryview(src), memoryview(dst)
            for i in range(args.size_mb):
                at = (i % 64) * MiB
                d[at : at + MiB] = s[at : at + MiB]

        def map_only() -> None:
            fd = os.open(sealed_path, os.O_RDONLY)
            try:
                end, window = os.fstat(fd).st_size, 8 * MiB
                for base in range(0, end, window):
                    flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
                    mmap.mmap(fd, min(window, end - base), flags=flags, prot=mmap.PROT_READ, offset=base).close()
            finally:
                os.close(fd)

        def aes_gcm_only() -> None:
            for i in range(args.size_mb):
                j = i % len(in_memory)
                aead.decrypt(_nonce(prefix, j, False), in_memory[j], header)

        def sealed_read() -> None:
            with open(sealed_path, "rb") as raw:
                r = OpeningReader(raw, raw.read(6), lambda _kid: key, "bench")
                while r.read(MiB):
                    pass
                r.close()

        parts: list[tuple[str, Callable[[], None]]] = [
            ("plain_read", plain_read), ("memcpy", memcpy), ("map_only", map_only),
            ("aes_gcm_only", aes_gcm_only), ("sealed_read", sealed_read)]
        for _, fn in parts:  # warm the page cache and the code paths
            fn()
        wall: dict[str, list[float]] = {n: [] for n, _ in parts}
        cpu: dict[str, list[float]] = {n: [] for n, _ in parts}
        for i in range(args.repeat):
            for name, fn in parts[i % len(parts):] + parts[: i % len(parts)]:
                c0, t0 = _cpu(), time.perf_counter()
                fn()
                wall[name].append(time.perf_counter() - t0)
                cpu[name].append(_cpu() - c0)
    gbs = size / 1e9
    res: dict[str, Any] = {}
    for name in wall:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        res[name] = {"wall_gb_s": round(gbs / w, 2), "cpu_gb_s": round(gbs / c, 2) if c > 0 else None,
                     "wall_s_median": round(w, 4), "cpu_s_median": round(c, 4),
                     "wall_samples_s": [round(x, 4) for x in wall[name]]}

    def ratio(a: str, *b: str) -> float:
        return round(res[a]["cpu_s_median"] / sum(res[x]["cpu_s_median"] for x in b), 3)

    print(json.dumps({
        "bench": "sealed-floor", "size_mib": args.size_mb, "repeat": args.repeat, "cpu_count": os.cpu_count(),
        "load_avg_1m_at_start": round(load0, 2), "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "parts": res,
        "sealed_vs_plain_cpu": ratio("plain_read", "sealed_read"),
        "sealed_vs_plain_wall": round(res["plain_read"]["wall_s_median"] / res["sealed_read"]["wall_s_median"], 3),
        "bound_ratio_if_reading_were_free": ratio("plain_read", "aes_gcm_only"),
        "bound_ratio_map_plus_aes": ratio("plain_read", "map_only", "aes_gcm_only"),
        "note": "ratios are sealed speed / plain speed from CPU-time medians (1.0 = no cost; the target is >= 0.9)",
    }))


if __name__ == "__main__":
    main()
