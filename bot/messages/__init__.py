"""What each kind of outgoing message looks like in Slack: kind → builder.

A builder turns an outbox row (`Outgoing`) into the text and blocks of one post, or None when
the message is no longer wanted (e.g. a reminder for a report that has come in since it was
planned): the row is then cancelled, not sent. Builders read the store through workflows and
render through templates; the sender does the Web API calls, metadata and reconciliation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.context import BotContext
from workflows.outbox import Outgoing


@dataclass(frozen=True)
class Rendered:
    text: str  # the notification text (Slack wants it beside blocks)
    blocks: list[dict[str, Any]]


MessageBuilder = Callable[[BotContext, Outgoing], Rendered | None]

BUILDERS: dict[str, MessageBuilder] = {}
