"""What runs after the user's yes to a scheduled post (it is stored, waiting for its time: nothing is
published now) or to cancelling the waiting ones."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from agents.local.phrases import fmt_when, tr

if TYPE_CHECKING:
    from agents.approvals import ApprovalRecord
    from agents.deps import AssistantDeps
    from agents.domains import ActionRunner


def run_schedule(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.social.models import NETWORK_NAMES, Draft
    from agents.social.scheduled import schedule

    lang = d.language
    draft = Draft.model_validate(rec.payload["draft"])
    at = datetime.fromisoformat(rec.payload["at"])
    post = schedule(d.memory.db, draft, at, rec.summary, lang)
    d.acted("social.schedule", {"networks": ",".join(draft.networks), "at": at.isoformat()}, str(post.id))
    nets = tr(lang, " and ", " und ").join(NETWORK_NAMES[n] for n in draft.networks)
    when = fmt_when(at.astimezone(d.tz), d.now(), lang)
    if at <= d.now():
        return True, tr(lang, f"Its time has passed: it goes out on {nets} in a moment.",
                        f"Die Zeit ist schon vorbei: er erscheint gleich auf {nets}.")
    return True, tr(lang, f"Scheduled: it goes out on {nets} {when}.", f"Geplant: er erscheint {when} auf {nets}.")


def run_cancel_scheduled(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.social.scheduled import cancel

    lang = d.language
    ids = [int(i) for i in rec.payload.get("ids") or []]
    done = [i for i in ids if cancel(d.memory.db, i)]
    for i in done:
        d.acted("social.cancel_scheduled", {}, str(i))
    if len(done) == len(ids):
        n = len(done)
        return True, tr(lang, f"Cancelled {n} scheduled post{'s' if n != 1 else ''}.",
                        f"{n} geplante{'r' if n == 1 else ''} Beitr{'ag' if n == 1 else 'äge'} gestrichen.")
    gone = len(ids) - len(done)
    return bool(done), tr(lang, f"Cancelled {len(done)}; {gone} had already gone out or been cancelled.",
                          f"{len(done)} gestrichen; {gone} war schon gesendet oder gestrichen.")


SCHEDULE_ACTIONS: dict[str, ActionRunner] = {"social.schedule": run_schedule,
                                             "social.cancel_scheduled": run_cancel_scheduled}
