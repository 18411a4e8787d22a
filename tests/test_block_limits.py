"""Slack's Block Kit limits at their edges: long answers are split, never refused by Slack."""

from __future__ import annotations

from bot.blocks.common import cap_blocks, chunked_sections, section, to_dicts
from bot.blocks.limits import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from bot.simulator.fake_slack import validate_blocks


def test_lines_fill_sections_up_to_the_limit_and_no_further() -> None:
    line = "x" * 999
    blocks = to_dicts(chunked_sections([line] * 6))
    texts = [b["text"]["text"] for b in blocks]  # type: ignore[index]
    assert [len(t) for t in texts] == [3 * 999 + 2, 3 * 999 + 2]
    assert all(len(t) <= SECTION_TEXT_MAX for t in texts)
    assert validate_blocks(blocks) == []


def test_a_line_longer_than_a_section_is_cut_with_a_mark() -> None:
    [block] = to_dicts(chunked_sections(["y" * (SECTION_TEXT_MAX + 10)]))
    text = block["text"]["text"]  # type: ignore[index]
    assert (len(text), text[-1]) == (SECTION_TEXT_MAX, "…")


def test_at_most_fifty_blocks_the_last_saying_there_is_more() -> None:
    exactly = [section(str(i)) for i in range(MESSAGE_BLOCKS_MAX)]
    assert cap_blocks(exactly, more="fler") == exactly
    capped = to_dicts(cap_blocks([*exactly, section("51")], more="fler"))
    assert len(capped) == MESSAGE_BLOCKS_MAX
    assert capped[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "fler"}]}
    assert validate_blocks(capped) == []
