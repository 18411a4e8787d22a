"""Waiting on a fake's condition variable until a predicate holds: the Web API fake and the
Socket Mode fake both answer tests' `wait_for` this way."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def wait_until(
    cond: threading.Condition,
    predicate: Callable[[], bool],
    *,
    timeout: float,
    message: str,
    describe: Callable[[], str],
    poll: float | None = None,
) -> None:
    """Block until `predicate()` holds, re-checked whenever `cond` is notified (and every
    `poll` seconds when given); AssertionError naming what was awaited, with `describe()`."""
    deadline = time.monotonic() + timeout
    with cond:
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                what = message or getattr(predicate, "__name__", "condition")
                raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{describe()}")
            cond.wait(remaining if poll is None else min(remaining, poll))
