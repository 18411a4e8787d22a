"""The lead's App Home, refreshed by the outbox after a submission or review (kind
`home_refresh`): a views.publish, no post."""

from __future__ import annotations

import logging

from bot.app_home import publish_home
from bot.context import BotContext
from bot.slack_io import SlackIO, call
from store.errors import SendRejected
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import HomeRefreshPayload

log = logging.getLogger(__name__)


def refresh_home(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: HomeRefreshPayload,
    progress: Progress,
) -> str | None:
    """views.publish is idempotent, so a retry publishes again; a user Slack does not
    know (gone from the workspace) has no Home tab to refresh."""
    progress.still_mine()
    try:
        call(publish_home, client=slack.client, ctx=ctx, user_id=message.channel)
    except SendRejected as err:
        log.warning("App Home of %s not refreshed: %s", message.channel, err.params)
        return None
    return ""
