"""Small Block Kit helpers shared by the builders."""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.limits import HEADER_TEXT_MAX, MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX


def cut(text: str, limit: int) -> str:
    """`text` within Slack's `limit`, an ellipsis marking what was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=cut(text, HEADER_TEXT_MAX), emoji=True))


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def chunked_sections(lines: Iterable[str], *, limit: int = SECTION_TEXT_MAX) -> list[SectionBlock]:
    """Lines packed into as few sections as fit Slack's 3 000-character limit; a single
    line longer than that is cut, never dropped silently without a mark."""
    blocks: list[SectionBlock] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = cut(line, limit)
        if current and size + 1 + len(line) > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def cap_blocks(blocks: list[Block], *, limit: int = MESSAGE_BLOCKS_MAX, more: str) -> list[Block]:
    """At most `limit` blocks; the last one then says that there is more."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], context(more)]


def to_dicts(blocks: Iterable[Block]) -> list[dict[str, object]]:
    """The send boundary: validated dicts (slack_sdk raises on broken blocks)."""
    return [block.to_dict() for block in blocks]
