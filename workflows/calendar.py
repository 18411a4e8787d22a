"""The reporting calendar: when follow-up reports are due and when reminders go out.

- **Monthly** reports (*månadsvis inrapportering*) apply to individual-support interventions
  only (structural ones have no participants); they are due on a set day of the following
  month (default the 10th). Which interventions owe one is decided elsewhere: the calendar
  lists the periods of the year.
- **Quarterly** reports (*kvartalsrapportering*) apply to every intervention; they are due on a
  set day of the month after the quarter (default the 15th: Q1 → 15 April, Q4 → 15 January).

A due day beyond the month's length is the month's last day; a due date on a non-working day
moves to the next working day (`WorkingDays`). Reminders go out on working days counted from the
due date (default 5 before, on the day, 2 and 7 late; at 7 late the office is told too), at a
local time (default 09:00 Europe/Stockholm). Each reminder is a local wall-clock time made aware
by zoneinfo, so it carries the offset of its own day: a daylight-saving change between two
reminders neither skips nor doubles one. Pure: no clock, no I/O."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from store.models import ReportKind as ReportKind  # re-exported: the calendar speaks of it
from workflows.working_days import WorkingDays

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Reminders go out on a working day from the send time until this long after it (09:00–18:00
# by default): a tick in that window sends at once, one outside it (a bot back at 01:00, on a
# Saturday) waits for the next send time on a working day.
SEND_WINDOW = timedelta(hours=9)


@dataclass(frozen=True)
class Stage:
    """A reminder stage: `offset_working_days` from the due date (negative: before it)."""

    name: str
    offset_working_days: int
    notify_office: bool = False


DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("before", -5),
    Stage("due", 0),
    Stage("late_2", 2),
    Stage("late_7", 7, notify_office=True),
)


@dataclass(frozen=True)
class CalendarRules:
    """When reports are due and when reminders go out; validated on construction (ValueError)."""

    monthly_due_day: int = 10
    quarterly_due_day: int = 15
    reminder_stages: tuple[Stage, ...] = DEFAULT_STAGES
    send_hour: int = 9
    send_minute: int = 0
    tz: ZoneInfo = field(default=STOCKHOLM)

    def __post_init__(self) -> None:
        for name, day in (
            ("monthly_due_day", self.monthly_due_day),
            ("quarterly_due_day", self.quarterly_due_day),
        ):
            if not 1 <= day <= 31:
                raise ValueError(f"{name} must be 1–31, not {day}")
        if not 0 <= self.send_hour <= 23 or not 0 <= self.send_minute <= 59:
            raise ValueError(f"no such time of day: {self.send_hour}:{self.send_minute:02d}")
        names = [stage.name for stage in self.reminder_stages]
        if len(set(names)) != len(names):
            raise ValueError(f"reminder stage names must be unique: {names}")
        offsets = [stage.offset_working_days for stage in self.reminder_stages]
        if len(set(offsets)) != len(offsets):
            raise ValueError(f"reminder stage offsets must be unique: {offsets}")

    def due_day(self, kind: ReportKind) -> int:
        return self.monthly_due_day if kind is ReportKind.monthly else self.quarterly_due_day

    @property
    def send_time(self) -> time:
        return time(self.send_hour, self.send_minute)


@dataclass(frozen=True)
class Period:
    """A reporting period: month 1–12 or quarter 1–4 of a year."""

    kind: ReportKind
    year: int
    number: int

    def __post_init__(self) -> None:
        last = 12 if self.kind is ReportKind.monthly else 4
        if not 1 <= self.number <= last:
            raise ValueError(f"no {self.kind} period {self.number}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(ReportKind.monthly, year, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(ReportKind.quarterly, year, quarter)

    @classmethod
    def parse(cls, label: str) -> Period:
        """'2026-03' or '2026-Q1' (ValueError otherwise)."""
        year, _, rest = label.partition("-")
        if len(year) != 4 or not year.isdigit() or not rest:
            raise ValueError(f"not a period: {label!r}")
        if rest[0] in "Qq" and len(rest) == 2 and rest[1].isdigit():
            return cls.quarter(int(year), int(rest[1]))
        if len(rest) == 2 and rest.isdigit():
            return cls.month(int(year), int(rest))
        raise ValueError(f"not a period: {label!r}")

    @property
    def label(self) -> str:
        if self.kind is ReportKind.monthly:
            return f"{self.year}-{self.number:02d}"
        return f"{self.year}-Q{self.number}"

    @property
    def first_month(self) -> int:
        return self.number if self.kind is ReportKind.monthly else 3 * self.number - 2

    @property
    def last_month(self) -> int:
        return self.number if self.kind is ReportKind.monthly else 3 * self.number

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last_month, _last_day(self.year, self.last_month))


@dataclass(frozen=True)
class Reminder:
    stage: str
    at: datetime  # aware, in the rules' time zone
    notify_office: bool


@dataclass(frozen=True)
class PeriodDeadline:
    period: Period
    due: date
    reminders: list[Reminder]

    @property
    def kind(self) -> ReportKind:
        return self.period.kind


def _last_day(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def periods_of_year(year: int) -> list[Period]:
    """The year's 12 months, then its 4 quarters."""
    return [Period.month(year, m) for m in range(1, 13)] + [
        Period.quarter(year, q) for q in range(1, 5)
    ]


def due_date(period: Period, rules: CalendarRules, working_days: WorkingDays) -> date:
    """The due day of the month after the period (clamped to that month's last day), moved to
    the next working day."""
    year, month = (
        (period.year + 1, 1)
        if period.last_month == 12
        else (
            period.year,
            period.last_month + 1,
        )
    )
    day = min(rules.due_day(period.kind), _last_day(year, month))
    return working_days.next_working_day(date(year, month, day))


def reminder_at(day: date, rules: CalendarRules) -> datetime:
    """`day` at the send time, local. A wall-clock time that does not exist (a spring-forward
    gap) becomes the instant just after the gap; an ambiguous one is its first occurrence."""
    local = datetime.combine(day, rules.send_time, tzinfo=rules.tz)
    return local.astimezone(UTC).astimezone(rules.tz)


def send_slot(
    now: datetime,
    *,
    tz: ZoneInfo,
    send_at: time,
    working_days: WorkingDays,
    window: timedelta = SEND_WINDOW,
) -> datetime:
    """When a reminder planned at `now` may go out: `now` itself on a working day between
    the send time and `window` after it, else the next send time on a working day (so a bot
    that catches up at night or on a weekend does not DM anyone then)."""
    local = now.astimezone(tz)
    day = local.date()
    if working_days.is_working_day(day):
        start = _local_instant(day, send_at, tz)
        if local < start:
            return start
        if local < start + window:
            return now
    return _local_instant(working_days.next_working_day(day + timedelta(days=1)), send_at, tz)


def _local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC).astimezone(tz)


def reminders_for(due: date, rules: CalendarRules, working_days: WorkingDays) -> list[Reminder]:
    """One reminder per stage, on the working day `offset` working days from `due`, in time
    order. The due date is a working day and the offsets are unique, so the days are distinct."""
    stages = sorted(rules.reminder_stages, key=lambda stage: stage.offset_working_days)
    return [
        Reminder(
            stage=stage.name,
            at=reminder_at(working_days.add_working_days(due, stage.offset_working_days), rules),
            notify_office=stage.notify_office,
        )
        for stage in stages
    ]


def deadline_for(period: Period, rules: CalendarRules, working_days: WorkingDays) -> PeriodDeadline:
    due = due_date(period, rules, working_days)
    return PeriodDeadline(period, due, reminders_for(due, rules, working_days))


def calendar_for_year(
    year: int,
    rules: CalendarRules,
    working_days: WorkingDays,
    *,
    include_monthly: bool = True,
) -> list[PeriodDeadline]:
    """Every period of `year` with its due date and reminders, by due date then kind (monthly
    before quarterly). Monthly periods concern individual-support interventions only; pass
    `include_monthly=False` for the calendar of a structural intervention."""
    periods = [
        period
        for period in periods_of_year(year)
        if include_monthly or period.kind is ReportKind.quarterly
    ]
    deadlines = [deadline_for(period, rules, working_days) for period in periods]
    return sorted(deadlines, key=lambda d: (d.due, d.kind, d.period.start))


def deadline_to_dict(deadline: PeriodDeadline) -> dict[str, Any]:
    """The JSON shape of `finsam-bot reports calendar --format json`."""
    return {
        "period": deadline.period.label,
        "kind": deadline.kind.value,
        "start": deadline.period.start.isoformat(),
        "end": deadline.period.end.isoformat(),
        "due": deadline.due.isoformat(),
        "reminders": [
            {
                "stage": reminder.stage,
                "at": reminder.at.isoformat(),
                "notify_office": reminder.notify_office,
            }
            for reminder in deadline.reminders
        ],
    }
