"""The DM channel of each Slack user, remembered in the store for every bot process.

A DM is posted to the user id, and Slack's answer gives the DM's id (D…), which history and
chat.update need; opening a DM (conversations.open) is a Tier 3 method, about 50 calls a
minute per workspace, so the sender asks here first, and tells here what Slack gave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from store import dm_channels
from store.db import session_scope


def known_dm_channel(engine: Engine, user_id: str) -> str | None:
    """The DM channel id stored for `user_id`, or None when no process opened it yet."""
    with session_scope(engine) as session:
        return dm_channels.get_dm_channel(session, user_id)


def remember_dm_channel(engine: Engine, user_id: str, channel_id: str, *, now: datetime) -> None:
    """Keep the DM channel Slack gave for `user_id` (a second call for the user is a no-op)."""
    with session_scope(engine) as session:
        dm_channels.remember_dm_channel(session, user_id, channel_id, now=now)
