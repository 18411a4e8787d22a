"""Block Kit for the application round: the form of `/finsam ansökan` (one input block per
field of workflows/applications.py, the block id is the field; amounts `amount_1` …), what
it turns into once stored, and the round listed against next year's room (also the CLI's
text, through `round_lines`)."""

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

from bot.blocks.common import cap_blocks, chunked_sections, context, cut, section
from bot.blocks.forms import VALUE_ACTION_ID
from bot.blocks.grants import read_grant_state
from bot.blocks.limits import MESSAGE_BLOCKS_MAX, MODAL_BUTTON_MAX, MODAL_TITLE_MAX
from bot.ids import View as ViewId
from workflows.applications import (
    AMOUNT,
    ORGANISATION,
    OWNER,
    RECEIVED_ON,
    SUPPORT,
    TEXT_MAX,
    TITLE,
    YEARS_IN_FORM,
    ApplicationFields,
    RegisteredApplication,
    RoundView,
)
from workflows.texts import Texts

AREA = "applications"
AMOUNT_INPUT_MAX = 30
SUPPORTS = ("individual", "structural")


def amount_field(n: int) -> str:
    return f"{AMOUNT}_{n}"


def build_application_modal(texts: Texts, *, today: date) -> dict[str, Any]:
    """The empty form; the day received starts at today."""

    def text_input(max_length: int) -> PlainTextInputElement:
        return PlainTextInputElement(action_id=VALUE_ACTION_ID, max_length=max_length)

    blocks: list[Block] = [
        context(texts.get(AREA, "ap_modal_intro")),
        _input(
            texts,
            RECEIVED_ON,
            "ap_label_received_on",
            DatePickerElement(action_id=VALUE_ACTION_ID, initial_date=today.isoformat()),
        ),
        _input(texts, ORGANISATION, "ap_label_organisation", text_input(TEXT_MAX)),
        _input(texts, OWNER, "ap_label_owner", text_input(TEXT_MAX), hint="ap_hint_owner"),
        _input(texts, TITLE, "ap_label_title", text_input(TEXT_MAX)),
        _input(
            texts,
            SUPPORT,
            "ap_label_support",
            StaticSelectElement(
                action_id=VALUE_ACTION_ID,
                placeholder=PlainTextObject(text=texts.get("common", "choose")),
                options=[
                    Option(value=v, text=texts.get(AREA, "ap_support_name", support=v).capitalize())
                    for v in SUPPORTS
                ],
            ),
        ),
    ]
    for n in range(1, YEARS_IN_FORM + 1):
        label = PlainTextObject(text=texts.get(AREA, "ap_label_amount", n=n))
        blocks.append(
            InputBlock(
                block_id=amount_field(n),
                label=label,
                element=text_input(AMOUNT_INPUT_MAX),
                hint=PlainTextObject(text=texts.get(AREA, "ap_hint_amount_1")) if n == 1 else None,
                optional=True if n > 1 else None,
            )
        )
    return View(
        type="modal",
        callback_id=ViewId.application_form.value,
        title=PlainTextObject(text=cut(texts.get(AREA, "ap_modal_title"), MODAL_TITLE_MAX)),
        submit=PlainTextObject(text=cut(texts.get(AREA, "ap_submit"), MODAL_BUTTON_MAX)),
        close=PlainTextObject(text=cut(texts.get("common", "cancel"), MODAL_BUTTON_MAX)),
        blocks=blocks,
    ).to_dict()


def read_application_state(view: Mapping[str, Any]) -> ApplicationFields:
    """The submitted form as typed (every value a raw string)."""
    raw = read_grant_state(view)
    return ApplicationFields(
        received_on=raw.get(RECEIVED_ON) or "",
        organisation=raw.get(ORGANISATION) or "",
        owner=raw.get(OWNER) or "",
        title=raw.get(TITLE) or "",
        support=raw.get(SUPPORT) or "",
        amounts_tkr=tuple(raw.get(amount_field(n)) or "" for n in range(1, YEARS_IN_FORM + 1)),
    )


def build_application_done(texts: Texts, lines: list[str]) -> dict[str, Any]:
    """What the modal turns into once the application is stored (or a notice)."""
    return View(
        type="modal",
        callback_id=ViewId.notice.value,
        title=PlainTextObject(text=cut(texts.get(AREA, "ap_modal_title"), MODAL_TITLE_MAX)),
        close=PlainTextObject(text=cut(texts.get("common", "close"), MODAL_BUTTON_MAX)),
        blocks=[section("\n\n".join(lines))],
    ).to_dict()


def registered_text(texts: Texts, registered: RegisteredApplication) -> str:
    application = registered.application
    if not registered.created:
        return texts.get(AREA, "ap_already_registered", id=application.id, title=application.title)
    return texts.get(
        AREA,
        "ap_registered",
        id=application.id,
        title=application.title,
        organisation=application.organisation,
        owner=application.owner,
        support=application.support.value,
        received_on=application.received_on,
        amounts=list(application.amounts),
    )


def room_lines(texts: Texts, view: RoundView) -> list[str]:
    """Next year's room, what the open applications ask of it, a warning when too much."""
    lines: list[str] = []
    room = view.room
    if room is None:
        lines.append(texts.get(AREA, "ap_round_no_room", year=view.for_year))
    else:
        lines.append(
            texts.get(
                AREA,
                "ap_round_room",
                year=view.for_year,
                to_decide=room.to_decide,
                granted=room.granted,
                left=room.left,
                plan=view.plan,
            )
        )
    if view.open:
        lines.append(
            texts.get(
                AREA,
                "ap_round_applied",
                year=view.for_year,
                applied=view.applied,
                share=view.applied_individual_share,
                left_after=view.left_after,
            )
        )
        if view.left_after is not None and view.left_after < 0:
            lines.append(texts.get(AREA, "ap_round_over", over=-view.left_after))
    return lines


def round_lines(texts: Texts, view: RoundView) -> list[str]:
    """The round as lines: heading and the room first (what a long list must not push out
    of a message), then one line per application."""
    if not view.applications:
        return [texts.get(AREA, "ap_round_empty", year=view.for_year), *room_lines(texts, view)]
    heading = texts.get(
        AREA,
        "ap_round_heading",
        year=view.for_year,
        count=len(view.applications),
        open=len(view.open),
    )
    lines = [heading, *room_lines(texts, view)]
    for a in view.applications:
        lines.append(
            texts.get(
                AREA,
                "ap_round_line",
                id=a.id,
                received_on=a.received_on,
                organisation=a.organisation,
                owner=a.owner,
                title=a.title,
                support=a.support.value,
                amounts=list(a.amounts),
                status=a.status.value,
                decided_by=a.decided_by or "",
                withdrawn=a.grant_withdrawn,
            )
        )
    return lines


def build_round_blocks(texts: Texts, view: RoundView) -> list[Block]:
    """The round for Slack: the lines packed into sections, within a message's blocks."""
    return cap_blocks(
        list(chunked_sections(round_lines(texts, view))),
        limit=MESSAGE_BLOCKS_MAX,
        more=texts.get(AREA, "ap_round_more"),
    )


def _input(
    texts: Texts,
    field: str,
    label: str,
    element: InputInteractiveElement,
    *,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=PlainTextObject(text=texts.get(AREA, label)),
        element=element,
        hint=PlainTextObject(text=texts.get(AREA, hint)) if hint else None,
    )
