"""Block Kit around a report, outside its form: the buttons of the reminder DM and the
office's review post, the send-back modal and the modal of a report's answers. Built as
slack_sdk models, so a text over Slack's limits fails here and not in Slack."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.blocks.common import chunked_sections, context
from bot.blocks.forms import VALUE_ACTION_ID
from bot.blocks.limits import BUTTON_TEXT_MAX, MODAL_BUTTON_MAX, MODAL_TITLE_MAX, VIEW_BLOCKS_MAX
from bot.ids import Action
from bot.ids import View as ViewId
from workflows.texts import Texts

COMMENT_BLOCK = "comment"
COMMENT_MAX = 1000


def button(text: str, action: Action, value: str, *, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=text[:BUTTON_TEXT_MAX]),
        action_id=action.value,
        value=value,
        style=style or None,
    )


def actions(*elements: ButtonElement) -> ActionsBlock:
    return ActionsBlock(elements=list(elements))


def report_button(texts: Texts, intervention_id: int, period: str) -> ButtonElement:
    """The "Rapportera" button: opens the form of one intervention and period."""
    value = json.dumps({"intervention_id": intervention_id, "period": period})
    return button(texts.get("common", "report_button"), Action.report_open, value, style="primary")


def return_modal(texts: Texts, *, report_id: int, revision: int) -> dict[str, Any]:
    """The send-back form: one comment; the metadata names the revision the post showed."""
    return View(
        type="modal",
        callback_id=ViewId.report_return.value,
        private_metadata=json.dumps({"report_id": report_id, "revision": revision}),
        title=PlainTextObject(text=texts.get("reports", "return_title")[:MODAL_TITLE_MAX]),
        submit=PlainTextObject(text=texts.get("reports", "return_submit")[:MODAL_BUTTON_MAX]),
        close=PlainTextObject(text=texts.get("common", "cancel")[:MODAL_BUTTON_MAX]),
        blocks=[
            InputBlock(
                block_id=COMMENT_BLOCK,
                label=PlainTextObject(text=texts.get("reports", "return_label")),
                element=PlainTextInputElement(
                    action_id=VALUE_ACTION_ID, multiline=True, max_length=COMMENT_MAX
                ),
            )
        ],
    ).to_dict()


def answers_modal(texts: Texts, header: str, lines: list[str]) -> dict[str, Any]:
    """A report's answers as people read them, in a modal that only closes; lines past what
    a view holds are left out (a form has far fewer)."""
    blocks: list[Block] = [context(header), *chunked_sections(lines)[: VIEW_BLOCKS_MAX - 10]]
    return View(
        type="modal",
        callback_id=ViewId.notice.value,
        title=PlainTextObject(text=texts.get("reports", "answers_title")[:MODAL_TITLE_MAX]),
        close=PlainTextObject(text=texts.get("common", "close")[:MODAL_BUTTON_MAX]),
        blocks=blocks,
    ).to_dict()
