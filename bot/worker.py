"""The background half of `serve`: the scheduler and the outbox in a process of their own.

Slack waits at most 3 s for the answer to a form, and the bot stores a form before it
answers (DESIGN.md "Forms"). In one Python process the sending of a fan-out, the
confirmations and the App Home refreshes hold the same interpreter lock as the answers, and
50 forms at once waited up to 3 s (benchmarks/README.md, `bench_forms.py`). So `serve`
answers in processes of its own and schedules and sends in this one, at a lower CPU priority
(`FINSAM_WORKER_NICE`): when both want the CPU, the people waiting come first.

They share the database and a bell: a Unix datagram socket the worker listens on. A process
that planned something to send at once (a submission's confirmation) rings it, so it goes
now rather than at the next tick; a ring that finds no worker is harmless, because a worker
sends everything due when it starts. Correctness never rests on there being one worker:
outbox rows have keys and leases (DESIGN.md "Outgoing messages are data")."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from contextlib import suppress
from pathlib import Path
from types import FrameType

from bot.composition import compose
from bot.heartbeat import Heartbeat
from bot.jobs import OUTBOX_JOB, OUTBOX_TICK_SECONDS
from bot.logging_setup import configure_logging
from bot.settings import Settings
from bot.supervision import as_child
from store.db import open_engine
from workflows.clock import Clock
from workflows.outbox import DispatchReport
from workflows.schedule import build_scheduler

log = logging.getLogger(__name__)
RING = b"!"
MIN_ROUND_SECONDS = 0.5  # a round never follows the last sooner: rows just planned can wait


class Ring:
    """Rings the worker's bell from any process; never blocks, never fails."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def __call__(self) -> None:
        with suppress(OSError):  # no worker (it catches up when back), or rings queued
            self._socket.sendto(RING, self._address)


def listen(address: str) -> threading.Event:
    """Bind the bell at `address`; the event is set whenever it rings."""
    Path(address).unlink(missing_ok=True)  # left by a worker that died
    bell = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    bell.bind(address)
    rung = threading.Event()

    def receive() -> None:
        while True:
            bell.recv(64)
            rung.set()

    threading.Thread(target=receive, name="worker-bell", daemon=True).start()
    return rung


def run_worker(
    cfg: Settings, clock: Clock, bell: str, parent_pid: int, heartbeat: Heartbeat | None = None
) -> None:
    """The worker process: catch up, then send whenever rung or every tick, and run the
    scheduled jobs, until SIGTERM or until the serving process is gone. `heartbeat` is set
    after every tick (for /healthz in the answering processes)."""
    as_child(parent_pid)
    configure_logging(cfg.log_level, cfg.secrets(), cfg.log_format)
    rung = listen(bell)  # first: a ring while catching up is then not missed
    _lower_priority(cfg.finsam_worker_nice)
    engine = open_engine(cfg.database_url)
    jobs = compose(cfg, engine=engine, clock=clock, answering=False).jobs
    scheduler = build_scheduler([job for job in jobs.jobs() if job.id != OUTBOX_JOB], tz=cfg.tz)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        """The first SIGTERM ends the loop (what was being sent comes back when its lease
        runs out). A second one (the process group's, then serve's) must not cut the stop
        short: it is ignored from then on, at the system's level, since Python puts the
        default action back for its own handlers while the interpreter shuts down."""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log.info("worker: stopping (signal %d)", signum)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        jobs.catch_up()
        scheduler.start()
        log.info("worker: running (pid %d)", os.getpid())
        wait = float(OUTBOX_TICK_SECONDS)
        while True:
            if heartbeat is not None:
                heartbeat.beat()
            rung.wait(wait)
            rung.clear()
            wait = next_round_in(jobs.run_outbox())
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        engine.dispose()


def next_round_in(report: DispatchReport) -> float:
    """Seconds until the next round: the tick, or sooner when a row comes due before it (a
    429's Retry-After, a row taken over from a process whose lease ran out)."""
    if report.next_due_in is None:
        return float(OUTBOX_TICK_SECONDS)
    return min(max(report.next_due_in.total_seconds(), MIN_ROUND_SECONDS), OUTBOX_TICK_SECONDS)


def _lower_priority(nice: int) -> None:
    if nice > 0 and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:
            log.warning("worker: could not lower its CPU priority by %d", nice)
