"""The board's year as Slack messages: the step reminder DM with its "Klart" button (and what
it becomes once pressed), and the announcement of the application deadline in its channel."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject

from bot.blocks.common import context, section, to_dicts
from bot.blocks.limits import BUTTON_TEXT_MAX
from bot.context import BotContext
from bot.ids import Action
from bot.messages.base import Rendered
from workflows.board_reminders import BoardStepView, announcement, get_step
from workflows.outbox import Outgoing
from workflows.outbox_kinds import AnnouncementPayload, BoardStepPayload
from workflows.texts import Texts


def done_button(texts: Texts, step_id: int) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=texts.get("board_steps", "done_button")[:BUTTON_TEXT_MAX]),
        action_id=Action.board_step_done.value,
        value=str(step_id),
        style="primary",
    )


def build_board_step(
    ctx: BotContext, message: Outgoing, payload: BoardStepPayload
) -> Rendered | None:
    """None once the step is done, gone, or moved to another date (its new date has its own
    reminders)."""
    step = get_step(ctx.engine, payload.step_id)
    if step is None or step.done or step.due != payload.due:
        return None
    texts = ctx.texts_for(message.channel)
    offset = payload.offset
    values = {
        "offset": offset,
        "step": step.title,
        "event": step.event_title,
        "due": step.due,
        "today": payload.day == step.due,
    }
    blocks: list[Block] = [
        section(texts.get("board_steps", "step_body", event_on=step.event_on, **values)),
        context(texts.get("board_steps", "done_hint")),
        ActionsBlock(elements=[done_button(texts, step.step_id)]),
    ]
    return Rendered(text=texts.get("board_steps", "step_text", **values), blocks=to_dicts(blocks))


def build_step_done(ctx: BotContext, texts: Texts, step: BoardStepView) -> Rendered:
    """A reminder once its step is done: who marked it and when, no button."""
    assert step.done_at is not None and step.done_by is not None
    what = {"step": step.title, "event": step.event_title}
    blocks: list[Block] = [
        section(
            texts.get("board_steps", "done_summary", event_on=step.event_on, due=step.due, **what)
        ),
        context(
            texts.get(
                "board_steps",
                "done_note",
                by=step.done_by,
                at=step.done_at.astimezone(ctx.tz).date(),
            )
        ),
    ]
    return Rendered(text=texts.get("board_steps", "done_text", **what), blocks=to_dicts(blocks))


def build_announcement(
    ctx: BotContext, message: Outgoing, payload: AnnouncementPayload
) -> Rendered | None:
    """None when the deadline has passed, the step was moved or removed, or a later
    announcement of the same deadline has had its day."""
    today = ctx.clock.now().astimezone(ctx.tz).date()
    found = announcement(
        ctx.engine,
        payload.step_id,
        payload.due,
        today=today,
        working_days=ctx.reporting.working_days,
    )
    if found is None:
        return None
    texts = ctx.texts_for()
    values = {"title": found.title, "deadline": found.deadline, "days_left": found.days_left}
    return Rendered(
        text=texts.get("board_steps", "announcement_text", **values),
        blocks=to_dicts([section(texts.get("board_steps", "announcement", **values))]),
    )
