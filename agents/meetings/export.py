"""Transcript export: Markdown (with notes), SRT, WebVTT and JSON."""

from __future__ import annotations

import json
from typing import Literal

from agents.meetings.models import MeetingInfo, TranscriptLine, speaker_label
from agents.meetings.notes import fmt_clock

ExportFormat = Literal["md", "srt", "vtt", "json"]
FORMATS: tuple[str, ...] = ("md", "srt", "vtt", "json")


def _ts(t: float, sep: str) -> str:
    ms = round(max(0.0, t) * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def export(info: MeetingInfo, segs: list[TranscriptLine], fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "json":
        meeting = info.model_dump(mode="json")
        meeting["speakers"] = [speaker_label(x) for x in info.speakers]
        rows = [{**s.model_dump(mode="json"), "speaker": speaker_label(s.speaker)} for s in segs]
        return json.dumps({"meeting": meeting, "segments": rows}, indent=2, ensure_ascii=False)
    if fmt == "srt":
        blocks = [f"{i}\n{_ts(s.start, ',')} --> {_ts(max(s.end, s.start + 0.5), ',')}\n{speaker_label(s.speaker)}: {s.text}\n"
                  for i, s in enumerate(segs, 1)]
        return "\n".join(blocks)
    if fmt == "vtt":
        blocks = [f"{_ts(s.start, '.')} --> {_ts(max(s.end, s.start + 0.5), '.')}\n<v {speaker_label(s.speaker)}>{s.text}\n" for s in segs]
        return "WEBVTT\n\n" + "\n".join(blocks)
    lines = [f"# {info.title}", "", f"- Date: {info.started_at.isoformat(timespec='minutes')}",
             f"- Duration: {fmt_clock(info.duration_s)}", f"- Speakers: {', '.join(speaker_label(x) for x in info.speakers) or '-'}", ""]
    if info.notes:
        lines += ["## Summary", "", info.notes.summary, ""]
        if info.notes.decisions:
            lines += ["## Decisions", "", *[f"- {d}" for d in info.notes.decisions], ""]
        if info.notes.action_items:
            lines += ["## Action items", ""]
            for a in info.notes.action_items:
                extra = ", ".join(x for x in (f"owner: {speaker_label(a.owner)}" if a.owner else "", f"due: {a.due}" if a.due else "") if x)
                lines.append(f"- [ ] {a.text}" + (f" ({extra})" if extra else ""))
            lines.append("")
    lines += ["## Transcript", ""]
    lines += [f"**[{fmt_clock(s.start)}] {speaker_label(s.speaker)}:** {s.text}  " for s in segs]
    return "\n".join(lines) + "\n"
