"""Backup benchmark: ``backup create``, ``verify`` and ``restore`` of an installation whose database
holds ``--size-mb`` of rows (plus the keyring and config), on the local backend, in this process.
Prints ONE JSON object: seconds and MB/s of each step, the sealed archive's size, the load average.
The encrypted keyring file's first unlock in a process (its key derivation) is timed apart.

    .venv/bin/python bench/backup.py [--size-mb 200] [--repeat 3]

Target: create and restore each at >= 20 MB/s of database on 2 shared cores (the SQLite online backup
copy, the tar, AES-256-GCM sealing and the SHA-256 of every file are all in it)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MB_S = 20.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pa-bench-backup-") as tmp:
        os.environ["PA_HOME"] = str(Path(tmp) / "home")
        os.environ.setdefault("PA_KEYRING_PASSWORD", "bench-backup")
        from sqlalchemy import text

        from app.backup import service
        from app.services import build_services

        sv = build_services()
        with sv.db.session() as s:
            s.execute(text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, payload BLOB)"))
            for i in range(args.size_mb):
                s.execute(text("INSERT INTO bench_rows (payload) VALUES (:p)"), {"p": os.urandom(1 << 20)})
                if i % 50 == 49:
                    s.commit()
        db_mb = sv.paths.database_file.stat().st_size / 1e6
        t = time.perf_counter()
        service.backup_key(create=True)  # the keyring file's first unlock (its KDF), apart from the backup
        keyring_s = time.perf_counter() - t
        load_start = round(os.getloadavg()[0], 2)
        samples: dict[str, list[float]] = {"create": [], "verify": [], "restore": []}
        archive_mb = 0.0
        for _ in range(args.repeat):
            t = time.perf_counter()
            manifest, _ = service.create(sv, keep=1)
            samples["create"].append(time.perf_counter() - t)
            archive_mb = manifest.archive_size / 1e6
            t = time.perf_counter()
            service.verify(sv, manifest.id)
            samples["verify"].append(time.perf_counter() - t)
            t = time.perf_counter()
            service.restore(sv, manifest.id)
            samples["restore"].append(time.perf_counter() - t)
            sv = build_services()
            service.backup_key()  # the restored keyring file unlocked again, untimed (see keyring_first_unlock_s)
        med = {k: statistics.median(v) for k, v in samples.items()}
        rates = {k: round(db_mb / v, 1) for k, v in med.items()}
        print(json.dumps({
            "bench": "backup", "database_mb": round(db_mb, 1), "archive_mb": round(archive_mb, 1),
            "seconds_median": {k: round(v, 2) for k, v in med.items()},
            "samples": {k: [round(x, 2) for x in v] for k, v in samples.items()},
            "mb_per_s": rates, "keyring_first_unlock_s": round(keyring_s, 2), "target_mb_per_s": TARGET_MB_S,
            "meets_target": rates["create"] >= TARGET_MB_S and rates["restore"] >= TARGET_MB_S,
            "cpu_count": os.cpu_count(), "load_avg_1m_at_start": load_start,
            "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        }))


if __name__ == "__main__":
    main()
