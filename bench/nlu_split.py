"""The fixed 70/30 split of ``tests/agents/utterances_train2.json`` (by a hash of the text, so it never
changes): tune on the 70 %, report on the 30 % that was never looked at while tuning.

``.venv/bin/python bench/nlu_split.py`` prints the accuracy of ``understand`` (routed intent or None;
a suggestion counts as None) on both parts, with the classifier trained WITHOUT the 30 % part, and a
5-fold cross-validation over the 70 % part (each fold's classifier trained without that fold and the
30 %): the figure to tune on, since the 70 % part is itself in the training examples. ``-v`` lists the
cross-validation misses (of the 70 % part only). The classifier trains about 6 times (some 40 s).
``--baseline`` measures templates and fuzzy matching alone (the classifier switched off)."""

from __future__ import annotations

import json
import sys
import zlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
TRAIN2 = ROOT / "tests" / "agents" / "utterances_train2.json"


def is_test(text: str) -> bool:
    """The 30 % part: fixed by the text alone."""
    return zlib.crc32(("b" + text).encode("utf-8")) % 10 < 3


def load() -> tuple[datetime, list[tuple[str, str | None]]]:
    data = json.loads(TRAIN2.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"]).astimezone(ZoneInfo(data["timezone"]))
    return now, [(c[0], c[1]) for c in data["cases"]]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from agents.local import classifier, recognizer
    from agents.local.recognizer import understand

    now, cases = load()
    held = {t for t, _ in cases if is_test(t)}
    tune = [c for c in cases if c[0] not in held]
    verbose = "-v" in sys.argv
    for arg in sys.argv:
        if arg.startswith("--route="):
            recognizer.CLASSIFIER_ROUTE = float(arg.split("=")[1])
    if "--baseline" in sys.argv:
        recognizer.CLASSIFIER_ASK = recognizer.CLASSIFIER_ROUTE = 2.0
    out: dict[str, object] = {}

    wrong = {"cv": 0, "test": 0}

    def score(rows: list[tuple[str, str | None]], show: bool, part: str) -> int:
        right = 0
        for text, intent in rows:
            r = understand(text, now)
            got = r.match.intent if r.match else None
            right += got == intent
            wrong[part] += got is not None and got != intent
            if show and got != intent:
                sug = r.suggestion.intent if r.suggestion else None
                print(f"MISS {text!r}: want {intent}, got {got} (ask {sug})")
        return right

    right = 0
    for k in range(5):
        fold = [c for i, c in enumerate(tune) if i % 5 == k]
        classifier.use_model(classifier.train_default(exclude=held | {t for t, _ in fold}))
        right += score(fold, verbose, "cv")
    out["tune_70_cv"] = {"n": len(tune), "right": right, "accuracy": round(right / len(tune), 3),
                         "wrong_intent_run": wrong["cv"]}
    classifier.use_model(classifier.train_default(exclude=held))
    test = [c for c in cases if c[0] in held]
    right = score(test, False, "test")
    out["test_30"] = {"n": len(test), "right": right, "accuracy": round(right / len(test), 3),
                      "wrong_intent_run": wrong["test"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
