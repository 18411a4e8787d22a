"""Every stored time comes back aware and in UTC (store/types.py `AwareUTC`), on SQLite (which
keeps no offset) and PostgreSQL (which answers in the session's zone), and times given with
different offsets compare as moments in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from store.db import session_scope
from store.models import OutboxMessage
from store.outbox import next_due

MOMENT = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Stockholm moves to summer time
OFFSETS = [
    timedelta(0),
    timedelta(hours=2),
    timedelta(hours=14),
    timedelta(hours=-12),
    timedelta(hours=5, minutes=45),
    timedelta(hours=-3, minutes=-30),
]


def _row(key: str, *, created_at: datetime, lease_until: datetime | None = None) -> OutboxMessage:
    return OutboxMessage(
        key=key, channel="C1", payload="{}", created_at=created_at, lease_until=lease_until
    )


@pytest.mark.parametrize("offset", OFFSETS, ids=str)
def test_a_time_with_any_offset_comes_back_aware_utc(engine: Engine, offset: timedelta) -> None:
    given = MOMENT.astimezone(timezone(offset))
    with session_scope(engine) as session:
        session.add(_row("k", created_at=given, lease_until=given + timedelta(minutes=1)))
    with session_scope(engine) as session:
        row = session.exec(select(OutboxMessage)).one()
        assert row.created_at.utcoffset() == timedelta(0)
        assert row.created_at.tzinfo is UTC
        assert row.created_at == MOMENT
        assert (row.created_at.hour, row.created_at.minute) == (0, 30)  # the UTC wall time
        assert row.lease_until == MOMENT + timedelta(minutes=1)
        assert row.lease_until is not None and row.lease_until.tzinfo is UTC
        assert row.sent_at is None


def test_a_naive_time_is_taken_as_utc(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(_row("k", created_at=MOMENT.replace(tzinfo=None)))
    with session_scope(engine) as session:
        assert session.exec(select(OutboxMessage.created_at)).one() == MOMENT


def test_times_with_different_offsets_compare_as_moments_in_sql(engine: Engine) -> None:
    """Stored at +14:00 but 1 minute before MOMENT: on SQLite without the type, its wall
    time (14:29) would sort after MOMENT's (00:30), and the row would not be found."""
    earlier = (MOMENT - timedelta(minutes=1)).astimezone(timezone(timedelta(hours=14)))
    later = (MOMENT + timedelta(minutes=1)).astimezone(timezone(timedelta(hours=-12)))
    with session_scope(engine) as session:
        session.add(_row("early", created_at=earlier, lease_until=earlier))
        session.add(_row("late", created_at=later, lease_until=later))
    tokyo = MOMENT.astimezone(timezone(timedelta(hours=9)))
    with session_scope(engine) as session:
        before = session.exec(
            select(OutboxMessage.key).where(col(OutboxMessage.created_at) < tokyo)
        ).all()
        assert before == ["early"]
        soonest = session.exec(select(func.min(OutboxMessage.lease_until))).one()
        assert soonest == MOMENT - timedelta(minutes=1)
        assert soonest.tzinfo is UTC  # an aggregate of the column has its type
        assert next_due(session) == MOMENT - timedelta(minutes=1)
