"""What every CLI command shares: settings, an engine with its schema ensured, error output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from bot.blocks.plain_text import plain
from store.errors import (
    AccessDenied,
    BadArgument,
    ConfigError,
    ConflictError,
    DatabaseNotMigrated,
    DatabaseUnavailable,
    FinsamError,
    ImportRejected,
    NotFoundError,
    SlackUnreachable,
)
from workflows.texts import Texts

if TYPE_CHECKING:  # parsing and --help import none of these (`finsam-bot --help` stays quick)
    from bot.settings import Settings
    from store.db import Engine
    from workflows.outbox import DispatchReport

T = TypeVar("T")
EXIT_CODES: dict[type[FinsamError], int] = {
    ConfigError: 78,
    DatabaseNotMigrated: 75,
    DatabaseUnavailable: 69,
    SlackUnreachable: 75,
    NotFoundError: 2,
    BadArgument: 2,
    ConflictError: 3,
    ImportRejected: 4,
    AccessDenied: 5,
}


def settings() -> Settings:
    from bot.logging_setup import configure_logging
    from bot.settings import load_settings

    try:
        loaded = load_settings()
    except ConfigError as err:
        fail(Texts(), err)
    configure_logging(loaded.log_level, loaded.secrets(), loaded.log_format)
    return loaded


@contextmanager
def database(cfg: Settings, *, migrate: bool = True) -> Iterator[Engine]:
    """An engine for DATABASE_URL; a URL that is malformed, names a driver that is not
    installed, or points at a server that does not answer becomes a message, not a trace."""
    from store.db import database_errors_explained, ensure_schema, open_engine

    texts = Texts(cfg.finsam_language)
    engine = run(lambda: open_engine(cfg.database_url), texts=texts)
    try:
        with database_errors_explained():
            if migrate:
                run(lambda: ensure_schema(engine), texts=texts)
            yield engine
    except DatabaseUnavailable as err:
        fail(texts, err)
    finally:
        engine.dispose()


def run(action: Callable[[], T], *, texts: Texts | None = None) -> T:
    """Run `action`, turning a FinsamError into its message and exit code."""
    try:
        return action()
    except FinsamError as err:
        fail(texts or Texts(), err)


def describe(texts: Texts, err: FinsamError) -> list[str]:
    from bot.import_report import refusal_lines  # the importers' words: not for --help

    return refusal_lines(texts, err)


def fail(texts: Texts, err: FinsamError) -> NoReturn:
    for line in describe(texts, err):
        typer.echo(plain(line), err=True)
    raise typer.Exit(EXIT_CODES.get(type(err), 1))


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


FormatOption = Annotated[str, typer.Option("--format", help="text or json")]


def check_format(value: str) -> str:
    if value not in ("text", "json"):
        raise typer.BadParameter("choose text or json")
    return value


def report_dispatch(texts: Texts, report: DispatchReport) -> None:
    """What a one-shot dispatch did; exit 1 when something failed for good, 75 (try again
    later) when something is left to retry."""
    typer.echo(
        texts.get(
            "cli",
            "dispatched",
            sent=len(report.sent),
            retried=len(report.retried),
            failed=len(report.failed),
        )
    )
    if report.failed or report.retried:
        raise typer.Exit(1 if report.failed else 75)


OnOption = Annotated[
    str | None,
    typer.Option("--on", help="The day to look from, YYYY-MM-DD (default: today)"),
]


def today_or(cfg: Settings, on: str | None) -> date:
    """`--on DAY` as a date, or today in the association's time zone."""
    from workflows.clock import SystemClock

    if on is None:
        return SystemClock().now().astimezone(cfg.tz).date()
    try:
        return date.fromisoformat(on)
    except ValueError as err:
        raise typer.BadParameter("write the day as YYYY-MM-DD, e.g. 2026-04-20") from err
