"""The workbooks the office takes out of finsam-bot, by the CLI or in Slack: the year's data
workbook (every report with every figure and the participant table, workflows/exports.py)
and the annual or interim report's tables (workflows/annual_workbook.py).

In Slack (`/finsam export`, office staff and the director) a workbook is one outbox row to
the asker's DM (`export_file:<user>:<request>`): a short post, then the file shared once
(bot/messages/exports.py), its figures read when it is sent. The answer to the command says
at once that the file is coming."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from store.budget import get_budget_year
from store.db import session_scope
from store.models import ReportKind
from workflows.annual_workbook import annual_workbook
from workflows.calendar import periods_of_year
from workflows.comparisons import Comparison
from workflows.exports import (
    Table,
    export_title,
    fill_sheet,
    participant_table_rows,
    report_table,
    reported_through,
)
from workflows.forms import FormDefinition
from workflows.outbox import REPLY, Planned, plan_new
from workflows.outbox_keys import export_key
from workflows.outbox_kinds import ExportFilePayload
from workflows.participants import participant_table
from workflows.quarterly_compilation import compile_quarters, default_until, quarterly_sheet
from workflows.reports import Reporting, reports_in
from workflows.texts import Texts
from workflows.xlsx import Book

DATA = "data"  # every report of the year and the participant table
ANNUAL = "annual"  # the annual report's tables (the interim report's through a month)
WORKBOOKS = (DATA, ANNUAL)
INTERIM_MONTH = 8  # the interim report is through August (31 August) unless told otherwise


@dataclass(frozen=True)
class ExportSettings:
    """What a workbook needs besides the database: the calendar, the forms, the
    association's name for the title rows, the national average and targets per year."""

    reporting: Reporting
    tz: ZoneInfo
    forms: dict[ReportKind, FormDefinition]
    association: str | None = None
    comparison: Callable[[int], Comparison] | None = None


def data_sheets(
    engine: Engine, year: int, *, today: date, texts: Texts, settings: ExportSettings
) -> list[tuple[str, Table]]:
    """The data workbook's sheets: the reports, the participant table and the quarterly
    compilation up to the last quarter ended (CSV takes the first two)."""
    through = reported_through(engine, year)

    def title(table: str) -> str:
        return export_title(
            texts, table, year=year, through=through, made=today, association=settings.association
        )

    reports = report_table(
        engine,
        settings.reporting,
        year,
        today=today,
        tz=settings.tz,
        texts=texts,
        forms=settings.forms,
        title=title("reports"),
    )
    participants = participant_table_rows(
        participant_table(engine, year),
        texts,
        title=title("participants"),
        comparison=settings.comparison(year) if settings.comparison else None,
    )
    quarters = compile_quarters(
        engine, year, default_until(year, today), form=settings.forms[ReportKind.quarterly]
    )
    return [
        (texts.get("status", "export_sheet_reports"), reports),
        (texts.get("status", "export_sheet_participants", year=year), participants),
        quarterly_sheet(quarters, texts, association=settings.association, made=today),
    ]


def data_workbook(
    engine: Engine, year: int, *, today: date, texts: Texts, settings: ExportSettings
) -> bytes:
    """The data workbook as bytes, as `finsam-bot reports export --format xlsx` writes it."""
    book = Book()
    for name, table in data_sheets(engine, year, today=today, texts=texts, settings=settings):
        fill_sheet(book.add_sheet(name), table)
    return book.to_bytes()


def workbook_bytes(
    engine: Engine,
    payload: ExportFilePayload,
    *,
    today: date,
    texts: Texts,
    settings: ExportSettings,
) -> bytes:
    """The workbook a row asks for, made now."""
    if payload.workbook == ANNUAL:
        return annual_workbook(
            engine,
            payload.year,
            through_month=payload.through_month,
            texts=texts,
            made=today,
            association=settings.association,
            comparison=settings.comparison,
        )
    return data_workbook(engine, payload.year, today=today, texts=texts, settings=settings)


def year_has_data(engine: Engine, year: int) -> bool:
    """A budget or a report of the year: something for a workbook to show."""
    with session_scope(engine) as session:
        if get_budget_year(session, year) is not None:
            return True
    return bool(reports_in(engine, [period.label for period in periods_of_year(year)]))


def plan_export(
    engine: Engine,
    user_id: str,
    *,
    workbook: str,
    year: int,
    through_month: int = 12,
    now: datetime,
    request: str | None = None,
) -> str | None:
    """Plan the workbook to `user_id`'s DM, ahead of any fan-out (someone is waiting for
    it); its key, None when that request was planned already."""
    if workbook not in WORKBOOKS:
        raise ValueError(f"unknown workbook {workbook!r}")
    key = export_key(user_id, request or uuid.uuid4().hex)
    payload = ExportFilePayload(workbook=workbook, year=year, through_month=through_month)
    with session_scope(engine) as session:
        planned = plan_new(session, [Planned(key, user_id, payload)], now=now, priority=REPLY)
    return key if planned else None
