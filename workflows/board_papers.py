"""Board papers (*handlingar*): on each board meeting's "papers due" step the secretary gets a
draft pack in Slack — the budget status of the meeting's year with its rule checks, the
reporting overview since the previous meeting and the delegation decisions since then
(DOMAIN.md "The board's year": budget follow-up at every meeting, delegation decisions
reported to the board), and at the half-year and year meetings the quarterly compilation
(workflows/quarterly_compilation.py `board_quarters`) — as a short summary and an XLSX file.

One outbox row per meeting and secretary (`board_papers:<event id>:<user>`), planned from the
step's date at the send time, at most `WINDOW` late (a bot that was down catches up, a stale
step is left alone). What the pack says is read when it is sent."""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from store.board import events_between, steps_due_between
from store.db import session_scope
from store.errors import NotFoundError
from store.models import BoardEvent, BoardEventKind, ReportStatus, Role
from store.people import list_people
from workflows.budget_status import BudgetRules, BudgetStatus, RuleCheck, budget_status_for
from workflows.calendar import Period, ReportKind, periods_of_year, send_slot
from workflows.exports import fill_sheet
from workflows.grants import GrantView, delegation_decisions
from workflows.interventions import all_interventions
from workflows.outbox import plan
from workflows.outbox_keys import papers_key
from workflows.outbox_kinds import BoardPapersPayload
from workflows.quarterly_compilation import (
    Compilation,
    board_quarters,
    compile_quarters,
    quarterly_sheet,
)
from workflows.reports import Reporting, owed_when_due, owes_report, reports_in
from workflows.texts import Texts
from workflows.working_days import WorkingDays
from workflows.xlsx import Book, Sheet, Style

log = logging.getLogger(__name__)

KIND = BoardPapersPayload.KIND
PAPERS_STEP = "papers_due"
WINDOW = timedelta(days=14)
LOOKBACK = timedelta(days=400)  # how far back the previous meeting is looked for
DEFAULT_SEND_AT = time(9, 0)


def plan_board_papers(
    engine: Engine,
    *,
    now: datetime,
    tz: ZoneInfo,
    send_at: time = DEFAULT_SEND_AT,
    fallback_channel: str | None = None,
    working_days: WorkingDays | None = None,
) -> list[str]:
    """Plan the pack for every meeting whose papers are due: from the step's day at
    `send_at`, up to `WINDOW` after it, unless the step is already marked done. It goes to
    each secretary by DM, or to `fallback_channel` (the office's) when no secretary is
    registered. Returns the keys this call planned (planning again adds nothing)."""
    local = now.astimezone(tz)
    today = local.date()
    slot = send_slot(now, tz=tz, send_at=send_at, working_days=working_days or WorkingDays())
    planned: list[str] = []
    with session_scope(engine) as session:
        secretaries = [
            person.slack_user_id
            for person, roles in list_people(session)
            if Role.secretary in roles
        ]
        recipients = secretaries or ([fallback_channel] if fallback_channel else [])
        for step, event in steps_due_between(session, today - WINDOW, today):
            if step.step != PAPERS_STEP or event.kind != BoardEventKind.meeting:
                continue
            if step.done_at is not None or (step.due == today and local.time() < send_at):
                continue
            if not recipients:
                log.warning("papers for %s are due but no secretary is registered", event.uid)
            assert event.id is not None
            for recipient in recipients:
                key = papers_key(event.id, recipient)
                if plan(
                    session,
                    key=key,
                    channel=recipient,
                    payload=BoardPapersPayload(event_id=event.id, date=today),
                    now=now,
                    not_before=slot,
                ):
                    planned.append(key)
    return planned


# --------------------------------------------------------------------------- the pack


@dataclass(frozen=True)
class ReportingRow:
    """One reporting period due since the previous meeting: how many interventions owe it,
    how many reports are in (a report sent back counts as missing), how many came in late."""

    period: Period
    due: date
    owed: int
    reported: int
    missing: int
    late: int


@dataclass(frozen=True)
class Pack:
    event_id: int
    title: str
    meeting_on: date
    year: int
    since: date  # the previous meeting's date (or 1 January of the meeting's year)
    previous: str | None  # the previous meeting's title
    status: BudgetStatus | None  # None: the year has no budget
    reporting: tuple[ReportingRow, ...]
    delegation: tuple[GrantView, ...]
    # The quarterly compilation, at the half-year and year meetings (`board_quarters`).
    quarters: Compilation | None = None

    @property
    def delegated_total(self) -> int:
        return sum(grant.amount_kr for grant in self.delegation)


def papers_pack(
    engine: Engine,
    event_id: int,
    *,
    reporting: Reporting,
    rules: BudgetRules,
    today: date,
) -> Pack | None:
    """The pack for one meeting as of `today`; None when the meeting is gone (the cycle
    was imported again without it)."""
    with session_scope(engine) as session:
        event = session.get(BoardEvent, event_id)
        previous = None if event is None else _previous_meeting(session, event)
    if event is None:
        return None
    since = previous.on if previous is not None else date(event.year, 1, 1)
    try:
        status: BudgetStatus | None = budget_status_for(engine, year=event.year, rules=rules)
    except NotFoundError:
        status = None
    return Pack(
        event_id=event_id,
        title=event.title,
        meeting_on=event.on,
        year=event.year,
        since=since,
        previous=previous.title if previous is not None else None,
        status=status,
        reporting=tuple(
            reporting_since(engine, reporting, since=since, until=event.on, today=today)
        ),
        delegation=tuple(delegation_decisions(engine, since, event.on)),
        quarters=_quarters(engine, event.on),
    )


def _quarters(engine: Engine, meeting_on: date) -> Compilation | None:
    chosen = board_quarters(meeting_on)
    return None if chosen is None else compile_quarters(engine, *chosen)


def _previous_meeting(session: Session, event: BoardEvent) -> BoardEvent | None:
    earlier = [
        other
        for other in events_between(session, event.on - LOOKBACK, event.on)
        if other.kind == BoardEventKind.meeting and other.on < event.on
    ]
    return earlier[-1] if earlier else None


def reporting_since(
    engine: Engine, reporting: Reporting, *, since: date, until: date, today: date
) -> list[ReportingRow]:
    """The periods due from `since` up to `until` that are past due by `today`, by due date
    (months before quarters on the same day)."""
    periods = sorted(
        (
            period
            for year in range(since.year - 1, until.year + 1)
            for period in periods_of_year(year)
            if since <= reporting.deadline(period).due <= until
            and reporting.deadline(period).due < today
        ),
        key=lambda p: (reporting.deadline(p).due, p.kind is ReportKind.quarterly, p.start),
    )
    interventions = all_interventions(engine)
    reports = reports_in(engine, [period.label for period in periods])
    rows = []
    for period in periods:
        due = reporting.deadline(period).due
        owing = [
            info for info in interventions if owes_report(info, period) and owed_when_due(info, due)
        ]
        found = [reports.get((info.id, period.label)) for info in owing]
        reported = [r for r in found if r is not None and r.status != ReportStatus.returned]
        rows.append(
            ReportingRow(
                period=period,
                due=reporting.deadline(period).due,
                owed=len(owing),
                reported=len(reported),
                missing=len(owing) - len(reported),
                late=sum(1 for r in reported if r.late),
            )
        )
    return rows


# --------------------------------------------------------------------------- the file

Cell = str | int | float | date | None
TKR_FORMAT = "#,##0"  # Excel's notation: "1 007" in Swedish Excel
SHARE_FORMAT = "0.0%"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
BOLD = Style(bold=True)
TITLE_FONT = Style(bold=True, size=13)
WIDTH_MIN = 8
WIDTH_MAX = 60


def write_papers_xlsx(pack: Pack, texts: Texts, *, association: str | None = None) -> bytes:
    """The pack as a workbook: sheets Budget, Regler, Rapportering, Delegationsbeslut (in the
    secretary's language), each under a title row (the association, the meeting, the month
    the books are through), its first header frozen, the columns as wide as what they show.
    Money in tkr with a thousands separator, shares as percentages, counts as integers, dates
    as dates; text from users is text, never a formula."""
    book = Book()
    sheets = (
        ("budget", _budget_rows(pack, texts)),
        ("rules", _rule_rows(pack, texts)),
        ("reporting", _reporting_rows(pack, texts)),
        ("delegation", _delegation_rows(pack, texts)),
    )
    title = texts.get(
        "export",
        "papers_title",
        association=association or "",
        title=pack.title,
        day=pack.meeting_on,
        through=None if pack.status is None else pack.status.through_month,
    )
    for name, rows in sheets:
        _fill(book.add_sheet(texts.get("papers", "sheet_name", sheet=name)), rows, title)
    if pack.quarters is not None:
        name, table = quarterly_sheet(pack.quarters, texts, association=association)
        fill_sheet(book.add_sheet(name), table)
    return book.to_bytes()


@dataclass(frozen=True)
class _Row:
    cells: tuple[Cell, ...]
    formats: tuple[str | None, ...] = ()
    heading: bool = False
    total: bool = False  # a sum: bold like a heading


def _column(texts: Texts, name: str) -> str:
    return texts.get("papers", "column", name=name)


def _heading(texts: Texts, *names: str) -> _Row:
    return _Row(tuple(_column(texts, name) for name in names), heading=True)


def _tkr(kr: int | None) -> float | None:
    return None if kr is None else kr / 1000


def _share(value: object) -> float | None:
    return None if value is None else float(str(value))


def _budget_rows(pack: Pack, texts: Texts) -> list[_Row]:
    status = pack.status
    if status is None:
        return [_Row((texts.get("papers", "no_budget", year=pack.year),))]
    totals = (
        ("income", status.income),
        ("costs", status.costs),
        ("result", status.result),
        ("opening_equity", status.opening_equity),
        ("remaining_decision_room", status.remaining_decision_room),
        ("granted", status.granted),
        ("remaining_after_grants", status.remaining_after_grants),
    )
    rows = [_heading(texts, "item", "amount_tkr")]
    rows += [_Row((_column(texts, name), _tkr(kr)), (None, TKR_FORMAT)) for name, kr in totals]
    rows.append(_Row(()))
    rows.append(
        _heading(
            texts,
            "category",
            "line",
            "owner",
            "support",
            "budget_tkr",
            "spent_tkr",
            "consumption",
            "projected_tkr",
            "preliminary_tkr",
        )
    )
    money = (None, None, None, None, TKR_FORMAT, TKR_FORMAT, SHARE_FORMAT, TKR_FORMAT, TKR_FORMAT)
    for line in status.lines:
        rows.append(
            _Row(
                (
                    texts.get("budget", "category_name", category=line.category.value),
                    line.name,
                    line.owner,
                    texts.get("grants", "support_name", support=line.support.value)
                    if line.support
                    else None,
                    _tkr(line.budget),
                    _tkr(line.spent),
                    _share(line.consumption_ratio),
                    _tkr(line.projected_year_end),
                    _tkr(line.preliminary),
                ),
                money,
            )
        )
    return rows


def _rule_rows(pack: Pack, texts: Texts) -> list[_Row]:
    if pack.status is None:
        return [_Row((texts.get("papers", "no_budget", year=pack.year),))]
    rows = [_heading(texts, "rule", "ok", "value", "limit", "basis")]
    for rule in pack.status.rules:
        rows.append(
            _Row(
                (
                    texts.get("papers", "rule_name", rule=rule.rule),
                    texts.get("papers", "yes_no", ok=rule.ok if rule.checked else None),
                    _share(rule.value),
                    _share(rule.limit),
                    _without_mark(rule_text(texts, rule)),
                ),
                (None, None, SHARE_FORMAT, SHARE_FORMAT, None),
            )
        )
    return rows


def _without_mark(text: str) -> str:
    """A rule's words for a cell: no ✅/⚠️ in front (the column says it), no mrkdwn bold."""
    return re.sub(r"^[✅⚠️\ufe0f\s]+", "", text).replace("*", "")


def rule_text(texts: Texts, rule: RuleCheck) -> str:
    """A rule check in words, as the budget status shows it."""
    values: dict[str, object] = {"ok": rule.ok, **rule.figures}
    if rule.rule != "income_covers_costs":
        values |= {"value": rule.value, "limit": rule.limit}
    return texts.get("budget", f"rule_{rule.rule}", **values)


def _reporting_rows(pack: Pack, texts: Texts) -> list[_Row]:
    rows = [_heading(texts, "period", "kind", "due", "owed", "reported", "missing", "late")]
    counts = (None, None, DATE_FORMAT, *(COUNT_FORMAT,) * 4)
    for row in pack.reporting:
        rows.append(
            _Row(
                (
                    row.period.label,
                    texts.get("papers", "report_kind", kind=row.period.kind.value),
                    row.due,
                    row.owed,
                    row.reported,
                    row.missing,
                    row.late,
                ),
                counts,
            )
        )
    if pack.reporting:
        sums = (
            sum(row.owed for row in pack.reporting),
            sum(row.reported for row in pack.reporting),
            sum(row.missing for row in pack.reporting),
            sum(row.late for row in pack.reporting),
        )
        rows.append(_Row((_column(texts, "total"), None, None, *sums), counts, total=True))
    return rows


def _delegation_rows(pack: Pack, texts: Texts) -> list[_Row]:
    rows = [_heading(texts, "decided_on", "line", "owner", "support", "amount_tkr", "decided_by")]
    for grant in pack.delegation:
        rows.append(
            _Row(
                (
                    grant.decided_on,
                    grant.intervention,
                    grant.owner,
                    texts.get("grants", "support_name", support=grant.support.value),
                    _tkr(grant.amount_kr),
                    grant.decided_by,
                ),
                (DATE_FORMAT, None, None, None, TKR_FORMAT, None),
            )
        )
    if pack.delegation:
        rows.append(
            _Row(
                (_column(texts, "total"), None, None, None, _tkr(pack.delegated_total), None),
                (None, None, None, None, TKR_FORMAT, None),
                total=True,
            )
        )
    return rows


def _fill(sheet: Sheet, rows: list[_Row], title: str) -> None:
    sheet.add_row((title,), (sheet.style(TITLE_FONT),))
    widths: dict[int, int] = {}
    for row in rows:
        bold = row.heading or row.total
        styles = [
            sheet.style(Style(bold=bold, number_format=number_format))
            for number_format, _ in itertools.zip_longest(row.formats, row.cells)
        ]
        sheet.add_row(row.cells, styles)
        for index, value in enumerate(row.cells, start=1):
            widths[index] = max(widths.get(index, WIDTH_MIN), _shown_length(value))
    first_heading = next((n for n, row in enumerate(rows, start=2) if row.heading), 2)
    sheet.freeze(first_heading + 1, 1)
    for index, width in widths.items():
        sheet.set_width(index, min(width, WIDTH_MAX) + 2)


def _shown_length(value: Cell) -> int:
    """About how many characters a cell shows (tkr grouped, dates as YYYY-MM-DD)."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.0f}")
    return len(str(value))
