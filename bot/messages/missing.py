"""The weekly summary of missing reports, posted to the office channel."""

from __future__ import annotations

from bot.blocks.common import to_dicts
from bot.blocks.status import build_missing_blocks
from bot.context import BotContext
from bot.messages.base import Rendered
from workflows.outbox import Outgoing
from workflows.outbox_kinds import MissingReportsPayload
from workflows.overview import missing_summary
from workflows.participants import participant_table


def build_missing_reports(
    ctx: BotContext, message: Outgoing, payload: MissingReportsPayload
) -> Rendered | None:
    """What is missing as of the planned day, read when sent: None (the row is cancelled)
    when everything is in by then."""
    today = payload.date
    periods = missing_summary(ctx.engine, ctx.reporting, today=today)
    if not periods:
        return None
    texts = ctx.texts_for()
    # The months that are due by now: the year's figures so far, for the channel (masked).
    through = today.month - 1
    table = participant_table(ctx.engine, today.year, through_month=through) if through else None
    blocks = build_missing_blocks(
        periods,
        texts,
        today=today,
        participants=table,
        threshold=ctx.small_count_threshold,
    )
    count = sum(len(status.rows) for status in periods)
    return Rendered(texts.get("status", "missing_text", count=count), to_dicts(blocks))
