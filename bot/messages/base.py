"""The shapes of the outbox's message kinds: a builder returns what one post says
(`Rendered`), a kind's `send` does the whole row on the Slack primitive (bot/slack_io.py).
Both get the row's payload parsed into its kind's dataclass (workflows/outbox_kinds.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.context import BotContext
from bot.slack_io import Rendered, SlackIO
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import Payload

P = TypeVar("P", bound=Payload)

# Builds one post of a row, or None when the message is no longer wanted.
MessageBuilder = Callable[[BotContext, Outgoing, P], Rendered | None]
# Sends one row: returns the ts of its post ("" when it posts nothing, e.g. an update), or
# None when the message is no longer wanted (the row is then cancelled).
SendRow = Callable[[SlackIO, BotContext, Outgoing, P, Progress], str | None]


@dataclass(frozen=True)
class Kind(Generic[P]):
    """One kind of outgoing message: its payload (which names it), how a row is sent,
    whether it posts (a kind that only updates or publishes has nothing to look for in the
    history), and what it updates."""

    payload: type[P]
    send: SendRow[P]
    posts: bool = True
    updates: str = ""  # what the kind rewrites in Slack, if anything

    @property
    def name(self) -> str:
        return self.payload.KIND

    def send_row(
        self, slack: SlackIO, ctx: BotContext, message: Outgoing, progress: Progress
    ) -> str | None:
        """Send `message`, its data parsed once into the kind's payload."""
        return self.send(slack, ctx, message, self.payload.from_data(message.data), progress)


def kind(payload: type[P], send: SendRow[P], *, posts: bool = True, updates: str = "") -> Kind[Any]:
    """A registry entry, checked: `send` takes the payload the kind carries."""
    return Kind(payload, send, posts=posts, updates=updates)


def posting(build: MessageBuilder[P]) -> SendRow[P]:
    """The send of a kind that is one post built by `build`."""

    def send(
        slack: SlackIO, ctx: BotContext, message: Outgoing, payload: P, progress: Progress
    ) -> str | None:
        return slack.post_once(
            message, progress=progress, render=lambda: build(ctx, message, payload)
        )

    return send


__all__ = ["Kind", "MessageBuilder", "Rendered", "SendRow", "kind", "posting"]
