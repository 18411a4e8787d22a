"""`finsam-bot reports`: the reporting calendar (no database needed), the status of a period
(the twin of `/finsam status`) and the export of a year."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.blocks.plain_text import blocks_as_text, plain
from bot.cli.common import (
    FormatOption,
    OnOption,
    check_format,
    database,
    emit_json,
    run,
    settings,
    today_or,
)
from workflows.texts import Texts

if TYPE_CHECKING:
    from workflows.calendar import CalendarRules, PeriodDeadline

app = typer.Typer(
    help="Reporting deadlines, status and exports. "
    "Example: finsam-bot reports status --period 2026-03",
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
    from workflows.calendar import calendar_for_year, deadline_to_dict
    from workflows.clock import SystemClock
    from workflows.working_days import WorkingDays

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


@app.command("status")
def reports_status(
    period: Annotated[
        str | None,
        typer.Option("--period", help="2026-03 or 2026-Q1 (default: the one due most recently)"),
    ] = None,
    on: OnOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Which interventions owe a period's report, and whether it is in: status, when it came,
    working days late, the leads.

    Example: finsam-bot reports status --period 2026-03 --format json
    """
    from bot.blocks.common import to_dicts
    from bot.blocks.status import build_status_blocks
    from workflows.calendar import Period
    from workflows.overview import latest_due_period, period_status, status_to_dict
    from workflows.reports import Reporting
    from workflows.working_days import WorkingDays

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    reporting = Reporting(run(lambda: cfg.calendar_rules, texts=texts), WorkingDays())
    today = today_or(cfg, on)
    try:
        chosen = Period.parse(period) if period else latest_due_period(reporting, today)
    except ValueError as err:
        message = plain(texts.get("status", "bad_period", value=period))
        raise typer.BadParameter(message, param_hint="--period") from err
    with database(cfg) as engine:
        status = period_status(engine, reporting, chosen, today=today)
    if output_format == "json":
        emit_json(status_to_dict(status))
    else:
        typer.echo(blocks_as_text(to_dicts(build_status_blocks(status, texts, tz=cfg.tz))))


@app.command("export")
def reports_export(
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=2100, help="Year of the periods (default: this year)"),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="xlsx: the file; csv: the start of the two file names, "
            "<out>-reports.csv and <out>-participants.csv (default: finsam-YEAR)",
        ),
    ] = None,
    on: OnOption = None,
) -> None:
    """Every report of a year with every figure (a row per intervention and period; owed
    periods past due without a report as "Saknas"), and the annual report's participant
    table. Exact figures: nothing is masked. Headers and values in FINSAM_LANGUAGE, from the
    forms. XLSX: two sheets, each with a title row (FINSAM_ASSOCIATION_NAME, the months the
    reports cover) and a totals row, and a third, the quarterly compilation (as
    `reports quarterly` writes it, up to the last quarter ended); CSV: two files for Excel
    in Swedish (";" between fields, decimal comma, UTF-8 with BOM).

    Example: finsam-bot reports export --year 2026 --format xlsx --out finsam-2026.xlsx
    """
    from workflows.export_files import ExportSettings, data_sheets
    from workflows.exports import csv_paths, write_csv, write_xlsx
    from workflows.forms import load_forms
    from workflows.reports import Reporting
    from workflows.working_days import WorkingDays

    if output_format not in ("xlsx", "csv"):
        raise typer.BadParameter("choose xlsx or csv", param_hint="--format")
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    reporting = Reporting(run(lambda: cfg.calendar_rules, texts=texts), WorkingDays())
    today = today_or(cfg, on)
    chosen = year or today.year
    forms = run(lambda: load_forms(cfg.finsam_forms_dir), texts=texts)
    wanted = ExportSettings(
        reporting=reporting,
        tz=cfg.tz,
        forms=forms,
        association=cfg.finsam_association_name,
        comparison=cfg.to_work_comparison,
    )
    with database(cfg) as engine:
        sheets = data_sheets(engine, chosen, today=today, texts=texts, settings=wanted)
    stem = out or Path(f"finsam-{chosen}")
    if output_format == "xlsx":
        path = stem if stem.suffix.lower() == ".xlsx" else stem.with_name(f"{stem.name}.xlsx")
        written = [write_xlsx(path, sheets)]
    else:
        (_, reports), (_, participants) = sheets[:2]
        reports_path, participants_path = csv_paths(stem)
        written = [write_csv(reports_path, reports), write_csv(participants_path, participants)]
    for path in written:
        typer.echo(texts.get("status", "export_written", path=path))


@app.command("annual")
def reports_annual(
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            min=2000,
            max=2100,
            help="Year of the report (default: last year; with --until, this year)",
        ),
    ] = None,
    until: Annotated[
        int,
        typer.Option(
            "--until",
            min=1,
            max=12,
            help="Last month counted, for the interim report (e.g. 8: through August; "
            "default 12: the annual report)",
        ),
    ] = 12,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="The XLSX file (default: arsrapport-YEAR.xlsx, delarsrapport-YEAR-MM.xlsx)",
        ),
    ] = None,
    on: OnOption = None,
) -> None:
    """The annual report's tables as one XLSX, ready to paste: the participant paragraph and
    profile (counted per person, not per person-month), spending per category, per
    intervention for the year and over its whole life, the share of the member fees year by
    year, and the share of interventions that spent more than 85 % of their budget. With
    --until, the interim report: the books and monthly reports through that month. Headers
    in FINSAM_LANGUAGE, a title row per sheet (FINSAM_ASSOCIATION_NAME), totals.

    Example: finsam-bot reports annual --year 2026 --until 8
    """
    from workflows.annual_workbook import annual_workbook

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    today = today_or(cfg, on)
    chosen = year or (today.year if until < 12 else today.year - 1)
    with database(cfg) as engine:
        content = annual_workbook(
            engine,
            chosen,
            through_month=until,
            texts=texts,
            made=today,
            association=cfg.finsam_association_name,
            comparison=cfg.to_work_comparison,
        )
    name = texts.get("annual_report", "filename", workbook="annual", year=chosen, through=until)
    path = out or Path(name)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(f"{path.name}.xlsx")
    path.write_bytes(content)
    typer.echo(texts.get("status", "export_written", path=path))


@app.command("participants")
def reports_participants(
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=2100, help="Year of the reports (default: this year)"),
    ] = None,
    until: Annotated[
        int, typer.Option("--until", min=1, max=12, help="Last month counted (default: 12)")
    ] = 12,
    on: OnOption = None,
    output_format: FormatOption = "text",
) -> None:
    """The annual report's participant paragraph, counted per person (not per month): how
    many took part, ended and went on to work or studies, and the profile of the registered,
    beside the national average and the board's target (FINSAM_NATIONAL_TO_WORK_SHARE,
    FINSAM_TARGET_TO_WORK_SHARE).

    Example: finsam-bot reports participants --year 2026 --until 8
    """
    from workflows.participants import paragraph_values, participant_table

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    chosen = year or today_or(cfg, on).year
    with database(cfg) as engine:
        table = participant_table(engine, chosen, through_month=until)
    values = paragraph_values(table.total, cfg.to_work_comparison(chosen))
    if output_format == "json":
        emit_json({"year": chosen, "through_month": until, **values})
    else:
        typer.echo(texts.get("participants", "paragraph", **values))


@app.command("quarterly")
def reports_quarterly(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", min=2000, max=2100, help="Year of the quarters (default: this year)"
        ),
    ] = None,
    until: Annotated[
        int | None,
        typer.Option(
            "--until",
            min=1,
            max=4,
            help="Last quarter compiled (default: 4 for an earlier year, else the last one ended)",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The XLSX file (default: kvartal-YEAR.xlsx)"),
    ] = None,
    on: OnOption = None,
) -> None:
    """The compilation of the quarterly reports for the board: per intervention and goal the
    goal's text, the status each quarter and its comment, and the share of the structural
    interventions' goals reached beside the board's target (75 %). One XLSX sheet,
    "Kvartalssammanställning", with a title row (FINSAM_ASSOCIATION_NAME, the quarters).
    Reports in the earlier shape (Delvis uppnått, Inte uppnått) are read as they were given.

    Example: finsam-bot reports quarterly --year 2026 --until 2 --out kvartal-2026.xlsx
    """
    from workflows.calendar import ReportKind
    from workflows.exports import write_xlsx
    from workflows.forms import load_forms
    from workflows.quarterly_compilation import compile_quarters, default_until, quarterly_sheet

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    today = today_or(cfg, on)
    chosen = year or today.year
    last = until or default_until(chosen, today)
    forms = run(lambda: load_forms(cfg.finsam_forms_dir), texts=texts)
    with database(cfg) as engine:
        compilation = run(
            lambda: compile_quarters(engine, chosen, last, form=forms[ReportKind.quarterly]),
            texts=texts,
        )
    sheet = quarterly_sheet(compilation, texts, association=cfg.finsam_association_name, made=today)
    stem = out or Path(f"kvartal-{chosen}")
    path = stem if stem.suffix.lower() == ".xlsx" else stem.with_name(f"{stem.name}.xlsx")
    write_xlsx(path, [sheet])
    typer.echo(texts.get("status", "export_written", path=path))
