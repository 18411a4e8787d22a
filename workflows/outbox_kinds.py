"""What each kind of outgoing message carries: one frozen dataclass per kind, with its kind
name and its (de)serialisation to the JSON object stored in the outbox row (`data`). A
planner makes one (`workflows.outbox.plan`, `Planned`), the kind's builder in bot/ gets it
back parsed (bot/messages `KINDS`), so a renamed or retyped field fails in mypy, not in the
worker at send time.

The stored shape is the one rows already have: field name → JSON value, a date as its ISO
day. A field with a default may be absent from an older row; a key no field has is ignored."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, get_args, get_origin, get_type_hints


@dataclass(frozen=True)
class Payload:
    """The base of every kind's payload: `KIND` names the kind."""

    KIND: ClassVar[str] = ""

    def to_data(self) -> dict[str, Any]:
        """The JSON object stored in the row."""
        return {field.name: _dump(getattr(self, field.name)) for field in dataclasses.fields(self)}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        """The payload of a stored row. KeyError when a field without a default is missing."""
        hints = get_type_hints(cls)
        values = {
            field.name: _load(hints[field.name], data[field.name])
            for field in dataclasses.fields(cls)
            if field.name in data or not _has_default(field)
        }
        return cls(**values)


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def _dump(value: object) -> object:
    if isinstance(value, tuple):  # a digest's items: a list of JSON objects
        return [_dump(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value.isoformat() if isinstance(value, dt.date) else value


def _load(kind: object, value: object) -> object:
    if value is None:
        return None
    if get_origin(kind) is tuple and isinstance(value, list):
        item = get_args(kind)[0]
        return tuple(_load(item, each) for each in value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind) and isinstance(value, Mapping):
        hints = get_type_hints(kind)
        return kind(
            **{
                f.name: _load(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value or not _has_default(f)
            }
        )
    if kind is dt.date or kind == dt.date | None:
        return dt.date.fromisoformat(str(value))
    if kind is int or kind == int | None:
        return int(str(value))
    if kind is str or kind == str | None:
        return str(value)
    return value


# Report reminders (workflows/reminders.py).
@dataclass(frozen=True)
class ReminderPayload(Payload):
    """A reminder DM to a lead, or to the lead's deputy (`on_behalf_of` the lead): one per
    report, as planned before the daily digest (`ReminderDigestPayload`); rows of this shape
    still waiting are sent, and turned "done", as before."""

    KIND: ClassVar[str] = "reminder"
    intervention_id: int
    period: str
    stage: str
    due: dt.date
    lead: str | None = None
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class EscalationPayload(Payload):
    """The office told that a report is late, one post per report (as planned before the
    office's daily digest, `EscalationDigestPayload`)."""

    KIND: ClassVar[str] = "escalation"
    intervention_id: int
    period: str
    stage: str
    due: dt.date


@dataclass(frozen=True)
class ReminderItem:
    """One report a digest is about: which intervention and period, at which stage; in a
    lead's digest also whose reminder it is (`lead`) and, when a deputy gets it, for whom."""

    intervention_id: int
    period: str
    stage: str
    due: dt.date
    lead: str | None = None
    on_behalf_of: str | None = None

    @property
    def report(self) -> tuple[int, str]:
        return self.intervention_id, self.period

    @property
    def event(self) -> tuple[int, str, str]:
        """What a digest sends once per recipient: this report's stage."""
        return self.intervention_id, self.period, self.stage


@dataclass(frozen=True)
class ReminderDigestPayload(Payload):
    """A lead's (or deputy's) one reminder DM of `day`: every report whose stage is due,
    one "Rapportera" button each. Reports in by the time it is sent are left out."""

    KIND: ClassVar[str] = "reminder_digest"
    day: dt.date
    items: tuple[ReminderItem, ...] = ()


@dataclass(frozen=True)
class EscalationDigestPayload(Payload):
    """The office's one post of `day` about every late report that escalates that day."""

    KIND: ClassVar[str] = "escalation_digest"
    day: dt.date
    items: tuple[ReminderItem, ...] = ()


# What follows a submission or a review (workflows/reports.py).
@dataclass(frozen=True)
class ReceivedPayload(Payload):
    KIND: ClassVar[str] = "report_received"
    report_id: int
    revision: int


@dataclass(frozen=True)
class RemindersDonePayload(Payload):
    """The period's reminder DMs turned into "done"."""

    KIND: ClassVar[str] = "reminders_done"
    report_id: int
    revision: int
    intervention_id: int
    period: str


@dataclass(frozen=True)
class ReviewPayload(Payload):
    """The office's review post of one revision."""

    KIND: ClassVar[str] = "report_review"
    report_id: int
    revision: int


@dataclass(frozen=True)
class ReturnedPayload(Payload):
    """The lead told that a revision was sent back."""

    KIND: ClassVar[str] = "report_returned"
    report_id: int
    revision: int


@dataclass(frozen=True)
class ReviewUpdatePayload(Payload):
    """The review post of a revision sent back, rewritten: `ts` is the post's, as stored."""

    KIND: ClassVar[str] = "report_review_update"
    report_id: int
    revision: int
    ts: str


@dataclass(frozen=True)
class HomeRefreshPayload(Payload):
    """The App Home of the row's channel (a user id), published again."""

    KIND: ClassVar[str] = "home_refresh"


# The office's weekly summary (workflows/overview.py).
@dataclass(frozen=True)
class MissingReportsPayload(Payload):
    """What is missing as of `date`."""

    KIND: ClassVar[str] = "missing_reports"
    date: dt.date


# Absences and deputies (workflows/absence.py).
@dataclass(frozen=True)
class AbsenceOverPayload(Payload):
    """The lead back from an absence, told what went to the deputy meanwhile."""

    KIND: ClassVar[str] = "absence_over"
    absence_id: int


@dataclass(frozen=True)
class DeputyNamedPayload(Payload):
    KIND: ClassVar[str] = "deputy_named"
    absence_id: int


@dataclass(frozen=True)
class DeputyCancelledPayload(Payload):
    KIND: ClassVar[str] = "deputy_cancelled"
    absence_id: int
    lead: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class DeputyRelievedPayload(Payload):
    KIND: ClassVar[str] = "deputy_relieved"
    absence_id: int
    lead: str
    back: dt.date


# The board's year (workflows/board_reminders.py, workflows/board_papers.py).
@dataclass(frozen=True)
class BoardStepPayload(Payload):
    """A step reminder, of stage `stage` (`offset` working days from `due`), planned `day`."""

    KIND: ClassVar[str] = "board_step"
    step_id: int
    stage: str
    offset: int
    due: dt.date
    day: dt.date


@dataclass(frozen=True)
class BoardStepDonePayload(Payload):
    """Every sent reminder of a step marked done for `due` turned into "Klart"."""

    KIND: ClassVar[str] = "board_step_done"
    step_id: int
    due: dt.date


@dataclass(frozen=True)
class AnnouncementPayload(Payload):
    """An application deadline announced in the announcement channel."""

    KIND: ClassVar[str] = "announcement"
    step_id: int
    due: dt.date


@dataclass(frozen=True)
class BoardPapersPayload(Payload):
    """The secretary's draft pack for a meeting, planned on `date`."""

    KIND: ClassVar[str] = "board_papers"
    event_id: int
    date: dt.date


# The budget (workflows/budget_summary.py).
@dataclass(frozen=True)
class BudgetSummaryPayload(Payload):
    """The monthly summary of budget year `year`, for month `period` (yyyy-mm)."""

    KIND: ClassVar[str] = "budget_summary"
    year: int
    period: str


# Workbooks asked for in Slack (workflows/export_files.py).
@dataclass(frozen=True)
class ExportFilePayload(Payload):
    """A workbook to the asker's DM: `workbook` "data" (every report of `year` and the
    participant table) or "annual" (the annual report's tables; through `through_month`,
    less than 12 for the interim report). Its figures are read when it is sent."""

    KIND: ClassVar[str] = "export_file"
    workbook: str
    year: int
    through_month: int = 12


# The quarterly compilation (workflows/quarterly_pages.py).
@dataclass(frozen=True)
class QuarterlyPagePayload(Payload):
    """An intervention's compilation page of `year`, quarters 1..`until`, posted to the row's
    channel for `sent_by` (office staff), asked for on `date`."""

    KIND: ClassVar[str] = "quarterly_page"
    intervention_id: int
    year: int
    until: int
    sent_by: str
    date: dt.date


PAYLOADS: dict[str, type[Payload]] = {
    payload.KIND: payload
    for payload in (
        ReminderPayload,
        EscalationPayload,
        ReminderDigestPayload,
        EscalationDigestPayload,
        ReceivedPayload,
        RemindersDonePayload,
        ReviewPayload,
        ReturnedPayload,
        ReviewUpdatePayload,
        HomeRefreshPayload,
        MissingReportsPayload,
        AbsenceOverPayload,
        DeputyNamedPayload,
        DeputyCancelledPayload,
        DeputyRelievedPayload,
        BoardStepPayload,
        BoardStepDonePayload,
        AnnouncementPayload,
        BoardPapersPayload,
        BudgetSummaryPayload,
        ExportFilePayload,
        QuarterlyPagePayload,
    )
}
