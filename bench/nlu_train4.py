"""Routing accuracy on ``tests/agents/utterances_train4.json`` (407 requests of all four domains, written
before the recognizer ran on them), scored as its unit test scores it: the intent and its slots (lower
case), bar a question's fact words and the finance ``what`` (their handlers read the whole request); per
language (``guess_language``, umlauts and a few words when it cannot tell) and the requests for a model that
an intent took. Also the warm per-request latency over this set and ``utterances.json``. Prints ONE JSON
object (with the load average: the figures are from a shared machine).

    .venv/bin/python bench/nlu_train4.py [-v]     # -v: the misses, one per line, after the JSON

The set is in the classifier's training examples now: this is a floor, not an estimate of generalization
(the blind figure, 88.5 % with slots, was measured before the set was learned from; docs/agents.md).
Targets: accuracy with slots >= 0.95, latency p50 <= 5 ms."""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.local.normalize import guess_language  # noqa: E402
from agents.local.recognizer import compile_all, recognize  # noqa: E402

SET = ROOT / "tests" / "agents" / "utterances_train4.json"
IGNORED = {"fact", "what"}
TARGET_ACCURACY = 0.95
TARGET_P50_MS = 5.0


def _language(text: str) -> str:
    said = guess_language(text)
    if said is None:
        said = "de" if re.search(r"[äöüß]|\b(?:tan|ja|jo|nee|aufnahme|timer|abos)\b", text) else "en"
    return said


def main() -> None:
    data = json.loads(SET.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"]).astimezone(ZoneInfo(data["timezone"]))
    compile_all()
    per: dict[str, list[int]] = {"en": [0, 0, 0], "de": [0, 0, 0]}
    misses: list[tuple[str, object, object]] = []
    none_taken = 0
    for text, intent, slots in data["cases"]:
        m = recognize(text, now)
        got = (m.intent, {k: v.lower() for k, v in m.slots.items() if k not in IGNORED}) if m else (None, {})
        want = (intent, {k: v for k, v in slots.items() if k not in IGNORED})
        row = per[_language(text)]
        row[0] += 1
        row[1] += got[0] == intent
        row[2] += got == want
        none_taken += intent is None and m is not None
        if got != want:
            misses.append((text, want, got))
    texts = [c[0] for c in data["cases"]]
    texts += [c[0] for c in json.loads((ROOT / "tests" / "agents" / "utterances.json").read_text(encoding="utf-8"))["cases"]]
    times: list[float] = []
    for _ in range(3):
        for text in texts:
            t0 = time.perf_counter()
            recognize(text, now)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    n = sum(r[0] for r in per.values())
    out = {
        "set": SET.name, "utterances": n,
        "intent_accuracy": round(sum(r[1] for r in per.values()) / n, 4),
        "accuracy_with_slots": round(sum(r[2] for r in per.values()) / n, 4),
        "per_language": {k: {"utterances": r[0], "intent": round(r[1] / r[0], 4), "with_slots": round(r[2] / r[0], 4)}
                         for k, r in per.items()},
        "model_requests_taken_by_an_intent": none_taken,
        "latency_ms_p50": round(statistics.median(times), 3), "latency_ms_p95": round(times[int(len(times) * 0.95)], 3),
        "target_accuracy": TARGET_ACCURACY, "target_p50_ms": TARGET_P50_MS,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out))
    if "-v" in sys.argv:
        for miss in misses:
            print(miss)


if __name__ == "__main__":
    main()
