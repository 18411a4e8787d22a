"""The reporting cycle end to end, as Slack meets the bot: reminders planned on the simulated
clock and sent through the real client to the fake; the button opens the form; a signed
view_submission stores the answers; the reminder turns "done", the sender gets a
confirmation, the office a review post; a report sent back reopens the period."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from simulator.reading import buttons, message_text, outbox_key
from simulator.slack_driver import block_action, text_input, view_submission
from store.models import ReportStatus, SupportKind
from tests.harness import LEAD_USER, OFFICE_CHANNEL, OFFICE_USER, RunningBot, running_bot
from tests.reporting_data import add_intervention
from workflows.calendar import CalendarRules, Period
from workflows.outbox import messages
from workflows.reports import Reporting, find_report, history
from workflows.working_days import WorkingDays

REPORTING = Reporting(CalendarRules(), WorkingDays())
MARCH = Period.month(2026, 3)
DEPUTY = "U0DEPUTY1"
STRUCTURAL_LEAD = "U0STRUCT1"


def stage_at(period: Period, stage: str) -> datetime:
    deadline = REPORTING.deadline(period)
    return next(r.at for r in deadline.reminders if r.stage == stage)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=stage_at(MARCH, "due")) as running:
        for user in (LEAD_USER, OFFICE_USER, DEPUTY, STRUCTURAL_LEAD):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.add_office_user()
        running.intervention_id = add_intervention(  # type: ignore[attr-defined]
            engine,
            "Växtkraft",
            "Enköping",
            leads=(("anna@enkoping.example", LEAD_USER), ("okand@enkoping.example", None)),
            goals=("Fler i arbete", "Samverkan med arbetsgivare"),
        )
        add_intervention(
            engine,
            "RegExPro",
            "Region Uppsala",
            kind=SupportKind.structural,
            leads=(("per@region.example", STRUCTURAL_LEAD),),
        )
        yield running


def dms(bot: RunningBot, user: str, period: str = "2026-03") -> list[dict[str, Any]]:
    """The user's DMs about `period`: with its report button, a digest that names it (its
    line turned "done" has none), or one about no period at all (a confirmation)."""
    return [
        message
        for message in bot.fake.messages(bot.fake.dm_channel(user))
        if period in (about := _periods_of(message) | _named(bot, message)) or not about
    ]


def _periods_of(message: dict[str, Any]) -> set[str]:
    return {
        str(json.loads(button["value"])["period"])
        for button in buttons(message)
        if button["action_id"] == "report_open"
    }


def _named(bot: RunningBot, message: dict[str, Any]) -> set[str]:
    """The periods a reminder digest names, as its outbox row has them."""
    key = outbox_key(message)
    if not key.startswith("reminder_digest:"):
        return set()
    [row] = [row for row in messages(bot.engine) if row.key == key]
    return {str(item["period"]) for item in json.loads(row.payload)["data"]["items"]}


def period_button(message: dict[str, Any], period: str) -> dict[str, Any]:
    [button] = [b for b in buttons(message) if '"' + period + '"' in b["value"]]
    return button


MONTHLY_OK = {
    "month_start_women": "7",
    "month_start_men": "5",
    "month_end_women": "6",
    "month_end_men": "4",
    "new_women": "2",
    "new_men": "1",
    "ended_women": "3",
    "ended_men": "2",
    "to_work_women": "1",
    "to_work_men": "1",
    "to_studies_women": "1",
    "to_studies_men": "0",
    "to_subsidised_job_women": "0",
    "to_subsidised_job_men": "0",
    "with_plan_women": "1",
    "with_plan_men": "1",
    "new_under_30_women": "1",
    "new_under_30_men": "1",
    "new_over_3_years_women": "1",
    "new_anonymous_men": "0",
    "start_under_30_women": "2",
    "start_over_3_years_women": "3",
    "start_over_3_years_men": "1",
}


def state(values: dict[str, str]) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        block: {"value": text_input(value, action_type="number_input")}
        for block, value in values.items()
    }


def open_form(
    bot: RunningBot, message: dict[str, Any], user: str = LEAD_USER, period: str | None = None
) -> dict[str, Any]:
    """The form from the message's report button (of `period`, in a digest naming several;
    else the first)."""
    before = len(bot.fake.views())
    button = buttons(message)[0] if period is None else period_button(message, period)
    response = bot.driver.action(
        block_action(button["action_id"], value=button["value"], user_id=user, message=message)
    )
    assert response.status == 200
    bot.fake.wait_for(lambda: len(bot.fake.views()) > before)
    return bot.fake.views()[-1]


def submit(
    bot: RunningBot, view: dict[str, Any], values: dict[str, str], user: str = LEAD_USER
) -> Any:
    payload = view_submission(view["callback_id"], values=state(values), user_id=user, view=view)
    return bot.driver.submit(payload)


def test_the_lead_is_reminded_once_on_the_due_day_with_a_button(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    bot.jobs.run_reminders()  # a second tick plans nothing new
    [reminder] = dms(bot, LEAD_USER)
    assert "Idag" in message_text(reminder) and "Växtkraft (Enköping)" in message_text(reminder)
    button = period_button(reminder, "2026-03")
    assert button["action_id"] == "report_open"
    # The day's one DM names the quarter (its "before" stage) too, with a button of its own.
    assert [b["value"] for b in buttons(reminder) if b is not button] == [
        json.dumps({"intervention_id": bot.intervention_id, "period": "2026-Q1"})  # type: ignore[attr-defined]
    ]
    assert json.loads(button["value"]) == {
        "intervention_id": bot.intervention_id,
        "period": "2026-03",
    }  # type: ignore[attr-defined]
    # Structural interventions report quarterly only: no monthly reminder for their lead.
    assert dms(bot, STRUCTURAL_LEAD) == []
    assert bot.fake.messages(OFFICE_CHANNEL) == []  # the due stage does not escalate
    bot.fake.assert_clean()


def test_a_report_through_the_form_stops_the_reminders_and_is_confirmed(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    [reminder] = dms(bot, LEAD_USER)
    view = open_form(bot, reminder)
    assert view["callback_id"] == "report_form"
    block_ids = {b.get("block_id") for b in view["blocks"]}
    assert {"month_start_women", "new_anonymous_men", "start_anonymous_men"} <= block_ids

    response = submit(bot, view, MONTHLY_OK)
    assert response.status == 200
    assert response.json()["response_action"] == "update"
    stored = find_report(bot.engine, bot.intervention_id, "2026-03")  # type: ignore[attr-defined]
    assert stored is not None and stored.revision == 1 and not stored.late
    assert stored.answers["to_work_women"] == 1

    bot.jobs.run_outbox()
    reminder_now, confirmation = dms(bot, LEAD_USER)
    assert "inlämnad" in message_text(reminder_now) and "2026-03" not in _periods_of(reminder_now)
    assert _periods_of(reminder_now) == {"2026-Q1"}  # the quarter's button stays
    assert "Tack" in message_text(confirmation)
    [review] = bot.fake.messages(OFFICE_CHANNEL)
    assert [b["action_id"] for b in buttons(review)] == [
        "report_show",
        "report_accept",
        "report_return",
    ]

    # Two working days late: no reminder for a report that is in.
    bot.clock.set(stage_at(MARCH, "late_2"))
    bot.jobs.run_reminders()
    assert len(dms(bot, LEAD_USER)) == 2
    bot.fake.assert_clean()


def test_a_duplicated_delivery_is_stored_once(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    view = open_form(bot, dms(bot, LEAD_USER)[0])
    payload = view_submission(
        view["callback_id"], values=state(MONTHLY_OK), user_id=LEAD_USER, view=view
    )
    assert bot.driver.submit(payload).status == 200
    assert bot.driver.submit(payload).status == 200
    assert len(history(bot.engine, bot.intervention_id, "2026-03")) == 1  # type: ignore[attr-defined]


def test_bad_figures_get_inline_errors_and_nothing_is_stored(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    view = open_form(bot, dms(bot, LEAD_USER)[0])
    bad = {**MONTHLY_OK, "to_work_women": "3", "to_studies_women": "2", "new_men": "-1"}
    response = submit(bot, view, bad)
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) >= {"new_men", "to_work_women"} or "ended_women" in body["errors"]
    assert find_report(bot.engine, bot.intervention_id, "2026-03") is None  # type: ignore[attr-defined]


def test_a_report_sent_back_reopens_the_period_and_is_corrected(bot: RunningBot) -> None:
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
    return_view = bot.fake.views()[-1]
    # A personal identity number in the comment is refused with the reason, in any spelling.
    for spelling in ("811218-9876", "811218 - 9876", "81 12 18 98 76", "1981-12-18-\n9876"):
        refused = bot.driver.submit(
            view_submission(
                "report_return",
                values={"comment": {"value": text_input(f"Gäller {spelling}")}},
                user_id=OFFICE_USER,
                view=return_view,
            )
        ).json()
        assert refused["response_action"] == "errors", spelling
        assert "personnummer" in refused["errors"]["comment"]
    ok = bot.driver.submit(
        view_submission(
            "report_return",
            values={"comment": {"value": text_input("Kontrollera <!channel> antalet avslutade")}},
            user_id=OFFICE_USER,
            view=return_view,
        )
    )
    assert ok.status == 200
    report = find_report(bot.engine, bot.intervention_id, "2026-03")  # type: ignore[attr-defined]
    assert report is not None and report.status is ReportStatus.returned

    bot.jobs.run_outbox()
    returned = dms(bot, LEAD_USER)[-1]
    assert "skickat tillbaka" in message_text(returned)
    assert "&lt;!channel&gt;" in message_text(returned)  # user text is inert
    bot.fake.wait_for(
        lambda: "Skickad tillbaka" in message_text(bot.fake.messages(OFFICE_CHANNEL)[0])
    )

    # The form opens with the last answers; the correction is revision 2.
    view = open_form(bot, returned)
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert initial["to_work_women"] == "1"
    submit(bot, view, {**MONTHLY_OK, "ended_women": "4", "month_end_women": "5"})
    revisions = history(bot.engine, bot.intervention_id, "2026-03")  # type: ignore[attr-defined]
    assert [r["revision"] for r in revisions] == [1, 2]
    assert revisions[1]["answers"]["ended_women"] == 4

    bot.jobs.run_outbox()
    latest_review = bot.fake.messages(OFFICE_CHANNEL)[-1]
    accept = next(b for b in buttons(latest_review) if b["action_id"] == "report_accept")
    bot.driver.action(
        block_action(
            "report_accept",
            value=accept["value"],
            user_id=OFFICE_USER,
            message={**latest_review, "channel": OFFICE_CHANNEL},
            channel_id=OFFICE_CHANNEL,
            response_url=bot.fake.new_response_url(),
        )
    )
    bot.fake.wait_for(
        lambda: (
            find_report(bot.engine, bot.intervention_id, "2026-03").status is ReportStatus.accepted
        )
    )  # type: ignore[attr-defined, union-attr]


def test_a_lead_cannot_accept_reports(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    submit(bot, open_form(bot, dms(bot, LEAD_USER)[0]), MONTHLY_OK)
    bot.jobs.run_outbox()
    [review] = bot.fake.messages(OFFICE_CHANNEL)
    accept = next(b for b in buttons(review) if b["action_id"] == "report_accept")
    before = len(bot.fake.responses())
    bot.driver.action(
        block_action(
            "report_accept",
            value=accept["value"],
            user_id=LEAD_USER,
            message={**review, "channel": OFFICE_CHANNEL},
            channel_id=OFFICE_CHANNEL,
            response_url=bot.fake.new_response_url(),
        )
    )
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before)
    assert "kansliet" in bot.fake.responses()[-1]["body"]["text"]
    report = find_report(bot.engine, bot.intervention_id, "2026-03")  # type: ignore[attr-defined]
    assert report is not None and report.status is ReportStatus.submitted


def test_a_bot_that_was_down_sends_the_latest_stage_only(bot: RunningBot) -> None:
    bot.clock.set(stage_at(MARCH, "late_2") + timedelta(days=1))
    bot.jobs.run_reminders()
    [reminder] = dms(bot, LEAD_USER)
    assert "2 arbetsdagar sen" in message_text(reminder)


def test_seven_working_days_late_the_office_is_told(bot: RunningBot) -> None:
    bot.clock.set(stage_at(MARCH, "late_7"))
    bot.jobs.run_reminders()
    escalations = [m for m in bot.fake.messages(OFFICE_CHANNEL) if "saknas" in message_text(m)]
    assert len(escalations) == 1
    text = message_text(escalations[0])
    assert "Växtkraft (Enköping)" in text and f"<@{LEAD_USER}>" in text
    assert "okand@enkoping.example" in text  # the lead with no Slack user is named too
