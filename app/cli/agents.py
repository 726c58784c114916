"""`personal-agent ask "text" [--json]`: one request to the assistant, answered offline by the local
intents, or by the configured language model. ``--image`` (with ``--alt``) attaches pictures to a social
media post drafted by the request."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from app.cli.common import echo, fail, line, said_line, services

if TYPE_CHECKING:
    from agents.social.models import MediaFile


def ask(
    text: list[str] | None = typer.Argument(None, help="what to ask, e.g. \"what time is it\""),
    as_json: bool = typer.Option(False, "--json", help="print the reply with intent, tool calls and any pending approval"),
    approve: int | None = typer.Option(None, "--approve", help="approve the pending request with this id"),
    deny: int | None = typer.Option(None, "--deny", help="deny the pending request with this id"),
    image: list[Path] | None = typer.Option(None, "--image", help="an image for a social media post (up to 4)"),
    alt: list[str] | None = typer.Option(None, "--alt", help="the alt text of each --image, in the same order"),
) -> None:
    """Ask the assistant; prints the reply (answer a pending approval with "yes" / "no")."""
    from agents.approvals import ApprovalError
    from agents.phrasebook import phrase

    utterance = " ".join(text or []).strip()
    if not utterance and approve is None and deny is None:
        fail(line("ask.nothing"), code=2)
    media = _images(image or [], alt or [])
    assistant = services().assistant
    try:
        if approve is not None or deny is not None:
            reply = assistant.decide(approve if approve is not None else deny or 0, approve is not None)
        else:
            from agents.social.attachments import attached

            with attached(media):
                reply = assistant.ask(utterance)
    except ApprovalError as exc:
        fail(said_line(exc), code=2)
    if as_json:
        typer.echo(json.dumps(reply.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        echo(reply.text)  # notes, mail, calendar text: no raw control characters to the terminal
        if reply.approval is not None:
            p = reply.approval
            typer.echo("\n" + phrase("approval.cli_hint", reply.language, id=p.id))


def _images(paths: list[Path], alts: list[str]) -> list[MediaFile]:
    """Each image checked, with its alt text (asked for on a terminal when missing; else one line, exit 2)."""
    from agents.social.attachments import AttachmentError, image

    if len(paths) > 4:
        fail(line("ask.too_many_images"), code=2)
    if len(alts) > len(paths):
        fail(line("ask.too_many_alts"), code=2)
    out = []
    for i, p in enumerate(paths):
        text = alts[i] if i < len(alts) else ""
        if not text.strip() and sys.stdin.isatty():
            text = typer.prompt(line("ask.alt_prompt", name=p.name))
        try:
            out.append(image(p, text))
        except AttachmentError as exc:
            fail(said_line(exc), code=2)
    return out


def register(cli: typer.Typer) -> None:
    cli.command("ask")(ask)
