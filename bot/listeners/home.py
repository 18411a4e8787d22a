"""The App Home tab: published when a user opens it (bot/app_home.py `publish_home`, which the
outbox also calls after a submission), so a lead always sees where they stand."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app_home import publish_home
from bot.context import BotContext


def ack_event(ack: Ack) -> None:
    ack()


def register(app: App, ctx: BotContext) -> None:
    def handle_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to publish
        publish_home(client, ctx, event["user"])

    app.event("app_home_opened")(ack=ack_event, lazy=[handle_app_home_opened])
