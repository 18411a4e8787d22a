"""The background half of `serve`: the scheduler and the outbox in a process of their own.

Slack waits at most 3 s for the answer to a form, and the bot stores a form before it
answers (DESIGN.md "Forms"). In one Python process the sending of a fan-out, the
confirmations and the App Home refreshes hold the same interpreter lock as the answers, and
50 forms at once waited up to 3 s (benchmarks/README.md, `bench_forms.py`). So `serve` runs
the answers in its own process and everything scheduled or sent in a worker process started
from it, at a lower CPU priority (`FINSAM_WORKER_NICE`): when both want the CPU, the people
waiting come first.

The two share nothing but the database and a pipe: the web process rings the worker through
it after a submission, so the confirmation goes at once rather than at the next tick. The
worker ends when the pipe does (its parent is gone, even by SIGKILL), and the parent starts
it again if it dies. Correctness never rests on there being one worker: outbox rows have keys
and leases (DESIGN.md "Outgoing messages are data")."""

from __future__ import annotations

import logging
import os
import signal
import threading
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType

from bot.app import build_context, create_app
from bot.jobs import OUTBOX_JOB, OUTBOX_TICK_SECONDS, BotJobs
from bot.logging_setup import configure_logging
from bot.sender import SlackSender
from bot.settings import Settings
from store.db import open_engine
from workflows.clock import Clock
from workflows.schedule import build_scheduler

log = logging.getLogger(__name__)
RESTART_DELAYS = (1.0, 5.0, 30.0)  # after the worker died: the first, second, later restarts
STOP_TIMEOUT = 10.0  # seconds a worker has after SIGTERM before it is killed
RING = b"!"


class WorkerProcess:
    """The worker as the web process sees it: start, ring, restart when it dies, stop."""

    def __init__(self, cfg: Settings, *, clock: Clock) -> None:
        self._cfg = cfg
        self._clock = clock
        self._context = get_context("spawn")  # no fork of a process that already has threads
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: BaseProcess | None = None
        self._bell: Connection | None = None
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self._watcher.start()

    def ring(self) -> None:
        """Wake the worker's outbox now. A worker being restarted misses nothing: it sends
        everything due when it starts."""
        with self._lock:
            bell = self._bell
            if bell is None:
                return
            try:
                bell.send_bytes(RING)
            except OSError:
                log.debug("worker bell: the worker is not there; it catches up when back")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT: a row it was sending comes back when its
        lease runs out."""
        self._stopping.set()
        with self._lock:
            process, bell = self._process, self._bell
            self._bell = None
        if process is not None and process.is_alive():
            process.terminate()
            process.join(STOP_TIMEOUT)
            if process.is_alive():
                log.warning("worker did not stop in %.0f s; killing it", STOP_TIMEOUT)
                process.kill()
                process.join()
        if bell is not None:
            bell.close()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _spawn(self) -> None:
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=run_worker,
            args=(self._cfg, self._clock, receive),
            name="finsam-worker",
            daemon=False,
        )
        process.start()
        receive.close()  # the worker's end: the pipe ends for it when this process ends
        with self._lock:
            old, self._process, self._bell = self._bell, process, send
        if old is not None:
            old.close()
        log.info("finsam-bot: worker started (pid %s)", process.pid)

    def _watch(self) -> None:
        restarts = 0
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            process.join()
            if self._stopping.is_set():
                return
            delay = RESTART_DELAYS[min(restarts, len(RESTART_DELAYS) - 1)]
            log.error(
                "finsam-bot: the worker ended (exit code %s); starting it again in %.0f s",
                process.exitcode,
                delay,
            )
            if self._stopping.wait(delay):
                return
            restarts += 1
            self._spawn()


def run_worker(cfg: Settings, clock: Clock, bell: Connection) -> None:
    """The worker process's main: catch up, then send whenever rung or every tick, and run
    the scheduled jobs, until SIGTERM or until the web process is gone."""
    configure_logging(cfg.log_level, cfg.secrets())
    _lower_priority(cfg.finsam_worker_nice)
    engine = open_engine(cfg.database_url)
    ctx = build_context(cfg, engine=engine, clock=clock)
    sender = SlackSender(create_app(cfg, engine=engine, ctx=ctx).client, ctx)
    jobs = BotJobs(cfg, engine=engine, sender=sender, clock=clock)
    scheduler = build_scheduler([job for job in jobs.jobs() if job.id != OUTBOX_JOB], tz=cfg.tz)
    rung = threading.Event()
    threading.Thread(target=_listen, args=(bell, rung), name="worker-bell", daemon=True).start()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    try:
        jobs.catch_up()
        scheduler.start()
        while True:
            rung.wait(OUTBOX_TICK_SECONDS)
            rung.clear()
            jobs.run_outbox()
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()


def _listen(bell: Connection, rung: threading.Event) -> None:
    """Turn rings into `rung`; when the pipe ends, the web process is gone: so is the worker
    (at once, as if killed with it; its rows' leases run out)."""
    try:
        while True:
            bell.recv_bytes()
            rung.set()
    except (EOFError, OSError):
        log.warning("finsam-bot worker: the web process is gone; stopping")
        logging.shutdown()
        os._exit(0)


def _lower_priority(nice: int) -> None:
    if nice > 0 and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:
            log.warning("worker: could not lower its CPU priority by %d", nice)
