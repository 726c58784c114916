"""Offline meeting notes scored against reference notes (bench/data/meeting_notes.json): used by
``bench/meetings.py --notes`` and by tests/meetings/test_notes.py."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from agents.meetings.models import TranscriptLine
from agents.meetings.notes import extractive_notes

ROOT = Path(__file__).resolve().parent.parent


def notes_bench() -> dict[str, Any]:
    """Offline notes on the meeting transcripts of bench/data/meeting_notes.json (written for this, EN+DE,
    with reference notes): recall of the reference action items (an item counts when one extracted item
    has its words, its owner and its due date), of their owners and due dates, and of the decisions."""
    data = json.loads((ROOT / "bench" / "data" / "meeting_notes.json").read_text(encoding="utf-8"))
    found = owner_ok = due_ok = total = dec_found = dec_total = extra = 0
    per: dict[str, Any] = {}
    for m in data["meetings"]:
        segs = [TranscriptLine(start=i * 5.0, end=i * 5.0 + 4, speaker=spk, text=text)
                for i, (spk, text) in enumerate(m["lines"])]
        notes = extractive_notes(segs, datetime.fromisoformat(m["now"]))
        hits = 0
        for ref in m["reference"]["actions"]:
            total += 1
            cands = [a for a in notes.action_items if all(w in a.text.lower() for w in ref["words"])]
            due = date.fromisoformat(ref["due"]) if ref["due"] else None
            good = [a for a in cands if a.owner == ref["owner"] and a.due == due]
            found += bool(cands)
            owner_ok += any(a.owner == ref["owner"] for a in cands)
            due_ok += any(a.due == due for a in cands)
            hits += bool(good)
        matched = sum(1 for a in notes.action_items
                      if any(all(w in a.text.lower() for w in r["words"]) for r in m["reference"]["actions"]))
        extra += len(notes.action_items) - matched
        for words in m["reference"]["decisions"]:
            dec_total += 1
            dec_found += any(all(w in d.lower() for w in words) for d in notes.decisions)
        per[m["id"]] = {"actions_exact": hits, "actions_ref": len(m["reference"]["actions"]),
                        "summary": notes.summary}
    exact = sum(v["actions_exact"] for v in per.values())
    return {"transcripts": len(per), "action_items_ref": total, "action_recall": round(found / total, 3),
            "action_recall_with_owner_and_due": round(exact / total, 3), "owner_recall": round(owner_ok / total, 3),
            "due_recall": round(due_ok / total, 3), "extra_action_items": extra,
            "decision_recall": round(dec_found / max(1, dec_total), 3), "per_transcript": per}
