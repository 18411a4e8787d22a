"""Going live: from which day reports are owed. An office starting with the bot in April
owes March's and the first quarter's reports (due in April), not February's (due in March):
nothing due before that day is reminded, escalated, listed as missing or late."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from store import installation
from store.db import session_scope


def go_live(engine: Engine, *, configured: date | None, now: datetime, tz: ZoneInfo) -> date:
    """The day reports are owed from: `configured` (FINSAM_REPORTS_FROM) when set, else the
    day the bot first ran, recorded once (so a first run never sends "7 arbetsdagar sen"
    about reports due before the office began)."""
    with session_scope(engine) as session:
        return installation.record_reports_from(
            session, configured=configured, today=now.astimezone(tz).date(), now=now
        )


def reports_owed_from(engine: Engine) -> date | None:
    """The recorded day, None before the first run."""
    with session_scope(engine) as session:
        return installation.reports_from(session)
