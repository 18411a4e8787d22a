"""Block Kit for the board's year: `/finsam styrelse` and its CLI twin `finsam-bot cycle show`.
One section per event: its heading, its items, each step's state (✅ done, ⏳ open, ⚠️ late)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block, DividerBlock

from bot.blocks.common import cap_blocks, chunked_sections, context, header, section
from workflows.board_cycle import EventView, Overview, local_day
from workflows.texts import Texts


def event_lines(event: EventView, texts: Texts, *, tz: ZoneInfo) -> list[str]:
    lines = [
        texts.get(
            "board",
            "event_heading",
            kind=event.kind.value,
            title=event.title,
            on=event.on,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            place=event.place,
        )
    ]
    lines += [texts.get("board", "item_line", item=item) for item in event.items]
    lines += [
        texts.get(
            "board",
            "step_line",
            state=step.state,
            title=step.title,
            due=step.due,
            done_by=step.done_by,
            done_on=local_day(step.done_at, tz),
            remind=step.remind,
        )
        for step in event.steps
    ]
    return lines


def build_board_blocks(
    overview: Overview, texts: Texts, *, tz: ZoneInfo, command: str = "/finsam"
) -> list[Block]:
    blocks: list[Block] = [header(texts.get("board", "overview_title"))]
    if not overview.upcoming and not overview.earlier:
        return [*blocks, section(texts.get("board", "nothing_ahead", today=overview.today))]
    if overview.earlier:
        blocks.append(section(texts.get("board", "earlier_heading")))
        for event in overview.earlier:
            blocks += chunked_sections(event_lines(event, texts, tz=tz))
        blocks.append(DividerBlock())
    for event in overview.upcoming:
        blocks += chunked_sections(event_lines(event, texts, tz=tz))
    blocks.append(context(texts.get("board", "calendar_hint", command=command)))
    return cap_blocks(blocks, more=texts.get("board", "more_events", command=command))
