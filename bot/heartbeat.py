"""The worker's heartbeat, shared by the processes of one `serve` without a table: a float in
shared memory (multiprocessing.Value) that `serve` makes and hands to each child it spawns.
The worker sets it after every tick; whichever process answers `/healthz` reads it. It has
no lock: a worker killed (SIGKILL) while holding one would hang every /healthz after it,
and an aligned 8-byte float is written and read whole."""

from __future__ import annotations

import time
from ctypes import c_double
from datetime import UTC, datetime
from multiprocessing.context import BaseContext

NEVER = 0.0


class Heartbeat:
    """When the worker last ticked (and when `serve` first started it: before a first tick,
    the start is what /healthz judges). Picklable only while a child is being spawned."""

    def __init__(self, context: BaseContext, *, started: float | None = None) -> None:
        self._last: c_double = context.Value("d", NEVER, lock=False)
        self.started = datetime.fromtimestamp(time.time() if started is None else started, UTC)

    def beat(self) -> None:
        self._last.value = time.time()

    def last_tick(self) -> datetime | None:
        last = self._last.value
        return None if last == NEVER else datetime.fromtimestamp(last, UTC)
