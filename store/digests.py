"""Outbox rows of the daily digests (one reminder DM per recipient and day, one office post
per day), whose keys end in the ISO day they are sent on: so one recipient's rows sort by
day, and "since a day" is a range of keys. A digest row not yet tried may take in more
reports (`extend_pending`); once a dispatcher has leased it, it is left as it is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class DigestRow:
    key: str
    channel: str
    status: OutboxStatus
    attempts: int
    payload: str  # the stored JSON, as read (`extend_pending` compares against it)
    sent_at: datetime | None
    message_ts: str | None

    @property
    def data(self) -> dict[str, Any]:
        return dict(json.loads(self.payload).get("data") or {})


def digest_rows(session: Session, key_prefix: str, *, from_key: str) -> list[DigestRow]:
    """The rows whose key starts with `key_prefix` and sorts at or after `from_key` (the
    prefix and a day), oldest day first."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.key) >= from_key,
        )
        .order_by(col(OutboxMessage.key))
    )
    return [_row(row) for row in session.exec(query).all()]


def sent_digests_mentioning(
    session: Session, key_prefix: str, text: str, *, status: OutboxStatus = OutboxStatus.sent
) -> list[DigestRow]:
    """The rows (sent, or of `status`) whose key starts with `key_prefix` and whose payload
    has `text` in it (a period's field, as the JSON has it): the caller reads their items."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status) == status,
            col(OutboxMessage.payload).contains(text, autoescape=True),
        )
        .order_by(col(OutboxMessage.id))
    )
    return [_row(row) for row in session.exec(query).all()]


def sent_between(
    session: Session, key_prefix: str, text: str, *, since: datetime, until: datetime
) -> list[DigestRow]:
    """The rows sent in [since, until) whose key starts with `key_prefix` and whose payload
    has `text` in it (a lead's id: the digests a deputy got on the lead's behalf)."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status) == OutboxStatus.sent,
            col(OutboxMessage.sent_at) >= since,
            col(OutboxMessage.sent_at) < until,
            col(OutboxMessage.payload).contains(text, autoescape=True),
        )
        .order_by(col(OutboxMessage.sent_at), col(OutboxMessage.id))
    )
    return [_row(row) for row in session.exec(query).all()]


def waiting_mentioning(session: Session, key_prefix: str, text: str) -> list[DigestRow]:
    """The rows never tried, still waiting, whose key starts with `key_prefix` and whose
    payload has `text` in it (a period's field, as the JSON has it)."""
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status) == OutboxStatus.pending,
            col(OutboxMessage.attempts) == 0,
            col(OutboxMessage.payload).contains(text, autoescape=True),
        )
        .order_by(col(OutboxMessage.id))
    )
    return [_row(row) for row in session.exec(query).all()]


def cancel_waiting(session: Session, row: DigestRow) -> bool:
    """Cancel a row still waiting and never tried, unless it changed since it was read."""
    changed = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.key) == row.key,
            col(OutboxMessage.status) == OutboxStatus.pending,
            col(OutboxMessage.attempts) == 0,
            col(OutboxMessage.payload) == row.payload,
        )
        .values(status=OutboxStatus.cancelled, lease_until=None)
    )
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def extend_pending(session: Session, row: DigestRow, payload: dict[str, Any]) -> bool:
    """Replace the payload of a row still waiting and never tried, unless it changed since
    it was read (compare-and-set on status, attempts and payload); False when it was
    leased, sent or extended meanwhile (what it would have taken in waits for the next)."""
    changed = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.key) == row.key,
            col(OutboxMessage.status) == OutboxStatus.pending,
            col(OutboxMessage.attempts) == 0,
            col(OutboxMessage.payload) == row.payload,
        )
        .values(payload=json.dumps(payload))
    )
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def cancel_pending_before(session: Session, key_prefix: str, *, before_key: str) -> list[str]:
    """Cancel the rows never tried whose key starts with `key_prefix` and sorts before
    `before_key`: a digest of an earlier day that never went out (the bot was down) is
    replaced by today's, which takes in what it was about. A row tried before may have
    reached Slack (its next attempt looks in the history), so it is left to go out. The
    keys cancelled."""
    changed = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.key) < before_key,
            col(OutboxMessage.status) == OutboxStatus.pending,
            col(OutboxMessage.attempts) == 0,
        )
        .values(status=OutboxStatus.cancelled, lease_until=None)
        .returning(col(OutboxMessage.key))
    )
    return [str(key) for key in changed.scalars().all()]


def _row(row: OutboxMessage) -> DigestRow:
    return DigestRow(
        key=row.key,
        channel=row.channel,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        payload=row.payload,
        sent_at=row.sent_at,
        message_ts=row.message_ts,
    )
