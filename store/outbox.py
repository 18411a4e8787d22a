"""Outgoing messages as rows. A key is unique, so planning the same message twice is a no-op;
a row is claimed with a compare-and-set on (status, lease, attempts), so two processes never
hold it at once, and `attempts` fences a stale holder out of marking it done."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from store.db import insert_if_absent, insert_rows_if_absent
from store.errors import LeaseLost
from store.models import OutboxMessage, OutboxStatus

# `last_error` of a row whose earlier attempt is known to have done nothing in Slack (a 429:
# "not processed"), so the next attempt posts without looking in the history first; and of
# one taken from a holder whose lease ran out (it may have posted: look first).
NOT_PROCESSED = "not_processed"
LEASE_EXPIRED = "lease_expired"


def enqueue(
    session: Session,
    *,
    key: str,
    channel: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Insert unless the key exists; True when this call created it. A row with `not_before`
    later than `now` is not claimed before then (a pending row's lease is its due time)."""
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first() is not None:
        return False
    return insert_if_absent(
        session,
        OutboxMessage,
        key=key,
        channel=channel,
        payload=json.dumps(payload),
        status=OutboxStatus.pending,
        attempts=0,
        created_at=now,
        step="",
        lease_until=not_before if not_before is not None and not_before > now else None,
    )


def enqueue_new(
    session: Session,
    rows: list[tuple[str, str, dict[str, Any]]],
    *,
    now: datetime,
    priority: int = 0,
) -> list[str]:
    """Insert (key, channel, payload) rows in one statement, each unless its key exists; the
    keys this call created. For keys that name a new event (a report's revision), so the
    look-up `enqueue` makes first would find nothing: one round trip, not two per row."""
    return insert_rows_if_absent(
        session,
        OutboxMessage,
        [
            {
                "key": key,
                "channel": channel,
                "payload": json.dumps(payload),
                "status": OutboxStatus.pending,
                "attempts": 0,
                "created_at": now,
                "step": "",
                "priority": priority,
            }
            for key, channel, payload in rows
        ],
        returning="key",
    )


def _claimable(now: datetime) -> Any:
    return or_(
        and_(
            col(OutboxMessage.status) == OutboxStatus.pending,
            or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) <= now),
        ),
        and_(
            col(OutboxMessage.status) == OutboxStatus.sending, col(OutboxMessage.lease_until) <= now
        ),
    )


def claim_next(
    session: Session,
    *,
    now: datetime,
    lease_until: datetime,
    takeover_wait: timedelta = timedelta(0),
) -> OutboxMessage | None:
    """Lease the claimable row of the highest priority, the oldest of those; None when
    nothing is due. `now` is the database's time (workflows/outbox.py `database_clock`).

    A row still `sending` whose lease ran out is not sent at once: its holder may be in the
    middle of a post (paused, or waiting for Slack's answer), so the row is taken from it
    (`attempts` moves on, which fences the holder out) and comes due `takeover_wait` after
    the lease ended, when any call the holder started is over and shows in the history."""
    for row_id, status, held_until, attempts in session.exec(
        select(
            OutboxMessage.id,
            OutboxMessage.status,
            OutboxMessage.lease_until,
            OutboxMessage.attempts,
        )
        .where(_claimable(now))
        .order_by(col(OutboxMessage.priority).desc(), col(OutboxMessage.id))
        .limit(20)
    ).all():
        if status == OutboxStatus.sending:
            assert held_until is not None  # a sending row always has a lease
            due = held_until + takeover_wait
            if not _take_over(session, row_id, attempts, due=due) or due > now:
                continue
        claimed = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id, _claimable(now))
            .values(
                status=OutboxStatus.sending,
                lease_until=lease_until,
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )
        session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return session.get(OutboxMessage, row_id, populate_existing=True)
    return None


def next_due(session: Session) -> datetime | None:
    """When the soonest pending row that waits for its time comes due (UTC)."""
    due = session.exec(
        select(func.min(OutboxMessage.lease_until)).where(
            col(OutboxMessage.status) == OutboxStatus.pending,
            col(OutboxMessage.lease_until).is_not(None),
        )
    ).one()
    return due


def _take_over(session: Session, row_id: int | None, attempts: int, *, due: datetime) -> bool:
    """An expired `sending` row back to pending, due at `due`, its outcome unknown; False
    when another process took it first."""
    changed = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == row_id,
            col(OutboxMessage.status) == OutboxStatus.sending,
            col(OutboxMessage.attempts) == attempts,
        )
        .values(
            status=OutboxStatus.pending,
            lease_until=due,
            attempts=attempts + 1,
            last_error=LEASE_EXPIRED,
        )
    )
    session.commit()
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def _fenced_update(session: Session, row: OutboxMessage, **values: Any) -> None:
    """Change a row this process holds; LeaseLost when another process has taken it over
    (its lease ran out and it was claimed again: `attempts` moved on)."""
    changed = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == row.id,
            col(OutboxMessage.attempts) == row.attempts,
            col(OutboxMessage.status) == OutboxStatus.sending,
        )
        .values(**values)
    )
    session.commit()
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise LeaseLost("lease_lost", key=row.key)


def renew(session: Session, row: OutboxMessage, *, lease_until: datetime) -> None:
    _fenced_update(session, row, lease_until=lease_until)


def record_step(session: Session, row: OutboxMessage, step: str, *, ts: str | None = None) -> None:
    """A part of the message went out (`posted` with its ts, then e.g. `chart`): a retry only
    does what is left. Steps accumulate, comma-separated."""
    done = [s for s in (row.step or "").split(",") if s]
    if step not in done:
        done.append(step)
    values: dict[str, Any] = {"step": ",".join(done)}
    if ts is not None:
        values["message_ts"] = ts
    _fenced_update(session, row, **values)
    row.step = values["step"]
    if ts is not None:
        row.message_ts = ts


def mark_sent(session: Session, row: OutboxMessage, *, ts: str | None, now: datetime) -> None:
    _fenced_update(
        session, row, status=OutboxStatus.sent, message_ts=ts, sent_at=now, lease_until=None
    )


def mark_cancelled(session: Session, row: OutboxMessage) -> None:
    _fenced_update(session, row, status=OutboxStatus.cancelled, lease_until=None)


def cancel_pending(session: Session, key_prefix: str) -> int:
    """Cancel the rows not yet claimed whose key starts with `key_prefix` (e.g. the
    reminders of a report that came in); a row being sent is left to its builder's check."""
    changed = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status) == OutboxStatus.pending,
        )
        .values(status=OutboxStatus.cancelled, lease_until=None)
    )
    return int(changed.rowcount)  # type: ignore[attr-defined]


def sent_with_prefix(session: Session, key_prefix: str) -> list[OutboxMessage]:
    """The rows already sent whose key starts with `key_prefix` (e.g. to update them)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(
                col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
                col(OutboxMessage.status) == OutboxStatus.sent,
            )
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def release(session: Session, row: OutboxMessage, *, retry_at: datetime, error: str) -> None:
    """Back to pending, due at `retry_at`; `error` starting with NOT_PROCESSED says the
    attempt did nothing in Slack."""
    _fenced_update(
        session,
        row,
        status=OutboxStatus.pending,
        lease_until=retry_at,
        last_error=error[:500],
    )


def mark_failed(session: Session, row: OutboxMessage, *, error: str) -> None:
    _fenced_update(
        session, row, status=OutboxStatus.failed, lease_until=None, last_error=error[:500]
    )


def list_messages(session: Session, *, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if status is not None:
        query = query.where(col(OutboxMessage.status) == status)
    return list(session.exec(query).all())


def requeue(session: Session, key: str, *, now: datetime) -> bool:
    """A failed message back in the queue, due at once; False when no failed row has the key."""
    changed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.key) == key, col(OutboxMessage.status) == OutboxStatus.failed)
        .values(status=OutboxStatus.pending, lease_until=now, attempts=0, last_error=None)
    )
    session.commit()
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxHealth:
    """The outbox at a glance (for /healthz): rows waiting, being sent, failed for good, and
    since when the oldest row waiting has been due (None when none waiting is due yet)."""

    pending: int
    sending: int
    failed: int
    oldest_due: datetime | None


def outbox_health(session: Session, *, now: datetime) -> OutboxHealth:
    counts = dict(
        session.execute(
            select(col(OutboxMessage.status), func.count())
            .where(
                col(OutboxMessage.status).in_(
                    [OutboxStatus.pending, OutboxStatus.sending, OutboxStatus.failed]
                )
            )
            .group_by(col(OutboxMessage.status))
        ).all()
    )
    due = func.coalesce(col(OutboxMessage.lease_until), col(OutboxMessage.created_at))
    oldest = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.status) == OutboxStatus.pending, due <= now)
        .order_by(due, col(OutboxMessage.id))
        .limit(1)
    ).first()
    oldest_due = None if oldest is None else oldest.lease_until or oldest.created_at
    return OutboxHealth(
        pending=int(counts.get(OutboxStatus.pending, 0)),
        sending=int(counts.get(OutboxStatus.sending, 0)),
        failed=int(counts.get(OutboxStatus.failed, 0)),
        oldest_due=oldest_due,
    )
