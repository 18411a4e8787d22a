"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class AwareUTC(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back as an aware UTC datetime on every database.

    SQLite keeps no offset (a time given at +02:00 would be stored as its wall time and read
    back naive), PostgreSQL answers in the session's zone: this type turns both into UTC, so
    no caller repairs times it reads and times with different offsets compare rightly in SQL.
    A row built in Python holds the time it was given until it is read back (store functions
    that return a new row refresh it). A naive time is taken to be UTC. The storage is
    `DateTime(timezone=True)`'s, unchanged (no migration)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _in_utc(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _in_utc(value)


def _in_utc(moment: datetime) -> datetime:
    """The same moment in UTC; a naive time is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
