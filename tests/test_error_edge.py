"""The error edge as Slack meets it (signed requests into the real app, the fake's records
read back): a user's error comes back in the user's language in the shape the request
allows, anything else as the polite fallback with its trace in the log.

The unexpected failures are real ones: a table the listener needs is dropped under the
running bot, so its query fails as it would on a broken database."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bot.app import create_app
from bot.server import HttpServer, make_wsgi_app
from simulator.fake_slack import SlackFake
from simulator.slack_driver import SlackDriver, block_action, view_submission
from store.models import Role
from tests.harness import (
    BOT_TOKEN,
    LEAD_USER,
    OFFICE_USER,
    SIGNING_SECRET,
    RunningBot,
    running_bot,
)
from tests.harness import test_settings as settings_for
from tests.reporting_data import add_intervention
from tests.test_grants_form import GOOD, modal_text
from tests.test_grants_form import open_form as open_grant_form
from tests.test_grants_form import submit as submit_grant
from tests.test_reporting_flow import MARCH, MONTHLY_OK, open_form, stage_at, submit
from workflows.clock import FixedClock
from workflows.languages import set_language
from workflows.people import register_person
from workflows.texts import Texts

EDGE_LOGGER = "bot.listeners.errors"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=stage_at(MARCH, "due")) as running:
        for user in (LEAD_USER, OFFICE_USER):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.add_office_user()
        running.import_budget()
        register_person(engine, LEAD_USER, role=Role.lead, name="Lea Lead")
        running.intervention_id = add_intervention(  # type: ignore[attr-defined]
            engine, "Växtkraft", "Enköping", leads=(("anna@enkoping.example", LEAD_USER),)
        )
        yield running


def drop_table(engine: Engine, table: str) -> None:
    """A real fault: the table is gone, so every query of it fails."""
    cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {table}{cascade}"))


def texts_of(body: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in body.get("blocks", []) if "text" in block]


def trace_of(record: logging.LogRecord) -> str:
    """The logged traceback (the redaction filter keeps it as text, bot/logging_setup.py)."""
    if record.exc_info:
        return logging.Formatter().formatException(record.exc_info)
    return record.exc_text or ""


def traced(caplog: pytest.LogCaptureFixture, words: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == EDGE_LOGGER and "Traceback" in trace_of(r) and words in r.getMessage()
    ]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_lazy_listener_that_fails_unexpectedly_answers_politely_and_logs_the_trace(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, lang: str
) -> None:
    set_language(bot.engine, OFFICE_USER, lang)
    drop_table(bot.engine, "budget_line")
    caplog.set_level(logging.INFO, logger=EDGE_LOGGER)
    body = bot.ask("budget 2026", user=OFFICE_USER)
    fallback = Texts(lang).get("errors", "internal_error")
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert texts_of(body) == [fallback] and body["text"] == fallback
    if lang == "sv":
        assert fallback.startswith("Något gick fel") and "försök igen" in fallback
    [record] = traced(caplog, "handle_finsam failed")
    assert record.levelno == logging.ERROR and "no such table" not in fallback
    assert "budget_line" in trace_of(record)


@pytest.mark.parametrize(
    ("lang", "start"),
    [("sv", "Det här kommandot är till för kansliet"), ("en", "This command is for the office")],
)
def test_access_denied_in_a_command_is_ephemeral_in_the_users_language(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, lang: str, start: str
) -> None:
    set_language(bot.engine, LEAD_USER, lang)
    caplog.set_level(logging.INFO, logger=EDGE_LOGGER)
    body = bot.ask("budget 2026", user=LEAD_USER)
    assert body["response_type"] == "ephemeral"
    assert texts_of(body) == [Texts(lang).get("errors", "office_only")]
    assert body["text"].startswith(start)
    assert not [r for r in caplog.records if trace_of(r)]  # a refusal is no failure


def test_a_bad_argument_is_followed_by_the_help(bot: RunningBot) -> None:
    body = bot.ask("budget 26", user=OFFICE_USER)
    texts = Texts("sv")
    assert texts_of(body) == [
        texts.get("errors", "bad_year", value="26"),
        texts.get("commands", "help", command="/finsam"),
    ]


def test_a_finsam_error_of_one_field_in_a_submission_goes_beside_it(bot: RunningBot) -> None:
    """`record_grant` finds no budget for the year of the decision: inline, at the date."""
    no_budget = Texts("sv").get("errors", "no_budget_for_year", year=2025, years="2026")
    view = open_grant_form(bot)
    answer = submit_grant(bot, view, {**GOOD, "decided_on": "2025-05-01"})
    assert answer == {
        "response_action": "errors",
        "errors": {"decided_on": no_budget},
    }


def test_a_refusal_in_a_submission_is_a_notice_in_the_users_language(bot: RunningBot) -> None:
    set_language(bot.engine, LEAD_USER, "en")
    view = open_grant_form(bot)
    answer = submit_grant(bot, view, GOOD, user=LEAD_USER)
    assert answer["response_action"] == "update"
    assert modal_text(answer["view"]) == Texts("en").get("grants", "grant_office_only")


def test_a_report_that_cannot_be_stored_keeps_its_form_open(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.jobs.run_reminders()
    reminder = bot.fake.messages(bot.fake.dm_channel(LEAD_USER))[0]
    view = open_form(bot, reminder)
    assert view["callback_id"] == "report_form"
    drop_table(bot.engine, "report_revision")
    caplog.set_level(logging.INFO, logger=EDGE_LOGGER)
    response = submit(bot, view, MONTHLY_OK)
    assert response.status == 200
    first_input = next(b["block_id"] for b in view["blocks"] if b["type"] == "input")
    assert response.json() == {
        "response_action": "errors",
        "errors": {first_input: Texts("sv").get("errors", "not_stored")},
    }
    assert traced(caplog, "submit_form failed")


def test_a_button_whose_modal_cannot_be_built_opens_the_fallback_notice(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Visa svar" with a value that names no report id: a notice modal, and the trace."""
    caplog.set_level(logging.INFO, logger=EDGE_LOGGER)
    before = len(bot.fake.views())
    response = bot.driver.action(block_action("report_show", value="x", user_id=OFFICE_USER))
    assert response.status == 200
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    notice = bot.fake.views()[-1]
    assert notice["callback_id"] == "notice"
    assert modal_text(notice) == Texts("sv").get("errors", "internal_error")
    bot.fake.wait_for(lambda: bool(traced(caplog, "show_answers failed")))


def test_a_refused_button_in_a_channel_post_is_told_only_to_the_presser(
    bot: RunningBot,
) -> None:
    """A lead presses "Godkänn" on a review post: the office's refusal, ephemeral."""
    value = json.dumps({"report_id": 1, "revision": 1})
    before = len(bot.fake.responses())
    bot.driver.action(block_action("report_accept", value=value, user_id=LEAD_USER))
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before)
    body = bot.fake.responses()[before]["body"]
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert body["text"] == Texts("sv").get("errors", "office_only")


def test_a_button_whose_listener_fails_tells_the_presser_politely(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Godkänn" while the reports' table is gone. Bolt alone only logs a lazy listener's
    failure, without its trace, and the presser would hear nothing."""
    drop_table(bot.engine, "report_revision")
    drop_table(bot.engine, "report")
    caplog.set_level(logging.INFO, logger=EDGE_LOGGER)
    value = json.dumps({"report_id": 1, "revision": 1})
    before = len(bot.fake.responses())
    bot.driver.action(block_action("report_accept", value=value, user_id=OFFICE_USER))
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before)
    body = bot.fake.responses()[before]["body"]
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert body["text"] == Texts("sv").get("errors", "internal_error")
    [record] = traced(caplog, "accept failed")
    assert "no such table" in trace_of(record) or "does not exist" in trace_of(record)


def test_what_fails_outside_the_edge_is_logged_and_a_form_gets_the_fallback(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """`app.error`: a listener registered on the real app without a shape (as a future one
    might be) still answers a submission with the polite notice, and its trace is logged."""
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        cfg = settings_for(api_url=fake.api_url, database_url=database_url)
        app = create_app(cfg, engine=engine, clock=FixedClock(stage_at(MARCH, "due")))

        def unguarded(ack: Any, body: dict[str, Any]) -> None:
            raise RuntimeError("a listener without the edge")

        app.view("unguarded_form")(unguarded)
        wsgi = make_wsgi_app(app, engine=engine, signing_secret=SIGNING_SECRET)
        server = HttpServer(wsgi, host="127.0.0.1", port=0, threads=2)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        caplog.set_level(logging.INFO, logger=EDGE_LOGGER)
        try:
            driver = SlackDriver(server.url, SIGNING_SECRET)
            payload = view_submission("unguarded_form", values={}, user_id=LEAD_USER)
            response = driver.submit(payload)
        finally:
            server.close()
            thread.join(timeout=5)
    assert response.status == 200
    answer = response.json()
    assert answer["response_action"] == "update"
    assert modal_text(answer["view"]) == Texts("sv").get("errors", "internal_error")
    [record] = traced(caplog, "outside the error edge")
    assert "a listener without the edge" in trace_of(record)


def test_status_refuses_a_lead_in_its_own_words(bot: RunningBot) -> None:
    set_language(bot.engine, LEAD_USER, "en")
    body = bot.ask("status", user=LEAD_USER)
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("`/finsam status` is for the office")
    assert texts_of(body) == [Texts("en").get("errors", "status_office_only")]
