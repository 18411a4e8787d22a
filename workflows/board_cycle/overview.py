"""The stored year read back: the overview of `/finsam styrelse` and `finsam-bot cycle show`
(coming meetings, late steps), and every event of a year for the calendar export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from store.board import events_between, events_of_year, steps_of
from store.db import session_scope
from store.models import BoardEvent, BoardEventKind, BoardStep
from store.sent import sent_keys
from workflows.board_cycle.model import ANNOUNCE_ROLE, EARLIER_DAYS
from workflows.outbox_keys import announce_key


@dataclass(frozen=True)
class StepView:
    """`state`: "done", "open" (due today or later), "late" (due before today, not done), or
    for an announcement step whose day has passed "announced" when the bot posted it and
    "not_announced" when it did not (no FINSAM_ANNOUNCE_CHANNEL, or Slack refused it): the
    bot posts those itself, so nobody is late with them, and one it did not post is never
    shown as posted."""

    id: int
    step: str
    title: str
    due: date
    remind: tuple[str, ...]
    state: str
    done_by: str | None
    done_at: datetime | None


@dataclass(frozen=True)
class EventView:
    uid: str
    year: int
    kind: BoardEventKind
    title: str
    on: date
    starts_at: str | None
    ends_at: str | None
    place: str
    items: tuple[str, ...]
    steps: tuple[StepView, ...]

    @property
    def open_steps(self) -> int:
        return sum(s.state in ("open", "late") for s in self.steps)


@dataclass(frozen=True)
class Overview:
    """The next `count` meetings from `today` with the milestones up to the last of them, and
    before them (`earlier`) events of the last EARLIER_DAYS days that still have open steps."""

    today: date
    earlier: tuple[EventView, ...]
    upcoming: tuple[EventView, ...]


def cycle_overview(engine: Engine, *, today: date, count: int = 3) -> Overview:
    with session_scope(engine) as session:
        ahead = events_between(session, today, date(today.year + 2, 12, 31))
        meetings = [e for e in ahead if e.kind is BoardEventKind.meeting]
        if len(meetings) >= count > 0:
            last = meetings[count - 1].on
            ahead = [e for e in ahead if e.on <= last]
        behind = events_between(
            session, today - timedelta(days=EARLIER_DAYS), today - timedelta(days=1)
        )
        steps = steps_of(session, [e.id for e in (*ahead, *behind) if e.id is not None])
        posted = _posted(session, steps.values())
        upcoming = [_view(e, steps.get(e.id or 0, []), today, posted) for e in ahead]
        earlier = [
            view
            for view in (_view(e, steps.get(e.id or 0, []), today, posted) for e in behind)
            if view.open_steps
        ]
    return Overview(today, tuple(earlier), tuple(upcoming))


def year_events(engine: Engine, year: int, *, today: date) -> list[EventView]:
    """Every event of the year with its steps (for the calendar export)."""
    with session_scope(engine) as session:
        events = events_of_year(session, year)
        steps = steps_of(session, [e.id for e in events if e.id is not None])
        posted = _posted(session, steps.values())
        return [_view(e, steps.get(e.id or 0, []), today, posted) for e in events]


def _posted(session: Session, steps: Iterable[Sequence[BoardStep]]) -> set[str]:
    """The announcement keys (`announce:<step>:<due>`) among the steps that were posted."""
    keys = [
        announce_key(step.id, step.due)
        for event_steps in steps
        for step in event_steps
        if step.remind == ANNOUNCE_ROLE and step.id is not None
    ]
    return sent_keys(session, keys)


def _view(
    event: BoardEvent, steps: Sequence[BoardStep], today: date, posted: set[str]
) -> EventView:
    return EventView(
        uid=event.uid,
        year=event.year,
        kind=event.kind,
        title=event.title,
        on=event.on,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        items=tuple(line for line in event.items.splitlines() if line.strip()),
        steps=tuple(
            StepView(
                id=s.id or 0,
                step=s.step,
                title=s.title,
                due=s.due,
                remind=tuple(r for r in s.remind.split(",") if r),
                state=_state(s, today, posted),
                done_by=s.done_by,
                done_at=s.done_at,
            )
            for s in sorted(steps, key=lambda s: (s.due, s.step))
        ),
    )


def _state(step: BoardStep, today: date, posted: set[str]) -> str:
    if step.done_at is not None:
        return "done"
    if step.due >= today:
        return "open"
    if step.remind != ANNOUNCE_ROLE:
        return "late"
    return "announced" if announce_key(step.id or 0, step.due) in posted else "not_announced"


def local_day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(tz).date()
