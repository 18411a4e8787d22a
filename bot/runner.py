"""`finsam-bot serve` (the processes answering Slack and the worker sending) and the one-shot
jobs."""

from __future__ import annotations

import logging
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from multiprocessing import get_context
from multiprocessing.synchronize import Event
from pathlib import Path
from types import FrameType

from slack_bolt import App

from bot.composition import compose
from bot.heartbeat import Heartbeat
from bot.lazy import close_hand_off, run_lazy
from bot.lazy import listening_socket as lazy_socket
from bot.logging_setup import configure_logging
from bot.server import HttpServer, listening_socket, make_wsgi_app
from bot.settings import Settings
from bot.slack_client import make_client
from bot.socket_mode import SocketMode, SocketSlot, SocketStates, health_app
from bot.supervision import Supervised, as_child
from bot.worker import Ring, run_worker
from store.db import Engine, ensure_schema, open_engine
from store.errors import BadArgument, ConfigError, SlackUnreachable
from workflows.clock import Clock, SimulatedClock, SystemClock
from workflows.outbox import DispatchReport

log = logging.getLogger(__name__)
EX_CONFIG, EX_TEMPFAIL = 78, 75  # sysexits.h, as the CLI's exit codes


def serve(cfg: Settings) -> None:
    """Answer Slack in this process and FINSAM_WEB_PROCESSES − 1 more on one listening
    socket; run the work after each ack in FINSAM_LAZY_PROCESSES lazy processes
    (bot/lazy.py); schedule and send in a worker process (bot/worker.py). Python runs one
    thread at a time per process, so answering processes are what lets a burst of forms use
    every core, and the lazy ones keep the answers' work from holding up the acks."""
    engine = open_engine(cfg.database_url)
    ensure_schema(engine)
    clock: Clock = (
        SystemClock()
        if cfg.finsam_simulated_start is None
        else SimulatedClock(cfg.finsam_simulated_start)
    )
    with tempfile.TemporaryDirectory(prefix="finsam-bot-") as run_dir:
        bell = str(Path(run_dir) / "bell")
        spawn = get_context("spawn")
        heartbeat = Heartbeat(spawn)  # the worker's, read by /healthz
        children = [Supervised("worker", run_worker, (cfg, clock, bell, os.getpid(), heartbeat))]
        named = spawn.Event()  # set by a lazy process as it starts, once it has its name
        ready = spawn.Event()  # and once it takes work
        lazy = _lazy_children(cfg, clock, bell, run_dir, named, ready)
        children += lazy
        lazy_address = str(Path(run_dir) / LAZY) if lazy else None
        app: App | None = None
        try:
            if cfg.socket_mode:
                app = _answering_app(cfg, engine, clock, bell, lazy_address)
                _serve_socket_mode(
                    cfg, app, engine, clock, bell, children, heartbeat, (named, ready), lazy_address
                )
                return
            cfg.require_slack()  # a missing setting ends the start before any child runs
            for child in children:  # the worker and the lazy ones, as this one composes
                child.start()
            app = _answering_app(cfg, engine, clock, bell, lazy_address)
            _wait_lazy(named, lazy, "named")
            sock = listening_socket(cfg.host, cfg.port)
            web = [
                Supervised(
                    f"web-{number}",
                    run_web,
                    (cfg, clock, sock, bell, os.getpid(), heartbeat, lazy_address),
                )
                for number in range(2, cfg.finsam_web_processes + 1)
            ]
            children += web
            for child in web:
                child.start()
            server = _http_server(cfg, app, engine, sock, heartbeat=heartbeat)
            _stop_on_signals(server.close, on_stop=lambda: _stop_restarting(children))
            _wait_lazy(ready, lazy, "ready")
            log.info("finsam-bot: listening on %s/slack/events", server.url)
            server.serve_forever()
        finally:
            if app is not None:
                close_hand_off(app)  # what it handed on is done before the lazy ones stop
            for child in reversed(children):  # answering ones first, then lazy, the worker last
                child.stop()
            engine.dispose()


LAZY = "lazy"  # the lazy processes' socket in serve's run directory
LAZY_START_SECONDS = 30.0


def _lazy_children(
    cfg: Settings, clock: Clock, bell: str, run_dir: str, named: Event, ready: Event
) -> list[Supervised]:
    """The lazy processes, on a socket `serve` binds (so it outlives each of them: what is
    handed on waits in it while one is started again)."""
    if cfg.finsam_lazy_processes == 0:
        return []
    listening = lazy_socket(str(Path(run_dir) / LAZY))
    return [
        Supervised(
            f"lazy-{number}", run_lazy, (cfg, clock, listening, bell, os.getpid(), named, ready)
        )
        for number in range(1, cfg.finsam_lazy_processes + 1)
    ]


def _wait_lazy(event: Event, lazy: list[Supervised], what: str) -> None:
    """`named`: the answering children start once a lazy process has its name (ps,
    /proc/<pid>/comm), so every child there is when `serve` answers can be told apart.
    `ready`: `serve` answers once one takes work, so a healthy `serve` answers fully (a
    hand-off before would wait in the socket until then)."""
    if lazy and not event.wait(LAZY_START_SECONDS):
        log.warning("finsam-bot: no lazy process %s after %.0f s", what, LAZY_START_SECONDS)


def _stop_restarting(children: list[Supervised]) -> None:
    for child in children:
        child.stop_restarting()


def run_web(
    cfg: Settings,
    clock: Clock,
    sock: socket.socket,
    bell: str,
    parent_pid: int,
    heartbeat: Heartbeat | None = None,
    lazy_address: str | None = None,
) -> None:
    """One more process answering Slack on the shared socket, until SIGTERM."""
    as_child(parent_pid)
    configure_logging(cfg.log_level, cfg.secrets(), cfg.log_format)
    engine = open_engine(cfg.database_url)
    app = _answering_app(cfg, engine, clock, bell, lazy_address)
    server = _http_server(cfg, app, engine, sock, heartbeat=heartbeat)
    _stop_on_signals(server.close, interrupt=False)
    log.info("finsam-bot: answering (pid %d)", os.getpid())
    try:
        server.serve_forever()
    finally:
        close_hand_off(app)
        engine.dispose()


def _serve_socket_mode(
    cfg: Settings,
    app: App,
    engine: Engine,
    clock: Clock,
    bell: str,
    children: list[Supervised],
    heartbeat: Heartbeat,
    lazy_started: tuple[Event, Event],
    lazy_address: str | None = None,
) -> None:
    """Socket Mode: a connection of its own in this process and in each of the
    FINSAM_WEB_PROCESSES − 1 children (Slack delivers to any of them), /healthz on $PORT.
    A refused app token or an unreachable Slack ends the start (exit 78 / 75) before any
    child runs; `serve`'s caller stops the children after this returns."""
    states = SocketStates(cfg.finsam_web_processes)
    connection = _socket_mode(cfg, app, states.slot(0))
    _stop_on_signals(connection.stop, on_stop=lambda: _stop_restarting(children))
    connection.start()
    lazy = [child for child in children if child.name.startswith("lazy-")]
    for child in lazy:
        child.start()
    named, ready = lazy_started
    _wait_lazy(named, lazy, "named")
    children += [
        Supervised(
            f"web-{number}",
            run_socket_web,
            (cfg, clock, bell, os.getpid(), states, number, lazy_address),
        )
        for number in range(2, cfg.finsam_web_processes + 1)
    ]
    for child in children:
        if child not in lazy:
            child.start()
    _wait_lazy(ready, lazy, "ready")
    health = HttpServer(
        health_app(engine, states, heartbeat=heartbeat), host=cfg.host, port=cfg.port, threads=2
    )
    threading.Thread(target=health.serve_forever, name="healthz", daemon=True).start()
    log.info("finsam-bot: Socket Mode; /healthz on %s", health.url)
    try:
        connection.run()
    finally:
        health.close()


def run_socket_web(
    cfg: Settings,
    clock: Clock,
    bell: str,
    parent_pid: int,
    states: SocketStates,
    number: int,
    lazy_address: str | None = None,
) -> None:
    """One more process answering Slack by a Socket Mode connection of its own, until
    SIGTERM; a refused token or an unreachable Slack ends it (the supervisor starts it again)."""
    as_child(parent_pid)
    configure_logging(cfg.log_level, cfg.secrets(), cfg.log_format)
    engine = open_engine(cfg.database_url)
    app = _answering_app(cfg, engine, clock, bell, lazy_address)
    connection = _socket_mode(cfg, app, states.slot(number - 1))
    _stop_on_signals(connection.stop, interrupt=False)
    try:
        connection.start()
        connection.run()
    except (ConfigError, SlackUnreachable) as err:
        log.error("finsam-bot: web-%d: %s %s", number, err.code, err.params.get("error", ""))
        raise SystemExit(EX_CONFIG if isinstance(err, ConfigError) else EX_TEMPFAIL) from None
    finally:
        close_hand_off(app)
        engine.dispose()


def _socket_mode(cfg: Settings, app: App, slot: SocketSlot) -> SocketMode:
    token = cfg.require_app_token()
    client = make_client(token=token, base_url=cfg.slack_api_url, timeout=cfg.slack_timeout_seconds)
    return SocketMode(app, token, client=client, threads=cfg.finsam_server_threads, slot=slot)


def _answering_app(
    cfg: Settings, engine: Engine, clock: Clock, bell: str, lazy_address: str | None
) -> App:
    """The Bolt app of a process that answers Slack; it rings the worker's bell and hands
    its lazy listeners to the lazy processes at `lazy_address` (None: runs them itself)."""
    app = compose(cfg, engine=engine, clock=clock, ring=Ring(bell), lazy_address=lazy_address).app
    assert app is not None
    return app


def _http_server(
    cfg: Settings,
    app: App,
    engine: Engine,
    sock: socket.socket,
    *,
    heartbeat: Heartbeat | None = None,
) -> HttpServer:
    return HttpServer(
        make_wsgi_app(
            app, engine=engine, signing_secret=cfg.require_slack()[1], heartbeat=heartbeat
        ),
        sockets=[sock],
        threads=cfg.finsam_server_threads,
    )


def _stop_on_signals(
    close: Callable[[], None], *, interrupt: bool = True, on_stop: Callable[[], None] | None = None
) -> None:
    """SIGTERM (and Ctrl-C, in `serve` itself) calls `close`: the HTTP server answers what it
    has, then stops; a Socket Mode connection drains (what is in flight is answered and
    acked), then closes. A child leaves Ctrl-C to `serve`, which stops it with SIGTERM. A child
    may get SIGTERM twice (systemd's KillMode=control-group signals every process, then
    `serve` stops its children): after the first, SIGTERM is ignored at the system's level
    (Python puts the default action back for its own handlers while the interpreter shuts
    down, when a late SIGTERM would still end the process by the signal), and a second
    Ctrl-C is only noted, so the orderly stop under way goes on."""
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stopping.is_set():
            log.info("finsam-bot: still stopping (signal %d)", signum)
            return
        stopping.set()
        log.info("finsam-bot: stopping (signal %d)", signum)
        if on_stop is not None:
            on_stop()
        close()

    signal.signal(signal.SIGTERM, on_signal)
    if interrupt:
        signal.signal(signal.SIGINT, on_signal)


def parse_now(text: str | None, cfg: Settings) -> datetime:
    """`--now`: an ISO time; without an offset it is local time in the association's zone."""
    if text is None:
        return SystemClock().now()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as err:
        raise BadArgument("bad_time", value=text) from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=cfg.tz)


def run_reminders_once(cfg: Settings, *, now: str | None = None) -> DispatchReport:
    """Plan the reminders due at `now` and dispatch what is due, then return (cron
    deployments, catching up, tests). As for the summary, leases run on the real clock."""
    at = parse_now(now, cfg)
    engine = open_engine(cfg.database_url)
    try:
        ensure_schema(engine)
        clock = SystemClock()
        jobs = compose(cfg, engine=engine, clock=clock, answering=False).jobs
        return jobs.run_reminders(now=at)
    finally:
        engine.dispose()


def post_summary_once(cfg: Settings, *, now: str | None = None) -> DispatchReport:
    """Plan the summary of the month of `now` and dispatch what is due, then return (cron
    deployments). `--now` only picks the month: leases run on the real clock, so a running
    `serve` never sees a lease that was already out of date when it was taken."""
    month_of = parse_now(now, cfg)
    engine = open_engine(cfg.database_url)
    try:
        ensure_schema(engine)
        clock = SystemClock()
        jobs = compose(cfg, engine=engine, clock=clock, answering=False).jobs
        return jobs.run_budget_summary(strict=True, now=month_of)
    finally:
        engine.dispose()
