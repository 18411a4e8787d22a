"""The ways the Slack fake can be told to fail: a scripted answer for a method's next calls,
and token buckets that answer 429 once empty (Slack's rate limits)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simulator.slack.records import InjectedKind


@dataclass
class Script:
    kind: InjectedKind
    status: int = 200
    error: str = ""
    retry_after: int = 1
    delay: float = 0.0
    perform: bool = False


@dataclass
class Bucket:
    tokens: float
    updated: float


@dataclass
class Limit:
    """A token bucket per channel (chat.postMessage's 1 a second), or one for the whole
    method (Slack's tiers: per method, app and workspace)."""

    rate: float  # tokens a second
    burst: int
    per_channel: bool = True
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def refilled(self, channel: str, now: float) -> Bucket:
        """The bucket of a call to `channel` (its resolved id), topped up for the time since
        it was last used."""
        key = channel if self.per_channel else ""
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def wait(self, bucket: Bucket) -> int:
        """Retry-After for an empty bucket: whole seconds until a token, at least 1."""
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))
