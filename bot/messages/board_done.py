"""A board step marked "Klart": every reminder of it already sent — each stage, each
recipient — is updated in place to say who marked it and when, without the button, so nobody
presses a copy that is already done. One outbox row (`workflows.board_reminders.STEP_DONE`,
planned with the done mark) does it; chat.update is idempotent, so a retry simply updates
again, and a copy gone from Slack is skipped."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from bot.messages.board import build_step_done
from store.errors import SendRejected, SlackUnavailable
from workflows.board_reminders import STEP_DONE, get_step, sent_reminders
from workflows.outbox import Outgoing, Progress

if TYPE_CHECKING:
    from bot.sender import SlackSender

log = logging.getLogger(__name__)

BOARD_STEP_DONE = STEP_DONE
# Slack's answers (with HTTP 200) for a copy that cannot be updated any more: the recipient
# deleted it, or it is not the bot's. Trying again would not change that.
COPY_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


def update_step_reminders(
    sender: SlackSender, message: Outgoing, *, progress: Progress
) -> str | None:
    """Update every sent reminder of the step to "Klart"; None (the row is cancelled) when
    the step is gone, or no longer done for the date it was marked (a new cycle file moved
    it: its new date has its own reminders and its own "Klart")."""
    from bot.sender import _call  # bot.sender imports this module

    ctx = sender._ctx
    step = get_step(ctx.engine, int(message.data["step_id"]))
    if step is None or not step.done or step.due != date.fromisoformat(message.data["due"]):
        return None
    for recipient, ts in sent_reminders(ctx.engine, step.step_id):
        done = build_step_done(ctx, ctx.texts_for(recipient), step)
        progress.still_mine()
        try:
            _call(
                sender._client.chat_update,
                channel=sender._conversation(recipient),
                ts=ts,
                text=done.text,
                blocks=done.blocks,
            )
        except (SendRejected, SlackUnavailable) as err:
            if isinstance(err, SlackUnavailable) and err.params.get("error") not in COPY_GONE:
                raise
            log.warning("board step reminder %s to %s not updated: %s", ts, recipient, err.params)
    return ""
