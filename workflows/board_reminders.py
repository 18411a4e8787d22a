"""Reminders of the board's year (DOMAIN.md "The board's year", DESIGN.md "Outgoing messages
are data").

Each open step of the cycle (papers due, notice out, minutes checked) reminds the roles it
names — two working days before it is due, on the day, and two working days late — by DM, at
the reminder send time. Like report reminders, only the latest stage whose time has come is
planned: earlier ones still waiting are cancelled, and a stage older than the catch-up window
is not sent. A step marked done ("Klart") gets no more reminders, and every reminder of it
already sent, to whomever, is updated to say who marked it and when (one keyed outbox row).

A step whose `remind` names `announce` (the application deadline, 30, 14 and 3 days before)
is instead posted once to the announcement channel on its day.

Keys carry the step's due date: a step moved by a new cycle file (which clears its done mark)
is reminded again for its new date, and what was planned for the old one is not sent."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from store import board
from store import outbox as outbox_rows
from store.db import session_scope
from store.errors import AccessDenied, NotFoundError
from store.models import BoardEvent, BoardEventKind, BoardStep, Role
from store.people import roles_of
from workflows.calendar import Stage, send_slot
from workflows.outbox import plan, sent_messages
from workflows.outbox_keys import (
    announce_key,
    step_done_key,
    step_key,
    step_prefix,
    step_stage_prefix,
)
from workflows.outbox_kinds import AnnouncementPayload, BoardStepDonePayload, BoardStepPayload
from workflows.working_days import WorkingDays

log = logging.getLogger(__name__)

BOARD_STEP = BoardStepPayload.KIND
STEP_DONE = BoardStepDonePayload.KIND  # turns every sent reminder of a done step into "Klart"
ANNOUNCEMENT = AnnouncementPayload.KIND
ANNOUNCE = "announce"  # the `remind` value of a step posted to the announcement channel
DEFAULT_STAGES: tuple[Stage, ...] = (Stage("before", -2), Stage("due", 0), Stage("late", 2))
DEFAULT_SEND_AT = time(9, 0)
DEFAULT_CATCH_UP = timedelta(days=14)
REMIND_ROLES = frozenset({Role.secretary, Role.director, Role.office})
MARK_ROLES = REMIND_ROLES  # who may press "Klart"
_warned: set[str] = set()  # a tick every few minutes warns once per process, not each time


def _warn_once(what: str, message: str, *args: object) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning(message, *args)


@dataclass(frozen=True)
class BoardStepView:
    step_id: int
    step: str
    title: str
    due: date
    remind: tuple[str, ...]
    event_title: str
    event_kind: BoardEventKind
    event_on: date
    done_at: datetime | None
    done_by: str | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    day: date
    at: datetime


def reminder_day(due: date, offset: int, working_days: WorkingDays) -> date:
    """The working day `offset` working days from `due`; a due date on a weekend or holiday
    counts from the working day before it (the work is done by then)."""
    return working_days.add_working_days(working_days.previous_working_day(due), offset)


def at_send_time(day: date, *, tz: ZoneInfo, send_at: time) -> datetime:
    """`day` at the send time, local (a time in a spring-forward gap moves past it)."""
    return datetime.combine(day, send_at, tzinfo=tz).astimezone(UTC).astimezone(tz)


def stage_times(
    due: date,
    stages: Iterable[Stage],
    *,
    working_days: WorkingDays,
    tz: ZoneInfo,
    send_at: time,
) -> list[StageTime]:
    """When each stage of a step due on `due` goes out, in time order."""
    found = []
    for stage in sorted(stages, key=lambda s: s.offset_working_days):
        day = reminder_day(due, stage.offset_working_days, working_days)
        found.append(StageTime(stage, day, at_send_time(day, tz=tz, send_at=send_at)))
    return found


def remind_names(remind: str) -> list[str]:
    return [part.strip() for part in remind.split(",") if part.strip()]


def remind_roles(step: BoardStep) -> tuple[set[Role], bool]:
    """The roles a step reminds and whether it is announced; unknown names are logged."""
    roles: set[Role] = set()
    announce = False
    for name in remind_names(step.remind):
        if name == ANNOUNCE:
            announce = True
        elif name in REMIND_ROLES:
            roles.add(Role(name))
        else:
            _warn_once(
                f"role:{step.id}:{name}",
                "board step %s (%s): unknown role %r to remind",
                step.id,
                step.step,
                name,
            )
    return roles, announce


def plan_board_reminders(
    engine: Engine,
    *,
    now: datetime,
    tz: ZoneInfo,
    working_days: WorkingDays,
    send_at: time = DEFAULT_SEND_AT,
    stages: tuple[Stage, ...] = DEFAULT_STAGES,
    catch_up: timedelta = DEFAULT_CATCH_UP,
    announce_channel: str | None = None,
) -> list[str]:
    """Plan the board reminders and announcements due at `now`; returns the keys this call
    added (their keys make planning again a no-op)."""
    today = now.astimezone(tz).date()
    first = min(s.offset_working_days for s in stages)
    last = max(s.offset_working_days for s in stages)
    # Every step whose first stage may have come, back to those whose last stage may still
    # be inside the catch-up window (calendar days are generous for working days).
    start = today - catch_up - timedelta(days=2 * max(last, 0) + 14)
    end = working_days.add_working_days(today, max(-first, 0) + 1)
    planned: list[str] = []
    with session_scope(engine) as session:
        rows = board.open_steps_due_between(session, start, end)
        announced: dict[int, list[BoardStep]] = {}
        for step, event in rows:
            assert step.id is not None
            roles, announce = remind_roles(step)
            if announce:
                announced.setdefault(event.id or 0, []).append(step)
            if roles:
                planned += _plan_step(
                    session,
                    step,
                    roles,
                    now=now,
                    tz=tz,
                    working_days=working_days,
                    send_at=send_at,
                    stages=stages,
                    catch_up=catch_up,
                )
        for steps in announced.values():
            planned += _plan_announcement(
                session,
                steps,
                now=now,
                tz=tz,
                working_days=working_days,
                send_at=send_at,
                catch_up=catch_up,
                channel=announce_channel,
            )
    if planned:
        log.info("planned %d board reminders", len(planned))
    return planned


def _plan_step(
    session: Session,
    step: BoardStep,
    roles: set[Role],
    *,
    now: datetime,
    tz: ZoneInfo,
    working_days: WorkingDays,
    send_at: time,
    stages: tuple[Stage, ...],
    catch_up: timedelta,
) -> list[str]:
    assert step.id is not None
    times = stage_times(step.due, stages, working_days=working_days, tz=tz, send_at=send_at)
    come = [t for t in times if t.at <= now]
    if not come:
        return []
    current = come[-1]
    for earlier in come[:-1]:
        outbox_rows.cancel_pending(
            session, step_stage_prefix(step.id, step.due, earlier.stage.name)
        )
    if current.at < now - catch_up:
        return []
    recipients = board.slack_users_with_roles(session, roles)
    if not recipients:
        _warn_once(
            f"nobody:{step.id}:{current.stage.name}",
            "board step %s (%s): nobody has the role %s",
            step.id,
            step.step,
            ", ".join(sorted(roles)),
        )
    planned = []
    for recipient in recipients:
        key = step_key(step.id, step.due, current.stage.name, recipient)
        reminder = BoardStepPayload(
            step_id=step.id,
            stage=current.stage.name,
            offset=current.stage.offset_working_days,
            due=step.due,
            day=current.day,
        )
        if plan(
            session,
            key=key,
            channel=recipient,
            payload=reminder,
            now=now,
            not_before=send_slot(now, tz=tz, send_at=send_at, working_days=working_days),
        ):
            planned.append(key)
    return planned


def _plan_announcement(
    session: Session,
    steps: list[BoardStep],
    *,
    now: datetime,
    tz: ZoneInfo,
    working_days: WorkingDays,
    send_at: time,
    catch_up: timedelta,
    channel: str | None,
) -> list[str]:
    """One event's announcements: the latest whose day has come, once; earlier ones still
    waiting are cancelled (a bot down for two weeks posts "14 days left", not also "30")."""
    times = [
        (step, at_send_time(working_days.previous_working_day(step.due), tz=tz, send_at=send_at))
        for step in sorted(steps, key=lambda s: s.due)
    ]
    come = [(step, at) for step, at in times if at <= now]
    if not come:
        return []
    *earlier, (step, at) = come
    for old, _ in earlier:
        assert old.id is not None
        outbox_rows.cancel_pending(session, announce_key(old.id, old.due))
    if at < now - catch_up:
        return []
    if not channel:
        _warn_once(
            f"announce:{step.id}",
            "FINSAM_ANNOUNCE_CHANNEL is not set: announcement %s (%s) not posted",
            step.id,
            step.title,
        )
        return []
    assert step.id is not None
    key = announce_key(step.id, step.due)
    announced = AnnouncementPayload(step_id=step.id, due=step.due)
    slot = send_slot(now, tz=tz, send_at=send_at, working_days=working_days)
    if plan(session, key=key, channel=channel, payload=announced, now=now, not_before=slot):
        return [key]
    return []


def _view(step: BoardStep, event: BoardEvent) -> BoardStepView:
    assert step.id is not None
    return BoardStepView(
        step_id=step.id,
        step=step.step,
        title=step.title,
        due=step.due,
        remind=tuple(part for part in step.remind.split(",") if part),
        event_title=event.title,
        event_kind=event.kind,
        event_on=event.on,
        done_at=step.done_at,
        done_by=step.done_by,
    )


def get_step(engine: Engine, step_id: int) -> BoardStepView | None:
    with session_scope(engine) as session:
        found = board.step_with_event(session, step_id)
        return None if found is None else _view(*found)


@dataclass(frozen=True)
class AnnouncementView:
    title: str  # the milestone's, e.g. "Sista dag för ansökningar om medel 2027"
    deadline: date
    days_left: int


def announcement(
    engine: Engine, step_id: int, due: date, *, today: date, working_days: WorkingDays
) -> AnnouncementView | None:
    """What an announcement says when it goes out, or None when it is no longer wanted: the
    step is gone, moved or done, the deadline has passed, or a later announcement of the same
    deadline has had its day (a bot that was down posts only the latest)."""
    with session_scope(engine) as session:
        found = board.step_with_event(session, step_id)
        if found is None:
            return None
        step, event = found
        if step.due != due or step.done_at is not None or event.on < today:
            return None
        assert event.id is not None
        later = [
            other
            for other in board.steps_of(session, [event.id])[event.id]
            if other.id != step.id
            and ANNOUNCE in remind_names(other.remind)
            and step.due < other.due
            and working_days.previous_working_day(other.due) <= today
        ]
        if later:
            return None
        return AnnouncementView(
            title=event.title, deadline=event.on, days_left=(event.on - today).days
        )


def mark_done(engine: Engine, step_id: int, user_id: str, now: datetime) -> BoardStepView:
    """Mark a step done and stop its reminders. Only the secretary, the director and office
    staff may; a second press keeps the first who and when. AccessDenied or NotFoundError.

    The same transaction plans the update of every reminder of the step already sent (all
    stages, all recipients) to "Klart", so the others' copies lose their button too; its key
    makes a second press, or a retry, plan nothing more."""
    with session_scope(engine) as session:
        if not roles_of(session, user_id) & MARK_ROLES:
            raise AccessDenied("board_step_not_allowed")
        if board.mark_step_done(session, step_id, by=user_id, at=now) is None:
            raise NotFoundError("board_step_gone", step_id=step_id)
        outbox_rows.cancel_pending(session, step_prefix(step_id))
        found = board.step_with_event(session, step_id)
        assert found is not None
        step, _ = found
        plan(
            session,
            key=step_done_key(step_id, step.due),
            channel=user_id,
            payload=BoardStepDonePayload(step_id=step_id, due=step.due),
            now=now,
        )
        return _view(*found)


def sent_reminders(engine: Engine, step_id: int) -> list[tuple[str, str]]:
    """(recipient, ts) of every reminder of the step that went out, whatever its stage or
    due date: the messages that carry its "Klart" button."""
    return sent_messages(engine, step_prefix(step_id))
