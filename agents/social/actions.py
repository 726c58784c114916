"""What runs a social approval after the user's yes: publish the approved draft exactly as shown (to
each network it names, once: the draft's idempotency key goes with it), or delete the post named."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.local.phrases import tr

if TYPE_CHECKING:
    from agents.approvals import ApprovalRecord
    from agents.deps import AssistantDeps
    from agents.domains import ActionRunner

POST = "social.publish"  # a local intent's draft ("social.post" is the delegate's tool)
DELETE = "social.delete_last"


def run_post(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.deps import ServiceError
    from agents.social.models import NETWORK_NAMES, Draft

    lang = d.language
    hub = d.services.social
    if hub is None:
        return False, tr(lang, "No social media account is connected: nothing was posted.",
                         "Kein Social-Media-Konto verbunden: nichts wurde gepostet.")
    draft = Draft.model_validate(rec.payload["draft"])
    try:
        results = hub.publish(draft)
    except ServiceError as exc:
        return False, tr(lang, f"Nothing was posted: {exc}.", f"Nichts wurde gepostet: {exc}.")
    said: list[str] = []
    for r in results:
        name = NETWORK_NAMES[r.network]
        if r.ok:
            n = len(r.ids)
            said.append(tr(lang, f"Posted on {name}" + (f" as a thread of {n}" if n > 1 else "") + ".",
                           f"Auf {name} gepostet" + (f" als Thread aus {n} Beiträgen" if n > 1 else "") + "."))
            d.acted("social.post", {"network": r.network}, ", ".join(r.ids))
        elif r.ambiguous:
            said.append(tr(lang, f"{name} did not answer clearly ({r.error}); it may have the post. I will not "
                                 "send it again: please check your profile there.",
                           f"{name} hat nicht eindeutig geantwortet ({r.error}); der Beitrag ist vielleicht "
                           "schon dort. Ich schicke ihn nicht noch einmal: bitte sieh in deinem Profil nach."))
        else:
            done = tr(lang, f" ({len(r.ids)} of the thread went out)", f" ({len(r.ids)} des Threads gesendet)") \
                if r.ids else ""
            said.append(tr(lang, f"Not posted on {name}: {r.error}{done}.",
                           f"Nicht auf {name} gepostet: {r.error}{done}."))
    return all(r.ok for r in results), " ".join(said)


def run_delete(rec: ApprovalRecord, d: AssistantDeps) -> tuple[bool, str]:
    from agents.deps import ServiceError
    from agents.social.models import NETWORK_NAMES

    lang = d.language
    hub = d.services.social
    target = rec.payload["target"]
    if hub is None:
        return False, tr(lang, "No social media account is connected.", "Kein Social-Media-Konto verbunden.")
    try:
        hub.delete(target["network"], target["id"])
    except ServiceError as exc:
        return False, tr(lang, f"Not deleted: {exc}.", f"Nicht gelöscht: {exc}.")
    d.acted("social.delete", {"network": target["network"]}, target["id"])
    name = NETWORK_NAMES[target["network"]]
    return True, tr(lang, f"Deleted your post on {name}.", f"Dein Beitrag auf {name} ist gelöscht.")


ACTIONS: dict[str, ActionRunner] = {POST: run_post, DELETE: run_delete}
