"""Going live: a new office is never told of reports due before it began.

An installation going live on 2026-04-01 (`FINSAM_REPORTS_FROM`) owes the March and first
quarter reports (due in April), not February's (due in March): its first reminder run, two
weeks into February's late stages and inside the catch-up window, sends nothing about
February; the status, the App Home, the export and the board papers' reporting rows do not
list it as missing. An intervention joining later (`reports_from` in the interventions
file) owes from its own day. Without the setting, the first run's day is recorded once."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from simulator.fake_slack import Call
from store.db import make_engine, session_scope, upgrade
from store.models import Intervention
from tests.fanout import REPORTING, stage_at
from tests.harness import STOCKHOLM, RunningBot, running_bot
from tests.reporting_data import add_intervention
from workflows.calendar import Period
from workflows.exports import report_table
from workflows.go_live import go_live, reports_owed_from
from workflows.home import lead_home
from workflows.interventions import MatchedUser, all_interventions, import_interventions_file
from workflows.outbox import messages
from workflows.overview import period_statuses
from workflows.reminders import plan_reminders

LIVE = date(2026, 4, 1)
FIRST_RUN = datetime(2026, 4, 1, 9, 0, tzinfo=STOCKHOLM)
FEBRUARY, MARCH, Q1 = Period.month(2026, 2), Period.month(2026, 3), Period.quarter(2026, 1)
LEAD = "U0GOLIVE1"


def reminded_periods(engine: Engine, keys: list[str]) -> set[str]:
    """The periods the reminder digests among `keys` name (their rows' items)."""
    rows = {row.key: row for row in messages(engine)}
    return {
        str(item["period"])
        for key in keys
        if key.startswith("reminder_digest:")
        for item in json.loads(rows[key].payload)["data"]["items"]
    }


def add_steget(engine: Engine) -> int:
    return add_intervention(engine, "Steget", "Kommunen", leads=(("lead@steget.se", LEAD),))


@pytest.mark.parametrize("reports_from", [None, LIVE])
def test_the_first_run_reminds_of_nothing_due_before_going_live(
    engine: Engine, database_url: str, reports_from: date | None
) -> None:
    """Without a go-live day (this database has been live since 2000, conftest) February's
    late reminder is caught up on 1 April; going live that day, it is not."""
    assert REPORTING.deadline(FEBRUARY).due < LIVE <= REPORTING.deadline(MARCH).due
    assert FIRST_RUN - stage_at(FEBRUARY, "late_7") < timedelta(days=14)  # catch-up window
    with running_bot(engine, database_url, now=FIRST_RUN, finsam_reports_from=reports_from) as bot:
        bot.fake.add_user(LEAD, email="lead@steget.se")
        add_steget(engine)
        first = reminded_periods(engine, bot.jobs.run_reminders().sent)
        if reports_from is None:
            assert "2026-02" in first
            return
        assert first <= {"2026-03"}  # March's first reminder may be due today: it is owed
        assert all(":2026-02:" not in str(call.args.get("metadata")) for call in posts(bot))
        assert reports_owed_from(engine) == LIVE
        for period in (MARCH, Q1):
            bot.clock.set(stage_at(period, "due"))
            assert period.label in reminded_periods(engine, bot.jobs.run_reminders().sent)


def posts(bot: RunningBot) -> list[Call]:
    return bot.fake.calls("chat.postMessage")


def test_nothing_due_before_going_live_is_listed_as_missing(engine: Engine) -> None:
    intervention_id = add_steget(engine)
    go_live(engine, configured=LIVE, now=FIRST_RUN, tz=STOCKHOLM)
    later = date(2026, 5, 20)  # February, March and Q1 all past due, none reported
    statuses = period_statuses(engine, REPORTING, [FEBRUARY, MARCH, Q1], today=later)
    assert [len(status.rows) for status in statuses] == [0, 1, 1]
    [home] = lead_home(engine, REPORTING, LEAD, today=later).interventions
    assert {d.period.label for d in home.open} >= {"2026-03", "2026-Q1"}
    assert "2026-02" not in {d.period.label for d in home.open}
    exported = report_table(engine, REPORTING, 2026, today=later, tz=STOCKHOLM)
    listed = {(row[0], row[2]) for row in exported.rows}
    assert ("2026-03", "Steget") in listed and ("2026-02", "Steget") not in listed
    assert intervention_id


def test_an_intervention_joining_later_owes_from_its_own_day(engine: Engine) -> None:
    add_steget(engine)
    go_live(engine, configured=LIVE, now=FIRST_RUN, tz=STOCKHOLM)
    with session_scope(engine) as session:
        steget = session.exec(select(Intervention)).one()
        steget.reports_from = date(2026, 5, 1)  # later than the installation: it wins
        session.add(steget)
    [info] = all_interventions(engine)
    assert info.reports_from == date(2026, 5, 1)
    at = stage_at(MARCH, "due")
    assert plan_reminders(engine, REPORTING, now=at, office_channel=None).planned == []
    at = stage_at(Period.month(2026, 4), "due")  # April's, due in May: owed
    planned = plan_reminders(engine, REPORTING, now=at, office_channel=None).planned
    assert reminded_periods(engine, planned) == {"2026-04"}


def test_without_the_setting_the_first_run_is_recorded_once(database_url: str) -> None:
    engine = make_engine(database_url)  # not the conftest's: no go-live recorded yet
    try:
        upgrade(engine)
        assert reports_owed_from(engine) is None
        assert go_live(engine, configured=None, now=FIRST_RUN, tz=STOCKHOLM) == LIVE
        a_month_on = FIRST_RUN + timedelta(days=30)
        assert go_live(engine, configured=None, now=a_month_on, tz=STOCKHOLM) == LIVE
        # A setting given later wins: the office decides from when.
        assert go_live(engine, configured=date(2026, 3, 1), now=a_month_on, tz=STOCKHOLM) == date(
            2026, 3, 1
        )
        assert reports_owed_from(engine) == date(2026, 3, 1)
    finally:
        engine.dispose()


def test_the_interventions_file_may_name_a_later_day(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "insatser.csv"
    path.write_text(
        "name,owner,kind,lead_emails,start,end,reports_from\n"
        "Steget,Kommunen,individual,lead@steget.se,2025-01-01,,2026-06-01\n"
        "Bron,Regionen,individual,lead@bron.se,2025-01-01,,\n",
        encoding="utf-8",
    )
    import_interventions_file(engine, path, NoDirectory())
    go_live(engine, configured=LIVE, now=FIRST_RUN, tz=STOCKHOLM)
    found = {info.name: info.reports_from for info in all_interventions(engine)}
    assert found == {"Steget": date(2026, 6, 1), "Bron": LIVE}


class NoDirectory:
    def user_for_email(self, email: str) -> MatchedUser | None:
        return None
