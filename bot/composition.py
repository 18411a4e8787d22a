"""The composition root: the one place that builds the bot's parts from the settings — the
context (database, clock, caches), the Web API client, the outbox's sender, the scheduled
jobs and, for a process that answers Slack, the Bolt app. `serve` and its children, the
one-shot commands (`reminders run`, `summary`) and the tests' harness all start here, so
each part is built one way. The worker and the one-shot commands build no Bolt app: they
only send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.context import BotContext, build_context
from bot.jobs import BotJobs
from bot.logging_setup import install_redaction
from bot.sender import SlackSender
from bot.settings import Settings
from bot.slack_client import make_client
from store.db import Engine
from workflows.clock import Clock
from workflows.pacing import Pacer


@dataclass(frozen=True)
class Bot:
    """The parts of one process. `app` is None in a process that does not answer Slack."""

    ctx: BotContext
    client: WebClient
    sender: SlackSender
    jobs: BotJobs
    app: App | None = None


def compose(
    settings: Settings,
    *,
    engine: Engine,
    clock: Clock,
    answering: bool = True,
    client: WebClient | None = None,
    ring: Callable[[], None] | None = None,
    pacer: Pacer | None = None,
    lazy_address: str | None = None,
) -> Bot:
    """Build a process's parts. `answering`: with the Bolt app (listeners registered on the
    same context, so the jobs' sender shares its caches). `ring`: what the outbox bell
    rings (the worker's socket in `serve`). `client`: the Web API client, else one from the
    settings. `lazy_address`: hand the lazy listeners to `serve`'s lazy processes there
    (bot/lazy.py) instead of running them on this process's work pool. ConfigError when the
    Slack settings are missing."""
    token, _ = settings.require_slack()
    install_redaction(settings.secrets())
    client = client or make_client(
        token=token, base_url=settings.slack_api_url, timeout=settings.slack_timeout_seconds
    )
    ctx = build_context(settings, engine=engine, clock=clock)
    if ring is not None:
        ctx.outbox_bell.connect(ring)
    app = None
    if answering:
        from bot.app import create_app  # the listeners: only where Slack is answered

        app = create_app(settings, engine=engine, client=client, ctx=ctx)
        if lazy_address is not None:
            from bot.lazy import hand_off_lazy_listeners

            hand_off_lazy_listeners(app, lazy_address)
    sender = SlackSender(client, ctx)
    jobs = BotJobs(settings, engine=engine, sender=sender, clock=clock, pacer=pacer)
    return Bot(ctx=ctx, client=client, sender=sender, jobs=jobs, app=app)
