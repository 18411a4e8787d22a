"""Block Kit for report forms: the modal a reminder's button opens, its submitted state read
back as raw strings per input id, and inline errors for `response_action: errors`.

Each input is an input block whose `block_id` is the input id (workflows/forms.py) and whose
element's `action_id` is `VALUE_ACTION_ID`; counts and money are `number_input`s, choices
`static_select`s, texts multiline `plain_text_input`s, a confirm field one `checkboxes`
option (ticked reads back as `CONFIRMED`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.blocks.block_elements import InputInteractiveElement
from slack_sdk.models.views import View

from bot.blocks.common import context, cut, section
from bot.blocks.limits import (
    ERROR_TEXT_MAX,
    INPUT_HINT_MAX,
    INPUT_LABEL_MAX,
    MODAL_BUTTON_MAX,
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    PLAIN_TEXT_INPUT_MAX,
    SECTION_TEXT_MAX,
)
from workflows.forms import (
    ALL_FIELDS,
    CONFIRMED,
    COUNT_MAX,
    FormContext,
    FormDefinition,
    FormError,
    Heading,
    Input,
    InputType,
    layout,
)
from workflows.forms import to_prefill as _to_prefill
from workflows.texts import Texts, slack_escape

VALUE_ACTION_ID = "value"


def build_report_modal(
    form: FormDefinition,
    goals: str | Sequence[str],
    texts: Texts,
    *,
    title_params: Mapping[str, object],
    prefill: Mapping[str, object] | None,
    private_metadata: str,
    callback_id: str,
    form_context: FormContext = ALL_FIELDS,
    carried: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """The report modal for one intervention and period (`title_params`: intervention, period);
    `prefill` (the last stored values) fills it for correction and adds a note saying so;
    without it, `carried` (what follows from the previous period, e.g. the start stock) fills
    a new report. `form_context` says which once-a-year fields are asked."""
    initial = _to_prefill(prefill or carried or {})
    blocks: list[Block] = [context(texts.get("forms", "modal_header", **title_params))]
    if prefill:
        blocks.append(context(texts.get("forms", "correction_note")))
    elif carried:
        blocks.append(context(texts.get("forms", "prefill_note")))
    for item in layout(form, goals, form_context):
        if isinstance(item, Heading):
            blocks.append(_heading(item, texts.lang))
        else:
            blocks.append(_input_block(item, texts, initial.get(item.id)))
    view = View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=cut(form.title.get(texts.lang), MODAL_TITLE_MAX)),
        submit=PlainTextObject(text=cut(texts.get("forms", "submit"), MODAL_BUTTON_MAX)),
        close=PlainTextObject(text=cut(texts.get("common", "cancel"), MODAL_BUTTON_MAX)),
        blocks=blocks,
        private_metadata=private_metadata,
    )
    return view.to_dict()


def read_view_state(view: Mapping[str, Any]) -> dict[str, str | None]:
    """`view.state.values` as the raw string of each input (None: empty or nothing chosen);
    anything not shaped like an input of ours is skipped, never a crash."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    if not isinstance(values, Mapping):
        return {}
    raw: dict[str, str | None] = {}
    for block_id, actions in values.items():
        action = actions.get(VALUE_ACTION_ID) if isinstance(actions, Mapping) else None
        if isinstance(block_id, str) and isinstance(action, Mapping):
            raw[block_id] = _state_value(action)
    return raw


def errors_for_slack(errors: Mapping[str, FormError], texts: Texts) -> dict[str, str]:
    """Block id → message, for `{"response_action": "errors", "errors": ...}`."""
    return {
        input_id: cut(texts.get("forms", error.code, **error.params), ERROR_TEXT_MAX)
        for input_id, error in errors.items()
    }


def _state_value(action: Mapping[str, Any]) -> str | None:
    if action.get("type") == "checkboxes":
        chosen = action.get("selected_options")
        ticked = isinstance(chosen, list) and any(
            isinstance(o, Mapping) and o.get("value") == CONFIRMED for o in chosen
        )
        return CONFIRMED if ticked else None
    if action.get("type") == "static_select":
        selected = action.get("selected_option")
        value = selected.get("value") if isinstance(selected, Mapping) else None
    else:
        value = action.get("value")
    return value if isinstance(value, str) else None


def _heading(item: Heading, lang: str) -> SectionBlock:
    text = f"*{slack_escape(item.label.get(lang))}*"
    if item.hint is not None:
        text += "\n" + slack_escape(item.hint.get(lang))
    block = section(cut(text, SECTION_TEXT_MAX))
    block.block_id = item.id
    return block


def _input_block(item: Input, texts: Texts, initial: str | None) -> InputBlock:
    label = item.label.get(texts.lang)
    if item.split is not None:
        label = texts.get("forms", "split_label", label=label, split=item.split)
    show_hint = item.hint is not None and item.split in (None, "women")  # once per pair
    return InputBlock(
        block_id=item.id,
        label=PlainTextObject(text=cut(label, INPUT_LABEL_MAX)),
        element=_element(item, texts, initial),
        hint=(
            PlainTextObject(text=cut(item.hint.get(texts.lang), INPUT_HINT_MAX))
            if show_hint and item.hint is not None
            else None
        ),
        optional=True if not item.required else None,
    )


def _element(item: Input, texts: Texts, initial: str | None) -> InputInteractiveElement:
    if item.type is InputType.CONFIRM:
        # Never ticked in advance: each submission that does not add up is confirmed anew.
        option = Option(
            value=CONFIRMED, text=cut(texts.get("forms", "confirm_option"), OPTION_TEXT_MAX)
        )
        return CheckboxesElement(action_id=VALUE_ACTION_ID, options=[option])
    if item.type is InputType.CHOICE:
        options = [
            Option(value=o.value, text=cut(o.label.get(texts.lang), OPTION_TEXT_MAX))
            for o in item.options
        ]
        chosen = next((o for o in options if o.value == initial), None)
        return StaticSelectElement(
            action_id=VALUE_ACTION_ID,
            placeholder=PlainTextObject(text=texts.get("common", "choose")),
            options=options,
            initial_option=chosen,
        )
    if item.type is InputType.TEXT:
        limit = min(item.max or PLAIN_TEXT_INPUT_MAX, PLAIN_TEXT_INPUT_MAX)
        return PlainTextInputElement(
            action_id=VALUE_ACTION_ID,
            multiline=True,
            max_length=limit,
            initial_value=initial[:limit] if initial else None,
        )
    bound = item.max if item.max is not None else COUNT_MAX
    return NumberInputElement(
        action_id=VALUE_ACTION_ID,
        is_decimal_allowed=False,
        min_value="0",
        max_value=str(bound),
        initial_value=initial if _within(initial, bound) else None,
    )


def _within(initial: str | None, bound: int) -> bool:
    """A stored number fits the input (the office may have lowered a bound since)."""
    if initial is None or not (initial.isascii() and initial.isdigit()) or len(initial) > 15:
        return False
    return int(initial) <= bound
