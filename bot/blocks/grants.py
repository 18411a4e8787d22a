"""Block Kit for the form of `/finsam beslut`: money granted during the year. One input block
per field of workflows/grants.py (the block id is the field), each element's action id
`VALUE_ACTION_ID`; the submitted state is read back as raw strings per field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import InputInteractiveElement
from slack_sdk.models.views import View

from bot.blocks.common import context, cut, section
from bot.blocks.forms import VALUE_ACTION_ID
from bot.blocks.limits import MODAL_BUTTON_MAX, MODAL_TITLE_MAX
from bot.ids import View as ViewId
from workflows.budget_status import BudgetStatus
from workflows.grants import (
    AMOUNT,
    BODY,
    DECIDED_BY,
    DECIDED_ON,
    INTERVENTION,
    OWNER,
    SUPPORT,
    TEXT_MAX,
    GrantPreview,
    RecordedGrant,
)
from workflows.slack_limits import PRIVATE_METADATA_MAX
from workflows.texts import Texts

AMOUNT_INPUT_MAX = 30
BODIES = ("delegation", "board")
SUPPORTS = ("individual", "structural")


def build_grant_modal(texts: Texts, *, today: date) -> dict[str, Any]:
    """The empty form; the date of decision starts at today."""

    def text_input(max_length: int) -> PlainTextInputElement:
        return PlainTextInputElement(action_id=VALUE_ACTION_ID, max_length=max_length)

    blocks: list[Block] = [
        context(texts.get("grants", "modal_intro")),
        _input(
            texts,
            DECIDED_ON,
            DatePickerElement(action_id=VALUE_ACTION_ID, initial_date=today.isoformat()),
        ),
        _input(texts, INTERVENTION, text_input(TEXT_MAX), hint="hint_intervention"),
        _input(texts, OWNER, text_input(TEXT_MAX), hint="hint_owner", optional=True),
        _input(texts, AMOUNT, text_input(AMOUNT_INPUT_MAX), hint="hint_amount"),
        _input(texts, BODY, _select(texts, "body_name", BODIES)),
        _input(texts, DECIDED_BY, text_input(TEXT_MAX), hint="hint_decided_by"),
        _input(
            texts,
            SUPPORT,
            _select(texts, "support_name", SUPPORTS),
            hint="hint_support",
            optional=True,
        ),
    ]
    return View(
        type="modal",
        callback_id=ViewId.grant_form.value,
        title=PlainTextObject(text=cut(texts.get("grants", "modal_title"), MODAL_TITLE_MAX)),
        submit=PlainTextObject(text=cut(texts.get("grants", "submit"), MODAL_BUTTON_MAX)),
        close=PlainTextObject(text=cut(texts.get("common", "cancel"), MODAL_BUTTON_MAX)),
        blocks=blocks,
    ).to_dict()


def build_grant_done(texts: Texts, lines: list[str], *, clear: bool = False) -> dict[str, Any]:
    """What the modal turns into once the grant is stored (`clear`: closing it closes the
    form beneath too), or a notice in a view's place (closing it goes back to the form)."""
    return View(
        type="modal",
        callback_id=ViewId.notice.value,
        title=PlainTextObject(text=cut(texts.get("grants", "modal_title"), MODAL_TITLE_MAX)),
        close=PlainTextObject(text=cut(texts.get("common", "close"), MODAL_BUTTON_MAX)),
        blocks=[section("\n\n".join(lines))],
        clear_on_close=True if clear else None,
    ).to_dict()


def build_grant_confirm(
    texts: Texts,
    preview: GrantPreview,
    raw: Mapping[str, str | None],
    *,
    moved: bool = False,
) -> dict[str, Any]:
    """The confirmation pushed over the form: how the grant moves the figures, then
    "Bekräfta" records it and "Tillbaka" returns to the form as typed. The typed fields and
    the year's revision ride in private_metadata, checked again on confirmation."""
    metadata = json.dumps(
        {"fields": {k: v for k, v in raw.items() if v}, "revision": preview.revision},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if len(metadata) > PRIVATE_METADATA_MAX:  # the fields are bounded far below; never cut
        raise ValueError("the grant's fields do not fit private_metadata")
    lines = [texts.get("grants", "figures_moved", year=preview.year)] if moved else []
    lines += preview_lines(texts, preview)
    return View(
        type="modal",
        callback_id=ViewId.grant_confirm.value,
        title=PlainTextObject(text=cut(texts.get("grants", "confirm_title"), MODAL_TITLE_MAX)),
        submit=PlainTextObject(text=cut(texts.get("grants", "confirm"), MODAL_BUTTON_MAX)),
        close=PlainTextObject(text=cut(texts.get("grants", "back"), MODAL_BUTTON_MAX)),
        private_metadata=metadata,
        blocks=[section("\n\n".join(lines))],
    ).to_dict()


def preview_lines(texts: Texts, preview: GrantPreview) -> list[str]:
    """What the grant does to the year's figures, warnings first where it breaks a limit."""
    lines = [
        texts.get(
            "grants",
            "preview_grant",
            amount=preview.amount_kr,
            intervention=preview.label,
            support=preview.support.value,
            year=preview.year,
        )
    ]
    if preview.new_intervention:
        lines.append(
            texts.get(
                "grants",
                "preview_share",
                before=preview.share_before,
                after=preview.share_after,
                minimum=preview.minimum,
            )
        )
    else:
        lines.append(
            texts.get(
                "grants", "preview_share_same", share=preview.share_before, minimum=preview.minimum
            )
        )
    if preview.below_minimum:
        lines.append(
            texts.get(
                "grants",
                "preview_below_minimum",
                minimum=preview.minimum,
                crosses=preview.crosses_minimum,
            )
        )
    if preview.to_decide_before is None:
        lines.append(texts.get("grants", "preview_no_budget", year=preview.year))
    else:
        lines.append(
            texts.get(
                "grants",
                "preview_room",
                year=preview.year,
                before=preview.to_decide_before,
                after=preview.to_decide_after,
            )
        )
        if preview.exceeds_room:
            lines.append(texts.get("grants", "preview_exceeds", remaining=preview.to_decide_before))
    return lines


def read_confirm_metadata(view: Mapping[str, Any]) -> tuple[dict[str, str | None], int] | None:
    """The fields and revision a confirmation carries (None: not what this bot wrote)."""
    try:
        found = json.loads(view.get("private_metadata") or "")
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    fields, revision = found.get("fields"), found.get("revision")
    if not isinstance(fields, dict) or type(revision) is not int:
        return None
    raw: dict[str, str | None] = {}
    for key, value in fields.items():
        if not isinstance(key, str) or not isinstance(value, str):
            return None
        raw[key] = value
    return raw, revision


def recorded_text(texts: Texts, recorded: RecordedGrant) -> str:
    grant = recorded.grant
    if not recorded.created:
        return texts.get(
            "grants",
            "already_recorded",
            amount=grant.amount_kr,
            intervention=grant.label,
            decided_on=grant.decided_on,
        )
    return texts.get(
        "grants",
        "recorded",
        amount=grant.amount_kr,
        intervention=grant.label,
        body=grant.body.value,
        decided_on=grant.decided_on,
        decided_by=grant.decided_by,
        support=grant.support.value,
    )


def remaining_text(texts: Texts, status: BudgetStatus) -> str:
    return texts.get(
        "grants",
        "remaining_after",
        year=status.year,
        remaining=status.remaining_decision_room,
        granted=status.granted,
        remaining_after=status.remaining_after_grants,
    )


def _input(
    texts: Texts,
    field: str,
    element: InputInteractiveElement,
    *,
    hint: str | None = None,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=PlainTextObject(text=texts.get("grants", f"label_{field}")),
        element=element,
        hint=PlainTextObject(text=texts.get("grants", hint)) if hint else None,
        optional=True if optional else None,
    )


def _select(texts: Texts, macro: str, values: tuple[str, ...]) -> StaticSelectElement:
    label = "body" if macro == "body_name" else "support"
    return StaticSelectElement(
        action_id=VALUE_ACTION_ID,
        placeholder=PlainTextObject(text=texts.get("common", "choose")),
        options=[
            Option(value=value, text=texts.get("grants", macro, **{label: value}).capitalize())
            for value in values
        ],
    )


def read_grant_state(view: Mapping[str, Any]) -> dict[str, str | None]:
    """`view.state.values` as each field's raw string (None: empty or nothing chosen)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping):
        return {}
    raw: dict[str, str | None] = {}
    for field, actions in values.items():
        action = actions.get(VALUE_ACTION_ID) if isinstance(actions, Mapping) else None
        if isinstance(field, str) and isinstance(action, Mapping):
            raw[field] = _value(action)
    return raw


def _value(action: Mapping[str, Any]) -> str | None:
    kind = action.get("type")
    if kind == "datepicker":
        value = action.get("selected_date")
    elif kind == "static_select":
        selected = action.get("selected_option")
        value = selected.get("value") if isinstance(selected, Mapping) else None
    else:
        value = action.get("value")
    return value if isinstance(value, str) else None
