"""The scheduled budget summary: planned as an outbox row keyed by channel and month, so a
tick that runs twice (two processes, a restart) still posts once."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from store.budget import get_budget_year
from store.db import session_scope
from workflows.outbox import plan
from workflows.outbox_keys import budget_summary_key
from workflows.outbox_kinds import BudgetSummaryPayload

log = logging.getLogger(__name__)
KIND = BudgetSummaryPayload.KIND


def plan_budget_summary(engine: Engine, *, now: datetime, tz: ZoneInfo, channel: str) -> str | None:
    """Plan this month's summary for the current budget year; the key it planned under, or
    None when the year has no budget (said in the log, not posted as an empty summary)."""
    local = now.astimezone(tz)
    with session_scope(engine) as session:
        if get_budget_year(session, local.year) is None:
            log.warning("no budget imported for %s: no budget summary posted", local.year)
            return None
        key = budget_summary_key(channel, year=local.year, month=local.month)
        period = f"{local.year}-{local.month:02d}"
        summary = BudgetSummaryPayload(year=local.year, period=period)
        plan(session, key=key, channel=channel, payload=summary, now=now)
        return key


def summary_due(cron: str, *, now: datetime, tz: ZoneInfo) -> bool:
    """Whether this month's scheduled time has come: lets a bot that was down at that
    moment post the month's summary when it starts (once: the key is per month)."""
    local = now.astimezone(tz)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    first = CronTrigger.from_crontab(cron, timezone=tz).get_next_fire_time(None, month_start)
    return first is not None and first.month == local.month and first <= local
