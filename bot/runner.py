"""`finsam-bot serve` (the answering process and its worker) and the one-shot jobs."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

from bot.app import build_context, create_app
from bot.jobs import BotJobs
from bot.sender import SlackSender
from bot.server import HttpServer, make_wsgi_app, run_socket_mode
from bot.settings import Settings
from bot.worker import WorkerProcess
from store.db import ensure_schema, open_engine
from store.errors import BadArgument
from workflows.clock import Clock, SimulatedClock, SystemClock
from workflows.outbox import DispatchReport

log = logging.getLogger(__name__)


def serve(cfg: Settings) -> None:
    """Answer Slack in this process; schedule and send in a worker process (bot/worker.py)."""
    engine = open_engine(cfg.database_url)
    ensure_schema(engine)
    clock: Clock = (
        SystemClock()
        if cfg.finsam_simulated_start is None
        else SimulatedClock(cfg.finsam_simulated_start)
    )
    ctx = build_context(cfg, engine=engine, clock=clock)
    app = create_app(cfg, engine=engine, ctx=ctx)
    worker = WorkerProcess(cfg, clock=clock)
    worker.start()
    ctx.outbox_bell.connect(worker.ring)
    stopped = threading.Event()

    def stop(*_: object) -> None:
        if not stopped.is_set():
            stopped.set()
            worker.stop()
            engine.dispose()

    if cfg.slack_app_token is not None and cfg.slack_app_token.get_secret_value():
        log.info("finsam-bot: Socket Mode")
        run_socket_mode(app, cfg.slack_app_token.get_secret_value(), on_stop=stop)
        return
    server = HttpServer(
        make_wsgi_app(app, engine=engine),
        host=cfg.host,
        port=cfg.port,
        threads=cfg.finsam_server_threads,
    )

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("finsam-bot: stopping (signal %d)", signum)
        server.close()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("finsam-bot: listening on %s/slack/events", server.url)
    try:
        server.serve_forever()
    finally:
        stop()


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
