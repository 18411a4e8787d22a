"""The processes `serve` starts beside itself (bot/runner.py): kept alive, stopped in order,
and never outliving it.

Children are started with multiprocessing's *spawn* (a fresh interpreter): forking a process
that already runs threads and holds database connections is unsafe. A child that dies is
started again after 1 s, then 5 s, then every 30 s, so a crash loop does not spin. A child
watches its parent and ends within a second when the parent is gone, even by SIGKILL, so a
killed bot leaves nothing behind that would go on sending."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)
RESTART_DELAYS = (1.0, 5.0, 30.0)  # after a child died: the first, the second, later restarts
STOP_TIMEOUT = 10.0  # seconds a child has after SIGTERM before it is killed
PARENT_CHECK_SECONDS = 1.0
HEALTHY_SECONDS = 300.0  # a child that ran this long before it died is restarted at once again


# Every reaping of a child (join, is_alive, exitcode, and multiprocessing's own clean-up in
# Process.start) and every signal to one happens under this lock, in every Supervised: a
# child is signalled only while it is not reaped, so a signal can never reach its PID
# after the system has reused it.
_REAPING = threading.Lock()


class Supervised:
    """One child process: `target(*args)` in a fresh interpreter, restarted when it dies."""

    def __init__(self, name: str, target: Callable[..., None], args: tuple[Any, ...]) -> None:
        self.name = name
        self._target = target
        self._args = args
        self._context = get_context("spawn")
        self._stopping = threading.Event()
        self._process: BaseProcess | None = None
        self.signals: list[tuple[int, int]] = []  # (pid, signal) sent, for the log and tests

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def exitcode(self) -> int | None:
        """The current child's exit code, None while it runs (asking may reap it)."""
        with _REAPING:
            return None if self._process is None else self._process.exitcode

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._watch, name=f"watch-{self.name}", daemon=True).start()

    def stop_restarting(self) -> None:
        """`serve` is stopping: a child that ends from now on (SIGTERM to the whole process
        group reaches it at the same time) is not started again."""
        self._stopping.set()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; returns when the child has ended. What a
        worker was sending comes back when its lease runs out; a request being answered is
        finished first (waitress drains). A child that has already ended is not signalled:
        the watcher and this both wait for its end, but only under the lock is it reaped."""
        with _REAPING:
            self._stopping.set()
            process = self._process
            if process is None:
                return
            signalled = self._signal(process, signal.SIGTERM)
        if signalled and not wait([process.sentinel], STOP_TIMEOUT):
            with _REAPING:
                if self._signal(process, signal.SIGKILL):
                    log.warning("%s did not stop in %.0f s; killed it", self.name, STOP_TIMEOUT)
        wait([process.sentinel])
        with _REAPING:
            process.join()
        log.info("finsam-bot: %s stopped (exit code %s)", self.name, process.exitcode)

    def _signal(self, process: BaseProcess, signum: int) -> bool:
        """Send `signum` unless the child has ended (asking reaps it); hold _REAPING."""
        if process.pid is None or process.exitcode is not None:
            return False
        os.kill(process.pid, signum)
        self.signals.append((process.pid, signum))
        return True

    def _spawn(self) -> None:
        with _REAPING:
            if self._stopping.is_set():
                return
            process = self._context.Process(
                target=self._target, args=self._args, name=self.name, daemon=False
            )
            process.start()
            self._process = process
        log.info("finsam-bot: %s started (pid %s)", self.name, process.pid)

    def _watch(self) -> None:
        restarts = 0
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            started = time.monotonic()
            wait([process.sentinel])  # readable once it has ended; reaped below, locked
            with _REAPING:
                process.join()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > HEALTHY_SECONDS:
                restarts = 0  # it had been running well: a new failure starts the delays over
            delay = RESTART_DELAYS[min(restarts, len(RESTART_DELAYS) - 1)]
            log.error(
                "finsam-bot: %s ended (exit code %s); starting it again in %.0f s",
                self.name,
                process.exitcode,
                delay,
            )
            if self._stopping.wait(delay):
                return
            restarts += 1
            self._spawn()


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def as_child(parent_pid: int) -> None:
    """Call first in a child: Ctrl-C in a terminal reaches the whole process group, but the
    parent alone decides when children stop (SIGTERM); and end when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Until the child puts its own orderly stop in place, SIGTERM (the process group's, at
    # systemd's stop) ends it cleanly: it has nothing to finish yet.
    signal.signal(signal.SIGTERM, _exit_cleanly)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        log.warning("finsam-bot: the serving process is gone; stopping (pid %s)", os.getpid())
        logging.shutdown()
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
