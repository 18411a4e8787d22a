"""Absences of leads and their deputies, and the reminders that went to a deputy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from store.db import insert_if_absent
from store.models import Absence, OutboxMessage, OutboxStatus, Person

# What the database says when two absences of one person would overlap (migration 0006):
# PostgreSQL's exclusion_violation, or the SQLite trigger's message.
EXCLUSION_VIOLATION = "23P01"
OVERLAP_MESSAGE = "absence_overlaps"


@dataclass(frozen=True)
class AbsenceRow:
    id: int
    lead_user_id: str
    deputy_user_id: str
    starts_on: date
    ends_on: date


def person_for(session: Session, slack_user_id: str) -> Person:
    """The Person of a Slack user, created (without roles) when the bot has none yet. INSERT
    … ON CONFLICT DO NOTHING, then read: concurrent first sights of one user all get the one
    row (a read-then-insert made all but one fail on the unique user id)."""
    query = select(Person).where(Person.slack_user_id == slack_user_id)
    person = session.exec(query).first()
    if person is None:
        insert_if_absent(session, Person, slack_user_id=slack_user_id, name="")
        person = session.exec(query).first()
        assert person is not None
    return person


def is_overlap(error: IntegrityError) -> bool:
    """Whether the database refused an absence because it overlaps another of the person's."""
    return getattr(error.orig, "sqlstate", None) == EXCLUSION_VIOLATION or OVERLAP_MESSAGE in str(
        error.orig
    )


def add_absence(
    session: Session, *, person_id: int, deputy_person_id: int, starts_on: date, ends_on: date
) -> Absence:
    absence = Absence(
        person_id=person_id, deputy_person_id=deputy_person_id, starts_on=starts_on, ends_on=ends_on
    )
    session.add(absence)
    session.flush()
    return absence


def list_absences(
    session: Session,
    *,
    lead_user_id: str | None = None,
    deputy_user_id: str | None = None,
    ending_on_or_after: date | None = None,
    ids: list[int] | None = None,
) -> list[AbsenceRow]:
    """Absences with their lead's and deputy's Slack ids, by start date (then id)."""
    lead = aliased(Person)
    deputy = aliased(Person)
    query = (
        select(Absence, lead.slack_user_id, deputy.slack_user_id)
        .join(lead, col(lead.id) == col(Absence.person_id))
        .join(deputy, col(deputy.id) == col(Absence.deputy_person_id))
    )
    if lead_user_id is not None:
        query = query.where(lead.slack_user_id == lead_user_id)
    if deputy_user_id is not None:
        query = query.where(deputy.slack_user_id == deputy_user_id)
    if ending_on_or_after is not None:
        query = query.where(col(Absence.ends_on) >= ending_on_or_after)
    if ids is not None:
        query = query.where(col(Absence.id).in_(ids))
    query = query.order_by(col(Absence.starts_on), col(Absence.id))
    return [
        AbsenceRow(
            id=absence.id or 0,
            lead_user_id=lead_id,
            deputy_user_id=deputy_id,
            starts_on=absence.starts_on,
            ends_on=absence.ends_on,
        )
        for absence, lead_id, deputy_id in session.exec(query).all()
    ]


def ended_between(session: Session, first: date, last: date) -> list[AbsenceRow]:
    """Absences whose last day is within [first, last]."""
    found = list_absences(session, ending_on_or_after=first)
    return [a for a in found if a.ends_on <= last]


def delete_absences(session: Session, ids: list[int]) -> int:
    if not ids:
        return 0
    result = session.execute(delete(Absence).where(col(Absence.id).in_(ids)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def sent_on_behalf_of(
    session: Session, lead_user_id: str, *, key_prefix: str, since: datetime, until: datetime
) -> list[tuple[str, dict[str, object]]]:
    """(key, data) of the messages sent in [since, until) whose key starts with `key_prefix`
    and whose data says they went to someone standing in for `lead_user_id`."""
    query = (
        select(OutboxMessage.key, OutboxMessage.payload)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status) == OutboxStatus.sent,
            col(OutboxMessage.sent_at) >= since,
            col(OutboxMessage.sent_at) < until,
            col(OutboxMessage.payload).contains(lead_user_id, autoescape=True),
        )
        .order_by(col(OutboxMessage.sent_at), col(OutboxMessage.id))
    )
    found: list[tuple[str, dict[str, object]]] = []
    for key, payload in session.exec(query).all():
        data = json.loads(payload).get("data") or {}
        if data.get("on_behalf_of") == lead_user_id:
            found.append((key, data))
    return found


def statuses_with_prefix(session: Session, key_prefix: str) -> list[OutboxStatus]:
    """The status of every outbox row whose key starts with `key_prefix`: whether a notice
    is still waiting, went out, or was dropped decides what an absence's change must say."""
    query = select(OutboxMessage.status).where(
        col(OutboxMessage.key).startswith(key_prefix, autoescape=True)
    )
    return [OutboxStatus(status) for status in session.exec(query).all()]
