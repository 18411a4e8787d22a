"""Block Kit of the quarterly compilation's page (workflows/quarterly_pages.py): the goals of
one intervention with their status and comment each quarter; shown to the office with a
"Skicka till kanal…" button, posted to a channel with who sent it; and the modal that picks
the channel (a conversations_select)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View as ModalView

from bot.blocks.common import cap_blocks, chunked_sections, context, cut, header
from bot.blocks.limits import (
    BUTTON_TEXT_MAX,
    INPUT_HINT_MAX,
    MESSAGE_BLOCKS_MAX,
    MODAL_BUTTON_MAX,
    MODAL_TITLE_MAX,
)
from bot.ids import Action, View
from workflows.quarterly_compilation import status_text
from workflows.quarterly_pages import Page
from workflows.texts import Texts

CHANNEL_BLOCK = "channel"
CHANNEL_ACTION = "value"


def page_target(page: Page) -> str:
    """What the button and the modal carry: which page (read again when it is sent)."""
    return json.dumps(
        {
            "intervention_id": page.intervention.intervention_id,
            "year": page.year,
            "until": page.until,
        }
    )


def build_page_blocks(
    page: Page,
    texts: Texts,
    *,
    preview: bool,
    sent_by: str | None = None,
    day: date | None = None,
) -> list[Block]:
    """The page: the office's preview (with the send button), or as posted (who sent it)."""
    intervention = page.intervention
    blocks: list[Block] = [
        header(
            texts.get("quarterly", "page_header", intervention=intervention.label, year=page.year)
        ),
        context(
            texts.get(
                "quarterly",
                "page_intro",
                kind=intervention.kind.value,
                until=page.until,
                reported=len(intervention.reported),
            )
        ),
    ]
    answered = [goal for goal in intervention.goals if goal.latest is not None]
    if answered:
        reached = sum(goal.counts_for for goal in answered if goal.reached)
        total = sum(goal.counts_for for goal in answered)
        blocks.append(context(texts.get("quarterly", "page_reached", reached=reached, goals=total)))
    for goal in intervention.goals:
        lines = [texts.get("quarterly", "page_goal", goal=goal.text.get(texts.lang))]
        lines += [
            texts.get(
                "quarterly",
                "page_quarter",
                quarter=quarter.quarter,
                status=status_text(quarter, texts),
                comment=quarter.comment,
            )
            for quarter in goal.quarters
        ]
        blocks += chunked_sections(lines)
    tail: list[Block] = []
    if preview:
        tail.append(context(texts.get("quarterly", "page_preview_note")))
        button = ButtonElement(
            text=cut(texts.get("quarterly", "send_button"), BUTTON_TEXT_MAX),
            action_id=Action.quarterly_send.value,
            value=page_target(page),
        )
        tail.append(ActionsBlock(elements=[button]))
    elif sent_by is not None and day is not None:
        tail.append(context(texts.get("quarterly", "page_sent_by", user=sent_by, day=day)))
    more = texts.get("quarterly", "page_more")
    return [*cap_blocks(blocks, limit=MESSAGE_BLOCKS_MAX - len(tail), more=more), *tail]


def build_send_modal(page: Page, texts: Texts) -> dict[str, Any]:
    """Pick the channel to send the page to (the steering group's, the Lokusgrupp's)."""
    select = ConversationSelectElement(
        action_id=CHANNEL_ACTION,
        placeholder=PlainTextObject(text=texts.get("common", "choose")),
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
    )
    view = ModalView(
        type="modal",
        callback_id=View.quarterly_send.value,
        title=PlainTextObject(text=cut(texts.get("quarterly", "send_title"), MODAL_TITLE_MAX)),
        submit=PlainTextObject(text=cut(texts.get("forms", "submit"), MODAL_BUTTON_MAX)),
        close=PlainTextObject(text=cut(texts.get("common", "cancel"), MODAL_BUTTON_MAX)),
        private_metadata=page_target(page),
        blocks=[
            context(
                texts.get(
                    "quarterly",
                    "send_intro",
                    intervention=page.intervention.label,
                    year=page.year,
                    until=page.until,
                )
            ),
            InputBlock(
                block_id=CHANNEL_BLOCK,
                label=PlainTextObject(text=texts.get("quarterly", "send_channel_label")),
                element=select,
                hint=PlainTextObject(
                    text=cut(texts.get("quarterly", "send_channel_hint"), INPUT_HINT_MAX)
                ),
            ),
        ],
    )
    return view.to_dict()


def read_channel(view: Mapping[str, Any]) -> str | None:
    """The channel chosen in the modal (None: none, or not shaped as ours)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    block = values.get(CHANNEL_BLOCK) if isinstance(values, Mapping) else None
    action = block.get(CHANNEL_ACTION) if isinstance(block, Mapping) else None
    chosen = action.get("selected_conversation") if isinstance(action, Mapping) else None
    return chosen if isinstance(chosen, str) and chosen else None


def read_target(raw: object) -> tuple[object, object, object]:
    """(intervention id, year, until) from a button's value or the modal's metadata;
    anything unreadable comes back as None, which the workflow refuses."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None, None, None
    return data.get("intervention_id"), data.get("year"), data.get("until")
