"""`serve`, `doctor`, `demo` and the one-shot jobs: the commands that run the bot."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import report_dispatch, settings
from workflows.texts import Texts


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve() -> None:
        """Run the bot: HTTP on $PORT (/slack/events, /healthz), or Socket Mode when
        SLACK_APP_TOKEN is set (a connection per answering process, /healthz on $PORT).
        Example: finsam-bot serve"""
        from bot.cli.common import run
        from bot.runner import serve as run_serve

        cfg = settings()
        run(lambda: run_serve(cfg), texts=Texts(cfg.finsam_language))

    @app.command("doctor")
    def doctor() -> None:
        """Check a deployment: database, token, scopes, the office channel, and in Socket
        Mode the app token.

        Example: finsam-bot doctor
        """
        from bot.doctor import run_doctor

        cfg = settings()
        texts = Texts(cfg.finsam_language)
        report = run_doctor(cfg)
        for check in report.checks:
            typer.echo(check.message)
        failed = [check for check in report.checks if not check.ok]
        typer.echo(
            texts.get("doctor", "problems", count=len(failed))
            if failed
            else texts.get("doctor", "all_ok", warnings=report.warnings)
        )
        raise typer.Exit(1 if failed else 0)

    @app.command("demo")
    def demo(
        out: Annotated[
            str, typer.Option("--out", help="Folder for the database and the chart")
        ] = "demo-out",
    ) -> None:
        """The bot against its built-in Slack fake with sample data: no workspace needed.

        Example: finsam-bot demo --out demo-out
        """
        from pathlib import Path

        from simulator.demo import run_demo

        run_demo(Path(out), language=settings().finsam_language)

    @app.command("summary")
    def summary(
        now: Annotated[
            str | None,
            typer.Option("--now", help="ISO time, e.g. 2026-03-05T09:00+01:00 (default: now)"),
        ] = None,
    ) -> None:
        """Post this month's budget summary to the office channel now (once per month).

        Example: finsam-bot summary
        """
        from bot.cli.common import run
        from bot.runner import post_summary_once

        cfg = settings()
        texts = Texts(cfg.finsam_language)
        report = run(lambda: post_summary_once(cfg, now=now), texts=texts)
        report_dispatch(texts, report)
