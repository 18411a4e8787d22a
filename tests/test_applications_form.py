"""`/finsam ansökan` end to end, as Slack meets the bot (issue #13): the signed slash command
opens the form through the fake's views.open (office and director only), a submission with
problems gets every one inline beside its field and stores nothing, a good one is stored
before the answer and the modal shows it against next year's room; `/finsam ansökan lista`
lists the round. Both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from simulator.slack_driver import datepicker, static_select, text_input, view_submission
from store.models import Role
from tests.harness import LEAD_USER, OFFICE_USER, RunningBot, running_bot
from tests.test_bot_budget import all_text, ask
from workflows.applications import application_round
from workflows.budget_status import budget_status_for
from workflows.people import register_person
from workflows.texts import format_tkr

ORNSKOLDSVIK = Path(__file__).parent / "data" / "budget-ornskoldsvik-2026.csv"  # Plan 2027
GOOD: dict[str, str | None] = {
    "received_on": "2026-04-14",
    "organisation": "Heby kommun",
    "owner": "Heby",
    "title": "Stöd till arbete",
    "support": "individual",
    "amount_1": "500",
    "amount_2": "450",
    "amount_3": None,
}


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url) as running:  # 20 April 2026
        running.add_office_user()
        running.import_budget(ORNSKOLDSVIK)
        register_person(engine, LEAD_USER, role=Role.lead, name="Lea Lead")
        yield running
        running.fake.assert_clean()


def open_form(bot: RunningBot, user: str = OFFICE_USER) -> dict[str, Any]:
    before = len(bot.fake.views())
    response = bot.driver.command("ansökan", user_id=user)
    assert (response.status, response.text) == (200, "")
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    return bot.fake.views()[-1]


def submit(
    bot: RunningBot, view: dict[str, Any], values: dict[str, str | None], user: str = OFFICE_USER
) -> dict[str, Any]:
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for field, value in values.items():
        if field == "received_on":
            state[field] = {"value": datepicker(value)}
        elif field == "support":
            state[field] = {"value": static_select(value)}
        else:
            state[field] = {"value": text_input(value or None)}
    payload = view_submission(view["callback_id"], values=state, user_id=user, view=view)
    response = bot.driver.submit(payload)
    assert response.status == 200
    answer: dict[str, Any] = response.json()
    return answer


def modal_text(view: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in view["blocks"] if block["type"] == "section"
    ).replace("\u00a0", " ")


def test_the_form_has_every_field(bot: RunningBot) -> None:
    view = open_form(bot)
    assert (view["callback_id"], view["title"]["text"]) == (
        "application_form",
        "Registrera ansökan",
    )
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        "received_on",
        "organisation",
        "owner",
        "title",
        "support",
        "amount_1",
        "amount_2",
        "amount_3",
    ]
    assert inputs["received_on"]["element"]["initial_date"] == "2026-04-20"
    assert [o["value"] for o in inputs["support"]["element"]["options"]] == [
        "individual",
        "structural",
    ]
    assert [inputs[f].get("optional", False) for f in ("amount_1", "amount_2")] == [False, True]
    assert inputs["title"]["element"]["max_length"] == 200
    assert bot.fake.responses() == []


def test_bad_then_good_submission(bot: RunningBot) -> None:
    view = open_form(bot)
    bad = {
        **GOOD,
        "received_on": "2026-05-01",
        "organisation": "Anna 811218-9876",
        "support": None,
        "amount_1": None,
        "amount_2": "300",
    }
    answer = submit(bot, view, bad)
    assert answer["response_action"] == "errors"
    errors = {field: text.replace("\u00a0", " ") for field, text in answer["errors"].items()}
    assert errors == {
        "received_on": "2026-05-01 har inte varit än – registrera ansökan när den har kommit in.",
        "organisation": "Fältet sökande organisation ser ut att innehålla ett personnummer. "
        "Personuppgifter hör inte hemma här – ta bort numret.",
        "support": "Välj om insatsen är individinriktad eller strukturinriktad.",
        "amount_1": "Ange beloppet för år 1 – ett år utan belopp går inte; lämna bort de "
        "sista åren i stället.",
    }
    assert application_round(bot.engine, 2027, rules=bot.ctx.rules).applications == []

    answer = submit(bot, view, GOOD)
    assert answer["response_action"] == "update"
    text = modal_text(answer["view"])
    assert (
        "Ansökan är registrerad (nr 1): Stöd till arbete, individinriktad, från Heby kommun "
        "med Heby som huvudman, inkom 2026-04-14. Söker 2027: 500 tkr, 2028: 450 tkr." in text
    )
    room = budget_status_for(bot.engine, year=2027, rules=bot.ctx.rules).remaining_after_grants
    left = format_tkr(room - 500_000).replace("\u00a0", " ")
    assert f"kvar om alla beviljas: {left}." in text
    [stored] = application_round(bot.engine, 2027, rules=bot.ctx.rules).applications
    assert (stored.registered_by, stored.amounts) == (
        OFFICE_USER,
        ((2027, 500_000), (2028, 450_000)),
    )

    again = submit(bot, view, GOOD)  # delivered twice: stored once
    assert "var redan registrerad (nr 1)" in modal_text(again["view"])
    assert len(application_round(bot.engine, 2027, rules=bot.ctx.rules).applications) == 1

    # The same application from someone else is refused beside its field: only the store
    # can see it.
    bot.add_office_user("U0OFFICE2", name="Olle Ek")
    answer = submit(
        bot, open_form(bot, "U0OFFICE2"), {**GOOD, "title": "STÖD TILL ARBETE"}, "U0OFFICE2"
    )
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "title": "Ansökan Stöd till arbete från samma organisation och huvudman är redan "
        "registrerad (nr 1)."
    }


def test_the_round_is_listed_against_next_years_room(bot: RunningBot) -> None:
    submit(bot, open_form(bot), GOOD)
    structural = {**GOOD, "title": "Kartläggning", "support": "structural", "amount_2": None}
    submit(bot, open_form(bot), {**structural, "amount_1": "300"})
    body = ask(bot, "ansökan lista 2027")
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "*Ansökningsomgången för 2027:* 2 ansökningar, 2 utan beslut" in text
    assert "#2 Kartläggning (Heby), strukturinriktad" in text
    assert "Beslutsutrymme 2027 enligt planen:" in text
    assert "söker 800 tkr för 2027 (individinriktade 62,5 %)" in text
    assert all_text(ask(bot, "ansökan lista")) == text  # next year by default
    assert "är inget år" in all_text(ask(bot, "ansökan lista 20x"))


def test_others_are_refused_clearly_and_cannot_submit(bot: RunningBot) -> None:
    body = ask(bot, "ansökan", user=LEAD_USER)
    assert all_text(body).startswith("Ansökningar registreras av kansliet eller förbundschefen.")
    assert "registreras av kansliet" in all_text(ask(bot, "ansökan lista", user=LEAD_USER))
    assert bot.fake.views() == []
    view = open_form(bot)
    answer = submit(bot, view, GOOD, user=LEAD_USER)
    assert answer["response_action"] == "update"
    assert "registreras av kansliet" in modal_text(answer["view"])
    assert application_round(bot.engine, 2027, rules=bot.ctx.rules).applications == []


def test_help_lists_the_command(bot: RunningBot) -> None:
    assert "/finsam ansökan` – registrera en ansökan" in all_text(ask(bot, "hjälp"))
