"""The App Home tab: published when a user opens it, and again by whoever calls
`publish_home` (e.g. after a submission), so a lead always sees where they stand. Opening it
plans a `home_refresh` row keyed by the event's id, which the worker sends at once (the
bell): Slack's retries of the same event publish nothing more."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.context import BotContext
from bot.listeners.errors import ErrorEdge
from workflows.home import plan_home_opened


def ack_event(ack: Ack) -> None:
    ack()


def register(app: App, ctx: BotContext) -> None:
    def handle_app_home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to publish
        event_id = str(body.get("event_id") or f"ts:{event.get('event_ts', '')}")
        if plan_home_opened(ctx.engine, event["user"], event_id=event_id, now=ctx.clock.now()):
            ctx.outbox_bell.ring()

    # Nobody to tell when the Home tab cannot be built: the edge logs it with its trace.
    opened = ErrorEdge(ctx).quiet(handle_app_home_opened)
    app.event("app_home_opened")(ack=ack_event, lazy=[opened])
