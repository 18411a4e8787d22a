"""The deputy's side of an absence, end to end through the fake: the DM when named (planned
with the absence, sent at once), dropped or followed by a "cancelled" DM when the lead
removes the absence before it starts, a "relieved" DM when the lead cuts short one under
way, and the lead's interventions on the deputy's App Home
while covering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from bot.ids import Action, View
from simulator.reading import message_text, outbox_key
from simulator.slack_driver import block_action
from store.models import OutboxMessage, OutboxStatus, Role
from tests.harness import LEAD_USER, STOCKHOLM, RunningBot, running_bot
from tests.overview_data import submit
from tests.reporting_data import add_intervention
from tests.test_home import buttons, lines, open_home
from workflows.absence import absences_of, record_absence
from workflows.outbox import messages
from workflows.people import register_person

DEPUTY = "U0DEPUTY1"
STRANGER = "U0STRANGE"
TODAY = date(2026, 6, 15)
ABSENCE = f"frånvaro 2026-07-01 2026-08-09 <@{DEPUTY}|bo.berg>"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=at(TODAY)) as running:
        for user in (LEAD_USER, DEPUTY, STRANGER):
            running.fake.add_user(user)
        lead = (("anna.lind@enkoping.example", LEAD_USER),)
        since = date(2026, 5, 1)
        ids = {
            "vaxtkraft": add_intervention(
                engine, "Växtkraft", "Enköping", leads=lead, starts_on=since
            ),
            "odd": add_intervention(engine, "<!channel> & Co", "Håbo", leads=lead, starts_on=since),
            "own": add_intervention(
                engine,
                "Bos insats",
                "Heby",
                leads=(("bo.berg@heby.example", DEPUTY),),
                starts_on=since,
            ),
        }
        running.ids = ids  # type: ignore[attr-defined]
        # A registered lead who leads nothing just now: may record an absence, be a deputy.
        register_person(engine, STRANGER, role=Role.lead)
        yield running
        running.fake.assert_clean()


@pytest.fixture
def bell_dispatches(bot: RunningBot) -> list[str]:
    """The keys the outbox sent when the bot rang it (no waiting for a tick)."""
    return bot.dispatch_on_ring()


def ask(bot: RunningBot, text: str, *, user: str = LEAD_USER) -> dict[str, Any]:
    body = bot.ask(text, user=user)
    assert body["response_type"] == "ephemeral"
    return body


def deputy_dms(bot: RunningBot) -> list[dict[str, Any]]:
    return bot.fake.messages(bot.fake.dm_channel(DEPUTY))


def block_texts(message: dict[str, Any]) -> list[str]:
    return message_text({**message, "text": ""}).splitlines()[1:]


def rows(bot: RunningBot, prefix: str) -> list[tuple[str, str, OutboxStatus]]:
    return [
        (m.key, m.channel, OutboxStatus(m.status))
        for m in messages(bot.engine)
        if m.key.startswith(prefix)
    ]


def only_absence_id(bot: RunningBot, user: str = LEAD_USER) -> int:
    [absence] = absences_of(bot.engine, user, today=TODAY)
    return absence.id


# -- told when named ---------------------------------------------------------------------------


def test_the_deputy_is_told_at_once_who_when_and_what(
    bot: RunningBot, bell_dispatches: list[str]
) -> None:
    ask(bot, ABSENCE)
    absence_id = only_absence_id(bot)
    key = f"deputy_named:{absence_id}:{DEPUTY}"
    assert bell_dispatches == [key]  # rung by the command: no waiting for a tick
    [dm] = deputy_dms(bot)
    assert outbox_key(dm) == key
    assert dm["text"] == f"<@{LEAD_USER}> har utsett dig till sin ersättare 2026-07-01–2026-08-09."
    assert block_texts(dm) == [
        f"*Du är ersättare för <@{LEAD_USER}>* 2026-07-01–2026-08-09. Under den tiden kommer "
        "påminnelserna om rapporter för de här insatserna till dig:",
        "• &lt;!channel&gt; &amp; Co (Håbo)",  # user text escaped: it pings nobody
        "• Växtkraft (Enköping)",
        "Varje påminnelse har knappen *Rapportera*: den öppnar formuläret, och du rapporterar "
        "för insatsen i den insatsansvarigas ställe. Under frånvaron ser du också insatserna under "
        "fliken Hem här i appen.",
    ]
    assert bot.fake.messages(bot.fake.dm_channel(LEAD_USER)) == []
    assert bot.jobs.run_outbox().sent == []  # once


def test_a_refused_absence_tells_nobody(bot: RunningBot, bell_dispatches: list[str]) -> None:
    ask(bot, ABSENCE)
    answer = bot.ask(f"frånvaro 2026-08-01 2026-08-20 <@{STRANGER}>", user=LEAD_USER)
    assert "överlappar" in message_text(answer)
    assert rows(bot, "deputy_named:") == [
        (f"deputy_named:{only_absence_id(bot)}:{DEPUTY}", DEPUTY, OutboxStatus.sent)
    ]
    assert bot.fake.messages(bot.fake.dm_channel(STRANGER)) == []


def test_the_deputy_is_told_in_their_own_language(
    bot: RunningBot, bell_dispatches: list[str]
) -> None:
    ask(bot, "språk en", user=DEPUTY)
    ask(bot, ABSENCE)
    [dm] = deputy_dms(bot)
    assert dm["text"] == f"<@{LEAD_USER}> has named you their deputy 1 Jul 2026 – 9 Aug 2026."
    text = message_text(dm)
    assert "• Växtkraft (Enköping)" in text
    assert "Each reminder has a *Report* button" in text


def test_a_deputy_of_someone_who_leads_nothing_is_told_so(
    bot: RunningBot, bell_dispatches: list[str]
) -> None:
    ask(bot, ABSENCE, user=STRANGER)
    [dm] = deputy_dms(bot)
    assert block_texts(dm)[1] == (
        f"<@{STRANGER}> står inte som insatsansvarig för någon insats just nu, så inga "
        "påminnelser väntar – blir det så under frånvaron kommer de till dig."
    )


# -- the absence removed before it starts ------------------------------------------------------


def test_a_notice_still_waiting_is_cancelled_with_the_absence(bot: RunningBot) -> None:
    ask(bot, ABSENCE)  # the bell is not connected: the DM waits for the next dispatch
    absence_id = only_absence_id(bot)
    named = f"deputy_named:{absence_id}:{DEPUTY}"
    assert rows(bot, "deputy_") == [(named, DEPUTY, OutboxStatus.pending)]

    ask(bot, "frånvaro ta bort")

    assert rows(bot, "deputy_") == [(named, DEPUTY, OutboxStatus.cancelled)]
    bot.jobs.run_outbox()
    assert deputy_dms(bot) == []


def test_a_deputy_who_was_told_is_told_of_the_cancellation(
    bot: RunningBot, bell_dispatches: list[str]
) -> None:
    ask(bot, ABSENCE)
    absence_id = only_absence_id(bot)
    ask(bot, "frånvaro ta bort")
    cancelled = f"deputy_cancelled:{absence_id}:{DEPUTY}"
    assert bell_dispatches == [f"deputy_named:{absence_id}:{DEPUTY}", cancelled]
    named_dm, cancelled_dm = deputy_dms(bot)
    assert outbox_key(cancelled_dm) == cancelled
    assert cancelled_dm["text"] == (
        f"<@{LEAD_USER}> har tagit bort sin frånvaro 2026-07-01–2026-08-09, så du är inte "
        f"ersättare då. Påminnelserna går till <@{LEAD_USER}> som vanligt."
    )
    assert block_texts(cancelled_dm) == [cancelled_dm["text"]]
    assert named_dm["ts"] != cancelled_dm["ts"]
    ask(bot, "frånvaro ta bort")  # nothing left to remove: nothing more to say
    assert len(deputy_dms(bot)) == 2


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "follow_up"),
    [
        (date(2026, 7, 1), date(2026, 8, 9), "deputy_cancelled"),  # removed before it began
        (date(2026, 6, 10), date(2026, 6, 30), "deputy_relieved"),  # cut short under way
    ],
)
def test_no_follow_up_when_the_first_notice_was_dropped_meanwhile(
    bot: RunningBot, starts_on: date, ends_on: date, follow_up: str
) -> None:
    """The first DM was being sent when the absence was removed or cut short, and its builder
    then found it gone: the deputy heard of nothing, so is told nothing more."""
    absence = record_absence(bot.engine, LEAD_USER, starts_on, ends_on, DEPUTY, today=TODAY)
    named = f"deputy_named:{absence.id}:{DEPUTY}"
    set_status(bot.engine, named, OutboxStatus.sending)
    ask(bot, "frånvaro ta bort")
    set_status(bot.engine, named, OutboxStatus.cancelled)
    assert bot.jobs.run_outbox().cancelled == [f"{follow_up}:{absence.id}:{DEPUTY}"]
    assert deputy_dms(bot) == []


def test_an_absence_under_way_that_is_cut_short_sends_no_late_notice(bot: RunningBot) -> None:
    """Planned while the bot could not send, then the lead came back early: the DM would
    name a window that is over, so it is dropped; no "cancelled" either (it had begun), nor
    "relieved" (the deputy never heard they were named)."""
    absence = record_absence(
        bot.engine, LEAD_USER, date(2026, 6, 10), date(2026, 6, 30), DEPUTY, today=TODAY
    )
    ask(bot, "frånvaro ta bort")
    assert bot.jobs.run_outbox().cancelled == [f"deputy_named:{absence.id}:{DEPUTY}"]
    assert rows(bot, "deputy_cancelled:") == []
    assert rows(bot, "deputy_relieved:") == []
    assert deputy_dms(bot) == []


# -- the absence cut short while under way -----------------------------------------------------


def cut_short(bot: RunningBot) -> tuple[int, str]:
    """An absence under way whose deputy was told, then `frånvaro ta bort`: (its id, the key
    of the deputy's "relieved" DM)."""
    absence = record_absence(
        bot.engine, LEAD_USER, date(2026, 6, 10), date(2026, 6, 30), DEPUTY, today=TODAY
    )
    named = f"deputy_named:{absence.id}:{DEPUTY}"
    assert bot.jobs.run_outbox().sent == [named]
    ask(bot, "frånvaro ta bort")
    return absence.id, f"deputy_relieved:{absence.id}:{DEPUTY}"


def test_a_deputy_who_was_told_is_told_when_the_lead_is_back_early(
    bot: RunningBot, bell_dispatches: list[str]
) -> None:
    absence_id, relieved = cut_short(bot)
    assert bell_dispatches == [relieved]  # rung by the command
    assert rows(bot, "deputy_cancelled:") == []
    named_dm, relieved_dm = deputy_dms(bot)
    assert outbox_key(relieved_dm) == relieved
    assert relieved_dm["text"] == (
        f"<@{LEAD_USER}> är tillbaka från 2026-06-15, så du är inte ersättare längre. "
        f"Påminnelserna om rapporter för hens insatser går till <@{LEAD_USER}> igen."
    )
    assert block_texts(relieved_dm) == [relieved_dm["text"]]
    assert named_dm["ts"] != relieved_dm["ts"]
    [absence] = absences_of(bot.engine, LEAD_USER, today=date(2026, 6, 1))
    assert absence.id == absence_id and absence.ends_on == date(2026, 6, 14)
    ask(bot, "frånvaro ta bort")  # nothing left to cut short: nothing more to say
    assert bot.jobs.run_outbox().sent == []
    assert len(deputy_dms(bot)) == 2


def test_the_deputy_is_told_the_lead_is_back_in_their_own_language(
    bot: RunningBot, bell_dispatches: list[str]
) -> None:
    ask(bot, "språk en", user=DEPUTY)
    _, relieved = cut_short(bot)
    [_, relieved_dm] = deputy_dms(bot)
    assert outbox_key(relieved_dm) == relieved
    assert relieved_dm["text"] == (
        f"<@{LEAD_USER}> is back from 15 Jun 2026, so you are no longer their deputy. "
        f"The report reminders for their interventions go to <@{LEAD_USER}> again."
    )


def set_status(engine: Engine, key: str, status: OutboxStatus) -> None:
    with Session(engine) as session:
        session.execute(
            update(OutboxMessage).where(col(OutboxMessage.key) == key).values(status=status)
        )
        session.commit()


# -- the deputy's App Home ---------------------------------------------------------------------

COVERING = (
    f"👥 Du är ersättare för <@{LEAD_USER}> till och med 2026-08-09: påminnelserna kommer "
    "till dig, och du rapporterar i den insatsansvarigas ställe."
)


def headings(view: dict[str, Any]) -> list[str]:
    """The Home's intervention names, each with the covering line when there is one."""
    return [
        line
        for line in lines(view)
        if (line.startswith("*") and " · " in line) or line.startswith("👥")
    ]


def test_while_covering_the_deputy_sees_the_leads_interventions(bot: RunningBot) -> None:
    bot.dispatch_on_ring()  # the Home tab is published by the outbox, as in `serve`
    ids = bot.ids  # type: ignore[attr-defined]
    record_absence(bot.engine, LEAD_USER, date(2026, 7, 1), date(2026, 8, 9), DEPUTY, today=TODAY)
    submit(bot.engine, ids["vaxtkraft"], "2026-05", at=at(date(2026, 6, 5)), by=LEAD_USER)
    submit(bot.engine, ids["own"], "2026-05", at=at(date(2026, 6, 8)), by=DEPUTY)

    before = open_home(bot, DEPUTY)  # not yet covering
    assert before is not None
    assert headings(before) == ["*Bos insats* (Heby) · månads- och kvartalsrapporter"]

    bot.clock.set(at(date(2026, 7, 1), 8))  # the first day of the absence
    submit(bot.engine, ids["vaxtkraft"], "2026-06", at=at(date(2026, 7, 1), 8), by=DEPUTY)
    view = open_home(bot, DEPUTY)
    assert view is not None
    assert lines(view) == [
        "Din rapportering",
        "*Bos insats* (Heby) · månads- och kvartalsrapporter",
        "📅 juni 2026: senast 2026-07-10",
        "📅 kvartal 2 2026: senast 2026-07-15",
        "📅 juli 2026: senast 2026-08-10",
        "*&lt;!channel&gt; &amp; Co* (Håbo) · månads- och kvartalsrapporter",
        COVERING,
        "🔴 *maj 2026* saknas – 14 arbetsdagar sen (sista dag 2026-06-10)",
        "📅 juni 2026: senast 2026-07-10",
        "📅 kvartal 2 2026: senast 2026-07-15",
        "📅 juli 2026: senast 2026-08-10",
        "*Växtkraft* (Enköping) · månads- och kvartalsrapporter",
        COVERING,
        "📅 juni 2026: senast 2026-07-10 · inlämnad",
        "📅 kvartal 2 2026: senast 2026-07-15",
        "📅 juli 2026: senast 2026-08-10",
        # the deputy's own reports, the one they sent for the lead, not the lead's
        "*Dina senaste rapporter*",
        "• Växtkraft (Enköping), juni 2026: inlämnad 2026-07-01",
        "• Bos insats (Heby), maj 2026: inlämnad 2026-06-08",
    ]
    odd, vaxtkraft = ids["odd"], ids["vaxtkraft"]
    assert buttons(view) == [
        (Action.report_open.value, {"intervention_id": ids["own"], "period": "2026-06"}),
        (Action.report_open.value, {"intervention_id": ids["own"], "period": "2026-Q2"}),
        (Action.report_open.value, {"intervention_id": odd, "period": "2026-05"}),
        (Action.report_open.value, {"intervention_id": odd, "period": "2026-06"}),
        (Action.report_open.value, {"intervention_id": odd, "period": "2026-Q2"}),
        (Action.report_open.value, {"intervention_id": vaxtkraft, "period": "2026-Q2"}),
    ]

    # the button of the covered intervention opens the report form for the deputy
    action, value = buttons(view)[2]
    opened = len(bot.fake.views())
    response = bot.driver.action(
        block_action(action, value=json.dumps(value), user_id=DEPUTY, view=view)
    )
    assert response.status == 200
    bot.fake.wait_for(lambda: len(bot.fake.views()) > opened)
    modal = bot.fake.views()[-1]
    assert modal["callback_id"] == View.report_form.value
    assert json.loads(modal["private_metadata"]) == value

    bot.clock.set(at(date(2026, 8, 10)))  # the lead is back
    after = open_home(bot, DEPUTY)
    assert after is not None
    assert headings(after) == ["*Bos insats* (Heby) · månads- och kvartalsrapporter"]


def test_a_deputy_who_leads_nothing_sees_only_what_they_cover(bot: RunningBot) -> None:
    bot.dispatch_on_ring()  # the Home tab is published by the outbox, as in `serve`
    record_absence(bot.engine, LEAD_USER, TODAY, date(2026, 6, 30), STRANGER, today=TODAY)
    view = open_home(bot, STRANGER)
    assert view is not None
    covering = COVERING.replace("2026-08-09", "2026-06-30")
    assert headings(view) == [
        "*&lt;!channel&gt; &amp; Co* (Håbo) · månads- och kvartalsrapporter",
        covering,
        "*Växtkraft* (Enköping) · månads- och kvartalsrapporter",
        covering,
    ]
    assert "Inga rapporter inlämnade ännu." in lines(view)
    assert buttons(view)  # the lead's open periods can be reported
