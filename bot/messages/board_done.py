"""A board step marked "Klart": every reminder of it already sent — each stage, each
recipient — is updated in place to say who marked it and when, without the button, so nobody
presses a copy that is already done. One outbox row (`workflows.board_reminders.STEP_DONE`,
planned with the done mark) does it; chat.update is idempotent, so a retry simply updates
again, and a copy gone from Slack is skipped."""

from __future__ import annotations

from bot.context import BotContext
from bot.messages.board import build_step_done
from bot.slack_io import SlackIO
from workflows.board_reminders import get_step, sent_reminders
from workflows.outbox import Outgoing, Progress
from workflows.outbox_kinds import BoardStepDonePayload


def update_step_reminders(
    slack: SlackIO,
    ctx: BotContext,
    message: Outgoing,
    payload: BoardStepDonePayload,
    progress: Progress,
) -> str | None:
    """Update every sent reminder of the step to "Klart"; None (the row is cancelled) when
    the step is gone, or no longer done for the date it was marked (a new cycle file moved
    it: its new date has its own reminders and its own "Klart")."""
    step = get_step(ctx.engine, payload.step_id)
    if step is None or not step.done or step.due != payload.due:
        return None
    for recipient, ts in sent_reminders(ctx.engine, step.step_id):
        progress.still_mine()
        slack.update(recipient, ts, build_step_done(ctx, ctx.texts_for(recipient), step))
    return ""
