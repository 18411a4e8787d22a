"""`finsam-bot`: the CLI twin of every Slack command, plus serve, doctor and demo.
Errors from the tree in store/errors.py become one clear line on stderr and an exit code.
Help is in English (operators); what the commands print comes from templates/."""

from __future__ import annotations

import typer

from bot.cli import (
    applications,
    budget,
    cycle,
    db,
    grants,
    interventions,
    outbox,
    people,
    reminders,
    reports,
    runtime,
)

app = typer.Typer(
    name="finsam-bot",
    help="Slack bot for a Finsam association's follow-up. "
    "Example: finsam-bot budget status --year 2026",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(people.app, name="people")
app.add_typer(budget.app, name="budget")
app.add_typer(budget.spending_app, name="spending")
app.add_typer(outbox.app, name="outbox")
app.add_typer(reports.app, name="reports")
app.add_typer(reminders.app, name="reminders")
app.add_typer(interventions.app, name="interventions")
app.add_typer(cycle.app, name="cycle")
app.add_typer(grants.app, name="grants")
app.add_typer(applications.app, name="applications")
runtime.register(app)


def main() -> None:
    app()
