"""`/finsam beslut` end to end, as Slack meets the bot: the signed slash command opens the
form through the fake's views.open (office and director only), a submission with problems
gets them inline beside their fields and stores nothing, a good one pushes a confirmation
with the preview (stores nothing yet), and its confirmation is stored before the answer and
the modal shows what is left of the decision room; `/finsam budget` then shows it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from simulator.slack_driver import datepicker, static_select, text_input, view_submission
from store.models import Role
from tests.harness import LEAD_USER, OFFICE_USER, RunningBot, running_bot
from tests.test_bot_budget import all_text, ask
from workflows.grants import grants_of_year
from workflows.people import register_person

DIRECTOR = "U0DIRECT1"
GOOD = {
    "decided_on": "2026-04-14",
    "intervention": "Växtkraft",
    "owner": "",
    "amount": "300",
    "body": "delegation",
    "decided_by": "Förbundschefen",
    "support": None,
}


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url) as running:  # 20 April 2026
        running.add_office_user()
        running.import_budget()
        register_person(engine, DIRECTOR, role=Role.director, name="Dana Chef")
        register_person(engine, LEAD_USER, role=Role.lead, name="Lea Lead")
        yield running
        running.fake.assert_clean()


def open_form(bot: RunningBot, user: str = OFFICE_USER) -> dict[str, Any]:
    before = len(bot.fake.views())
    response = bot.driver.command("beslut", user_id=user)
    assert (response.status, response.text) == (200, "")
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    return bot.fake.views()[-1]


def state(values: dict[str, str | None]) -> dict[str, dict[str, dict[str, Any]]]:
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for field, value in values.items():
        if field == "decided_on":
            found[field] = {"value": datepicker(value)}
        elif field in ("body", "support"):
            found[field] = {"value": static_select(value)}
        else:
            found[field] = {"value": text_input(value or None)}
    return found


def submit(
    bot: RunningBot, view: dict[str, Any], values: dict[str, str | None], user: str = OFFICE_USER
) -> dict[str, Any]:
    payload = view_submission(view["callback_id"], values=state(values), user_id=user, view=view)
    response = bot.driver.submit(payload)
    assert response.status == 200
    answer: dict[str, Any] = response.json()
    return answer


def confirm(
    bot: RunningBot, confirmation: dict[str, Any], user: str = OFFICE_USER
) -> dict[str, Any]:
    """Press "Bekräfta" on the confirmation the form's submission pushed."""
    assert confirmation["response_action"] == "push"
    view = confirmation["view"]
    assert view["callback_id"] == "grant_confirm"
    return submit(bot, view, {}, user)


def modal_text(view: dict[str, Any]) -> str:
    return "\n".join(
        block["text"]["text"] for block in view["blocks"] if block["type"] == "section"
    ).replace("\u00a0", " ")


def test_the_form_has_every_field_and_starts_at_today(bot: RunningBot) -> None:
    view = open_form(bot)
    assert view["callback_id"] == "grant_form"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        "decided_on",
        "intervention",
        "owner",
        "amount",
        "body",
        "decided_by",
        "support",
    ]
    assert inputs["decided_on"] == {
        "type": "datepicker",
        "action_id": "value",
        "initial_date": "2026-04-20",
    }
    assert [o["value"] for o in inputs["body"]["options"]] == ["delegation", "board"]
    assert view["title"]["text"] == "Registrera beslut"
    assert bot.fake.responses() == []  # the form opened: nothing said besides


def test_bad_then_good_submission(bot: RunningBot) -> None:
    view = open_form(bot)
    bad = {
        **GOOD,
        "decided_on": "2026-05-01",
        "amount": "tre hundra",
        "decided_by": "Anna 811218-9876",
        "body": None,
    }
    answer = submit(bot, view, bad)
    assert answer["response_action"] == "errors"
    errors = {field: text.replace("\u00a0", " ") for field, text in answer["errors"].items()}
    assert errors == {
        "decided_on": "2026-05-01 har inte varit än – registrera beslutet när det är fattat.",
        "amount": "”tre hundra” är inget belopp – skriv t.ex. 300 eller 1 222,5 (tkr) eller "
        "hela kronor.",
        "body": "Välj om beslutet fattades av styrelsen eller av förbundschefen på delegation.",
        "decided_by": "Fältet beslutad av ser ut att innehålla ett personnummer. "
        "Personuppgifter hör inte hemma här – ta bort numret.",
    }
    assert grants_of_year(bot.engine, 2026) == []

    # A problem only the store can see comes back inline too.
    answer = submit(bot, view, {**GOOD, "intervention": "Lokussamordnare"})
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["owner"]
    assert "Uppsala, Älvkarleby" in answer["errors"]["owner"]

    confirmation = submit(bot, view, GOOD)
    assert grants_of_year(bot.engine, 2026) == []  # only shown, not stored
    answer = confirm(bot, confirmation)
    assert answer["response_action"] == "update"
    assert answer["view"]["clear_on_close"] is True  # closing it closes the form beneath
    text = modal_text(answer["view"])
    assert (
        "Beslutet är registrerat: 300 tkr till Växtkraft (Enköping), individstödjande insats, "
        "delegationsbeslut 2026-04-14 av Förbundschefen." in text
    )
    assert "kvar efter beslut 707 tkr" in text
    [grant] = grants_of_year(bot.engine, 2026)
    assert (grant.amount_kr, grant.recorded_by, grant.owner) == (300_000, OFFICE_USER, "Enköping")

    # The same submission delivered again is stored once.
    again = confirm(bot, confirmation)
    assert "var redan registrerat" in modal_text(again["view"])
    assert len(grants_of_year(bot.engine, 2026)) == 1

    body = ask(bot, "budget 2026")
    assert "Kvarvarande beslutsutrymme efter beslut:* 707 tkr" in all_text(body)


def test_the_director_may_record_too(bot: RunningBot) -> None:
    view = open_form(bot, DIRECTOR)
    values = {**GOOD, "body": "board", "decided_by": "Styrelsen § 7"}
    answer = confirm(bot, submit(bot, view, values, DIRECTOR), DIRECTOR)
    assert answer["response_action"] == "update"
    [grant] = grants_of_year(bot.engine, 2026)
    assert grant.recorded_by == DIRECTOR


def test_others_are_refused_clearly_and_cannot_submit(bot: RunningBot) -> None:
    body = ask(bot, "beslut", user=LEAD_USER)
    assert body["response_type"] == "ephemeral"
    assert all_text(body).startswith("Beslut om medel under året registreras av kansliet")
    assert bot.fake.views() == []
    # A forged submission from someone else stores nothing either.
    view = open_form(bot)
    for values in (GOOD, {**GOOD, "amount": "mycket"}):  # refused before anything is checked
        answer = submit(bot, view, values, user=LEAD_USER)
        assert answer["response_action"] == "update"
        assert "registreras av kansliet" in modal_text(answer["view"])
    # Nor does a confirmation pressed by someone else.
    confirmation = submit(bot, view, GOOD)
    answer = submit(bot, confirmation["view"], {}, user=LEAD_USER)
    assert answer["response_action"] == "update"
    assert "registreras av kansliet" in modal_text(answer["view"])
    assert grants_of_year(bot.engine, 2026) == []


def test_help_lists_the_command(bot: RunningBot) -> None:
    assert "/finsam beslut` – registrera medel" in all_text(ask(bot, "hjälp"))
