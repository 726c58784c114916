"""`personal-agent ask "text" [--json]`: one request to the assistant, answered offline by the local
intents, or by the configured language model."""

from __future__ import annotations

import json

import typer

from app.cli.common import echo, fail, services


def ask(
    text: list[str] | None = typer.Argument(None, help="what to ask, e.g. \"what time is it\""),
    as_json: bool = typer.Option(False, "--json", help="print the reply with intent, tool calls and any pending approval"),
    approve: int | None = typer.Option(None, "--approve", help="approve the pending request with this id"),
    deny: int | None = typer.Option(None, "--deny", help="deny the pending request with this id"),
) -> None:
    """Ask the assistant; prints the reply (answer a pending approval with "yes" / "no")."""
    from agents.approvals import ApprovalError
    from agents.phrasebook import phrase

    utterance = " ".join(text or []).strip()
    if not utterance and approve is None and deny is None:
        fail("nothing to ask: give the request as text, e.g. personal-agent ask \"what time is it\"", code=2)
    assistant = services().assistant
    try:
        if approve is not None or deny is not None:
            reply = assistant.decide(approve if approve is not None else deny or 0, approve is not None)
        else:
            reply = assistant.ask(utterance)
    except ApprovalError as exc:
        fail(str(exc), code=2)
    if as_json:
        typer.echo(json.dumps(reply.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        echo(reply.text)  # notes, mail, calendar text: no raw control characters to the terminal
        if reply.approval is not None:
            p = reply.approval
            typer.echo("\n" + phrase("approval.cli_hint", reply.language, id=p.id))


def register(cli: typer.Typer) -> None:
    cli.command("ask")(ask)
