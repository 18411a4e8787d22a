"""Absences: the deputy gets the lead's reminders inside the window (edges included), the
rules of recording one, the "welcome back" notice planned once and sent through the real
sender, and `/finsam frånvaro` end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from unittest.mock import ANY
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.directory import SlackDirectory
from bot.slack_client import make_client
from store.errors import BadArgument
from store.models import OutboxMessage, OutboxStatus, Role
from tests.harness import BOT_TOKEN, LEAD_USER, RunningBot, running_bot
from workflows.absence import (
    AbsenceInfo,
    AbsenceMap,
    absence_map,
    absence_report,
    absences_of,
    cancel_absences,
    plan_back_notices,
    recipient_on,
    record_absence,
)
from workflows.interventions import import_interventions_file
from workflows.outbox import messages
from workflows.people import register_person

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LEAD = "U0LEAD001"
DEPUTY = "U0DEPUTY1"
OTHER = "U0OTHER01"
TODAY = date(2026, 6, 15)
ANY_ID: Any = ANY


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The conftest database with the people these tests name registered as leads: only a
    registered lead records an absence, and only a registered person is a deputy."""
    for user in (LEAD, DEPUTY, OTHER):
        register_person(engine, user, role=Role.lead)
    return engine


# -- who gets the reminder -----------------------------------------------------------------


def test_recipient_inside_the_window_edges_included() -> None:
    absences = AbsenceMap([AbsenceInfo(1, LEAD, DEPUTY, date(2026, 7, 1), date(2026, 8, 9))])
    assert absences.recipient_on(LEAD, date(2026, 6, 30)) == (LEAD, None)
    assert absences.recipient_on(LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 7, 20)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 8, 9)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 8, 10)) == (LEAD, None)
    assert absences.recipient_on(OTHER, date(2026, 7, 20)) == (OTHER, None)


def test_one_day_absence_and_two_absences() -> None:
    absences = AbsenceMap(
        [
            AbsenceInfo(1, LEAD, DEPUTY, date(2026, 7, 1), date(2026, 7, 1)),
            AbsenceInfo(2, LEAD, OTHER, date(2026, 9, 1), date(2026, 9, 30)),
        ]
    )
    assert absences.recipient_on(LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 7, 2)) == (LEAD, None)
    assert absences.recipient_on(LEAD, date(2026, 9, 30)) == (OTHER, LEAD)


def test_recipient_from_the_database(engine: Engine) -> None:
    record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 8, 9), DEPUTY, today=TODAY)
    assert recipient_on(engine, LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert recipient_on(engine, LEAD, date(2026, 8, 9)) == (DEPUTY, LEAD)
    assert recipient_on(engine, LEAD, date(2026, 8, 10)) == (LEAD, None)
    assert recipient_on(engine, LEAD, date(2026, 6, 30)) == (LEAD, None)
    assert recipient_on(engine, DEPUTY, date(2026, 7, 5)) == (DEPUTY, None)
    loaded = absence_map(engine)
    assert loaded.recipient_on(LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert absence_map(engine, from_day=date(2026, 8, 10)).recipient_on(LEAD, date(2026, 7, 1)) == (
        LEAD,
        None,
    )


# -- recording, listing, cancelling ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "deputy", "code"),
    [
        (date(2026, 7, 10), date(2026, 7, 1), DEPUTY, "absence_end_before_start"),
        (date(2026, 6, 1), date(2026, 6, 14), DEPUTY, "absence_in_past"),
        (date(2026, 7, 1), date(2026, 7, 9), LEAD, "absence_deputy_self"),
        (date(2026, 7, 1), date(2027, 7, 2), DEPUTY, "absence_too_long"),
    ],
)
def test_bad_absences_are_refused(
    engine: Engine, start: date, end: date, deputy: str, code: str
) -> None:
    with pytest.raises(BadArgument) as caught:
        record_absence(engine, LEAD, start, end, deputy, today=TODAY)
    assert caught.value.code == code
    assert absences_of(engine, LEAD, today=TODAY) == []


def test_limits_that_are_allowed(engine: Engine) -> None:
    started = record_absence(engine, LEAD, date(2026, 6, 1), TODAY, DEPUTY, today=TODAY)
    year = record_absence(
        engine, OTHER, date(2026, 7, 1), date(2027, 7, 1), DEPUTY, today=TODAY
    )  # 366 days, both ends counted
    assert started.ends_on == TODAY
    assert (year.ends_on - year.starts_on).days + 1 == 366


def test_an_overlapping_absence_is_refused(engine: Engine) -> None:
    record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 7, 31), DEPUTY, today=TODAY)
    with pytest.raises(BadArgument) as caught:
        record_absence(engine, LEAD, date(2026, 7, 31), date(2026, 8, 9), OTHER, today=TODAY)
    assert (caught.value.code, caught.value.params) == (
        "absence_overlaps",
        {"start": "2026-07-01", "end": "2026-07-31"},
    )
    record_absence(engine, LEAD, date(2026, 8, 1), date(2026, 8, 9), OTHER, today=TODAY)


def test_list_and_cancel(engine: Engine) -> None:
    record_absence(
        engine, LEAD, date(2026, 6, 1), date(2026, 6, 10), DEPUTY, today=date(2026, 6, 1)
    )
    running = record_absence(
        engine, LEAD, date(2026, 6, 12), date(2026, 6, 20), DEPUTY, today=TODAY
    )
    future = record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 7, 9), OTHER, today=TODAY)
    assert absences_of(engine, LEAD, today=TODAY) == [running, future]
    assert absences_of(engine, DEPUTY, today=TODAY) == []

    assert cancel_absences(engine, LEAD, today=TODAY) == [running, future]
    assert absences_of(engine, LEAD, today=TODAY) == []
    # the running one now ends yesterday: the lead is back today
    assert recipient_on(engine, LEAD, date(2026, 6, 14)) == (DEPUTY, LEAD)
    assert recipient_on(engine, LEAD, TODAY) == (LEAD, None)
    assert recipient_on(engine, LEAD, date(2026, 7, 1)) == (LEAD, None)
    assert cancel_absences(engine, LEAD, today=TODAY) == []


def test_an_absence_starting_today_is_removed_when_cancelled(engine: Engine) -> None:
    record_absence(engine, LEAD, TODAY, date(2026, 6, 20), DEPUTY, today=TODAY)
    cancel_absences(engine, LEAD, today=TODAY)
    assert recipient_on(engine, LEAD, TODAY) == (LEAD, None)
    assert absence_map(engine).absence_on(LEAD, TODAY) is None


# -- the "welcome back" notice ---------------------------------------------------------------


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def test_back_notice_on_the_first_working_day_after_at_nine_once(engine: Engine) -> None:
    # ends Friday 2026-08-07: back Monday 2026-08-10
    absence = record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 8, 7), DEPUTY, today=TODAY)
    for moment in (
        at(date(2026, 8, 7), 23, 59),
        at(date(2026, 8, 8), 10),
        at(date(2026, 8, 10), 8, 59),
    ):
        assert plan_back_notices(engine, now=moment, tz=STOCKHOLM) == []
    key = f"absence_over:{absence.id}"
    assert plan_back_notices(engine, now=at(date(2026, 8, 10)), tz=STOCKHOLM) == [key]
    assert plan_back_notices(engine, now=at(date(2026, 8, 10), 9, 30), tz=STOCKHOLM) == []
    assert plan_back_notices(engine, now=at(date(2026, 8, 12)), tz=STOCKHOLM) == []
    [row] = [m for m in messages(engine) if m.key.startswith("absence_over:")]
    assert (row.key, row.channel, json.loads(row.payload)) == (
        key,
        LEAD,
        {"kind": "absence_over", "data": {"absence_id": absence.id}},
    )


def test_back_notice_after_a_holiday_and_only_within_two_weeks(engine: Engine) -> None:
    # ends on midsommarafton (Friday 2026-06-19, not a working day): back Monday 2026-06-22
    early = record_absence(engine, LEAD, TODAY, date(2026, 6, 18), DEPUTY, today=TODAY)
    assert plan_back_notices(engine, now=at(date(2026, 6, 19), 12), tz=STOCKHOLM) == []
    assert plan_back_notices(engine, now=at(date(2026, 6, 22), 9), tz=STOCKHOLM) == [
        f"absence_over:{early.id}"
    ]
    # a bot that was down for long: 14 days after the end still, 15 not
    late = record_absence(engine, OTHER, TODAY, date(2026, 6, 30), DEPUTY, today=TODAY)
    assert plan_back_notices(engine, now=at(date(2026, 7, 15), 10), tz=STOCKHOLM) == []
    assert plan_back_notices(engine, now=at(date(2026, 7, 14), 10), tz=STOCKHOLM) == [
        f"absence_over:{late.id}"
    ]


def sent_reminder(engine: Engine, key: str, *, sent_at: datetime, on_behalf_of: str | None) -> None:
    _, intervention_id, period, stage, recipient = key.split(":")
    data = {
        "intervention_id": int(intervention_id),
        "period": period,
        "stage": stage,
        "lead": LEAD,
        "on_behalf_of": on_behalf_of,
    }
    with Session(engine) as session:
        session.add(
            OutboxMessage(
                key=key,
                channel=recipient,
                payload=json.dumps({"kind": "reminder", "data": data}),
                status=OutboxStatus.sent,
                sent_at=sent_at.astimezone(UTC),
            )
        )
        session.commit()


def test_absence_report_lists_reminders_sent_to_the_deputy_in_the_window(
    engine: Engine,
) -> None:
    absence = record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 8, 9), DEPUTY, today=TODAY)
    sent_reminder(
        engine,
        f"reminder:7:2026-05:late_7:{DEPUTY}",
        sent_at=at(date(2026, 6, 30), 23, 59),
        on_behalf_of=LEAD,
    )
    sent_reminder(
        engine,
        f"reminder:7:2026-06:before:{DEPUTY}",
        sent_at=at(date(2026, 7, 1), 0, 0),
        on_behalf_of=LEAD,
    )
    sent_reminder(
        engine, f"reminder:7:2026-06:due:{DEPUTY}", sent_at=at(date(2026, 7, 10)), on_behalf_of=LEAD
    )
    sent_reminder(
        engine,
        f"reminder:7:2026-Q2:before:{DEPUTY}",
        sent_at=at(date(2026, 8, 9), 23, 59),
        on_behalf_of=LEAD,
    )
    sent_reminder(
        engine,
        f"reminder:7:2026-07:before:{DEPUTY}",
        sent_at=at(date(2026, 8, 10), 0, 0),
        on_behalf_of=LEAD,
    )
    sent_reminder(
        engine,
        f"reminder:8:2026-06:before:{DEPUTY}",
        sent_at=at(date(2026, 7, 3)),
        on_behalf_of=OTHER,
    )
    sent_reminder(
        engine, f"reminder:8:2026-06:due:{LEAD}", sent_at=at(date(2026, 7, 3)), on_behalf_of=None
    )

    report = absence_report(engine, absence.id, tz=STOCKHOLM)

    assert report is not None
    assert report.absence == absence
    assert [(f.intervention_id, f.intervention, f.period) for f in report.forwarded] == [
        (7, "#7", "2026-06"),
        (7, "#7", "2026-Q2"),
    ]
    assert absence_report(engine, 4711, tz=STOCKHOLM) is None


# -- end to end: /finsam frånvaro, reminders to the deputy, the welcome back -----------------

DEPUTY_MENTION = f"<@{DEPUTY}|bo.berg>"


@pytest.fixture
def bot(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=at(TODAY, 10)) as running:
        running.fake.add_user(LEAD_USER, email="anna.lind@enkoping.example", name="Anna Lind")
        running.fake.add_user(DEPUTY, email="bo.berg@enkoping.example", name="Bo Berg")
        path = tmp_path / "insatser.csv"
        path.write_text(
            "name,owner,kind,lead_emails,start,end\n"
            "Växtkraft,Enköping,individual,anna.lind@enkoping.example,2026-06-01,\n",
            encoding="utf-8",
        )
        client = make_client(token=BOT_TOKEN, base_url=running.fake.api_url)
        import_interventions_file(engine, path, SlackDirectory(client))
        yield running
        running.fake.assert_clean()


def ask(bot: RunningBot, text: str, *, user: str = LEAD_USER) -> dict[str, Any]:
    body = bot.ask(text, user=user)
    assert body["response_type"] == "ephemeral"
    return body


def all_text(body: dict[str, Any]) -> str:
    parts: list[str] = []
    for block in body.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def test_record_list_and_remove_an_absence(bot: RunningBot) -> None:
    empty = all_text(ask(bot, "frånvaro"))
    assert "Du har ingen frånvaro registrerad." in empty
    assert "`/finsam frånvaro FRÅN TILL @ersättare`" in empty

    recorded = all_text(ask(bot, f"frånvaro 2026-07-01 2026-08-09 {DEPUTY_MENTION}"))
    assert recorded == (
        "Frånvaron är sparad: 2026-07-01–2026-08-09. Under den tiden går dina påminnelser till "
        f"<@{DEPUTY}> (Växtkraft (Enköping)). Du får ett meddelande när du är tillbaka om vad "
        "som gick till ersättaren."
    )
    listed = all_text(ask(bot, "Frånvaro"))
    assert f"*Din frånvaro*\n• 2026-07-01–2026-08-09, ersättare <@{DEPUTY}>" in listed
    assert "frånvaro ta bort" in listed

    # the ASCII spelling and a mention without a name
    ask(bot, f"franvaro 2026-09-01 2026-09-04 <@{DEPUTY}>")
    assert absences_of(bot.engine, LEAD_USER, today=TODAY) == [
        AbsenceInfo(ANY_ID, LEAD_USER, DEPUTY, date(2026, 7, 1), date(2026, 8, 9)),
        AbsenceInfo(ANY_ID, LEAD_USER, DEPUTY, date(2026, 9, 1), date(2026, 9, 4)),
    ]

    removed = all_text(ask(bot, "frånvaro ta bort"))
    assert removed == (
        "2 frånvaroperioder borttagna; dina påminnelser går till dig igen från och med idag."
    )
    assert absences_of(bot.engine, LEAD_USER, today=TODAY) == []
    assert "Du hade ingen pågående eller kommande frånvaro" in all_text(ask(bot, "frånvaro av"))


def test_someone_who_leads_nothing_is_told_so(bot: RunningBot) -> None:
    text = all_text(ask(bot, f"frånvaro 2026-07-01 2026-07-02 <@{LEAD_USER}>", user=DEPUTY))
    assert "Frånvaron är sparad: 2026-07-01–2026-07-02" in text
    assert "Du står inte som insatsansvarig för någon insats just nu" in text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("frånvaro 2026-07-01", "Skriv `/finsam frånvaro FRÅN TILL @ersättare`"),
        ("frånvaro 1 juli", "`1` är inget datum – skriv ÅÅÅÅ-MM-DD"),
        ("frånvaro 2026-07-01 2026-02-30 @bo", "`2026-02-30` är inget datum"),
        ("frånvaro 2026-07-01 2026-08-09", "Ange vem som är din ersättare"),
        (
            "frånvaro 2026-07-01 2026-08-09 @bo <!channel>",
            "Jag hittar ingen Slack-användare i ”@bo &lt;!channel&gt;”",
        ),
        (
            f"frånvaro 2026-08-09 2026-07-01 {DEPUTY_MENTION}",
            "Slutdatumet 2026-07-01 ligger före startdatumet 2026-08-09.",
        ),
        (
            f"frånvaro 2026-06-01 2026-06-14 {DEPUTY_MENTION}",
            "Frånvaron slutar 2026-06-14, som redan har varit",
        ),
        (
            f"frånvaro 2026-07-01 2026-08-09 <@{LEAD_USER}|anna>",
            "Du kan inte vara din egen ersättare",
        ),
        (
            f"frånvaro 2026-07-01 2027-12-31 {DEPUTY_MENTION}",
            "En frånvaro kan vara högst 366 dagar",
        ),
    ],
)
def test_bad_input_gets_a_reason_and_the_help(bot: RunningBot, text: str, reason: str) -> None:
    answer = all_text(ask(bot, text))
    assert reason in answer
    assert "`/finsam frånvaro FRÅN TILL @ersättare`" in answer  # the help's line
    assert absences_of(bot.engine, LEAD_USER, today=TODAY) == []


def test_an_overlap_is_refused(bot: RunningBot) -> None:
    ask(bot, f"frånvaro 2026-07-01 2026-08-09 {DEPUTY_MENTION}")
    answer = all_text(ask(bot, f"frånvaro 2026-08-01 2026-08-20 {DEPUTY_MENTION}"))
    assert "Du har redan en frånvaro 2026-07-01–2026-08-09 som överlappar" in answer


def test_help_mentions_absence(bot: RunningBot) -> None:
    assert "frånvaro FRÅN TILL @ersättare" in all_text(ask(bot, "hjälp"))


def test_reminders_go_to_the_deputy_and_the_lead_is_told_when_back(bot: RunningBot) -> None:
    ask(bot, f"frånvaro 2026-07-01 2026-08-09 {DEPUTY_MENTION}")
    # the June report's first reminder comes while the lead is away
    bot.clock.set(at(date(2026, 7, 3), 9, 5))
    bot.jobs.run_reminders()
    [reminder] = [
        m for m in bot.fake.messages(bot.fake.dm_channel(DEPUTY)) if "Växtkraft" in m["text"]
    ]
    assert bot.fake.messages(bot.fake.dm_channel(LEAD_USER)) == []

    # back on Monday 2026-08-10 (the absence ends on a Sunday)
    bot.clock.set(at(date(2026, 8, 10), 8, 0))
    assert plan_back_notices(bot.engine, now=bot.clock.now(), tz=STOCKHOLM) == []
    bot.clock.set(at(date(2026, 8, 10), 9, 1))
    [key] = plan_back_notices(bot.engine, now=bot.clock.now(), tz=STOCKHOLM)
    assert plan_back_notices(bot.engine, now=bot.clock.now(), tz=STOCKHOLM) == []
    report = bot.jobs.run_outbox()
    assert key in report.sent

    [welcome] = [
        m
        for m in bot.fake.messages(bot.fake.dm_channel(LEAD_USER))
        if m["metadata"]["event_payload"]["key"] == key
    ]
    assert welcome["text"] == (
        "Välkommen tillbaka! Här är vad som hände medan du var borta 2026-07-01–2026-08-09."
    )
    text = all_text(welcome)
    assert (
        f"*Välkommen tillbaka!* Du var frånvarande 2026-07-01–2026-08-09 och <@{DEPUTY}> var "
        "din ersättare."
    ) in text
    assert "*Påminnelser som gick till ersättaren*\n• Växtkraft (Enköping): juni 2026" in text
    assert reminder["ts"] != welcome["ts"]


def test_welcome_back_without_forwarded_reminders(bot: RunningBot) -> None:
    ask(bot, f"frånvaro 2026-06-16 2026-06-17 {DEPUTY_MENTION}")
    bot.clock.set(at(date(2026, 6, 18), 9, 0))
    [key] = plan_back_notices(bot.engine, now=bot.clock.now(), tz=STOCKHOLM)
    bot.jobs.run_outbox()
    [welcome] = bot.fake.messages(bot.fake.dm_channel(LEAD_USER))
    assert welcome["metadata"]["event_payload"]["key"] == key
    assert "Inga påminnelser gick till ersättaren under tiden." in all_text(welcome)
