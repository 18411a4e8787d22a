"""What Slack checks in what it is sent, as the fake checks it: blocks (through slack_sdk's
models, and with ``strict`` nothing they would drop or infer), a message's text, blocks,
attachments and metadata, and a view. Refusals are Slack's own error codes and
``[ERROR] ... [json-pointer:...]`` messages."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from simulator.slack.arguments import as_text
from simulator.slack.records import SlackError
from simulator.slack.user_files import file_input_problems

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_MAX_TEXT = 40_000
MAX_ATTACHMENTS = 100


def validate_blocks(
    blocks: object,
    *,
    pointer: str = "/blocks",
    max_blocks: int = MESSAGE_MAX_BLOCKS,
    strict: bool = True,
) -> list[str]:
    """Slack-style ``[ERROR] ... [json-pointer:...]`` messages for blocks Slack would refuse.

    slack_sdk's models run their validators in ``to_dict()``. With ``strict`` the rendered block
    must also equal what was sent: the models silently drop unknown properties, empty texts and
    unknown elements, and coerce a bare string into a text object; Slack refuses all of those.
    """
    if not isinstance(blocks, list):
        return [f"[ERROR] must provide an array [json-pointer:{pointer}]"]
    if len(blocks) > max_blocks:
        return [f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]"]
    messages: list[str] = []
    block_ids: dict[str, int] = {}
    for index, raw in enumerate(blocks):
        here = f"{pointer}/{index}"
        if not isinstance(raw, dict):
            messages.append(f"[ERROR] must provide an object [json-pointer:{here}]")
            continue
        try:
            parsed = Block.parse(copy.deepcopy(raw))
            if parsed is None or type(parsed) is Block:
                messages.append(
                    f"[ERROR] unsupported block type {raw.get('type')!r} [json-pointer:{here}/type]"
                )
                continue
            rendered = parsed.to_dict()
        except Exception as exc:  # any failure in the models means Slack would refuse it too
            messages.append(f"[ERROR] {exc} [json-pointer:{here}]")
            continue
        if strict:
            difference = _first_difference(raw, rendered, here)
            if difference:
                messages.append(difference)
                continue
        text = raw.get("text")
        if (
            raw.get("type") == "header"
            and isinstance(text, dict)
            and text.get("type") != "plain_text"
        ):
            messages.append(f"[ERROR] must be plain_text [json-pointer:{here}/text/type]")
        block_id = raw.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                messages.append(
                    f"[ERROR] duplicate block_id {block_id!r}, first at "
                    f"{pointer}/{block_ids[block_id]} [json-pointer:{here}/block_id]"
                )
            block_ids.setdefault(block_id, index)
    return messages


def _first_difference(sent: object, understood: object, pointer: str) -> str | None:
    """Where slack_sdk's rendering of a block departs from what was sent, as a Slack message."""
    if isinstance(sent, dict) and isinstance(understood, dict):
        for key, value in sent.items():
            if key not in understood:
                if value in ("", [], {}, None):
                    reason = "must not be empty"
                else:
                    reason = f"unsupported property {key!r}"
                return f"[ERROR] {reason} [json-pointer:{pointer}/{key}]"
            found = _first_difference(value, understood[key], f"{pointer}/{key}")
            if found:
                return found
        for key in understood:
            if key not in sent:
                return f"[ERROR] malformed object, {key!r} was inferred [json-pointer:{pointer}]"
        return None
    if isinstance(sent, list) and isinstance(understood, list):
        for index, (left, right) in enumerate(zip(sent, understood, strict=False)):
            found = _first_difference(left, right, f"{pointer}/{index}")
            if found:
                return found
        if len(sent) != len(understood):
            return f"[ERROR] malformed array [json-pointer:{pointer}]"
        return None
    if understood is None and sent is not None:
        return f"[ERROR] unsupported element [json-pointer:{pointer}]"
    if isinstance(understood, dict):
        return f"[ERROR] must provide an object [json-pointer:{pointer}]"
    if sent != understood:
        return f"[ERROR] invalid value {sent!r} [json-pointer:{pointer}]"
    return None


def message_content(
    args: Mapping[str, Any], *, strict: bool, require: bool = True
) -> dict[str, Any]:
    """Validated text/blocks/attachments/metadata of a message, only those given."""
    content: dict[str, Any] = {}
    if "text" in args and args["text"] is not None:
        text = as_text(args["text"]) or ""
        if len(text) > MESSAGE_MAX_TEXT:
            raise SlackError("msg_too_long")
        content["text"] = text
    if "blocks" in args and args["blocks"] is not None:
        blocks = args["blocks"]
        if isinstance(blocks, str) or not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        problems = validate_blocks(blocks, strict=strict)
        if problems:
            raise SlackError("invalid_blocks", messages=problems)
        content["blocks"] = blocks
    if "attachments" in args and args["attachments"] is not None:
        attachments = args["attachments"]
        if not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments):
            raise SlackError("invalid_attachments")
        if len(attachments) > MAX_ATTACHMENTS:
            raise SlackError("too_many_attachments")
        for index, attachment in enumerate(attachments):
            if "blocks" in attachment:
                problems = validate_blocks(
                    attachment["blocks"],
                    pointer=f"/attachments/{index}/blocks",
                    strict=strict,
                )
                if problems:
                    raise SlackError("invalid_blocks", messages=problems)
        content["attachments"] = attachments
    if "metadata" in args and args["metadata"] is not None:
        metadata = args["metadata"]
        if not isinstance(metadata, dict):
            raise SlackError("invalid_metadata_format")
        event_type = metadata.get("event_type")
        if (
            not isinstance(event_type, str)
            or not event_type
            or not isinstance(metadata.get("event_payload"), dict)
            or set(metadata) - {"event_type", "event_payload"}
        ):
            raise SlackError(
                "invalid_metadata_schema",
                messages=[
                    "[ERROR] metadata must be {event_type: non-empty string, "
                    "event_payload: object} [json-pointer:/metadata]"
                ],
            )
        content["metadata"] = metadata
    if require and not (content.get("text") or content.get("blocks") or content.get("attachments")):
        raise SlackError("no_text")
    return content


def validate_view(
    view: object, *, allowed: tuple[str, ...], strict: bool, scopes: Iterable[str] = ()
) -> dict[str, Any]:
    """Slack answers ``invalid_arguments`` (not invalid_blocks) for any flaw in a view."""
    if not isinstance(view, dict):
        raise SlackError(
            "invalid_arguments",
            messages=["[ERROR] must provide an object [json-pointer:/view]"],
        )
    messages: list[str] = []
    if view.get("type") not in allowed:
        messages.append(
            f"[ERROR] type must be one of {', '.join(allowed)} [json-pointer:/view/type]"
        )
    for key in ("title", "submit", "close"):
        value = view.get(key)
        if value is not None and not (
            isinstance(value, dict) and value.get("type") == "plain_text"
        ):
            messages.append(f"[ERROR] must be a plain_text object [json-pointer:/view/{key}]")
    blocks = view.get("blocks")
    if view.get("type") == "modal" and view.get("title") is None:
        messages.append("[ERROR] missing required field: title [json-pointer:/view/title]")
    if blocks is None:
        messages.append("[ERROR] missing required field: blocks [json-pointer:/view/blocks]")
    else:
        messages += validate_blocks(
            blocks,
            pointer="/view/blocks",
            max_blocks=VIEW_MAX_BLOCKS,
            strict=strict,
        )
        messages += file_input_problems(blocks, scopes=scopes)
    if (
        view.get("type") == "modal"
        and isinstance(blocks, list)
        and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        and view.get("submit") is None
    ):
        messages.append("[ERROR] input blocks need a submit button [json-pointer:/view/submit]")
    if not messages:
        try:
            View(**copy.deepcopy(view)).to_dict()
        except Exception as exc:  # slack_sdk's validators: lengths of title, metadata...
            messages.append(f"[ERROR] {exc} [json-pointer:/view]")
    if messages:
        raise SlackError("invalid_arguments", messages=messages)
    return view
