"""Block Kit of `/finsam importera`: the modal (what the file holds, and a `file_input`), and
the private answer after each file: the CLI's report, or the offer to replace a budget year
with a button that carries what a confirmation needs (the file's id, the year, the year's
revision when offered, who uploaded it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    Option,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot.blocks.common import chunked_sections, context, section, to_dicts
from bot.blocks.limits import BUTTON_TEXT_MAX, MODAL_BUTTON_MAX, MODAL_TITLE_MAX, OPTION_TEXT_MAX
from bot.ids import Action
from bot.ids import View as ViewId
from workflows.file_imports import MAX_FILE_BYTES, FileKind
from workflows.texts import Texts

KIND_BLOCK = "import_kind"
FILES_BLOCK = "import_files"
VALUE_ACTION_ID = "value"
MAX_FILES = 5  # Slack allows 1–10 in a file_input; each file is imported and answered alone
# What the importers read (the file's suffix picks the reader); Slack's check is a courtesy.
FILE_TYPES = ("csv", "xlsx", "yml", "yaml")


def build_import_modal(texts: Texts, *, kind: FileKind | None = None) -> dict[str, Any]:
    options = [
        Option(
            value=k.value,
            text=texts.get("imports", "file_kind_name", kind=k.value)[:OPTION_TEXT_MAX],
        )
        for k in FileKind
    ]
    initial = next((o for o in options if kind is not None and o.value == kind.value), None)
    blocks: list[Block] = [
        context(
            texts.get("imports", "import_modal_intro", megabytes=MAX_FILE_BYTES // (1024 * 1024))
        ),
        InputBlock(
            block_id=KIND_BLOCK,
            label=PlainTextObject(text=texts.get("imports", "kind_label")),
            element=StaticSelectElement(
                action_id=VALUE_ACTION_ID, options=options, initial_option=initial
            ),
        ),
        InputBlock(
            block_id=FILES_BLOCK,
            label=PlainTextObject(text=texts.get("imports", "file_label")),
            element=FileInputElement(
                action_id=VALUE_ACTION_ID, filetypes=list(FILE_TYPES), max_files=MAX_FILES
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ViewId.import_form.value,
        title=PlainTextObject(text=texts.get("imports", "import_modal_title")[:MODAL_TITLE_MAX]),
        submit=PlainTextObject(text=texts.get("imports", "import_submit")[:MODAL_BUTTON_MAX]),
        close=PlainTextObject(text=texts.get("common", "cancel")[:MODAL_BUTTON_MAX]),
        blocks=blocks,
    ).to_dict()


@dataclass(frozen=True)
class ImportChoice:
    kind: FileKind | None
    file_ids: tuple[str, ...]


def read_import_state(view: Mapping[str, Any]) -> ImportChoice:
    """What was chosen: the kind, and the ids of the files Slack took (state.values gives a
    file_input's files as file objects, `files`)."""
    values = (view.get("state") or {}).get("values") or {}
    chosen = ((values.get(KIND_BLOCK) or {}).get(VALUE_ACTION_ID) or {}).get("selected_option")
    raw_kind = chosen.get("value") if isinstance(chosen, dict) else None
    kind = FileKind(raw_kind) if raw_kind in {k.value for k in FileKind} else None
    files = ((values.get(FILES_BLOCK) or {}).get(VALUE_ACTION_ID) or {}).get("files") or []
    ids = tuple(str(f["id"]) for f in files if isinstance(f, dict) and isinstance(f.get("id"), str))
    return ImportChoice(kind, ids[:MAX_FILES])


@dataclass(frozen=True)
class ReplaceOffer:
    """What the "Ersätt budgeten" button carries."""

    file_id: str
    year: int
    revision: int | None
    uploaded_by: str

    def value(self) -> str:
        return json.dumps(
            {
                "file": self.file_id,
                "year": self.year,
                "revision": self.revision,
                "by": self.uploaded_by,
            },
            separators=(",", ":"),
        )

    @classmethod
    def parse(cls, value: str) -> ReplaceOffer | None:
        try:
            raw = json.loads(value)
            revision = raw.get("revision")
            return cls(
                file_id=str(raw["file"]),
                year=int(raw["year"]),
                revision=None if revision is None else int(revision),
                uploaded_by=str(raw["by"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def report_blocks(
    texts: Texts, *, file: str, kind: FileKind, lines: list[str]
) -> list[dict[str, Any]]:
    """One file's answer: what it was, then the CLI's report."""
    heading = texts.get("imports", "heading", file=file, kind=kind.value)
    return to_dicts([section(heading), *chunked_sections(lines)])


def replace_offer_blocks(texts: Texts, *, file: str, offer: ReplaceOffer) -> list[dict[str, Any]]:
    heading = texts.get("imports", "heading", file=file, kind=FileKind.budget.value)
    button = ButtonElement(
        action_id=Action.import_replace.value,
        text=PlainTextObject(
            text=texts.get("imports", "replace_button", year=offer.year)[:BUTTON_TEXT_MAX]
        ),
        value=offer.value(),
        style="danger",
        confirm=ConfirmObject(
            title=texts.get("imports", "replace_confirm_title"),
            text=texts.get("imports", "replace_confirm_text", year=offer.year),
            confirm=texts.get("imports", "replace_yes"),
            deny=texts.get("common", "cancel"),
        ),
    )
    return to_dicts(
        [
            section(heading),
            section(texts.get("imports", "replace_offer", year=offer.year, file=file)),
            ActionsBlock(block_id=Action.import_replace.value, elements=[button]),
        ]
    )


def fallback_text(blocks: list[dict[str, Any]]) -> str:
    """The notification beside the blocks: the first section's words."""
    first = blocks[0].get("text", {}) if blocks else {}
    return str(first.get("text", "") if isinstance(first, dict) else "")[:300]
