"""The worker's heartbeat, shared by the processes of one `serve` without a table: a float in
shared memory (multiprocessing.Value) that `serve` makes and hands to each child it spawns.
The worker sets it after every tick; whichever process answers `/healthz` reads it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from multiprocessing.context import BaseContext
from multiprocessing.sharedctypes import Synchronized

NEVER = 0.0


class Heartbeat:
    """When the worker last ticked (and when `serve` first started it: before a first tick,
    the start is what /healthz judges). Picklable only while a child is being spawned."""

    def __init__(self, context: BaseContext, *, started: float | None = None) -> None:
        self._last: Synchronized[float] = context.Value("d", NEVER)
        self.started = datetime.fromtimestamp(time.time() if started is None else started, UTC)

    def beat(self) -> None:
        self._last.value = time.time()

    def last_tick(self) -> datetime | None:
        last = self._last.value
        return None if last == NEVER else datetime.fromtimestamp(last, UTC)
