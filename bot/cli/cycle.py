"""`finsam-bot cycle`: the board's year from its YAML file (import, next year's draft), what
comes next (the twin of `/finsam styrelse`) and the year as an iCalendar file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from bot.blocks.plain_text import blocks_as_text, plain
from bot.cli.common import (
    EXIT_CODES,
    FormatOption,
    OnOption,
    check_format,
    database,
    emit_json,
    settings,
    today_or,
)
from store.errors import ImportRejected
from workflows.texts import Texts

if TYPE_CHECKING:
    from workflows.board_cycle import CycleImport, CycleProblem, CycleRejected, EventView, Overview

app = typer.Typer(
    help="The board's year: meetings, milestones and their steps. "
    "Example: finsam-bot cycle import board-cycle-2026.yml",
    no_args_is_help=True,
)
CycleFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="The cycle file (YAML)")
]


def _refuse(texts: Texts, err: CycleRejected) -> NoReturn:
    from workflows.board_cycle import rejection_lines

    for line in rejection_lines(texts, err):
        typer.echo(plain(line), err=True)
    raise typer.Exit(EXIT_CODES[ImportRejected])


@app.command("import")
def cycle_import(file: CycleFile, output_format: FormatOption = "text") -> None:
    """Import a year's cycle, all or nothing: every problem is named with its place in the
    file. Events are matched by id: a re-import updates them and keeps the steps marked done
    whose dates hold.

    Example: finsam-bot cycle import board-cycle-2026.yml
    """
    from workflows.board_cycle import CycleRejected, import_cycle

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    with database(cfg) as engine:
        try:
            result = import_cycle(engine, file)
        except CycleRejected as err:
            _refuse(texts, err)
    if output_format == "json":
        emit_json(import_to_dict(result))
        return
    from bot.import_report import cycle_lines

    for line in cycle_lines(texts, result):
        typer.echo(plain(line))


def problem_to_dict(problem: CycleProblem) -> dict[str, Any]:
    return {
        "place": problem.place,
        "line": problem.line,
        "code": problem.code,
        "value": problem.value,
        "expected": problem.expected,
    }


def import_to_dict(result: CycleImport) -> dict[str, Any]:
    return {
        "year": result.year,
        "meetings": result.meetings,
        "milestones": result.milestones,
        "steps": result.steps,
        "added": result.added,
        "updated": result.updated,
        "removed": result.removed,
        "warnings": [problem_to_dict(w) for w in result.warnings],
    }


@app.command("next-year")
def cycle_next_year(
    file: CycleFile,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the draft (default: print it)"),
    ] = None,
) -> None:
    """Draft the next year's cycle from a year's file: dates from the rules ("third thursday
    of march"), dates without a rule on the same day and month, every date moved off weekends
    and holidays; years in titles and items moved up by one. Review the draft, then import it.

    Example: finsam-bot cycle next-year board-cycle-2026.yml --out board-cycle-2027.yml
    """
    from workflows.board_cycle import CycleRejected, next_year, read_cycle_file

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    try:
        cycle = read_cycle_file(file)
    except CycleRejected as err:
        _refuse(texts, err)
    draft = next_year(cycle, texts, source=file.name)
    if out is None:
        typer.echo(draft, nl=False)
        return
    out.write_text(draft, encoding="utf-8")
    typer.echo(texts.get("board", "draft_written", path=out, year=cycle.year + 1))


@app.command("show")
def cycle_show(
    on: OnOption = None,
    count: Annotated[
        int, typer.Option("--count", min=1, max=20, help="How many meetings ahead")
    ] = 3,
    output_format: FormatOption = "text",
) -> None:
    """The next meetings with their items, the milestones up to them and the state of each
    step (done by whom and when, due, late): the twin of /finsam styrelse.

    Example: finsam-bot cycle show --format json
    """
    from bot.blocks.board import build_board_blocks
    from bot.blocks.common import to_dicts
    from workflows.board_cycle import cycle_overview

    check_format(output_format)
    cfg = settings()
    texts = Texts(cfg.finsam_language)
    today = today_or(cfg, on)
    with database(cfg) as engine:
        overview = cycle_overview(engine, today=today, count=count)
    if output_format == "json":
        emit_json(overview_to_dict(overview))
        return
    typer.echo(blocks_as_text(to_dicts(build_board_blocks(overview, texts, tz=cfg.tz))))


def event_to_dict(event: EventView) -> dict[str, Any]:
    return {
        "uid": event.uid,
        "year": event.year,
        "kind": event.kind.value,
        "title": event.title,
        "date": event.on.isoformat(),
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "items": list(event.items),
        "steps": [
            {
                "step": s.step,
                "title": s.title,
                "due": s.due.isoformat(),
                "remind": list(s.remind),
                "state": s.state,
                "done_by": s.done_by,
                "done_at": s.done_at.isoformat() if s.done_at else None,
            }
            for s in event.steps
        ],
    }


def overview_to_dict(overview: Overview) -> dict[str, Any]:
    return {
        "today": overview.today.isoformat(),
        "earlier": [event_to_dict(e) for e in overview.earlier],
        "upcoming": [event_to_dict(e) for e in overview.upcoming],
    }


@app.command("ics")
def cycle_ics(
    out: Annotated[Path, typer.Option("--out", help="The .ics file to write")],
    year: Annotated[
        int | None,
        typer.Option("--year", min=2000, max=2100, help="The year (default: this year)"),
    ] = None,
) -> None:
    """Write the year's meetings and milestones as an iCalendar file (times in
    Europe/Stockholm). Each event keeps its UID across exports, so importing a later file
    updates the calendar rather than duplicating it.

    Example: finsam-bot cycle ics --out styrelsen-2026.ics --year 2026
    """
    from workflows.clock import SystemClock
    from workflows.ics import year_calendar

    cfg = settings()
    texts = Texts(cfg.finsam_language)
    now = SystemClock().now().astimezone(cfg.tz)
    chosen = year or now.year
    with database(cfg) as engine:
        content, count = year_calendar(engine, chosen, now=now, texts=texts)
    if count == 0:
        typer.echo(plain(texts.get("board", "calendar_none", year=chosen)), err=True)
        raise typer.Exit(2)
    out.write_bytes(content)
    typer.echo(texts.get("board", "calendar_written", path=out, year=chosen, count=count))
