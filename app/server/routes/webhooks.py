"""Webhooks that other services call: WhatsApp Cloud API deliveries (incoming messages, statuses).

No sign-in here: Meta proves itself with the verify token (subscription handshake) and an HMAC-SHA256
signature of every body made with the app secret; both live in the keyring (`personal-agent accounts
webhook NAME`). A request that fails the check is refused and nothing is stored."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from sqlalchemy import select

from agents.communication.whatsapp import inbox_path
from agents.communication.whatsapp_inbox import WhatsAppInbox
from agents.communication.whatsapp_webhook import WebhookError, WebhookReceiver, WebhookSignatureError
from app.server.api_language import api_error
from app.server.auth import State, problems
from app.server.schemas import WebhookAck
from app.wiring.communication import webhook_receiver
from storage.db.models import Account

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
AccountName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@\-]+$")]
MAX_BODY = 1024 * 1024  # Meta's deliveries are a few KB


def _receiver(st: State, account: str) -> WebhookReceiver:
    with st.services.db.session() as s:
        known = s.scalar(select(Account.id).where(Account.kind == "whatsapp", Account.name == account))
    if known is None:
        raise api_error(404, f"no WhatsApp account '{account}' on this server",
                        f"kein WhatsApp-Konto '{account}' auf diesem Server")
    try:
        inbox = WhatsAppInbox(inbox_path(st.services.paths.data_dir, account))
        return webhook_receiver(account, sink=inbox)
    except WebhookError as exc:
        log.warning("webhook %s not usable (%s): set its secrets with `personal-agent accounts webhook %s`",
                    account, exc, account)
        raise HTTPException(503, f"{exc}: the webhook's secrets are not set up on the home server") from None


@router.get("/whatsapp/{account}", response_model=None,
            responses={200: {"description": "hub.challenge, echoed",
                             "content": {"text/plain": {"schema": {"type": "string"}}}},
                       **problems(400, 403, 404, 503)})
def whatsapp_subscribe(account: AccountName, request: Request, st: State) -> PlainTextResponse:
    """The subscription handshake: echoes hub.challenge when hub.verify_token matches."""
    receiver = _receiver(st, account)
    try:
        return PlainTextResponse(receiver.subscribe(dict(request.query_params)))
    except WebhookSignatureError as exc:
        raise HTTPException(403, str(exc)) from None
    except WebhookError as exc:
        raise HTTPException(400, str(exc)) from None


@router.post("/whatsapp/{account}", response_model=WebhookAck, responses=problems(400, 403, 404, 413, 503))
async def whatsapp_deliver(account: AccountName, request: Request, st: State) -> WebhookAck:
    """A delivery: checked against X-Hub-Signature-256, then its messages and statuses are kept."""
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"webhook body over {MAX_BODY} bytes")
    receiver = _receiver(st, account)
    try:
        events = await run_in_threadpool(receiver.handle, body, dict(request.headers))
    except WebhookSignatureError as exc:
        raise HTTPException(403, str(exc)) from None
    except WebhookError as exc:
        raise HTTPException(400, str(exc)) from None
    return WebhookAck(messages=len(events.messages), statuses=len(events.statuses), errors=events.errors)
