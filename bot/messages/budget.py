"""The monthly budget summary in its channel: the status as blocks, posted with the outbox
key in its metadata (step `posted`), then the chart shared once after it (step `chart`)."""

from __future__ import annotations

from bot.blocks.budget import build_budget_blocks
from bot.blocks.common import context, to_dicts
from bot.context import BotContext
from bot.slack_io import FileShare, Rendered, SlackIO
from workflows.budget_status import budget_status_for
from workflows.chart import render_budget_chart
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import BudgetSummaryPayload


def send_budget_summary(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: BudgetSummaryPayload,
    progress: Progress,
) -> str | None:
    texts = ctx.texts_for()
    status = budget_status_for(ctx.engine, year=payload.year, rules=ctx.rules)

    def render() -> Rendered:
        blocks = [
            context(texts.get("budget", "scheduled_intro", year=status.year)),
            *build_budget_blocks(status, texts),
        ]
        return Rendered(
            text=texts.get(
                "budget", "summary_text", year=status.year, remaining=status.remaining_decision_room
            ),
            blocks=to_dicts(blocks),
        )

    ts = slack.post_once(message, progress=progress, render=render)
    if ts is None:
        return None
    chart = FileShare(
        filename=f"budget-{payload.period}.png",
        title=texts.get("budget", "chart_title", year=status.year),
        comment=texts.get("budget", "chart_comment", year=status.year),
        content=lambda: render_budget_chart(status, texts),
    )
    slack.share_once(message, progress=progress, step="chart", after=ts, file=chart)
    return ts
