"""Block Kit as plain text: the CLI twin of a Slack answer, and the demo's transcript."""

from __future__ import annotations

import re
from typing import Any

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def plain(text: str) -> str:
    """mrkdwn without bold and entities, spaces plain: for a terminal."""
    text = _BOLD.sub(r"\1", text).replace("\u00a0", " ")
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def blocks_as_text(blocks: list[dict[str, Any]], *, fallback: str = "") -> str:
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines += [block["text"]["text"], ""]
        elif kind == "section":
            lines += [plain(block["text"]["text"]), ""]
        elif kind == "context":
            lines += [plain(" ".join(e.get("text", "") for e in block["elements"])), ""]
        elif kind == "divider":
            lines.append("─" * 40)
    return "\n".join(lines).strip() or fallback
