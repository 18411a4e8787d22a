"""A bot back after downtime sends what it missed at the next send time on a working day,
never at night or on a weekend (issue #10, §6): the worker catches up on its (injected)
clock, and nothing reaches Slack until the send time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import Engine

from store import outbox as rows
from store.db import session_scope
from tests.harness import LEAD_USER, STOCKHOLM, RunningBot, running_bot
from tests.reporting_data import add_intervention
from tests.test_board_reminders import add_people, of, store_cycle
from tests.test_board_reminders import plan as plan_board
from workflows.calendar import send_slot
from workflows.outbox import messages
from workflows.working_days import WorkingDays

# The March 2026 report is due Friday 10 April; its "due" reminder is at 09:00 that day and
# the next stage ("late_2") at 09:00 on Tuesday 14 April.
DUE_STAGE = datetime(2026, 4, 10, 9, 0, tzinfo=STOCKHOLM)
SATURDAY_AFTERNOON = datetime(2026, 4, 11, 14, 0, tzinfo=STOCKHOLM)
MONDAY_NIGHT = datetime(2026, 4, 13, 1, 0, tzinfo=STOCKHOLM)
MONDAY_SEND_TIME = datetime(2026, 4, 13, 9, 0, tzinfo=STOCKHOLM)
MARCH = "2026-03"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=DUE_STAGE - timedelta(days=1)) as running:
        running.fake.add_user(LEAD_USER, email="anna@enkoping.example")
        leads = (("anna@enkoping.example", LEAD_USER),)
        add_intervention(engine, "Växtkraft", "Enköping", leads=leads)
        yield running


def lead_dms(bot: RunningBot) -> list[object]:
    return list(bot.fake.messages(bot.fake.dm_channel(LEAD_USER)))


def reminders_sent(keys: list[str]) -> list[str]:
    """The reminder keys among `keys`: one digest, the lead's of the day; the March report's
    "due" stage is always in it (the Q1 report's "before" stage goes in too)."""
    found = [key for key in keys if key.startswith("reminder_digest:")]
    assert len(found) == 1, keys
    return found


def stages(bot: RunningBot, key: str) -> dict[str, str]:
    """Period → stage of the reports a digest row names."""
    [row] = [row for row in messages(bot.engine) if row.key == key]
    items = json.loads(row.payload)["data"]["items"]
    return {item["period"]: item["stage"] for item in items}


def test_a_restart_at_night_sends_the_reminder_at_the_send_time(bot: RunningBot) -> None:
    bot.clock.set(MONDAY_NIGHT)
    assert bot.jobs.catch_up().sent == []
    assert lead_dms(bot) == []
    bot.clock.set(MONDAY_SEND_TIME - timedelta(minutes=1))
    assert bot.jobs.run_reminders().sent == []  # a tick before 09:00 sends nothing either
    assert lead_dms(bot) == []
    bot.clock.set(MONDAY_SEND_TIME)
    [sent] = reminders_sent(bot.jobs.run_outbox().sent)
    assert len(lead_dms(bot)) == 1
    assert stages(bot, sent) == {MARCH: "due", "2026-Q1": "before"}


def test_a_restart_on_a_saturday_waits_for_the_next_working_day(bot: RunningBot) -> None:
    bot.clock.set(SATURDAY_AFTERNOON)
    # (the office's weekly summary of missing reports is caught up at once: a channel post)
    assert [k for k in bot.jobs.catch_up().sent if not k.startswith("missing_reports:")] == []
    bot.clock.set(SATURDAY_AFTERNOON + timedelta(days=1))  # Sunday afternoon, a tick
    assert bot.jobs.run_reminders().sent == []
    assert lead_dms(bot) == []
    bot.clock.set(MONDAY_SEND_TIME)
    [sent] = reminders_sent(bot.jobs.run_outbox().sent)
    assert len(lead_dms(bot)) == 1
    assert stages(bot, sent)[MARCH] == "due"


def test_a_stage_whose_next_is_due_at_the_send_time_is_not_held_as_well(
    bot: RunningBot,
) -> None:
    """Back at 01:00 on Wednesday 15 April: the Q1 report's "before" stage (8 April) would
    wait until 09:00, when its "due" stage comes; the lead gets the "due" one only."""
    wednesday_night = datetime(2026, 4, 15, 1, 0, tzinfo=STOCKHOLM)
    bot.clock.set(wednesday_night)
    assert [key for key in bot.jobs.catch_up().sent if key.startswith("reminder_digest:")] == []
    [waiting] = [row.key for row in messages(bot.engine) if row.key.startswith("reminder_digest:")]
    assert "2026-Q1" not in stages(bot, waiting)  # held until 09:00: March's stage only
    bot.clock.set(wednesday_night.replace(hour=9))
    [sent] = reminders_sent(bot.jobs.run_reminders().sent)
    assert sent == waiting  # the day's one digest took the Q1 report's "due" stage in
    assert stages(bot, sent) == {MARCH: "late_2", "2026-Q1": "due"}
    assert len(lead_dms(bot)) == 1


def test_a_restart_during_the_day_sends_at_once(bot: RunningBot) -> None:
    bot.clock.set(MONDAY_SEND_TIME + timedelta(hours=3))
    [sent] = reminders_sent(bot.jobs.catch_up().sent)
    assert len(lead_dms(bot)) == 1
    assert stages(bot, sent)[MARCH] == "due"


WORKING_DAYS = WorkingDays()


def slot(local: datetime) -> datetime:
    return send_slot(local, tz=STOCKHOLM, send_at=time(9, 0), working_days=WORKING_DAYS)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # a working day inside the window: at once
        ((2026, 4, 13, 9, 0), (2026, 4, 13, 9, 0)),
        ((2026, 4, 13, 17, 59), (2026, 4, 13, 17, 59)),
        # before the send time: today's; after the window: the next working day's
        ((2026, 4, 13, 1, 0), (2026, 4, 13, 9, 0)),
        ((2026, 4, 13, 18, 0), (2026, 4, 14, 9, 0)),
        ((2026, 4, 10, 23, 30), (2026, 4, 13, 9, 0)),  # Friday night
        ((2026, 4, 11, 14, 0), (2026, 4, 13, 9, 0)),  # Saturday
        # Easter: Good Friday 3 April to Easter Monday 6 April are not working days
        ((2026, 4, 2, 20, 0), (2026, 4, 7, 9, 0)),
        # the night of the spring-forward change (29 March 2026) and a Monday after it
        ((2026, 3, 29, 2, 30), (2026, 3, 30, 9, 0)),
    ],
)
def test_send_slot(now: tuple[int, ...], expected: tuple[int, ...]) -> None:
    found = slot(datetime(*now, tzinfo=STOCKHOLM))
    assert found == datetime(*expected, tzinfo=STOCKHOLM)
    assert found.utcoffset() == datetime(*expected, tzinfo=STOCKHOLM).utcoffset()


def test_a_board_reminder_planned_at_night_is_held_until_the_send_time(engine: Engine) -> None:
    """The board's step reminders are planned by the same tick and held the same way: the
    "due" stage of papers due Thursday 12 March, planned at 23:00 that day, goes out at
    09:00 on Friday (and so does every other step's reminder planned that night)."""
    add_people(engine)
    papers = store_cycle(engine)["papers_due"]
    night = datetime(2026, 3, 12, 23, 0, tzinfo=STOCKHOLM)
    planned = plan_board(engine, night)
    assert of(papers, planned) and all(":due:" in key for key in of(papers, planned))
    friday = datetime(2026, 3, 13, 9, 0, tzinfo=STOCKHOLM)
    with session_scope(engine) as session:
        assert rows.claim_next(session, now=night, lease_until=night + timedelta(minutes=5)) is None
        almost = friday - timedelta(seconds=1)
        assert rows.claim_next(session, now=almost, lease_until=friday) is None
        claimed = []
        while row := rows.claim_next(session, now=friday, lease_until=friday + timedelta(hours=1)):
            claimed.append(row.key)
    assert sorted(claimed) == sorted(planned)
