"""Slack's Block Kit limits at their edges: long answers are split, never refused by Slack."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.blocks.common import cap_blocks, chunked_sections, section, to_dicts
from bot.blocks.limits import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX
from simulator.fake_slack import validate_blocks


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


ROOT = Path(__file__).resolve().parents[1]
SLACK_NUMBERS = {24, 50, 75, 100, 150, 2000, 3000}  # workflows/slack_limits.py's values


def slack_numbers_written_out(source: str) -> list[str]:
    """`X_MAX = 3000` or `text[:24]`: a Slack limit written as a number, not named."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Slice)
            and isinstance(node.upper, ast.Constant)
            and node.upper.value in SLACK_NUMBERS
        ):
            found.append(f"{node.lineno}: [:{node.upper.value}]")
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and node.value.value in SLACK_NUMBERS
            and any(isinstance(t, ast.Name) and t.id.endswith("_MAX") for t in node.targets)
        ):
            found.append(f"{node.lineno}: = {node.value.value}")
    return found


def test_slacks_limits_are_named_in_one_module() -> None:
    """Every builder, message, listener and the form checks use workflows/slack_limits.py (re-
    exported by bot/blocks/limits.py). The simulator keeps its own: it stands in for Slack."""
    offences = [
        f"{path.relative_to(ROOT)}:{where}"
        for package in ("bot", "workflows")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "simulator" not in path.parts and path.name != "slack_limits.py"
        for where in slack_numbers_written_out(path.read_text(encoding="utf-8"))
    ]
    assert offences == []


def test_the_limit_checker_sees_a_number_written_out() -> None:
    source = "TITLE_MAX = 24\nOTHER = 24\nx = 'abc'[:75]\ny = 'abc'[:7]\n"
    assert slack_numbers_written_out(source) == ["1: = 24", "3: [:75]"]
