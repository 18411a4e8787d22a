"""A modal that only says something: why a form cannot open or was not taken, a thank-you."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View

from bot.blocks.common import section
from bot.blocks.limits import MODAL_BUTTON_MAX, MODAL_TITLE_MAX, SECTION_TEXT_MAX
from bot.ids import View as ViewId
from workflows.texts import Texts

MODAL_TEXT_MAX = SECTION_TEXT_MAX


def notice_view(texts: Texts, text: str, *, title: str | None = None) -> dict[str, Any]:
    """`title` replaces the notice's own (the thank-you after a form bears the form's)."""
    shown = texts.get("reports", "problem_title") if title is None else title
    return View(
        type="modal",
        callback_id=ViewId.notice.value,
        title=PlainTextObject(text=shown[:MODAL_TITLE_MAX]),
        close=PlainTextObject(text=texts.get("common", "close")[:MODAL_BUTTON_MAX]),
        blocks=[section(text[:MODAL_TEXT_MAX])],
    ).to_dict()
