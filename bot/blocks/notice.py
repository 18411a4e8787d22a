"""A modal that only says something: why a form cannot open or was not taken, a thank-you."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import section
from bot.blocks.limits import MODAL_BUTTON_MAX, MODAL_TITLE_MAX, SECTION_TEXT_MAX
from bot.ids import View
from workflows.texts import Texts

MODAL_TEXT_MAX = SECTION_TEXT_MAX


def notice_view(texts: Texts, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": View.notice.value,
        "title": {
            "type": "plain_text",
            "text": texts.get("reports", "problem_title")[:MODAL_TITLE_MAX],
        },
        "close": {"type": "plain_text", "text": texts.get("common", "close")[:MODAL_BUTTON_MAX]},
        "blocks": [section(text[:MODAL_TEXT_MAX]).to_dict()],
    }
