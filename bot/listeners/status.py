"""`/finsam status [period]`: the office's overview of one reporting period."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import section, to_dicts
from bot.blocks.status import build_status_blocks
from bot.context import BotContext
from workflows.calendar import Period
from workflows.overview import latest_due_period, period_status, require_office
from workflows.texts import Texts


def parse_period(words: list[str]) -> Period | None:
    """`2026-03`, `2026-Q1` or nothing (the default period); ValueError otherwise."""
    if not words:
        return None
    if len(words) > 1:
        raise ValueError(" ".join(words))
    return Period.parse(words[0])


def answer_status(
    ctx: BotContext, texts: Texts, user_id: str, words: list[str]
) -> list[dict[str, Any]]:
    """Office staff only (anyone else is told by the edge); the default period is the one
    due most recently."""
    require_office(ctx.engine, user_id, refusal="status_office_only")
    try:
        period = parse_period(words)
    except ValueError:
        return to_dicts([section(texts.get("status", "bad_period", value=" ".join(words)))])
    today = ctx.clock.now().astimezone(ctx.tz).date()
    chosen = period or latest_due_period(ctx.reporting, today)
    status = period_status(ctx.engine, ctx.reporting, chosen, today=today)
    return to_dicts(build_status_blocks(status, texts, tz=ctx.tz))
