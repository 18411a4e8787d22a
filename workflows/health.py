"""Is the bot well? What `/healthz` answers (DESIGN.md "Outgoing messages are data"): the
database answers and is migrated, the worker has ticked lately, and no outgoing message has
failed for good (those wait for `finsam-bot outbox retry`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from store.db import current_revision, head_revision, ping, session_scope
from store.outbox import OutboxHealth, outbox_health

# The worker's loop ticks every 30 s (bot/jobs.py OUTBOX_TICK_SECONDS) and after each ring;
# a dispatch of a long fan-out at Slack's pace holds a tick back, so "not ticking" is judged
# after ten ticks' time, not three.
WORKER_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Health:
    database: bool
    migrated: bool
    outbox: OutboxHealth | None  # None when the database does not answer
    last_tick: datetime | None  # the worker's, None before its first (or with no worker)
    worker_stale: bool

    @property
    def ok(self) -> bool:
        failed = self.outbox is None or self.outbox.failed > 0
        return self.migrated and not failed and not self.worker_stale


def check_health(
    engine: Engine,
    *,
    now: datetime,
    last_tick: datetime | None = None,
    worker_since: datetime | None = None,
) -> Health:
    """The bot's health at `now`. The worker is judged only when `worker_since` (when it was
    first started) is given: stale when its last tick, or its start before a first tick, is
    more than WORKER_STALE_AFTER ago."""
    reachable = ping(engine)
    migrated = reachable and current_revision(engine) == head_revision()
    outbox = None
    if migrated:
        with session_scope(engine) as session:
            outbox = outbox_health(session, now=now)
    stale = False
    if worker_since is not None:
        stale = now - (last_tick or worker_since) > WORKER_STALE_AFTER
    return Health(reachable, migrated, outbox, last_tick, stale)
