"""The installation's one row: the day from which reports are owed."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from store.db import insert_if_absent
from store.models import Installation

ROW = 1


def reports_from(session: Session) -> date | None:
    """The day reports are owed from; None before the bot first ran (everything is owed)."""
    row = session.get(Installation, ROW)
    return None if row is None else row.reports_from


def record_reports_from(
    session: Session, *, configured: date | None, today: date, now: datetime
) -> date:
    """The configured day, stored (a changed setting wins); without one, `today` the first
    time and what was stored ever after. Concurrent first runs store one row."""
    insert_if_absent(
        session, Installation, id=ROW, reports_from=configured or today, recorded_at=now
    )
    row = session.get(Installation, ROW, populate_existing=True)
    assert row is not None
    if configured is not None and row.reports_from != configured:
        row.reports_from = configured
        row.recorded_at = now
        session.add(row)
    session.commit()
    return row.reports_from
