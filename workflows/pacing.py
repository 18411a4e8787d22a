"""Pacing posts under Slack's rate limits (DESIGN.md "Outgoing messages are data").

`chat.postMessage` allows about one message a second per channel and has a workspace-wide
limit besides. A post over either is answered 429 with `Retry-After` (whole seconds): the
client waits it out and tries again, so nothing is lost, but every 429 costs at least a
second of sending, and Slack does not promise that a burst it took is shown. So the
dispatcher books a slot here before each post and waits for it: posts to one channel are
spaced by the channel's interval, and all posts by the workspace's, each a little under the
limit (`headroom`). No bursts: a slot is never earlier than the previous one plus the
interval.

The pacer is per process; two processes each keep to the rate, so together they may exceed
it, and Slack's 429s (waited out by the client) cover the rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CHANNEL_POSTS_PER_SECOND = 1.0
WORKSPACE_POSTS_PER_SECOND = 5.0
HEADROOM = 0.04  # pace at 96 % of a limit: clock drift and network jitter stay on our side
_PRUNE_AT = 1000  # channels remembered before those with no pending slot are forgotten


class Pacer:
    """Slots for posts, per channel and for the workspace (thread-safe)."""

    def __init__(
        self,
        *,
        per_channel: float = CHANNEL_POSTS_PER_SECOND,
        workspace: float = WORKSPACE_POSTS_PER_SECOND,
        headroom: float = HEADROOM,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_channel <= 0 or workspace <= 0:
            raise ValueError("rates must be positive")
        if not 0 <= headroom < 1:
            raise ValueError("headroom must be at least 0 and below 1")
        self.per_channel = per_channel
        self.workspace = workspace
        self._channel_interval = 1 / (per_channel * (1 - headroom))
        self._workspace_interval = 1 / (workspace * (1 - headroom))
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_workspace = float("-inf")
        self._next_channel: dict[str, float] = {}

    def reserve(self, channel: str) -> float:
        """Book the next slot for a post to `channel`; the seconds to wait for it (≥ 0)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_workspace, self._next_channel.get(channel, now))
            self._next_workspace = slot + self._workspace_interval
            if len(self._next_channel) >= _PRUNE_AT:
                self._next_channel = {c: t for c, t in self._next_channel.items() if t > now}
            self._next_channel[channel] = slot + self._channel_interval
            return slot - now

    def wait(self, channel: str) -> None:
        """Block until a post to `channel` may go."""
        delay = self.reserve(channel)
        if delay > 0:
            self._sleep(delay)
