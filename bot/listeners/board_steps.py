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
from bot.messages.board import build_step_done
from store.errors import AccessDenied, NotFoundError
from workflows.board_reminders import mark_done

log = logging.getLogger(__name__)


class BoardStepListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    def handle_done(self, body: dict[str, Any], respond: Respond) -> None:
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        try:
            step_id = int(body["actions"][0].get("value") or "")
            step = mark_done(self.ctx.engine, step_id, user_id, self.ctx.clock.now())
        except AccessDenied:
            respond(
                text=texts.get("board_steps", "not_allowed"),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        except (NotFoundError, ValueError):
            respond(
                text=texts.get("board_steps", "step_gone"),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        log.info("board step %s marked done by %s", step.step_id, step.done_by)
        done = build_step_done(self.ctx, texts, step)
        respond(replace_original=True, text=done.text, blocks=done.blocks)
        self.ctx.outbox_bell.ring()  # the other copies: now, not at the next tick


def register(app: App, ctx: BotContext) -> None:
    listeners = BoardStepListeners(ctx)
    app.action(Action.board_step_done.value)(ack=ack_at_once, lazy=[listeners.handle_done])
