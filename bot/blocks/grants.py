"""Block Kit for the form of `/finsam beslut`: money granted during the year. One input block
per field of workflows/grants.py (the block id is the field), each element's action id
`VALUE_ACTION_ID`; the submitted state is read back as raw strings per field."""

from __future__ import annotations

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

from bot.blocks.common import context, section
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
    RecordedGrant,
)
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
        title=PlainTextObject(text=_cut(texts.get("grants", "modal_title"), MODAL_TITLE_MAX)),
        submit=PlainTextObject(text=_cut(texts.get("grants", "submit"), MODAL_BUTTON_MAX)),
        close=PlainTextObject(text=_cut(texts.get("common", "cancel"), MODAL_BUTTON_MAX)),
        blocks=blocks,
    ).to_dict()


def build_grant_done(texts: Texts, lines: list[str]) -> dict[str, Any]:
    """What the modal turns into once the grant is stored."""
    return View(
        type="modal",
        callback_id=ViewId.notice.value,
        title=PlainTextObject(text=_cut(texts.get("grants", "modal_title"), MODAL_TITLE_MAX)),
        close=PlainTextObject(text=_cut(texts.get("common", "close"), MODAL_BUTTON_MAX)),
        blocks=[section("\n\n".join(lines))],
    ).to_dict()


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


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
