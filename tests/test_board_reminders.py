"""Reminders of the board's year: each open step reminds the roles it names before it is due,
on the day and when late (latest stage only, within the catch-up window), by DM with a
"Klart" button that marks it done; the application deadline is announced in its channel.
Planning rules on both databases, then end to end through the Slack fake."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from simulator.reading import buttons, message_text, outbox_key
from simulator.slack_driver import block_action
from store import board
from store.db import session_scope
from store.errors import AccessDenied, NotFoundError
from store.models import BoardEventKind, OutboxStatus, Role
from store.outbox import list_messages
from tests.harness import LEAD_USER, OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from workflows import board_reminders
from workflows.board_reminders import (
    DEFAULT_STAGES,
    announcement,
    get_step,
    mark_done,
    plan_board_reminders,
    stage_times,
)
from workflows.languages import set_language
from workflows.people import register_person
from workflows.texts import Texts
from workflows.working_days import WorkingDays

WORKING_DAYS = WorkingDays()
SECRETARY = "U0SECR001"
DIRECTOR = "U0DIR0001"
ANNOUNCE_CHANNEL = "C_PARTER"
DEADLINE = date(2026, 5, 12)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


# Papers for the March meeting are due Thursday 12 March: two working days before is Tuesday
# the 10th, two working days late is Monday the 16th.
PAPERS_DUE = date(2026, 3, 12)
BEFORE, DUE, LATE = at(date(2026, 3, 10)), at(PAPERS_DUE), at(date(2026, 3, 16))


def cycle() -> list[board.EventInput]:
    return [
        board.EventInput(
            uid="styrelse-2026-03",
            kind=BoardEventKind.meeting,
            title="Styrelsemöte mars",
            on=date(2026, 3, 19),
            starts_at="13:00",
            ends_at="16:00",
            place="Kansliet",
            items=("Årsredovisning 2025",),
            steps=(
                board.StepInput(
                    "papers_due", "Handlingar klara", PAPERS_DUE, ("secretary", "director")
                ),
                board.StepInput(
                    "notice_sent", "Kallelse skickad", date(2026, 3, 5), ("secretary",)
                ),
                board.StepInput(
                    "minutes_checked", "Protokollet justerat", date(2026, 3, 26), ("office",)
                ),
            ),
        ),
        board.EventInput(
            uid="ansokan-2026",
            kind=BoardEventKind.milestone,
            title="Sista dag för ansökningar om medel 2027",
            on=DEADLINE,
            starts_at=None,
            ends_at=None,
            place="",
            items=(),
            steps=tuple(
                board.StepInput(
                    f"announce_{days}",
                    f"Ansökningsdagen om {days} dagar",
                    DEADLINE - timedelta(days=days),
                    ("announce",),
                )
                for days in (30, 14, 3)
            ),
        ),
    ]


def store_cycle(engine: Engine, events: list[board.EventInput] | None = None) -> dict[str, int]:
    """The cycle stored; step name → id."""
    with session_scope(engine) as session:
        board.replace_year(session, 2026, events if events is not None else cycle())
        found = board.steps_of(session, [e.id or 0 for e in board.events_of_year(session, 2026)])
        return {step.step: step.id or 0 for steps in found.values() for step in steps}


def add_people(engine: Engine) -> None:
    register_person(engine, SECRETARY, role=Role.secretary, name="Sara Sekreterare")
    register_person(engine, DIRECTOR, role=Role.director, name="Dan Direktör")
    register_person(engine, OFFICE_USER, role=Role.office, name="Eva Ek")
    register_person(engine, LEAD_USER, role=Role.lead, name="Anna Lead")


def plan(engine: Engine, now: datetime, **kwargs: Any) -> list[str]:
    return plan_board_reminders(engine, now=now, tz=STOCKHOLM, working_days=WORKING_DAYS, **kwargs)


def of(step_id: int, keys: list[str]) -> list[str]:
    return [key for key in keys if key.startswith(f"board_step:{step_id}:")]


def announced(keys: list[str]) -> list[str]:
    return [key for key in keys if key.startswith("announce:")]


def announce(engine: Engine, now: datetime) -> list[str]:
    return announced(plan(engine, now, announce_channel=ANNOUNCE_CHANNEL))


def rows(engine: Engine) -> dict[str, OutboxStatus]:
    with session_scope(engine) as session:
        return {row.key: row.status for row in list_messages(session)}


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_reminders, "_warned", set())


@pytest.fixture
def steps(engine: Engine) -> dict[str, int]:
    add_people(engine)
    return store_cycle(engine)


# ------------------------------------------------------------------------------ when


def test_stages_are_working_days_at_the_send_time() -> None:
    times = stage_times(
        PAPERS_DUE, DEFAULT_STAGES, working_days=WORKING_DAYS, tz=STOCKHOLM, send_at=BEFORE.time()
    )
    assert [(t.stage.name, t.at) for t in times] == [
        ("before", BEFORE),
        ("due", DUE),
        ("late", LATE),
    ]
    # Due on a Saturday: the work is done by Friday, so that is "the day"; late counts from it
    # (Monday, then Tuesday: 1 May 2026 is a Friday holiday, irrelevant here).
    saturday = stage_times(
        date(2026, 5, 9),
        DEFAULT_STAGES,
        working_days=WORKING_DAYS,
        tz=STOCKHOLM,
        send_at=BEFORE.time(),
    )
    assert [t.day for t in saturday] == [date(2026, 5, 6), date(2026, 5, 8), date(2026, 5, 12)]


# ------------------------------------------------------------------------------ who, once


def test_the_roles_named_are_reminded_once_when_the_stage_comes(
    engine: Engine, steps: dict[str, int]
) -> None:
    papers = steps["papers_due"]
    assert of(papers, plan(engine, BEFORE - timedelta(minutes=1))) == []
    expected = [
        f"board_step:{papers}:2026-03-12:before:{DIRECTOR}",
        f"board_step:{papers}:2026-03-12:before:{SECRETARY}",
    ]
    assert of(papers, plan(engine, BEFORE)) == expected  # not the office, not the lead
    assert plan(engine, BEFORE + timedelta(minutes=5)) == []  # a second tick adds nothing


def test_a_person_with_two_roles_gets_one_message(engine: Engine, steps: dict[str, int]) -> None:
    register_person(engine, DIRECTOR, role=Role.secretary)
    assert of(steps["papers_due"], plan(engine, BEFORE)) == [
        f"board_step:{steps['papers_due']}:2026-03-12:before:{DIRECTOR}",
        f"board_step:{steps['papers_due']}:2026-03-12:before:{SECRETARY}",
    ]


def test_a_step_for_the_office_reminds_office_staff(engine: Engine, steps: dict[str, int]) -> None:
    planned = plan(engine, at(date(2026, 3, 26)))
    assert of(steps["minutes_checked"], planned) == [
        f"board_step:{steps['minutes_checked']}:2026-03-26:due:{OFFICE_USER}"
    ]


def test_nobody_with_the_role_is_a_warning(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    steps = store_cycle(engine)  # no people registered
    with caplog.at_level(logging.WARNING, logger="workflows.board_reminders"):
        assert plan(engine, BEFORE) == []
        plan(engine, BEFORE + timedelta(minutes=5))
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings == [
        f"board step {steps['notice_sent']} (notice_sent): nobody has the role secretary",
        f"board step {steps['papers_due']} (papers_due): nobody has the role director, secretary",
    ]


# ------------------------------------------------------------------------------ latest only


def test_only_the_latest_stage_is_sent_earlier_ones_waiting_are_cancelled(
    engine: Engine, steps: dict[str, int]
) -> None:
    plan(engine, BEFORE)  # planned, never sent: the bot went down
    planned = of(steps["papers_due"], plan(engine, LATE + timedelta(hours=3)))
    prefix = f"board_step:{steps['papers_due']}:2026-03-12"
    assert planned == [f"{prefix}:late:{DIRECTOR}", f"{prefix}:late:{SECRETARY}"]
    state = rows(engine)
    assert state[f"{prefix}:before:{SECRETARY}"] is OutboxStatus.cancelled
    assert state[f"{prefix}:late:{SECRETARY}"] is OutboxStatus.pending
    assert not any(":due:" in key and key.startswith(prefix) for key in state)


def test_a_stage_older_than_the_catch_up_window_is_not_sent(
    engine: Engine, steps: dict[str, int]
) -> None:
    # 27 March: the papers' late stage (16 March) is 11 days old, the notice's (9 March) 18.
    planned = plan(engine, at(date(2026, 3, 27)))
    assert not any(key.startswith(f"board_step:{steps['notice_sent']}:") for key in planned)
    assert any(key.startswith(f"board_step:{steps['papers_due']}:") for key in planned)
    assert plan(engine, at(date(2026, 3, 27)), catch_up=timedelta(days=7)) == []


def test_a_done_step_is_silent_and_its_waiting_reminders_are_cancelled(
    engine: Engine, steps: dict[str, int]
) -> None:
    papers = steps["papers_due"]
    planned = of(papers, plan(engine, BEFORE))
    assert len(planned) == 2
    mark_done(engine, papers, SECRETARY, BEFORE + timedelta(hours=1))
    assert {rows(engine)[key] for key in planned} == {OutboxStatus.cancelled}
    assert of(papers, plan(engine, DUE)) == []
    assert of(papers, plan(engine, LATE)) == []


def test_a_moved_step_is_reminded_for_its_new_date(engine: Engine, steps: dict[str, int]) -> None:
    plan(engine, DUE)
    mark_done(engine, steps["papers_due"], SECRETARY, DUE)
    events = cycle()
    moved = board.StepInput("papers_due", "Handlingar klara", date(2026, 3, 17), ("secretary",))
    events[0] = board.EventInput(**{**events[0].__dict__, "steps": (moved,)})
    assert store_cycle(engine, events)["papers_due"] == steps["papers_due"]  # same step
    step = get_step(engine, steps["papers_due"])
    assert step is not None and not step.done  # the new date clears the mark
    assert of(steps["papers_due"], plan(engine, at(date(2026, 3, 17)))) == [
        f"board_step:{steps['papers_due']}:2026-03-17:due:{SECRETARY}"
    ]


# ------------------------------------------------------------------------------ Klart


def test_only_the_secretary_director_and_office_may_mark_a_step_done(
    engine: Engine, steps: dict[str, int]
) -> None:
    papers = steps["papers_due"]
    for user in (LEAD_USER, "U0STRANGER"):
        with pytest.raises(AccessDenied):
            mark_done(engine, papers, user, DUE)
    step = get_step(engine, papers)
    assert step is not None and not step.done
    with pytest.raises(NotFoundError):
        mark_done(engine, 999_999, SECRETARY, DUE)
    for user in (SECRETARY, DIRECTOR, OFFICE_USER):
        mark_done(engine, steps["minutes_checked"] if user == OFFICE_USER else papers, user, DUE)


def test_a_second_press_keeps_the_first_who_and_when(engine: Engine, steps: dict[str, int]) -> None:
    first = mark_done(engine, steps["papers_due"], SECRETARY, DUE)
    second = mark_done(engine, steps["papers_due"], DIRECTOR, DUE + timedelta(days=1))
    assert (second.done_by, second.done_at) == (SECRETARY, first.done_at)
    assert first.done_at == DUE


def test_marking_done_plans_one_update_of_the_sent_copies(
    engine: Engine, steps: dict[str, int]
) -> None:
    papers = steps["papers_due"]
    plan(engine, DUE)
    mark_done(engine, papers, SECRETARY, DUE)
    mark_done(engine, papers, DIRECTOR, DUE + timedelta(hours=1))  # a second press: no more
    statuses = rows(engine)
    assert {key: s for key, s in statuses.items() if key.startswith("board_step_done:")} == {
        f"board_step_done:{papers}:2026-03-12": OutboxStatus.pending
    }
    assert {statuses[key] for key in of(papers, list(statuses))} == {OutboxStatus.cancelled}


# ------------------------------------------------------------------------------ announcements


def test_the_application_deadline_is_announced_once_on_each_day(
    engine: Engine, steps: dict[str, int]
) -> None:
    # announce_30 is due Sunday 12 April: posted Friday the 10th, the working day before.
    friday = at(date(2026, 4, 10))
    assert announce(engine, friday - timedelta(minutes=1)) == []
    key_30 = f"announce:{steps['announce_30']}:2026-04-12"
    assert announce(engine, friday) == [key_30]
    assert announce(engine, friday + timedelta(hours=2)) == []
    assert announce(engine, at(date(2026, 4, 28))) == [
        f"announce:{steps['announce_14']}:2026-04-28"
    ]
    assert rows(engine)[key_30] is OutboxStatus.cancelled  # never sent: the later one wins
    with session_scope(engine) as session:
        [row] = [
            r
            for r in list_messages(session)
            if r.key.startswith("announce:") and r.status is OutboxStatus.pending
        ]
    assert row.channel == ANNOUNCE_CHANNEL
    assert json.loads(row.payload)["kind"] == "announcement"


def test_without_an_announcement_channel_nothing_is_posted_and_the_log_says_so(
    engine: Engine, steps: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="workflows.board_reminders"):
        assert announced(plan(engine, at(date(2026, 4, 10)))) == []
        assert announced(plan(engine, at(date(2026, 4, 10), 9, 5))) == []
    [warning] = [r.getMessage() for r in caplog.records]
    assert "FINSAM_ANNOUNCE_CHANNEL" in warning
    assert not any(key.startswith("announce:") for key in rows(engine))


def test_an_announcement_is_not_wanted_once_superseded_moved_or_past(
    engine: Engine, steps: dict[str, int]
) -> None:
    step_30 = steps["announce_30"]

    def view(due: date, today: date) -> Any:
        return announcement(engine, step_30, due, today=today, working_days=WORKING_DAYS)

    found = view(date(2026, 4, 12), date(2026, 4, 10))
    assert found is not None and (found.deadline, found.days_left) == (DEADLINE, 32)
    assert view(date(2026, 4, 12), date(2026, 4, 28)) is None  # the 14-day one has had its day
    assert view(date(2026, 4, 11), date(2026, 4, 10)) is None  # the step has moved
    step_3 = steps["announce_3"]
    assert (
        announcement(
            engine, step_3, date(2026, 5, 9), today=date(2026, 5, 13), working_days=WORKING_DAYS
        )
        is None
    )  # the deadline has passed


# ------------------------------------------------------------------------------ texts


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "sv",
            [
                "Påminnelse: Handlingar &lt;klara&gt; – Möte, senast 2026-03-12.",
                "Idag: Handlingar &lt;klara&gt; – Möte.",
                "Senast 2026-03-12: Handlingar &lt;klara&gt; – Möte.",
                "Försenat 1 arbetsdag: Handlingar &lt;klara&gt; – Möte.",
                "Försenat 2 arbetsdagar: Handlingar &lt;klara&gt; – Möte.",
            ],
        ),
        (
            "en",
            [
                "Reminder: Handlingar &lt;klara&gt; (Möte) is due 12 Mar 2026.",
                "Handlingar &lt;klara&gt; (Möte) is due today.",
                "Handlingar &lt;klara&gt; (Möte) is due 12 Mar 2026.",
                "Handlingar &lt;klara&gt; (Möte) is 1 working day late.",
                "Handlingar &lt;klara&gt; (Möte) is 2 working days late.",
            ],
        ),
    ],
)
def test_stage_wording_in_both_languages(lang: str, expected: list[str]) -> None:
    texts = Texts(lang)
    values = {"step": "Handlingar <klara>", "event": "Möte", "due": PAPERS_DUE}
    assert [
        texts.get("board_steps", "step_text", offset=offset, today=today, **values)
        for offset, today in ((-2, False), (0, True), (0, False), (1, False), (2, False))
    ] == expected


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_announcement_wording(lang: str) -> None:
    texts = Texts(lang)
    said = [
        texts.get("board_steps", "announcement_text", title="T", deadline=DEADLINE, days_left=n)
        for n in (0, 1, 14)
    ]
    assert (
        said
        == {
            "sv": [
                "T: 2026-05-12, idag.",
                "T: 2026-05-12, i morgon.",
                "T: 2026-05-12, om 14 dagar.",
            ],
            "en": [
                "T: 12 May 2026, today.",
                "T: 12 May 2026, tomorrow.",
                "T: 12 May 2026, in 14 days.",
            ],
        }[lang]
    )


# ------------------------------------------------------------------------------ end to end


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(
        engine, database_url, now=DUE, finsam_announce_channel=ANNOUNCE_CHANNEL
    ) as running:
        running.fake.add_channel(ANNOUNCE_CHANNEL, name="finsam-parter")
        for user in (SECRETARY, DIRECTOR, OFFICE_USER, LEAD_USER):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        add_people(engine)
        running.steps = store_cycle(engine)  # type: ignore[attr-defined]
        yield running


def dms(bot: RunningBot, user: str, step: str = "papers_due") -> list[dict[str, Any]]:
    """The user's DMs about one step (by its button's value, or the text once marked done);
    not the board papers' draft pack, which comes on the papers day too."""
    step_id = str(bot.steps[step])  # type: ignore[attr-defined]
    return [
        message
        for message in bot.fake.messages(bot.fake.dm_channel(user))
        if [b["value"] for b in buttons(message)] in ([step_id], [])
        and not message.get("files")
        and not outbox_key(message).startswith("board_papers:")
    ]


def press_done(bot: RunningBot, message: dict[str, Any], user: str) -> dict[str, Any]:
    [button] = buttons(message)
    before = len(bot.fake.responses())
    response = bot.driver.action(
        block_action(
            button["action_id"],
            value=button["value"],
            user_id=user,
            message=message,
            channel_id=bot.fake.dm_channel(user),
            response_url=bot.fake.new_response_url(),
        )
    )
    assert response.status == 200
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before)
    body: dict[str, Any] = bot.fake.responses()[-1]["body"]
    return body


def test_the_secretary_is_reminded_once_presses_klart_and_hears_no_more(bot: RunningBot) -> None:
    papers = bot.steps["papers_due"]  # type: ignore[attr-defined]
    bot.jobs.run_reminders()
    bot.jobs.run_reminders()  # a second tick sends nothing new
    [reminder] = dms(bot, SECRETARY)
    text = message_text(reminder)
    assert "Idag, *2026-03-12*" in text and "Handlingar klara" in text
    assert "Styrelsemöte mars (2026-03-19)" in text
    [button] = buttons(reminder)
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        "board_step_done",
        str(papers),
        "Klart",
    )
    assert len(dms(bot, DIRECTOR)) == 1
    assert dms(bot, OFFICE_USER) == [] and dms(bot, LEAD_USER) == []

    bot.clock.set(DUE + timedelta(hours=2))
    body = press_done(bot, reminder, SECRETARY)
    assert body["replace_original"] is True
    assert f"✅ Klart – markerat av <@{SECRETARY}> 2026-03-12" in message_text(body)
    assert buttons(body) == []
    step = get_step(bot.engine, papers)
    assert step is not None and (step.done_by, step.done_at) == (
        SECRETARY,
        DUE + timedelta(hours=2),
    )

    # The director presses on their copy a day later: the first who and when stand.
    bot.clock.set(DUE + timedelta(days=1))
    again = press_done(bot, dms(bot, DIRECTOR)[0], DIRECTOR)
    assert f"markerat av <@{SECRETARY}> 2026-03-12" in message_text(again)

    bot.clock.set(LATE)
    bot.jobs.run_reminders()
    assert len(dms(bot, SECRETARY)) == 1 and len(dms(bot, DIRECTOR)) == 1
    bot.fake.assert_clean()


def test_someone_without_the_role_cannot_press_klart(bot: RunningBot) -> None:
    bot.jobs.run_reminders()
    [reminder] = dms(bot, SECRETARY)
    body = press_done(bot, reminder, LEAD_USER)
    assert body["replace_original"] is False and body["response_type"] == "ephemeral"
    assert "Bara styrelsens sekreterare" in body["text"]
    step = get_step(bot.engine, bot.steps["papers_due"])  # type: ignore[attr-defined]
    assert step is not None and not step.done
    bot.clock.set(LATE)
    bot.jobs.run_reminders()
    [_, late] = dms(bot, SECRETARY)
    assert "2 arbetsdagar sent" in message_text(late)
    bot.fake.assert_clean()


def test_a_reminder_planned_before_the_step_was_done_is_not_sent(bot: RunningBot) -> None:
    bot.jobs.plan_reminders()
    # Done from another message before the dispatcher came round (the row was already leased
    # in another process, say): the builder checks again and the row is cancelled.
    with session_scope(bot.engine) as session:
        board.mark_step_done(session, bot.steps["papers_due"], by=DIRECTOR, at=DUE)  # type: ignore[attr-defined]
    bot.jobs.run_outbox()
    assert dms(bot, SECRETARY) == [] and dms(bot, DIRECTOR) == []
    bot.fake.assert_clean()


def test_klart_on_one_copy_marks_every_copy_done_and_no_reminder_follows(
    bot: RunningBot,
) -> None:
    papers = bot.steps["papers_due"]  # type: ignore[attr-defined]
    set_language(bot.engine, DIRECTOR, "en")  # each copy is updated in its reader's language
    bot.clock.set(BEFORE)
    bot.jobs.run_reminders()
    bot.clock.set(DUE)
    bot.jobs.run_reminders()  # the "before" and the "due" copy, to each of the two
    copies = {user: dms(bot, user) for user in (SECRETARY, DIRECTOR)}
    assert [len(found) for found in copies.values()] == [2, 2]
    assert all(len(buttons(copy)) == 1 for found in copies.values() for copy in found)
    bot.fake.reset_calls()

    bot.clock.set(DUE + timedelta(hours=2))
    press_done(bot, copies[SECRETARY][1], SECRETARY)
    bot.jobs.run_outbox()
    bot.jobs.run_outbox()  # planned once, sent once
    updated = {call.args["ts"]: call.args["channel"] for call in bot.fake.calls("chat.update")}
    assert updated == {
        copy["ts"]: bot.fake.dm_channel(user) for user, found in copies.items() for copy in found
    }
    said = {
        SECRETARY: f"✅ Klart – markerat av <@{SECRETARY}> 2026-03-12",
        DIRECTOR: f"✅ Done – marked by <@{SECRETARY}> on 12 Mar 2026",
    }
    for user in (SECRETARY, DIRECTOR):
        now = dms(bot, user)
        assert [copy["ts"] for copy in now] == [copy["ts"] for copy in copies[user]]
        for copy in now:
            assert buttons(copy) == [] and said[user] in message_text(copy)
    assert rows(bot.engine)[f"board_step_done:{papers}:2026-03-12"] == OutboxStatus.sent

    # The director's client still showed the button: the press answers with the first who
    # and when, and updates nothing more.
    again = press_done(bot, copies[DIRECTOR][1], DIRECTOR)
    assert f"marked by <@{SECRETARY}> on 12 Mar 2026" in message_text(again)
    bot.clock.set(LATE)
    bot.jobs.run_reminders()
    assert len(bot.fake.calls("chat.update")) == 4
    assert [len(dms(bot, user)) for user in (SECRETARY, DIRECTOR)] == [2, 2]
    bot.fake.assert_clean()


def test_a_copy_gone_from_slack_does_not_hold_up_the_others(bot: RunningBot) -> None:
    papers = bot.steps["papers_due"]  # type: ignore[attr-defined]
    bot.jobs.run_reminders()
    [secretary_copy] = dms(bot, SECRETARY)
    press_done(bot, secretary_copy, SECRETARY)
    # The director's copy (updated first) was deleted: Slack says so, and it is skipped.
    bot.fake.error_next("chat.update", "message_not_found")
    bot.jobs.run_outbox()
    assert rows(bot.engine)[f"board_step_done:{papers}:2026-03-12"] == OutboxStatus.sent
    assert [call.args["channel"] for call in bot.fake.calls("chat.update")] == [
        bot.fake.dm_channel(DIRECTOR),
        bot.fake.dm_channel(SECRETARY),
    ]
    [updated] = dms(bot, SECRETARY)
    assert buttons(updated) == [] and "✅ Klart" in message_text(updated)
    bot.fake.assert_clean(allow_errors=["chat.update:message_not_found"])


def test_the_application_deadline_is_announced_in_its_channel(bot: RunningBot) -> None:
    bot.clock.set(at(date(2026, 4, 10)))
    bot.jobs.run_reminders()
    bot.jobs.run_reminders()
    [post] = bot.fake.messages(ANNOUNCE_CHANNEL)
    text = message_text(post)
    assert "Sista dag för ansökningar om medel 2027" in text
    assert "*2026-05-12* – om 32 dagar" in text
    bot.fake.assert_clean()
