"""The Bolt app factory. Nothing happens at import time: `create_app` builds everything from
the settings it is given."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.context import BotContext, build_context
from bot.listeners import (
    applications,
    board_steps,
    commands,
    grants,
    home,
    imports,
    quarterly,
    reports,
)
from bot.listeners.errors import ErrorEdge
from bot.logging_setup import install_redaction
from bot.settings import Settings
from bot.slack_client import make_client
from bot.verification import StrictRequestVerification
from store.db import Engine
from workflows.clock import Clock, SystemClock

log = logging.getLogger(__name__)


class _SkipTokenFromEnvNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client wins; it should."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


def create_app(
    settings: Settings,
    *,
    engine: Engine,
    client: WebClient | None = None,
    clock: Clock | None = None,
    ctx: BotContext | None = None,
) -> App:
    """The Bolt app; pass `ctx` to share its caches with the scheduled jobs' sender."""
    token, signing_secret = settings.require_slack()
    install_redaction(settings.secrets())
    client = client or make_client(
        token=token, base_url=settings.slack_api_url, timeout=settings.slack_timeout_seconds
    )
    app = App(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=False,
        before_authorize=StrictRequestVerification(signing_secret),
        token_verification_enabled=False,
        logger=_bolt_logger(),
        # Ack on the request thread; the work runs after it on a small pool. With Bolt's
        # default (the whole listener on its pool, the request thread polling for ack())
        # an ack waits behind earlier commands' work under load (benchmarks/README.md).
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(
            max_workers=settings.finsam_work_threads, thread_name_prefix="finsam-work"
        ),
    )
    ctx = ctx or build_context(settings, engine=engine, clock=clock or SystemClock())
    app.error(ErrorEdge(ctx).unhandled)  # what fails outside the listeners' edge
    commands.register(app, ctx)
    home.register(app, ctx)
    reports.register(app, ctx)
    grants.register(app, ctx)
    imports.register(app, ctx)
    applications.register(app, ctx)
    board_steps.register(app, ctx)
    quarterly.register(app, ctx)
    return app


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt")
    if not any(isinstance(f, _SkipTokenFromEnvNotice) for f in logger.filters):
        logger.addFilter(_SkipTokenFromEnvNotice())
    return logger
