"""The shape every message builder returns."""

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
