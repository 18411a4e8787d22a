"""The report modal: valid Block Kit within Slack's limits in both languages and with any number
of goals, prefilled for correction, and its submitted state read back to the same values."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.blocks.forms import (
    VALUE_ACTION_ID,
    build_report_modal,
    errors_for_slack,
    read_view_state,
)
from bot.blocks.limits import INPUT_LABEL_MAX, MODAL_TITLE_MAX, OPTION_TEXT_MAX, VIEW_BLOCKS_MAX
from simulator.fake_slack import validate_blocks
from simulator.slack_driver import checkboxes, static_select, text_input, view_submission
from workflows.calendar import ReportKind
from workflows.forms import GOALS_MAX, FormDefinition, InputType, inputs, load_forms, validate
from workflows.texts import Texts

FORMS = load_forms()
MONTHLY = FORMS[ReportKind.monthly]
QUARTERLY = FORMS[ReportKind.quarterly]
TITLE = {"intervention": "Steg <för> steg & co", "period": "2026-03"}


def build(
    form: FormDefinition,
    goals: list[str] | None = None,
    lang: str = "sv",
    prefill: dict[str, object] | None = None,
) -> dict[str, Any]:
    return build_report_modal(
        form,
        goals or [],
        Texts(lang),
        title_params=TITLE,
        prefill=prefill,
        private_metadata='{"intervention": 7, "period": "2026-03"}',
        callback_id="report_submit",
    )


def input_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


CASES = [
    (MONTHLY, 0),
    (QUARTERLY, 0),
    (QUARTERLY, 1),
    (QUARTERLY, 8),
    (QUARTERLY, GOALS_MAX + 10),
]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(("form", "goal_count"), CASES)
def test_the_modal_is_valid_block_kit_within_slack_limits(
    form: FormDefinition, goal_count: int, lang: str
) -> None:
    goals = [f"Mål {n}: " + "x" * 3000 for n in range(1, goal_count + 1)]
    view = build(form, goals, lang, prefill={"goal_1": "partly"})
    assert View(**view).to_dict() == view  # slack_sdk's own checks, and nothing dropped
    assert validate_blocks(view["blocks"], max_blocks=VIEW_BLOCKS_MAX) == []
    assert len(view["blocks"]) <= VIEW_BLOCKS_MAX
    assert 1 <= len(view["title"]["text"]) <= MODAL_TITLE_MAX
    blocks = input_blocks(view)
    assert list(blocks) == [i.id for i in inputs(form, goals)]
    for block in blocks.values():
        assert block["element"]["action_id"] == VALUE_ACTION_ID
        assert len(block["label"]["text"]) <= INPUT_LABEL_MAX
        for option in block["element"].get("options", []):
            assert len(option["text"]["text"]) <= OPTION_TEXT_MAX


def test_the_monthly_modal_in_swedish() -> None:
    view = build(MONTHLY)
    assert (view["type"], view["callback_id"], view["title"]["text"]) == (
        "modal",
        "report_submit",
        "Månadsrapport",
    )
    assert (view["submit"]["text"], view["close"]["text"]) == ("Skicka", "Avbryt")
    assert view["blocks"][0] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "*Steg &lt;för&gt; steg &amp; co* · 2026-03"}],
    }
    assert input_blocks(view)["month_end_women"] == {
        "type": "input",
        "block_id": "month_end_women",
        "label": {"type": "plain_text", "text": "Deltagare vid månadens slut – kvinnor"},
        "hint": {
            "type": "plain_text",
            "text": "Alla som är inskrivna i insatsen den sista dagen i månaden.",
        },
        "element": {
            "type": "number_input",
            "action_id": "value",
            "is_decimal_allowed": False,
            "min_value": "0",
            "max_value": "10000",
        },
        "optional": True,  # left empty it counts as 0
    }
    assert "hint" not in input_blocks(view)["month_end_men"]  # said once per pair
    assert view["blocks"][9] == {
        "type": "section",
        "block_id": "ended_heading",
        "text": {"type": "mrkdwn", "text": "*Av de avslutade*"},
    }


def test_the_quarterly_modal_in_english() -> None:
    view = build(QUARTERLY, ["More people in work"], "en")
    blocks = input_blocks(view)
    assert view["title"]["text"] == "Quarterly report"
    assert blocks["goal_1"]["label"]["text"] == "More people in work"
    assert [o["text"]["text"] for o in blocks["goal_1"]["element"]["options"]] == [
        "Reached",
        "On track",
        "At risk",
        "Not started",
    ]
    assert blocks["goal_1_comment"]["optional"] is True
    assert blocks["goal_1_comment"]["element"] == {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 1000,
    }
    assert blocks["goal_1_comment"]["hint"]["text"].startswith("Required when the goal is not")
    assert "optional" not in blocks["deviations"]
    assert blocks["costs"]["optional"] is True
    assert blocks["costs"]["element"]["max_value"] == "100000000"


def test_prefill_shows_the_last_answers_and_says_so() -> None:
    view = build(
        QUARTERLY,
        ["Fler i arbete"],
        prefill={"goal_1": "on_track", "costs": 4500, "deviations": "Inga.", "other": None},
    )
    blocks = input_blocks(view)
    assert blocks["goal_1"]["element"]["initial_option"]["value"] == "on_track"
    assert blocks["costs"]["element"]["initial_value"] == "4500"
    assert blocks["deviations"]["element"]["initial_value"] == "Inga."
    assert "initial_value" not in blocks["other"]["element"]
    assert "redan lämnad" in view["blocks"][1]["elements"][0]["text"]
    assert all("redan lämnad" not in str(b) for b in build(QUARTERLY)["blocks"])


def test_stale_prefill_is_left_out_rather_than_refused_by_slack() -> None:
    # The office may have changed the form since: a value that no longer fits is not shown.
    view = build(
        QUARTERLY,
        ["Fler i arbete"],
        prefill={"goal_1": "gone", "costs": "-5", "deviations": "x" * 5000, "old_field": 3},
    )
    assert validate_blocks(view["blocks"], max_blocks=VIEW_BLOCKS_MAX) == []
    blocks = input_blocks(view)
    assert "initial_option" not in blocks["goal_1"]["element"]
    assert "initial_value" not in blocks["costs"]["element"]
    assert len(blocks["deviations"]["element"]["initial_value"]) == 2000
    view = build(MONTHLY, prefill={"new_women": 10001, "new_men": "9" * 5000})
    assert "initial_value" not in input_blocks(view)["new_women"]["element"]
    assert "initial_value" not in input_blocks(view)["new_men"]["element"]


def state_of(form: FormDefinition, goals: list[str], raw: dict[str, str | None]) -> Any:
    """Slack's `state.values` for the modal filled in with `raw`."""
    kinds = {i.id: i.type for i in inputs(form, goals)}
    values: dict[str, dict[str, Any]] = {}
    for input_id, value in raw.items():
        if kinds[input_id] is InputType.CONFIRM:
            element = checkboxes(*([value] if value else []))
        elif kinds[input_id] is InputType.CHOICE:
            element = static_select(value)
        elif kinds[input_id] is InputType.TEXT:
            element = text_input(value)
        else:
            element = text_input(value, action_type="number_input")
        values[input_id] = {VALUE_ACTION_ID: element}
    return values


@pytest.mark.parametrize(
    ("form", "goals", "raw"),
    [
        (
            MONTHLY,
            [],
            {
                **{i.id: "0" for i in inputs(MONTHLY, [])},
                **{
                    f"{key}_{s}": "1"
                    for key in ("to_work", "new_under_30", "start_over_3_years")
                    for s in ("women", "men")
                },
                **{f"month_start_{s}": "10" for s in ("women", "men")},
                **{f"new_{s}": "3" for s in ("women", "men")},
                **{f"ended_{s}": "2" for s in ("women", "men")},
                **{f"month_end_{s}": "11" for s in ("women", "men")},
                "figures_confirmed": None,
            },
        ),
        (
            QUARTERLY,
            ["Fler i arbete", "Färre sjukskrivna"],
            {
                "goal_1": "reached",
                "goal_1_comment": "Tre fick jobb.",
                "goal_2": "at_risk",
                "goal_2_comment": "Arbetsgivarna väntar.",
                "collaboration": "Bra <!channel> & så",
                "participant_view": None,
                "steering_group": "Möts varje månad.",
                "resources": "Ja",
                "deviations": "Inga",
                "costs": "125000",
                "other": None,
            },
        ),
    ],
)
def test_a_submission_reads_back_to_the_values_and_prefills_the_same(
    form: FormDefinition, goals: list[str], raw: dict[str, str | None]
) -> None:
    payload = view_submission("report_submit", values=state_of(form, goals, raw))
    read = read_view_state(payload["view"])
    assert read == raw
    first = validate(form, goals, read)
    assert first.errors == {}
    # Opening the form again shows these answers; submitting it unchanged stores the same.
    view = build(form, goals, prefill=dict(first.values))
    prefilled = {
        block_id: block["element"].get("initial_value")
        or (block["element"].get("initial_option") or {}).get("value")
        for block_id, block in input_blocks(view).items()
    }
    assert validate(form, goals, prefilled).values == first.values


@pytest.mark.parametrize(
    "view",
    [
        {},
        {"state": None},
        {"state": {"values": []}},
        {"state": {"values": {"a": None, "b": {"other": {}}, "c": {"value": "x"}}}},
        {"state": {"values": {"d": {"value": {"type": "static_select", "selected_option": 3}}}}},
        {"state": {"values": {"e": {"value": {"type": "number_input", "value": 12}}}}},
    ],
)
def test_a_state_not_shaped_like_ours_is_read_without_a_crash(view: dict[str, Any]) -> None:
    assert read_view_state(view) in ({}, {"d": None}, {"e": None})


def test_errors_come_back_inline_per_block() -> None:
    goals = ["Fler i arbete"]
    result = validate(
        QUARTERLY,
        goals,
        {"goal_1": "reached", "goal_1_comment": "Ring 811218-9876", "costs": "3,5"},
    )
    messages = errors_for_slack(result.errors, Texts("sv"))
    assert set(messages) <= set(input_blocks(build(QUARTERLY, goals)))
    assert (
        messages["costs"]
        == "Skriv ett heltal med siffror, t.ex. 12 – inga decimaler eller bokstäver."
    )
    assert messages["goal_1_comment"].startswith("Texten verkar innehålla ett personnummer.")
    assert messages["deviations"] == "Fyll i det här fältet."
    assert (
        errors_for_slack(result.errors, Texts("en"))["deviations"] == "Please fill in this field."
    )
