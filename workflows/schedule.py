"""Scheduler wiring, in one place: APScheduler 3 only ticks in each process; what a tick does
is idempotent (outbox keys), so several processes or a restart never double a message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], object]
    cron: str | None = None
    every_seconds: int | None = None


def build_scheduler(jobs: list[Job], *, tz: ZoneInfo) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=tz)
    for job in jobs:
        trigger = (
            CronTrigger.from_crontab(job.cron, timezone=tz)
            if job.cron is not None
            else IntervalTrigger(seconds=job.every_seconds or 60, timezone=tz)
        )
        scheduler.add_job(
            job.func, trigger, id=job.id, coalesce=True, max_instances=1, misfire_grace_time=3600
        )
    return scheduler
