"""The Slack side of the outbox (`workflows.outbox.Sender`): a row's kind is looked up in the
registry (bot/messages `KINDS`), which sends it on the Slack primitive (bot/slack_io.py).
Every call of a send is announced to the row's lease first (`Progress.before_call`, through
the outbox's client), so none starts on a lease that could run out under it."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.context import BotContext
from bot.messages import KINDS
from bot.slack_client import announcing_calls
from bot.slack_io import SlackIO
from store.errors import SendRejected
from workflows.outbox import Outgoing, Progress


class SlackSender:
    def __init__(self, client: WebClient, ctx: BotContext) -> None:
        self.slack = SlackIO(client, ctx)
        self._ctx = ctx

    def send(self, message: Outgoing, *, progress: Progress) -> str | None:
        with announcing_calls(progress.before_call):
            kind = KINDS.get(message.kind)
            if kind is None:
                raise SendRejected("unknown_kind", kind=message.kind)
            return kind.send_row(self.slack, self._ctx, message, progress)

    def find_sent(self, message: Outgoing) -> str | None:
        kind = KINDS.get(message.kind)
        if kind is not None and not kind.posts:
            return None  # updates and views: repeating them is harmless, there is no post
        return self.slack.find_posted(message)
