"""`finsam-bot serve` (the processes answering Slack and the worker sending) and the one-shot
jobs."""

from __future__ import annotations

import logging
import os
import signal
import socket
import tempfile
from datetime import datetime
from pathlib import Path
from types import FrameType

from slack_bolt import App

from bot.app import build_context, create_app
from bot.jobs import BotJobs
from bot.logging_setup import configure_logging
from bot.sender import SlackSender
from bot.server import HttpServer, listening_socket, make_wsgi_app, run_socket_mode
from bot.settings import Settings
from bot.supervision import Supervised, as_child
from bot.worker import Ring, run_worker
from store.db import Engine, ensure_schema, open_engine
from store.errors import BadArgument
from workflows.clock import Clock, SimulatedClock, SystemClock
from workflows.outbox import DispatchReport

log = logging.getLogger(__name__)


def serve(cfg: Settings) -> None:
    """Answer Slack in this process and FINSAM_WEB_PROCESSES − 1 more on one listening
    socket; schedule and send in a worker process (bot/worker.py). Python runs one thread at
    a time per process, so answering processes are what lets a burst of forms use every
    core."""
    engine = open_engine(cfg.database_url)
    ensure_schema(engine)
    clock: Clock = (
        SystemClock()
        if cfg.finsam_simulated_start is None
        else SimulatedClock(cfg.finsam_simulated_start)
    )
    with tempfile.TemporaryDirectory(prefix="finsam-bot-") as run_dir:
        bell = str(Path(run_dir) / "bell")
        app = _answering_app(cfg, engine, clock, bell)
        children = [Supervised("worker", run_worker, (cfg, clock, bell, os.getpid()))]
        try:
            if cfg.slack_app_token is not None and cfg.slack_app_token.get_secret_value():
                log.info("finsam-bot: Socket Mode")
                children[0].start()
                run_socket_mode(app, cfg.slack_app_token.get_secret_value(), on_stop=lambda: None)
                return
            sock = listening_socket(cfg.host, cfg.port)
            children += [
                Supervised(f"web-{number}", run_web, (cfg, clock, sock, bell, os.getpid()))
                for number in range(2, cfg.finsam_web_processes + 1)
            ]
            for child in children:
                child.start()
            server = _http_server(cfg, app, engine, sock)
            _stop_on_signals(server)
            log.info("finsam-bot: listening on %s/slack/events", server.url)
            server.serve_forever()
        finally:
            for child in reversed(children):  # the answering ones first, the worker last
                child.stop()
            engine.dispose()


def run_web(cfg: Settings, clock: Clock, sock: socket.socket, bell: str, parent_pid: int) -> None:
    """One more process answering Slack on the shared socket, until SIGTERM."""
    as_child(parent_pid)
    configure_logging(cfg.log_level, cfg.secrets())
    engine = open_engine(cfg.database_url)
    server = _http_server(cfg, _answering_app(cfg, engine, clock, bell), engine, sock)
    _stop_on_signals(server, interrupt=False)
    try:
        server.serve_forever()
    finally:
        engine.dispose()


def _answering_app(cfg: Settings, engine: Engine, clock: Clock, bell: str) -> App:
    """The Bolt app of a process that answers Slack; it rings the worker's bell."""
    ctx = build_context(cfg, engine=engine, clock=clock)
    ctx.outbox_bell.connect(Ring(bell))
    return create_app(cfg, engine=engine, ctx=ctx)


def _http_server(cfg: Settings, app: App, engine: Engine, sock: socket.socket) -> HttpServer:
    return HttpServer(
        make_wsgi_app(app, engine=engine, signing_secret=cfg.require_slack()[1]),
        sockets=[sock],
        threads=cfg.finsam_server_threads,
    )


def _stop_on_signals(server: HttpServer, *, interrupt: bool = True) -> None:
    """SIGTERM (and Ctrl-C, in `serve` itself) closes the server: waitress answers what it
    has, then stops. A child leaves Ctrl-C to `serve`, which stops it with SIGTERM."""

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("finsam-bot: stopping (signal %d)", signum)
        server.close()

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
        ctx = build_context(cfg, engine=engine, clock=clock)
        sender = SlackSender(create_app(cfg, engine=engine, ctx=ctx).client, ctx)
        return BotJobs(cfg, engine=engine, sender=sender, clock=clock).run_reminders(now=at)
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
        ctx = build_context(cfg, engine=engine, clock=clock)
        sender = SlackSender(create_app(cfg, engine=engine, ctx=ctx).client, ctx)
        jobs = BotJobs(cfg, engine=engine, sender=sender, clock=clock)
        return jobs.run_budget_summary(strict=True, now=month_of)
    finally:
        engine.dispose()
