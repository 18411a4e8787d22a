"""`finsam-bot people forget`: after a month of real use through the bot (reminders, a
report through the form, a send-back with a comment, an absence with a deputy, a grant),
forgetting the lead and then the office user leaves none of their Slack ids, e-mail
addresses, names or DM channels in any text column of any table, and the report's figures
are as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select
from sqlmodel import select as sqlmodel_select

from simulator.reading import buttons
from simulator.slack_driver import block_action, text_input, view_submission
from store.db import session_scope
from store.models import OutboxMessage, OutboxStatus, Role
from store.outbox import enqueue
from store.people import roles_of
from tests.cli_runner import Cli
from tests.harness import BOT_TOKEN, LEAD_USER, OFFICE_CHANNEL, OFFICE_USER, RunningBot, running_bot
from tests.reporting_data import add_intervention
from tests.test_reporting_flow import MARCH, MONTHLY_OK, dms, open_form, stage_at, submit
from workflows.absence import record_absence
from workflows.grants import GrantFields, record_grant
from workflows.people import forget_person, parse_who, register_person
from workflows.reports import find_report

LEAD_NAME = "Åsa Öberg-Lindqvist"
LEAD_EMAIL = "asa.oberg@enkoping.example"
OFFICE_NAME = "Eva Ekström"
OFFICE_EMAIL = "eva.ekstrom@uppsala.example"
DEPUTY = "U0DEPUTY1"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=stage_at(MARCH, "due")) as running:
        running.fake.add_user(LEAD_USER, email=LEAD_EMAIL, name=LEAD_NAME)
        running.fake.add_user(OFFICE_USER, email=OFFICE_EMAIL, name=OFFICE_NAME)
        running.fake.add_user(DEPUTY, email="dan.deputy@enkoping.example", name="Dan Deputy")
        register_person(engine, OFFICE_USER, role=Role.office, name=OFFICE_NAME, email=OFFICE_EMAIL)
        running.import_budget()
        running.intervention_id = add_intervention(  # type: ignore[attr-defined]
            engine,
            "Växtkraft",
            "Enköping",
            leads=((LEAD_EMAIL, LEAD_USER), ("dan.deputy@enkoping.example", DEPUTY)),
        )
        register_person(engine, LEAD_USER, role=Role.lead, name=LEAD_NAME, email=LEAD_EMAIL)
        yield running


def _a_month_of_use(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    submit(bot, open_form(bot, dms(bot, LEAD_USER)[0]), MONTHLY_OK)
    bot.jobs.run_outbox()
    [review] = bot.fake.messages(OFFICE_CHANNEL)
    send_back = next(b for b in buttons(review) if b["action_id"] == "report_return")
    before = len(bot.fake.views())
    bot.driver.action(
        block_action(
            "report_return",
            value=send_back["value"],
            user_id=OFFICE_USER,
            message={**review, "channel": OFFICE_CHANNEL},
            channel_id=OFFICE_CHANNEL,
        )
    )
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    comment = f"Hej {LEAD_NAME} (<@{LEAD_USER}>), stäm av med {OFFICE_NAME}, {OFFICE_EMAIL}"
    bot.driver.submit(
        view_submission(
            "report_return",
            values={"comment": {"value": text_input(comment)}},
            user_id=OFFICE_USER,
            view=bot.fake.views()[-1],
        )
    )
    bot.jobs.run_outbox()
    today = bot.clock.now().date()
    record_absence(
        bot.engine, LEAD_USER, today, date(2026, 6, 30), DEPUTY, today=today, now=bot.clock.now()
    )
    record_grant(
        bot.engine,
        GrantFields(
            decided_on="2026-03-01",
            intervention="Växtkraft",
            owner="Enköping",
            amount_tkr="100",
            body="delegation",
            decided_by=f"{OFFICE_NAME}, förbundschef",
        ),
        today=today,
        now=bot.clock.now(),
        recorded_by=OFFICE_USER,
    )
    bot.jobs.run_outbox()


def _traces(engine: Engine, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text value holding a needle, in any case, plain or
    as json.dumps escapes it: every column of every table the database has (reflected, not
    the models), so nothing is missed by how a column is declared."""
    forms = {form.lower() for n in needles for form in (n, json.dumps(n)[1:-1])}
    found: list[tuple[str, str, str]] = []
    tables = MetaData()
    tables.reflect(bind=engine)
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, str) and any(f in value.lower() for f in forms):
                        found.append((table.name, str(column), value[:200]))
    return found


def _figures(bot: RunningBot) -> dict[str, Any]:
    report = find_report(bot.engine, bot.intervention_id, "2026-03")  # type: ignore[attr-defined]
    assert report is not None
    return {k: v for k, v in report.answers.items() if not isinstance(v, str)}


def test_a_forgotten_lead_and_office_user_leave_no_trace_but_their_counts(
    bot: RunningBot, database_url: str, clean_env: Path
) -> None:
    _a_month_of_use(bot)
    figures = _figures(bot)
    assert figures["to_work_women"] == 1
    lead_dm = bot.fake.dm_channel(LEAD_USER)
    office_dm = bot.fake.dm_channel(OFFICE_USER)
    lead = [LEAD_USER, LEAD_EMAIL, LEAD_NAME, lead_dm]
    office = [OFFICE_USER, OFFICE_EMAIL, OFFICE_NAME, office_dm]
    tables = {t for t, _c, _v in _traces(bot.engine, lead)}
    # A real month leaves the lead in all of these (an absence row holds only ids).
    assert {
        "person",
        "intervention_lead",
        "report_revision",
        "report",
        "outbox_message",
        "slack_dm_channel",
    } <= tables
    assert {t for t, _c, _v in _traces(bot.engine, office)} >= {"person", "budget_grant", "report"}

    cli = Cli(database_url, clean_env, SLACK_API_URL=bot.fake.api_url, SLACK_BOT_TOKEN=BOT_TOKEN)
    result = cli.ok("people", "forget", LEAD_EMAIL)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "Personen är glömd: namn, e-post, Slack-id och DM-kanal är borttagna"
    )
    assert "Rapporternas siffror finns kvar." in lines[0]
    counts = {line.split(":")[0].strip(): line for line in lines[1:]}
    assert {
        "person",
        "person_role",
        "intervention_lead",
        "absence",
        "report_revision",
        "slack_dm_channel",
        "outbox_message",
    } <= set(counts)
    assert _traces(bot.engine, lead) == []

    as_json = cli.json("people", "forget", OFFICE_USER)
    assert as_json["changed"]["budget_grant"] == 1 and as_json["changed"]["report"] == 1
    assert _traces(bot.engine, office) == []
    assert _traces(bot.engine, lead) == []
    assert _figures(bot) == figures
    status = cli.json("budget", "status", "--year", "2026")
    assert status["granted"] == 100_000  # the grant's amount is kept
    with session_scope(bot.engine) as session:
        assert roles_of(session, OFFICE_USER) == set()
        assert roles_of(session, LEAD_USER) == set()
    # Forgotten twice: nothing left to change.
    assert cli.ok("people", "forget", LEAD_EMAIL).stdout.startswith(
        f"Inget om {LEAD_EMAIL} fanns lagrat"
    )
    # The bot goes on: the next tick sends nothing to a forgotten user.
    bot.fake.reset_calls()
    bot.jobs.run_reminders()
    bot.jobs.run_outbox()
    assert [
        c
        for c in bot.fake.calls("chat.postMessage")
        if c.args.get("channel") in (LEAD_USER, lead_dm)
    ] == []


def test_a_short_name_is_replaced_as_a_word_only(engine: Engine) -> None:
    """A lead called "Per": the word goes, "period" in a waiting post to the office stays,
    and that post (not to the forgotten person) is still sent."""
    register_person(engine, "U0PER0001", role=Role.lead, name="Per", email="per@example.se")
    now = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        enqueue(
            session,
            key="office:1",
            channel=OFFICE_CHANNEL,
            payload={"period": "2026-03", "text": "Per har rapporterat, <@U0PER0001>"},
            now=now,
        )
    forgotten = forget_person(engine, parse_who("U0PER0001"))
    with session_scope(engine) as session:
        row = session.exec(
            sqlmodel_select(OutboxMessage).where(OutboxMessage.key == "office:1")
        ).one()
        payload = json.loads(row.payload)
        assert row.status is OutboxStatus.pending
    placeholder = forgotten.placeholder
    assert payload == {
        "period": "2026-03",
        "text": f"{placeholder} har rapporterat, <@{placeholder}>",
    }
    assert _traces(engine, ["U0PER0001", "per@example.se"]) == []
