"""`finsam-bot outbox`: the messages the bot sends, and a second chance for failed ones."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import FormatOption, check_format, database, emit_json, run, settings
from workflows.texts import Texts

app = typer.Typer(
    help="Outgoing messages. Example: finsam-bot outbox list --status failed",
    no_args_is_help=True,
)


@app.command("list")
def outbox_list(
    status: Annotated[
        str | None, typer.Option("--status", help="pending, sending, sent or failed")
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """List outgoing messages, oldest first. Example: finsam-bot outbox list --status failed"""
    from store.models import OutboxStatus
    from workflows.outbox import messages

    check_format(output_format)
    if status is not None and status not in OutboxStatus.__members__:
        raise typer.BadParameter("choose pending, sending, sent or failed", param_hint="--status")
    cfg = settings()
    with database(cfg) as engine:
        found = messages(engine, status=OutboxStatus(status) if status else None)
    rows = [
        {
            "key": m.key,
            "channel": m.channel,
            "status": m.status.value,
            "attempts": m.attempts,
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            "last_error": m.last_error,
        }
        for m in found
    ]
    if output_format == "json":
        emit_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['key']}\t{row['status']}\t{row['attempts']}\t{row['last_error'] or ''}".rstrip()
        )


@app.command("retry")
def outbox_retry(key: Annotated[str, typer.Argument(help="The message's key")]) -> None:
    """Put a failed message back in the queue; `serve` (or `summary`) sends it.

    Example: finsam-bot outbox retry budget_summary:C012AB3CD:2026-05
    """
    from workflows.clock import SystemClock
    from workflows.outbox import retry_failed

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        run(lambda: retry_failed(engine, key, clock=SystemClock()), texts=texts)
    typer.echo(texts.get("cli", "requeued", key=key))
