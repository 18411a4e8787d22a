"""The supervisor with real short-lived children (issue #10, §6): a stop never signals a
child that has already been reaped. The watcher thread and `stop()` both wait for a child's
end; before the fix `stop()`'s join could lose the reaping to the watcher, take the child
for alive and SIGKILL its (reaped, reusable) PID a fraction of a second after SIGTERM."""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.supervision import Supervised

STOPS = 12


def stop_in_order_on_sigterm(ready: str) -> None:
    """A child that, like serve's, takes a moment to stop in order on SIGTERM, then exits 0;
    it creates `ready` once its handler is in place."""

    def on_sigterm(_signum: int, _frame: object) -> None:
        time.sleep(0.3)
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    Path(ready).touch()
    time.sleep(120)


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)


def exit_at_once() -> None:
    """A child that ends by itself right after it starts."""


def test_twelve_stops_send_one_sigterm_each_and_never_a_kill(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, logger="bot.supervision")
    for number in range(STOPS):
        ready = tmp_path / f"ready-{number}"
        child = Supervised("sleeper", stop_in_order_on_sigterm, (str(ready),))
        child.start()
        wait_for(ready)
        pid = child.pid
        assert pid is not None
        child.stop()
        assert child.signals == [(pid, signal.SIGTERM)]
        assert child.exitcode == 0
    assert "killed it" not in caplog.text and "killing it" not in caplog.text


def test_a_child_that_ended_by_itself_is_not_signalled() -> None:
    child = Supervised("short", exit_at_once, ())
    child.start()
    first = child.pid
    deadline = time.monotonic() + 60
    while child.exitcode is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert child.exitcode == 0
    # The watcher may have started it again meanwhile: only that one may be signalled.
    child.stop()
    assert all(pid != first for pid, _ in child.signals)
