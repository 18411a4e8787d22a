"""Delivery of outgoing messages (DESIGN.md "Outgoing messages are data"): plan a row with a
unique key, then dispatch: lease, send through a Sender, mark sent. A row whose earlier
attempt ended with an unknown outcome is first looked for in Slack (message metadata carries
the key) and never blindly re-sent."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from store import outbox as rows
from store.db import session_scope
from store.errors import SendRejected, SlackUnavailable
from store.models import OutboxMessage, OutboxStatus
from workflows.clock import Clock

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Outgoing:
    """A message as the sender sees it: its key, where it goes, what kind, and its data."""

    key: str
    channel: str
    kind: str
    data: dict[str, Any]
    attempts: int
    posted_ts: str | None


class Sender(Protocol):
    """The port to Slack. `send` posts (skipping the main post when `posted_ts` is set) and
    calls `on_posted(ts)` as soon as the main post is in; raises SlackUnavailable when the
    outcome is unknown or Slack is failing, SendRejected when Slack refuses for good."""

    def send(self, message: Outgoing, *, on_posted: Callable[[str], None]) -> str: ...

    def find_sent(self, message: Outgoing) -> str | None: ...


@dataclass
class DispatchReport:
    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def plan(
    session: Session, *, key: str, channel: str, kind: str, data: dict[str, Any], now: datetime
) -> bool:
    return rows.enqueue(
        session, key=key, channel=channel, payload={"kind": kind, "data": data}, now=now
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _outgoing(row: OutboxMessage) -> Outgoing:
    payload = json.loads(row.payload)
    return Outgoing(
        key=row.key,
        channel=row.channel,
        kind=payload["kind"],
        data=payload["data"],
        attempts=row.attempts,
        posted_ts=row.message_ts,
    )


def dispatch_due(
    engine: Engine, sender: Sender, *, clock: Clock, limit: int | None = None
) -> DispatchReport:
    """Send every due row, one lease at a time, until none is left (or `limit` rows)."""
    report = DispatchReport()
    while limit is None or len(report.sent) + len(report.retried) + len(report.failed) < limit:
        with session_scope(engine) as session:
            now = clock.now()
            row = rows.claim_next(session, now=now, lease_until=now + LEASE)
            if row is None:
                return report
            _deliver(session, row, sender, clock=clock, report=report)
    return report


def _deliver(
    session: Session, row: OutboxMessage, sender: Sender, *, clock: Clock, report: DispatchReport
) -> None:
    message = _outgoing(row)
    try:
        ts = None
        if message.attempts > 1 and message.posted_ts is None:
            ts = sender.find_sent(message)
            if ts is not None:
                rows.record_posted(session, row, ts=ts)
                message = _outgoing(
                    session.get(OutboxMessage, row.id, populate_existing=True) or row
                )
        ts = sender.send(
            message, on_posted=lambda posted: rows.record_posted(session, row, ts=posted)
        )
    except SendRejected as err:
        log.error("message %s refused by Slack: %s", row.key, err.params)
        rows.mark_failed(session, row, error=str(err.params))
        report.failed.append(row.key)
        return
    except SlackUnavailable as err:
        if row.attempts >= MAX_ATTEMPTS:
            log.error(
                "message %s failed %d times, giving up: %s", row.key, row.attempts, err.params
            )
            rows.mark_failed(session, row, error=str(err.params))
            report.failed.append(row.key)
            return
        log.warning("message %s not sent yet (attempt %d): %s", row.key, row.attempts, err.params)
        rows.release(
            session, row, retry_at=clock.now() + backoff(row.attempts), error=str(err.params)
        )
        report.retried.append(row.key)
        return
    if rows.mark_sent(session, row, ts=ts, now=clock.now()):
        report.sent.append(row.key)


def messages(engine: Engine, *, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return rows.list_messages(session, status=status)
