"""The board's year as rows: events (meetings, milestones) with their steps, and grants.
A cycle import replaces a year's events by uid, keeping what was already marked done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, delete, select

from store.models import (
    BoardEvent,
    BoardEventKind,
    BoardStep,
    DecisionBody,
    Grant,
    Person,
    PersonRole,
    Role,
    SupportKind,
)


@dataclass(frozen=True)
class StepInput:
    step: str
    title: str
    due: date
    remind: tuple[str, ...]  # roles: secretary, director, office


@dataclass(frozen=True)
class EventInput:
    uid: str
    kind: BoardEventKind
    title: str
    on: date
    starts_at: str | None
    ends_at: str | None
    place: str
    items: tuple[str, ...]
    steps: tuple[StepInput, ...]


def replace_year(session: Session, year: int, events: list[EventInput]) -> tuple[int, int, int]:
    """Store the year's cycle: events matched by uid are updated, new ones added, those no
    longer in the file removed with their steps. A step keeps its done mark when its date is
    unchanged. Returns (added, updated, removed)."""
    existing = {e.uid: e for e in session.exec(select(BoardEvent).where(BoardEvent.year == year))}
    added = updated = 0
    for event in events:
        row = existing.pop(event.uid, None)
        if row is None:
            row = BoardEvent(
                year=year, uid=event.uid, kind=event.kind, title=event.title, on=event.on
            )
            added += 1
        else:
            updated += 1
        row.kind = event.kind
        row.title = event.title
        row.on = event.on
        row.starts_at = event.starts_at
        row.ends_at = event.ends_at
        row.place = event.place
        row.items = "\n".join(event.items)
        session.add(row)
        session.flush()
        assert row.id is not None
        _replace_steps(session, row.id, event.steps)
    for row in existing.values():
        session.exec(delete(BoardStep).where(col(BoardStep.event_id) == row.id))
        session.delete(row)
    session.flush()
    return added, updated, len(existing)


def _replace_steps(session: Session, event_id: int, steps: tuple[StepInput, ...]) -> None:
    old = {s.step: s for s in session.exec(select(BoardStep).where(BoardStep.event_id == event_id))}
    for step in steps:
        row = old.pop(step.step, None)
        if row is None:
            row = BoardStep(event_id=event_id, step=step.step, title=step.title, due=step.due)
        elif row.due != step.due:
            row.done_at = None
            row.done_by = None
        row.title = step.title
        row.due = step.due
        row.remind = ",".join(step.remind)
        session.add(row)
    for row in old.values():
        session.delete(row)


def events_of_year(session: Session, year: int) -> list[BoardEvent]:
    return list(
        session.exec(
            select(BoardEvent)
            .where(BoardEvent.year == year)
            .order_by(col(BoardEvent.on), col(BoardEvent.starts_at), col(BoardEvent.uid))
        ).all()
    )


def events_between(session: Session, start: date, end: date) -> list[BoardEvent]:
    return list(
        session.exec(
            select(BoardEvent)
            .where(col(BoardEvent.on) >= start, col(BoardEvent.on) <= end)
            .order_by(col(BoardEvent.on), col(BoardEvent.starts_at), col(BoardEvent.uid))
        ).all()
    )


def steps_of(session: Session, event_ids: list[int]) -> dict[int, list[BoardStep]]:
    found: dict[int, list[BoardStep]] = {event_id: [] for event_id in event_ids}
    if not event_ids:
        return found
    for step in session.exec(
        select(BoardStep).where(col(BoardStep.event_id).in_(event_ids)).order_by(col(BoardStep.due))
    ):
        found[step.event_id].append(step)
    return found


def open_steps_due_by(session: Session, day: date) -> list[tuple[BoardStep, BoardEvent]]:
    """Steps not done whose due date is on or before `day`, with their events."""
    return [
        (step, event)
        for step, event in session.exec(
            select(BoardStep, BoardEvent)
            .join(BoardEvent, col(BoardEvent.id) == col(BoardStep.event_id))
            .where(col(BoardStep.done_at).is_(None), col(BoardStep.due) <= day)
            .order_by(col(BoardStep.due))
        ).all()
    ]


def steps_due_between(
    session: Session, start: date, end: date
) -> list[tuple[BoardStep, BoardEvent]]:
    return [
        (step, event)
        for step, event in session.exec(
            select(BoardStep, BoardEvent)
            .join(BoardEvent, col(BoardEvent.id) == col(BoardStep.event_id))
            .where(col(BoardStep.due) >= start, col(BoardStep.due) <= end)
            .order_by(col(BoardStep.due))
        ).all()
    ]


def mark_step_done(session: Session, step_id: int, *, by: str, at: datetime) -> BoardStep | None:
    """Mark a step done (once: a second press keeps the first who and when)."""
    step = session.get(BoardStep, step_id)
    if step is None:
        return None
    if step.done_at is None:
        step.done_at = at
        step.done_by = by
        session.add(step)
        session.flush()
        session.refresh(step)  # the time as stored: UTC
    return step


def add_grant(
    session: Session,
    *,
    year: int,
    decided_on: date,
    intervention: str,
    owner: str,
    support: SupportKind,
    amount_kr: int,
    body: DecisionBody,
    decided_by: str,
    recorded_by: str,
    at: datetime,
) -> Grant:
    grant = Grant(
        year=year,
        decided_on=decided_on,
        intervention=intervention,
        owner=owner,
        support=support,
        amount_kr=amount_kr,
        body=body,
        decided_by=decided_by,
        recorded_by=recorded_by,
        recorded_at=at,
    )
    session.add(grant)
    session.flush()
    session.refresh(grant)  # the time as stored: UTC
    return grant


def grants_of_year(session: Session, year: int, *, with_withdrawn: bool = False) -> list[Grant]:
    """The grants for `year` by date of decision; a withdrawn one only when asked for (it
    no longer uses the year's decision room)."""
    query = select(Grant).where(Grant.year == year)
    if not with_withdrawn:
        query = query.where(col(Grant.withdrawn_at).is_(None))
    return list(session.exec(query.order_by(col(Grant.decided_on), col(Grant.id))).all())


def grants_between(session: Session, start: date, end: date) -> list[Grant]:
    """Grants not withdrawn decided from `start` to `end` (inclusive), by date."""
    return list(
        session.exec(
            select(Grant)
            .where(
                col(Grant.decided_on) >= start,
                col(Grant.decided_on) <= end,
                col(Grant.withdrawn_at).is_(None),
            )
            .order_by(col(Grant.decided_on), col(Grant.id))
        ).all()
    )


def get_grant(session: Session, grant_id: int, *, for_update: bool = False) -> Grant | None:
    query = select(Grant).where(Grant.id == grant_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def open_steps_due_between(
    session: Session, start: date, end: date
) -> list[tuple[BoardStep, BoardEvent]]:
    """Steps not done whose due date is in [start, end], with their events."""
    return [
        (step, event)
        for step, event in session.exec(
            select(BoardStep, BoardEvent)
            .join(BoardEvent, col(BoardEvent.id) == col(BoardStep.event_id))
            .where(
                col(BoardStep.done_at).is_(None),
                col(BoardStep.due) >= start,
                col(BoardStep.due) <= end,
            )
            .order_by(col(BoardStep.due), col(BoardStep.id))
        ).all()
    ]


def step_with_event(session: Session, step_id: int) -> tuple[BoardStep, BoardEvent] | None:
    found = session.exec(
        select(BoardStep, BoardEvent)
        .join(BoardEvent, col(BoardEvent.id) == col(BoardStep.event_id))
        .where(col(BoardStep.id) == step_id)
    ).first()
    return None if found is None else (found[0], found[1])


def slack_users_with_roles(session: Session, roles: Iterable[Role]) -> list[str]:
    """The Slack user ids of everyone holding any of `roles`, each once, sorted."""
    wanted = list(roles)
    if not wanted:
        return []
    return sorted(
        set(
            session.exec(
                select(Person.slack_user_id)
                .join(PersonRole, col(PersonRole.person_id) == col(Person.id))
                .where(col(PersonRole.role).in_(wanted))
            ).all()
        )
    )
