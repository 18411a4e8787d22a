"""One reminder DM a day per lead, one office post a day (issue #12, "Less noise"), through
the real Bolt app and the Slack fake.

A lead of two interventions owes each a monthly and a quarterly report due the same day
(FINSAM_QUARTERLY_DUE_DAY = the monthly's): the due day's DM names all four, one
"Rapportera" button each; a report sent through one of them turns that line "done" and
takes its button away, leaving the others; a second run that day sends nothing; the next
stage comes as the next day's one DM, without the report that is in; seven working days
late the office gets one post about every late report. A report in before its digest goes
out is not in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import select

from simulator.reading import buttons, message_text, outbox_key
from store.db import session_scope
from store.models import OutboxMessage, OutboxStatus, Role
from store.people import add_person
from tests.harness import LEAD_USER, OFFICE_CHANNEL, OFFICE_USER, RunningBot, running_bot
from tests.reporting_data import add_intervention
from tests.test_reporting_flow import MONTHLY_OK, open_form, submit
from workflows.calendar import CalendarRules, Period
from workflows.digests import drop_report, item_text
from workflows.outbox import messages, stored_payload
from workflows.outbox_kinds import ReminderDigestPayload, ReminderItem
from workflows.reports import Reporting, find_report
from workflows.working_days import WorkingDays

MARCH = Period.month(2026, 3)
Q1 = Period.quarter(2026, 1)
DUE_DAY = 10
REPORTING = Reporting(CalendarRules(quarterly_due_day=DUE_DAY), WorkingDays())
DEPUTY = "U0DEPUTY1"


def stage_at(period: Period, stage: str) -> Any:
    return next(r.at for r in REPORTING.deadline(period).reminders if r.stage == stage)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    assert stage_at(MARCH, "due") == stage_at(Q1, "due")  # both due the same day
    with running_bot(
        engine,
        database_url,
        now=stage_at(MARCH, "due"),
        finsam_quarterly_due_day=DUE_DAY,
    ) as running:
        for user in (LEAD_USER, OFFICE_USER, DEPUTY):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.add_office_user()
        leads = (("anna@enkoping.example", LEAD_USER),)
        running.ids = [  # type: ignore[attr-defined]
            add_intervention(
                engine, "Växtkraft", "Enköping", leads=leads, goals=("Fler i arbete",)
            ),
            add_intervention(engine, "Framsteget", "Håbo", leads=leads, goals=("Fler i arbete",)),
        ]
        yield running


def lead_dms(bot: RunningBot, user: str = LEAD_USER) -> list[dict[str, Any]]:
    """The user's reminder DMs (digests), oldest first."""
    return [
        m
        for m in bot.fake.messages(bot.fake.dm_channel(user))
        if outbox_key(m).startswith("reminder_digest:")
    ]


def reports_of(message: dict[str, Any]) -> list[tuple[int, str]]:
    """(intervention, period) of each report button of a message, in order."""
    found = []
    for button in buttons(message):
        assert button["action_id"] == "report_open"
        value = json.loads(button["value"])
        found.append((value["intervention_id"], value["period"]))
    return found


def with_button(message: dict[str, Any], intervention_id: int, period: str) -> dict[str, Any]:
    """The message as `open_form` presses it: only the report's button (of several)."""
    value = json.dumps({"intervention_id": intervention_id, "period": period})
    blocks = [
        block
        for block in message.get("blocks") or []
        if block["type"] != "actions" or block["elements"][0]["value"] == value
    ]
    assert len(blocks) < len(message["blocks"]) or len(buttons(message)) == 1
    return {**message, "blocks": blocks}


def four(bot: RunningBot) -> list[tuple[int, str]]:
    ids: list[int] = bot.ids  # type: ignore[attr-defined]
    return [(i, p) for p in (MARCH.label, Q1.label) for i in ids]


def test_one_dm_names_every_report_due_and_a_report_in_updates_it(bot: RunningBot) -> None:
    first = bot.jobs.run_reminders()
    assert [k for k in first.sent if k.startswith("reminder_digest:")] == [
        f"reminder_digest:{LEAD_USER}:{stage_at(MARCH, 'due').date().isoformat()}"
    ]
    [dm] = lead_dms(bot)
    assert sorted(reports_of(dm)) == sorted(four(bot))
    text = message_text(dm)
    assert "4 rapporter" in text and "Växtkraft (Enköping)" in text and "Framsteget (Håbo)" in text
    assert "Månadsrapporten:" in text and "Kvartalsrapporten:" in text  # what each asks for
    assert "för … för" not in text and " för för " not in text

    # A second run the same day sends nothing.
    assert bot.jobs.run_reminders().sent == []
    assert len(lead_dms(bot)) == 1

    # Anna reports March for Växtkraft through its button: that line turns "done".
    växtkraft = bot.ids[0]  # type: ignore[attr-defined]
    pressed = with_button(dm, växtkraft, MARCH.label)
    assert submit(bot, open_form(bot, pressed), MONTHLY_OK).status == 200
    updated_report = bot.jobs.run_outbox()
    assert any(k.startswith("reminders_done:") for k in updated_report.sent)
    [update] = bot.fake.calls("chat.update")
    assert update.args["ts"] == dm["ts"]
    [dm_now] = lead_dms(bot)
    assert (växtkraft, MARCH.label) not in reports_of(dm_now)
    assert sorted(reports_of(dm_now)) == sorted(
        r for r in four(bot) if r != (växtkraft, MARCH.label)
    )
    assert "inlämnad" in message_text(dm_now) and "3 rapporter" in message_text(dm_now)

    # The next stage, two working days late: one DM, without the report that is in.
    bot.clock.set(stage_at(MARCH, "late_2"))
    bot.jobs.run_reminders()
    older, newer = lead_dms(bot)
    assert older["ts"] == dm["ts"]
    assert sorted(reports_of(newer)) == sorted(
        r for r in four(bot) if r != (växtkraft, MARCH.label)
    )
    assert "2 arbetsdagar sen" in message_text(newer)
    assert bot.jobs.run_reminders().sent == []
    bot.fake.assert_clean()


def test_seven_working_days_late_the_office_gets_one_post_about_all(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    bot.clock.set(stage_at(MARCH, "late_7"))
    sent = bot.jobs.run_reminders().sent
    assert [k for k in sent if k.startswith("escalation_digest:")] == [
        f"escalation_digest:{OFFICE_CHANNEL}:{stage_at(MARCH, 'late_7').date().isoformat()}"
    ]
    [post] = bot.fake.messages(OFFICE_CHANNEL)
    assert sorted(reports_of(post)) == sorted(four(bot))
    text = message_text(post)
    assert "4 rapporter saknas" in text and text.count(f"<@{LEAD_USER}>") == 4
    assert "7 arbetsdagar sen" in text
    # The lead's own DM of the day is one too.
    assert len(lead_dms(bot)) == 2
    assert bot.jobs.run_reminders().sent == []
    assert len(bot.fake.messages(OFFICE_CHANNEL)) == 1
    bot.fake.assert_clean()


def test_a_report_in_before_the_digest_goes_out_is_left_out(bot: RunningBot) -> None:
    """Planned at the send time, then a report comes in (from yesterday's App Home, say)
    before the worker sends: the digest names the other three only, and stays as it is
    when the others' updates come."""
    planned = bot.jobs.plan_reminders()
    [key] = [k for k in planned.planned if k.startswith("reminder_digest:")]
    växtkraft = bot.ids[0]  # type: ignore[attr-defined]
    view = open_form(bot, home_button(växtkraft, MARCH.label))
    assert submit(bot, view, MONTHLY_OK).status == 200
    assert find_report(bot.engine, växtkraft, MARCH.label) is not None
    assert key in bot.jobs.run_outbox().sent
    [dm] = lead_dms(bot)
    assert sorted(reports_of(dm)) == sorted(r for r in four(bot) if r != (växtkraft, MARCH.label))
    assert "3 rapporter" in message_text(dm) and "inlämnad" not in message_text(dm)
    [row] = [r for r in messages(bot.engine) if r.key == key]
    assert len(json.loads(row.payload)["data"]["items"]) == 3  # taken out of the row

    # Framsteget's March report comes in after the send: its line turns "done"; Växtkraft's,
    # never in the message, stays out of it.
    framsteget = bot.ids[1]  # type: ignore[attr-defined]
    pressed = with_button(dm, framsteget, MARCH.label)
    assert submit(bot, open_form(bot, pressed), MONTHLY_OK).status == 200
    bot.jobs.run_outbox()
    [dm_now] = lead_dms(bot)
    assert sorted(reports_of(dm_now)) == [(växtkraft, Q1.label), (framsteget, Q1.label)]
    assert message_text(dm_now).count("inlämnad") == 1
    assert "Framsteget (Håbo)* för *mars 2026* är inlämnad" in message_text(dm_now)
    bot.fake.assert_clean()


def test_a_digest_whose_every_report_came_in_is_not_sent(bot: RunningBot) -> None:
    """Planned, then all four reports in before the send: the row is cancelled, no DM."""
    planned = bot.jobs.plan_reminders()
    [key] = [k for k in planned.planned if k.startswith("reminder_digest:")]
    with session_scope(bot.engine) as session:
        for intervention_id, period in four(bot):
            drop_report(session, intervention_id, period)
    assert key not in bot.jobs.run_outbox().sent
    [row] = [r for r in messages(bot.engine) if r.key == key]
    assert row.status is OutboxStatus.cancelled
    assert lead_dms(bot) == []


def test_a_deputy_gets_the_leads_reports_in_one_dm(bot: RunningBot) -> None:
    """The lead is away: the deputy's one DM names the four, each on the lead's behalf."""
    with session_scope(bot.engine) as session:
        add_person(session, DEPUTY, role=Role.lead, name="Bo Berg")
    answer = bot.ask(f"frånvaro 2026-04-10 2026-04-24 <@{DEPUTY}|bo.berg>", user=LEAD_USER)
    assert "2026-04-24" in json.dumps(answer, ensure_ascii=False)
    bot.jobs.run_reminders()
    assert lead_dms(bot) == []
    [dm] = lead_dms(bot, DEPUTY)
    assert sorted(reports_of(dm)) == sorted(four(bot))
    assert message_text(dm).count(f"ersättare för <@{LEAD_USER}>") == 4
    [row] = [r for r in messages(bot.engine) if r.key == outbox_key(dm)]
    items = json.loads(row.payload)["data"]["items"]
    assert {item["on_behalf_of"] for item in items} == {LEAD_USER}
    bot.fake.assert_clean()


def test_a_done_update_waits_for_a_digest_being_sent(bot: RunningBot) -> None:
    """Another process holds the day's digest (it may have built it with the button) when
    the report comes in: the "done" update is tried again later, and once the digest is
    sent it is updated too."""
    planned = bot.jobs.plan_reminders()
    [key] = [k for k in planned.planned if k.startswith("reminder_digest:")]
    held_until = bot.clock.now() + timedelta(minutes=5)
    set_row(bot, key, status=OutboxStatus.sending, lease_until=held_until, attempts=1)
    växtkraft = bot.ids[0]  # type: ignore[attr-defined]
    assert (
        submit(bot, open_form(bot, home_button(växtkraft, MARCH.label)), MONTHLY_OK).status == 200
    )
    report = bot.jobs.run_outbox()
    [done] = [k for k in report.retried if k.startswith("reminders_done:")]
    assert bot.fake.calls("chat.update") == []

    # The holder posted it (as built before the report came in) and marked it sent.
    web = WebClient(base_url=bot.fake.api_url, token=bot.fake.bot_token)
    metadata = {"event_type": "finsam_outbox", "event_payload": {"key": key}}
    posted = web.chat_postMessage(channel=LEAD_USER, text="påminnelse", metadata=metadata)
    set_row(bot, key, status=OutboxStatus.sent, lease_until=None, ts=posted["ts"])
    bot.clock.set(bot.clock.now() + timedelta(minutes=2))  # past the row's backoff
    assert done in bot.jobs.run_outbox().sent
    [update] = bot.fake.calls("chat.update")
    assert update.args["ts"] == posted["ts"]
    [dm] = [m for m in bot.fake.messages(bot.fake.dm_channel(LEAD_USER)) if m["ts"] == posted["ts"]]
    assert (växtkraft, MARCH.label) not in reports_of(dm) and "inlämnad" in message_text(dm)
    assert len(reports_of(dm)) == 3


def home_button(intervention_id: int, period: str) -> dict[str, Any]:
    """A message with one report button (as on the App Home)."""
    value = json.dumps({"intervention_id": intervention_id, "period": period})
    element = {"type": "button", "action_id": "report_open", "value": value}
    return {"type": "message", "blocks": [{"type": "actions", "elements": [element]}]}


def set_row(bot: RunningBot, key: str, **values: Any) -> None:
    """What another process did to the row (its lease, its post)."""
    ts = values.pop("ts", None)
    with session_scope(bot.engine) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        for name, value in values.items():
            setattr(row, name, value)
        if ts is not None:
            row.message_ts = ts
        session.add(row)


def test_a_digest_row_is_found_by_the_text_its_json_gives_each_report() -> None:
    """The submission finds the digests naming its report by text in the stored JSON
    (`item_text`): a change of `ReminderItem`'s fields or of how rows are written breaks this,
    not the digests' "done" quietly."""

    def stored(intervention_id: int) -> str:
        item = ReminderItem(intervention_id, "2026-03", "due", date(2026, 4, 10), lead=LEAD_USER)
        digest = ReminderDigestPayload(day=date(2026, 4, 10), items=(item,))
        return json.dumps(stored_payload(digest))

    assert item_text(7, "2026-03") in stored(7)
    assert item_text(7, "2026-04") not in stored(7)
    assert item_text(1, "2026-03") not in stored(17)  # a prefix of the id is another report
    assert item_text(7, "2026-03") not in stored(17)
