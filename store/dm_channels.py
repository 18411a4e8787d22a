"""The DM channel of each Slack user, as Slack gave it (a post's answer, conversations.open).
Slack keeps one DM per
user and bot for good, so a stored id never goes stale and the first one stored wins."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from store.db import insert_if_absent
from store.models import SlackDmChannel


def get_dm_channel(session: Session, user_id: str) -> str | None:
    return session.exec(
        select(SlackDmChannel.channel_id).where(SlackDmChannel.user_id == user_id)
    ).first()


def remember_dm_channel(session: Session, user_id: str, channel_id: str, *, now: datetime) -> bool:
    """Store the user's DM unless one is stored already (two processes may open it at once:
    Slack gives both the same id); True when this call stored it."""
    return insert_if_absent(
        session,
        SlackDmChannel,
        user_id=user_id,
        channel_id=channel_id,
        opened_at=now.astimezone(UTC),
    )
