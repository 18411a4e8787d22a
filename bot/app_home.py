"""A lead's App Home tab, published from the store: by the listener when the user opens it,
and by the outbox (kind `home_refresh`) after a submission or review, so a lead always sees
where they stand. Not a listener module, so the sender need not import one."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks.home import build_home_view
from bot.context import BotContext
from workflows.home import lead_home


def publish_home(client: WebClient, ctx: BotContext, user_id: str) -> None:
    """Build the user's Home tab from the store and publish it (views.publish)."""
    today = ctx.clock.now().astimezone(ctx.tz).date()
    home = lead_home(ctx.engine, ctx.reporting, user_id, today=today)
    view = build_home_view(home, ctx.texts_for(user_id), tz=ctx.tz)
    client.views_publish(user_id=user_id, view=view.to_dict())
