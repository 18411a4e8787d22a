"""`finsam-bot reports`: the reporting calendar (no database needed)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import FormatOption, check_format, emit_json, run, settings
from workflows.calendar import CalendarRules, PeriodDeadline, calendar_for_year, deadline_to_dict
from workflows.clock import SystemClock
from workflows.texts import Texts
from workflows.working_days import WorkingDays

app = typer.Typer(
    help="Reporting deadlines. Example: finsam-bot reports calendar --year 2026",
    no_args_is_help=True,
)


@app.command("calendar")
def reports_calendar(
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=2100, help="Year of the periods (default: this year)"),
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """The year's 12 monthly and 4 quarterly periods, each with its due date and reminders.

    Monthly reports concern individual-support interventions only; quarterly ones every
    intervention. A due date on a weekend or Swedish holiday moves to the next working day.

    Example: finsam-bot reports calendar --year 2026 --format json
    """
    check_format(output_format)
    cfg = settings()
    rules = run(lambda: cfg.calendar_rules)
    chosen = year or SystemClock().now().astimezone(cfg.tz).year
    deadlines = calendar_for_year(chosen, rules, WorkingDays())
    if output_format == "json":
        emit_json([deadline_to_dict(deadline) for deadline in deadlines])
    else:
        typer.echo(calendar_as_text(chosen, deadlines, rules, Texts(cfg.finsam_language)))


def calendar_as_text(
    year: int, deadlines: list[PeriodDeadline], rules: CalendarRules, texts: Texts
) -> str:
    lines = [
        texts.get("calendar", "title", year=year),
        texts.get("calendar", "note", send_time=rules.send_time.strftime("%H:%M")),
        "",
    ]
    lines += [
        texts.get(
            "calendar",
            "line",
            period=deadline.period.label,
            kind=deadline.kind.value,
            due=deadline.due,
            reminders=[
                {"day": reminder.at.date(), "office": reminder.notify_office}
                for reminder in deadline.reminders
            ],
        )
        for deadline in deadlines
    ]
    return "\n".join(lines)
