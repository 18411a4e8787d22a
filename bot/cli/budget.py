"""`finsam-bot budget` and `finsam-bot spending`: files in, status out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import FormatOption, check_format, database, emit_json, run, settings
from workflows.texts import Texts

if TYPE_CHECKING:
    from workflows.budget_forecast import KeptForecast
    from workflows.budget_status import BudgetStatus

app = typer.Typer(
    help="Budget and budget status. Example: finsam-bot budget status --year 2026",
    no_args_is_help=True,
)
spending_app = typer.Typer(
    help="Money booked. Example: finsam-bot spending import books-2026.csv", no_args_is_help=True
)
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX file")]


@app.command("import")
def budget_import(
    file: FileArgument,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a year that exists")] = False,
) -> None:
    """Import a budget file, all or nothing. Example: finsam-bot budget import budget-2026.csv"""
    from bot.blocks.plain_text import plain
    from bot.import_report import budget_lines
    from workflows.budget_files import import_budget_file
    from workflows.file_imports import budget_imported

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        result = run(lambda: import_budget_file(engine, file, replace=replace), texts=texts)
        imported = budget_imported(engine, result, rules=cfg.budget_rules)
    typer.echo("\n".join(plain(line) for line in budget_lines(texts, imported)))


@spending_app.command("import")
def spending_import(file: FileArgument) -> None:
    """Import money booked per budget line and month, all or nothing.

    Example: finsam-bot spending import books-2026.csv
    """
    from bot.import_report import spending_lines
    from workflows.budget_files import import_spending_file

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        result = run(lambda: import_spending_file(engine, file), texts=texts)
    typer.echo("\n".join(spending_lines(texts, result)))


@app.command("forecast")
def budget_forecast(
    year: Annotated[
        int | None, typer.Option("--year", help="Budget year (default: this year)")
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep today's forecast (once a year; 30 September)")
    ] = False,
) -> None:
    """The year's forecast kept at the 30 September milestone (the worker keeps it then);
    --keep keeps it now. Example: finsam-bot budget forecast --year 2026 --keep"""
    from workflows.budget_forecast import keep_year_forecast, kept_forecast
    from workflows.clock import SystemClock

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    today = SystemClock().now().astimezone(cfg.tz).date()
    chosen = year or today.year
    kept: KeptForecast | None
    with database(cfg) as engine:
        if keep:
            rules = cfg.budget_rules
            kept = run(
                lambda: keep_year_forecast(engine, year=chosen, rules=rules, today=today),
                texts=texts,
            )
        else:
            kept = run(lambda: kept_forecast(engine, chosen), texts=texts)
    if kept is None:
        typer.echo(texts.get("cli", "forecast_not_kept", year=chosen))
        return
    typer.echo(
        texts.get(
            "cli",
            "forecast_kept",
            year=kept.year,
            kept_on=kept.kept_on,
            month=kept.through_month,
            result=kept.result,
            equity=kept.closing_equity,
            new=kept.new,
        )
    )


@app.command("draft")
def budget_draft(
    year: Annotated[int, typer.Option("--year", help="The year to draft (from the year before)")],
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the CSV here (default: standard output)")
    ] = None,
) -> None:
    """Next year's budget file drafted from this year's, with the kept forecast as
    forecast_previous_year. Example: finsam-bot budget draft --year 2027 --output b-2027.csv"""
    from workflows.budget_forecast import budget_draft as draft

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        text, kept = run(lambda: draft(engine, year=year, rules=cfg.budget_rules), texts=texts)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    note = texts.get(
        "cli",
        "draft_written",
        year=year,
        previous=year - 1,
        kept_on=None if kept is None else kept.kept_on,
    )
    typer.echo(note, err=output is None)


@app.command("status")
def budget_status(
    year: Annotated[
        int | None, typer.Option("--year", help="Budget year (default: this year)")
    ] = None,
    intervention: Annotated[
        str | None, typer.Option("--intervention", help="Only this intervention")
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """Budget, spending, consumption, projection and the rule checks.

    Example: finsam-bot budget status --year 2026 --format json
    """
    from workflows.budget_json import status_to_dict
    from workflows.budget_status import budget_status_for
    from workflows.clock import SystemClock

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    chosen = year or SystemClock().now().astimezone(cfg.tz).year
    with database(cfg) as engine:
        status = run(
            lambda: budget_status_for(
                engine, year=chosen, rules=cfg.budget_rules, intervention=intervention
            ),
            texts=texts,
        )
    if output_format == "json":
        emit_json(status_to_dict(status))
    else:
        typer.echo(status_as_text(status, texts))


def status_as_text(status: BudgetStatus, texts: Texts) -> str:
    """The Slack answer's words for a terminal: the same blocks, as plain text."""
    from bot.blocks.budget import build_budget_blocks
    from bot.blocks.common import to_dicts
    from bot.blocks.plain_text import blocks_as_text

    return blocks_as_text(to_dicts(build_budget_blocks(status, texts)))
