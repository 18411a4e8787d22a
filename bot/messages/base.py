"""The shapes of the outbox's message kinds: a builder returns what one post says
(`Rendered`), a kind's `send` does the whole row on the Slack primitive (bot/slack_io.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.context import BotContext
from bot.slack_io import Rendered, SlackIO
from workflows.outbox import Outgoing, Progress

MessageBuilder = Callable[[BotContext, Outgoing], Rendered | None]
# Sends one row: returns the ts of its post ("" when it posts nothing, e.g. an update), or
# None when the message is no longer wanted (the row is then cancelled).
SendRow = Callable[[SlackIO, BotContext, Outgoing, Progress], str | None]


@dataclass(frozen=True)
class Kind:
    """One kind of outgoing message: how it is sent, whether it posts (a kind that only
    updates or publishes has nothing to look for in the history), and what it updates."""

    name: str
    send: SendRow
    posts: bool = True
    updates: str = ""  # what the kind rewrites in Slack, if anything


def posting(build: MessageBuilder) -> SendRow:
    """The send of a kind that is one post built by `build`."""

    def send(slack: SlackIO, ctx: BotContext, message: Outgoing, progress: Progress) -> str | None:
        return slack.post_once(message, progress=progress, render=lambda: build(ctx, message))

    return send


__all__ = ["Kind", "MessageBuilder", "Rendered", "SendRow", "posting"]
