"""Outgoing messages as rows. A key is unique, so planning the same message twice is a no-op;
a row is claimed with a compare-and-set on (status, lease, attempts), so two processes never
hold it at once, and `attempts` fences a stale holder out of marking it done."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.models import OutboxMessage, OutboxStatus


def enqueue(
    session: Session, *, key: str, channel: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Insert unless the key exists; True when this call created it."""
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first() is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                OutboxMessage(key=key, channel=channel, payload=json.dumps(payload), created_at=now)
            )
    except IntegrityError:
        return False
    return True


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


def claim_next(session: Session, *, now: datetime, lease_until: datetime) -> OutboxMessage | None:
    """Lease the oldest claimable row; None when nothing is due."""
    for row_id in session.exec(
        select(OutboxMessage.id).where(_claimable(now)).order_by(col(OutboxMessage.id)).limit(20)
    ).all():
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


def _fenced(row: OutboxMessage) -> Any:
    return and_(
        col(OutboxMessage.id) == row.id,
        col(OutboxMessage.attempts) == row.attempts,
        col(OutboxMessage.status) == OutboxStatus.sending,
    )


def record_posted(session: Session, row: OutboxMessage, *, ts: str) -> None:
    """The main post went out: remember its ts, so a retry only finishes what is left."""
    session.execute(update(OutboxMessage).where(_fenced(row)).values(message_ts=ts, step="posted"))
    session.commit()


def mark_sent(session: Session, row: OutboxMessage, *, ts: str | None, now: datetime) -> bool:
    done = session.execute(
        update(OutboxMessage)
        .where(_fenced(row))
        .values(status=OutboxStatus.sent, message_ts=ts, sent_at=now, lease_until=None, step="done")
    )
    session.commit()
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def release(session: Session, row: OutboxMessage, *, retry_at: datetime, error: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(_fenced(row))
        .values(status=OutboxStatus.pending, lease_until=retry_at, last_error=error[:500])
    )
    session.commit()


def mark_failed(session: Session, row: OutboxMessage, *, error: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(_fenced(row))
        .values(status=OutboxStatus.failed, lease_until=None, last_error=error[:500])
    )
    session.commit()


def list_messages(session: Session, *, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if status is not None:
        query = query.where(col(OutboxMessage.status) == status)
    return list(session.exec(query).all())
