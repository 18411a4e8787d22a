"""Who may record an absence, who may be a deputy, and the database's own refusal of
overlapping absences and of a doubled person row, under concurrency (threads, each with its
own connection) on SQLite and PostgreSQL, in the workflow and through the app."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from typing import Any, TypeVar

import pytest
from alembic import command
from sqlalchemy import Engine, func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from store.absences import add_absence, is_overlap, person_for
from store.db import alembic_config, make_engine, session_scope
from store.errors import AccessDenied, BadArgument
from store.models import Absence, Person, Role
from store.people import add_person
from tests.harness import LEAD_USER, OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from tests.reporting_data import add_intervention
from workflows.absence import absences_of, cancel_absences, record_absence
from workflows.languages import set_language
from workflows.people import register_person

LEAD = LEAD_USER
OTHER_LEAD = "U0LEAD002"
DEPUTY = "U0DEPUTY1"
NEWCOMER = "U0NEWBIE1"  # a Slack user the bot has never heard of
TODAY = date(2026, 6, 15)
JULY = (date(2026, 7, 1), date(2026, 7, 31))
T = TypeVar("T")


@pytest.fixture
def people(engine: Engine) -> Engine:
    for user in (LEAD, OTHER_LEAD, DEPUTY):
        register_person(engine, user, role=Role.lead)
    register_person(engine, OFFICE_USER, role=Role.office)
    return engine


def stored(engine: Engine) -> list[tuple[str, date, date]]:
    return [
        (a.lead_user_id, a.starts_on, a.ends_on) for a in absences_of(engine, LEAD, today=TODAY)
    ]


def person_rows(engine: Engine, user: str) -> int:
    with session_scope(engine) as session:
        query = select(func.count()).select_from(Person).where(Person.slack_user_id == user)
        return int(session.exec(query).one())


def at_once(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run `work(i)` in `count` threads released together; each result or exception."""
    barrier = threading.Barrier(count)

    def run(i: int) -> T | BaseException:
        barrier.wait(timeout=30)
        try:
            return work(i)
        except Exception as err:  # the test sorts the outcomes
            return err

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# -- who may ---------------------------------------------------------------------------------


def test_someone_who_is_not_a_registered_lead_cannot_record_one(people: Engine) -> None:
    set_language(people, NEWCOMER, "sv")  # known to the bot, but registered by nobody
    with pytest.raises(AccessDenied) as caught:
        record_absence(people, NEWCOMER, *JULY, DEPUTY, today=TODAY)
    assert caught.value.code == "absence_not_registered_lead"
    assert absences_of(people, NEWCOMER, today=TODAY) == []


def test_the_deputy_must_be_registered(people: Engine) -> None:
    with pytest.raises(BadArgument) as caught:
        record_absence(people, LEAD, *JULY, NEWCOMER, today=TODAY)
    assert (caught.value.code, caught.value.params) == (
        "absence_unknown_deputy",
        {"deputy": NEWCOMER},
    )
    assert stored(people) == []
    assert person_rows(people, NEWCOMER) == 0  # no row made for them either
    record_absence(people, LEAD, *JULY, OFFICE_USER, today=TODAY)  # office staff may stand in


def test_the_office_records_for_a_lead_and_nobody_else_does(people: Engine) -> None:
    with pytest.raises(AccessDenied) as caught:
        record_absence(people, LEAD, *JULY, DEPUTY, today=TODAY, recorded_by=OTHER_LEAD)
    assert caught.value.code == "absence_for_others_office_only"
    with pytest.raises(AccessDenied):
        cancel_absences(people, LEAD, today=TODAY, by=OTHER_LEAD)
    with pytest.raises(AccessDenied):
        absences_of(people, LEAD, today=TODAY, by=OTHER_LEAD)
    with pytest.raises(BadArgument) as not_lead:
        record_absence(people, NEWCOMER, *JULY, DEPUTY, today=TODAY, recorded_by=OFFICE_USER)
    assert not_lead.value.code == "absence_other_not_a_lead"
    assert stored(people) == []

    record_absence(people, LEAD, *JULY, DEPUTY, today=TODAY, recorded_by=OFFICE_USER)
    assert stored(people) == [(LEAD, *JULY)]
    assert len(cancel_absences(people, LEAD, today=TODAY, by=OFFICE_USER)) == 1
    assert stored(people) == []


# -- the database refuses overlaps --------------------------------------------------------------


def test_the_database_refuses_an_overlapping_absence_itself(people: Engine) -> None:
    with session_scope(people) as session:
        lead, deputy = person_for(session, LEAD), person_for(session, DEPUTY)
        assert lead.id is not None and deputy.id is not None
        ids = (lead.id, deputy.id)
        add_absence(
            session, person_id=ids[0], deputy_person_id=ids[1], starts_on=JULY[0], ends_on=JULY[1]
        )
    for starts_on, ends_on in ((date(2026, 7, 31), date(2026, 8, 2)), (date(2026, 6, 20), JULY[0])):
        with pytest.raises(IntegrityError) as caught, session_scope(people) as session:
            add_absence(
                session,
                person_id=ids[0],
                deputy_person_id=ids[1],
                starts_on=starts_on,
                ends_on=ends_on,
            )
        assert is_overlap(caught.value)
    # the next day is free, and another person's absence may overlap
    with session_scope(people) as session:
        add_absence(
            session,
            person_id=ids[0],
            deputy_person_id=ids[1],
            starts_on=date(2026, 8, 1),
            ends_on=date(2026, 8, 1),
        )
        add_absence(
            session, person_id=ids[1], deputy_person_id=ids[0], starts_on=JULY[0], ends_on=JULY[1]
        )
    # an update that would make two meet is refused as well
    with pytest.raises(IntegrityError) as caught, session_scope(people) as session:
        later = session.exec(select(Absence).where(Absence.starts_on == date(2026, 8, 1))).one()
        later.starts_on = date(2026, 7, 30)
        session.add(later)
        session.flush()
    assert is_overlap(caught.value)


def test_four_overlapping_absences_at_once_store_one(people: Engine) -> None:
    windows = [  # every one holds 2026-07-20
        (date(2026, 7, 1), date(2026, 7, 31)),
        (date(2026, 7, 15), date(2026, 8, 15)),
        (date(2026, 6, 20), date(2026, 7, 20)),
        (date(2026, 7, 20), date(2026, 9, 1)),
    ]
    outcomes = at_once(4, lambda i: record_absence(people, LEAD, *windows[i], DEPUTY, today=TODAY))
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 3, outcomes
    assert all(isinstance(o, BadArgument) and o.code == "absence_overlaps" for o in refused)
    [kept] = stored(people)
    assert (kept[1], kept[2]) in windows


# -- a person seen for the first time, by several requests at once --------------------------------


def test_concurrent_first_sight_of_a_person_makes_one_row(people: Engine) -> None:
    for round_ in range(8):
        user = f"U0NEW{round_:04d}"

        def first_sight(_: int, user: str = user) -> int:
            with session_scope(people) as session:
                person = person_for(session, user)
                assert person.id is not None
                return person.id

        outcomes = at_once(6, first_sight)
        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        assert len(set(outcomes)) == 1
        assert person_rows(people, user) == 1


def test_concurrent_registration_of_a_person_makes_one_row(people: Engine) -> None:
    for round_ in range(8):
        user = f"U0REG{round_:04d}"

        def register(i: int, user: str = user) -> int:
            with session_scope(people) as session:
                person = add_person(session, user, role=(Role.lead, Role.office)[i % 2])
                assert person.id is not None
                return person.id

        outcomes = at_once(6, register)
        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        assert person_rows(people, user) == 1


# -- the migration: overlaps stored before it are resolved ---------------------------------------


def test_the_migration_keeps_the_first_of_overlapping_absences(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        config = alembic_config(engine)
        command.upgrade(config, "0005")
        with engine.begin() as connection:
            for user in (LEAD, DEPUTY):
                connection.execute(
                    text("INSERT INTO person (slack_user_id, name) VALUES (:u, '')"), {"u": user}
                )
            lead, deputy = (
                connection.execute(
                    text("SELECT id FROM person WHERE slack_user_id = :u"), {"u": u}
                ).scalar_one()
                for u in (LEAD, DEPUTY)
            )
            for start, end in (
                ("2026-07-01", "2026-07-31"),  # kept
                ("2026-07-10", "2026-07-20"),  # overlaps the first: dropped
                ("2026-08-01", "2026-08-09"),  # kept
                ("2026-07-31", "2026-08-01"),  # overlaps both: dropped
            ):
                connection.execute(
                    text(
                        "INSERT INTO absence (person_id, deputy_person_id, starts_on, ends_on,"
                        " created_at) VALUES (:p, :d, :s, :e, CURRENT_TIMESTAMP)"
                    ),
                    {
                        "p": lead,
                        "d": deputy,
                        "s": date.fromisoformat(start),
                        "e": date.fromisoformat(end),
                    },
                )
        command.upgrade(config, "head")
        assert [(a.starts_on, a.ends_on) for a in absences_of(engine, LEAD, today=TODAY)] == [
            (date(2026, 7, 1), date(2026, 7, 31)),
            (date(2026, 8, 1), date(2026, 8, 9)),
        ]
        command.check(config)
    finally:
        engine.dispose()


# -- through the app ---------------------------------------------------------------------------


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=at(TODAY), finsam_work_threads=4) as running:
        for user in (LEAD, OTHER_LEAD, DEPUTY, NEWCOMER, OFFICE_USER):
            running.fake.add_user(user)
        add_intervention(engine, "Växtkraft", "Enköping", leads=(("anna@x.example", LEAD),))
        add_intervention(engine, "Bos insats", "Heby", leads=(("bo@x.example", DEPUTY),))
        register_person(engine, OTHER_LEAD, role=Role.lead)
        running.add_office_user()
        yield running


def answer(bot: RunningBot, words: str, *, user: str) -> str:
    body: dict[str, Any] = bot.ask(words, user=user)
    assert body["response_type"] == "ephemeral"
    return "\n".join(block["text"]["text"] for block in body.get("blocks") or [] if "text" in block)


def test_in_slack_only_registered_leads_and_people(bot: RunningBot) -> None:
    days = "2026-07-01 2026-07-31"
    window = f"frånvaro {days}"
    refused = answer(bot, f"{window} <@{DEPUTY}>", user=NEWCOMER)
    assert "Frånvaro med ersättare kan bara registreras av insatsansvariga" in refused
    unknown = answer(bot, f"{window} <@{NEWCOMER}|ny>", user=LEAD)
    assert (
        f"<@{NEWCOMER}> finns inte registrerad i finsam-bot och kan inte vara ersättare" in unknown
    )
    not_office = answer(bot, f"frånvaro <@{LEAD}> {days} <@{DEPUTY}>", user=OTHER_LEAD)
    assert (
        "Det är bara kansliet som kan registrera eller ta bort frånvaro för någon annan"
        in not_office
    )
    assert absences_of(bot.engine, LEAD, today=TODAY) == []
    assert bot.fake.messages(bot.fake.dm_channel(DEPUTY)) == []

    done = answer(bot, f"frånvaro <@{LEAD}|anna> {days} <@{DEPUTY}>", user=OFFICE_USER)
    assert done.startswith(f"Frånvaron för <@{LEAD}> är sparad: 2026-07-01–2026-07-31.")
    listed = answer(bot, f"frånvaro <@{LEAD}>", user=OFFICE_USER)
    assert f"*Frånvaro för <@{LEAD}>*\n• 2026-07-01–2026-07-31, ersättare <@{DEPUTY}>" in listed
    removed = answer(bot, f"frånvaro <@{LEAD}> ta bort", user=OFFICE_USER)
    assert removed.startswith(f"1 frånvaroperiod för <@{LEAD}> borttagen")
    assert absences_of(bot.engine, LEAD, today=TODAY) == []


def test_in_slack_four_overlapping_commands_at_once_store_one(bot: RunningBot) -> None:
    windows = [  # every one holds 2026-07-20
        "2026-07-01 2026-07-31",
        "2026-07-15 2026-08-15",
        "2026-06-20 2026-07-20",
        "2026-07-20 2026-09-01",
    ]
    before = len(bot.fake.responses())
    sent = at_once(
        4,
        lambda i: bot.driver.command(f"frånvaro {windows[i]} <@{DEPUTY}>", user_id=LEAD).status,
    )
    assert sent == [200, 200, 200, 200]
    bot.fake.wait_for(lambda: len(bot.fake.responses()) >= before + 4, timeout=30)
    texts = [
        "\n".join(b["text"]["text"] for b in r["body"].get("blocks") or [] if "text" in b)
        for r in bot.fake.responses()[before:]
    ]
    assert sum(t.startswith("Frånvaron är sparad") for t in texts) == 1, texts
    assert sum("som överlappar" in t for t in texts) == 3, texts
    assert not any("Något gick fel" in t for t in texts)
    assert len(absences_of(bot.engine, LEAD, today=TODAY)) == 1
