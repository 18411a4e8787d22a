"""`finsam-bot reminders`: report reminders once, for cron deployments and catching up."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import report_dispatch, run, settings
from workflows.texts import Texts

app = typer.Typer(help="Report reminders. Example: finsam-bot reminders run", no_args_is_help=True)


@app.command("run")
def reminders_run(
    now: Annotated[
        str | None,
        typer.Option("--now", help="ISO time, e.g. 2026-04-10T09:00+02:00 (default: now)"),
    ] = None,
) -> None:
    """Plan the reminders due at --now and send what is due, once, then exit. Each reminder
    goes out at most once however often this runs (its key is stored).

    Example: finsam-bot reminders run --now 2026-04-10T09:00
    """
    from bot.runner import run_reminders_once

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    report_dispatch(texts, run(lambda: run_reminders_once(cfg, now=now), texts=texts))
