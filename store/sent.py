"""Which of some outbox keys went out: what a view shows as done by the bot (an application
deadline's announcement) is what was sent, not what was due."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from store.models import OutboxMessage, OutboxStatus


def sent_keys(session: Session, keys: Collection[str]) -> set[str]:
    """The keys among `keys` whose row was sent."""
    if not keys:
        return set()
    query = select(OutboxMessage.key).where(
        col(OutboxMessage.key).in_(list(keys)), col(OutboxMessage.status) == OutboxStatus.sent
    )
    return set(session.exec(query).all())
