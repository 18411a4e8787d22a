""" "Visa svaren" as the office sees it in Slack: a quarterly report sent through the form (a
signed view_submission into the real app), its review post sent to the fake, the office's
press on "Visa svaren" (a signed block action) opening a modal the fake records. The answers
read as the form says them — a goal's attainment by its label, money in kronor — never as
the stored codes and bare figures (`on_track`, `250000`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from simulator.reading import buttons
from simulator.slack_driver import block_action, static_select, text_input, view_submission
from tests.harness import LEAD_USER, OFFICE_CHANNEL, OFFICE_USER, RunningBot, running_bot
from tests.reporting_data import add_intervention
from tests.test_reporting_flow import dms, open_form, stage_at
from workflows.calendar import Period
from workflows.languages import set_language

Q1 = Period.quarter(2026, 1)
ENGLISH_OFFICE_USER = "U0OFFICE2"
QUARTERLY = {
    "goal_1": static_select("on_track"),
    "goal_1_comment": text_input("Tre av fem arbetsgivare har tackat ja"),
    "goal_2": static_select("reached"),
    "goal_2_comment": text_input(None),
    "collaboration": text_input("Bra"),
    "participant_view": text_input(None),
    "steering_group": text_input("Möte varje månad"),
    "resources": text_input("Som planerat"),
    "deviations": text_input("Inga"),
    "costs": text_input("250000", action_type="number_input"),
    "other": text_input(None),
}


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=stage_at(Q1, "due")) as running:
        for user in (LEAD_USER, OFFICE_USER, ENGLISH_OFFICE_USER):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.add_office_user()
        running.add_office_user(ENGLISH_OFFICE_USER, name="Sam Smith")
        set_language(engine, ENGLISH_OFFICE_USER, "en")
        add_intervention(
            engine,
            "Växtkraft",
            "Enköping",
            leads=(("anna@enkoping.example", LEAD_USER),),
            goals=("Fler i arbete", "Samverkan med arbetsgivare"),
        )
        yield running


def review_post(bot: RunningBot) -> dict[str, Any]:
    """The Q1 report sent through the lead's form; the office's review post of it."""
    bot.jobs.run_reminders()
    [reminder] = dms(bot, LEAD_USER, "2026-Q1")
    view = open_form(bot, reminder, period="2026-Q1")
    values = {block: {"value": value} for block, value in QUARTERLY.items()}
    submission = view_submission(view["callback_id"], values=values, user_id=LEAD_USER, view=view)
    response = bot.driver.submit(submission)
    assert response.status == 200 and response.json()["response_action"] == "update"
    bot.jobs.run_outbox()
    return next(
        m
        for m in bot.fake.messages(OFFICE_CHANNEL)
        if [b["action_id"] for b in buttons(m)][:1] == ["report_show"]
    )


def show_answers(bot: RunningBot, post: dict[str, Any], user: str) -> str:
    """Press "Visa svaren" as `user`; the text of the modal that opens."""
    before = len(bot.fake.views())
    button = next(b for b in buttons(post) if b["action_id"] == "report_show")
    response = bot.driver.action(
        block_action(
            "report_show",
            value=button["value"],
            user_id=user,
            message={**post, "channel": OFFICE_CHANNEL},
            channel_id=OFFICE_CHANNEL,
        )
    )
    assert response.status == 200
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before, timeout=15)
    view = bot.fake.views()[-1]
    return "\n".join(
        str(block.get("text", {}).get("text", ""))
        + "".join(str(e.get("text", "")) for e in block.get("elements", []))
        for block in view["blocks"]
    )


def test_the_answers_show_labels_and_kronor(bot: RunningBot) -> None:
    post = review_post(bot)
    text = show_answers(bot, post, OFFICE_USER)
    assert "*Fler i arbete*: På väg att nås" in text
    assert "*Samverkan med arbetsgivare*: Uppnått" in text
    assert "*Kostnader under kvartalet (kr)*: 250\u00a0000\u00a0kr" in text
    assert "*Kommentar till målet*: Tre av fem arbetsgivare har tackat ja" in text
    assert "*Hur har deltagarnas behov och synpunkter tagits tillvara?*: –" in text
    assert "on_track" not in text and "reached" not in text and "250000" not in text

    english = show_answers(bot, post, ENGLISH_OFFICE_USER)
    assert "*Fler i arbete*: On track" in english
    assert "*Costs in the quarter (SEK)*: 250,000 SEK" in english
    bot.fake.assert_clean()
