"""Reading the bot's messages as stored by the Slack fake: the outbox key in a message's
metadata, its buttons, its text. Shared by the demo and the tests."""

from __future__ import annotations

from typing import Any


def outbox_key(message: dict[str, Any]) -> str:
    """The outbox key the bot put in the message's metadata ('' for none)."""
    return str(((message.get("metadata") or {}).get("event_payload") or {}).get("key", ""))


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every element of the message's actions blocks, in order."""
    return [
        element
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


def message_text(message: dict[str, Any]) -> str:
    """The notification text and every text of its blocks, one per line."""
    parts = [message.get("text", "")]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)
