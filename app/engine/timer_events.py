"""What changed between two looks at the timers list, as ``TimerChanged`` events (both engines use it):
a new running one -> started, one that now rings -> rang, a running one gone -> cancelled (one that
rang leaves through stop or snooze, which are reported where they happen). Plain data only."""

from __future__ import annotations

from app.engine import TimerChanged, TimerView


def timer_changes(before: dict[str, TimerView], now: list[TimerView]) -> list[TimerChanged]:
    out: list[TimerChanged] = []
    for v in now:
        old = before.get(v.id)
        if old is None and not v.ringing:
            out.append(TimerChanged(change="started", timer=v))
        elif v.ringing and (old is None or not old.ringing):
            out.append(TimerChanged(change="rang", timer=v))
    ids = {v.id for v in now}
    out += [TimerChanged(change="cancelled", timer=v) for k, v in before.items() if k not in ids and not v.ringing]
    return out
