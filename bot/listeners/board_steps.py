"""The "Klart" button of a board step reminder: the secretary, the director or office staff
mark the step done (who and when are kept; a second press keeps the first), its reminders
stop, and the pressed message shows who marked it at once; the other copies of the step's
reminders follow through the outbox (bot/messages/board_done.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Respond

from bot.context import BotContext
from bot.ids import Action
from bot.listeners.commands import ack_at_once
from bot.listeners.errors import ErrorEdge
from bot.messages.board import build_step_done
from store.errors import NotFoundError
from workflows.board_reminders import mark_done

log = logging.getLogger(__name__)


class BoardStepListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    def handle_done(self, body: dict[str, Any], respond: Respond) -> None:
        """Who may not mark a step, or a step no longer in the year, is told by the edge."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        value = str(body["actions"][0].get("value") or "")
        if not (value.isascii() and value.isdigit()):
            raise NotFoundError("board_step_gone", step_id=value[:40])
        step = mark_done(self.ctx.engine, int(value), user_id, self.ctx.clock.now())
        log.info("board step %s marked done by %s", step.step_id, step.done_by)
        done = build_step_done(self.ctx, texts, step)
        respond(replace_original=True, text=done.text, blocks=done.blocks)
        self.ctx.outbox_bell.ring()  # the other copies: now, not at the next tick


def register(app: App, ctx: BotContext) -> None:
    listeners = BoardStepListeners(ctx)
    done = ErrorEdge(ctx).ephemeral(listeners.handle_done)
    app.action(Action.board_step_done.value)(ack=ack_at_once, lazy=[done])
