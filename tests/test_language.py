"""Languages: Swedish by default, `/finsam språk en|sv` per user; the user's answers, DMs,
dates and amounts follow the choice, channel posts keep the association's language; every
template renders in both languages."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from jinja2 import nodes
from sqlalchemy import Engine
from sqlmodel import select

from simulator.reading import message_text
from store.db import session_scope
from store.errors import BadArgument
from store.models import Person
from store.people import get_person, roles_of
from tests.harness import LEAD_USER, OFFICE_CHANNEL, OFFICE_USER, RunningBot, running_bot
from tests.reporting_data import add_intervention
from tests.test_bot_budget import all_text, ask
from tests.test_reporting_flow import dms
from workflows.calendar import CalendarRules, Period
from workflows.languages import (
    LanguageCache,
    language_of,
    parse_language,
    preferred_language,
    set_language,
)
from workflows.reports import Reporting
from workflows.texts import LANGUAGES, Texts, format_date, templates_dir
from workflows.working_days import WorkingDays

OTHER_OFFICE_USER = "U0OFFICE2"
OTHER_LEAD = "U0LEAD002"
REPORTING = Reporting(CalendarRules(), WorkingDays())
MARCH = Period.month(2026, 3)


# ---------------------------------------------------------------- the store and the cache


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("English", "en"),
        ("engelska", "en"),
        ("sv", "sv"),
        ("Svenska", "sv"),
        ("swedish", "sv"),
        (" sv ", "sv"),
    ],
)
def test_language_words(word: str, code: str) -> None:
    assert parse_language(word) == code


@pytest.mark.parametrize("word", ["de", "", "e", "english please", "svenskt"])
def test_unknown_language_is_a_bad_argument(word: str) -> None:
    with pytest.raises(BadArgument) as caught:
        parse_language(word)
    assert (caught.value.code, caught.value.params) == ("unknown_language", {"value": word})


def test_a_new_user_gets_a_person_row_without_a_role(engine: Engine) -> None:
    assert language_of(engine, "U0NEW0001") is None
    assert set_language(engine, "U0NEW0001", "English") == "en"
    assert language_of(engine, "U0NEW0001") == "en"
    with session_scope(engine) as session:
        person = get_person(session, "U0NEW0001")
        assert person is not None and person.language == "en"
        assert roles_of(session, "U0NEW0001") == set()
    set_language(engine, "U0NEW0001", "sv")
    assert language_of(engine, "U0NEW0001") == "sv"
    with session_scope(engine) as session:
        assert len(session.exec(select(Person)).all()) == 1


def test_a_known_user_keeps_name_and_roles(budget_bot: RunningBot) -> None:
    set_language(budget_bot.engine, OFFICE_USER, "en")
    with session_scope(budget_bot.engine) as session:
        person = get_person(session, OFFICE_USER)
        assert person is not None and person.name == "Eva Ek" and person.language == "en"
        assert roles_of(session, OFFICE_USER) != set()


def test_an_unknown_language_stores_nothing(engine: Engine) -> None:
    with pytest.raises(BadArgument):
        set_language(engine, "U0NEW0001", "fi")
    with session_scope(engine) as session:
        assert get_person(session, "U0NEW0001") is None


def test_lookups_are_cached_and_a_set_goes_through(engine: Engine) -> None:
    set_language(engine, "U0NEW0001", "en")
    # Changed behind the cache's back (as another process would): the cache still answers...
    with session_scope(engine) as session:
        person = get_person(session, "U0NEW0001")
        assert person is not None
        person.language = "sv"
        session.add(person)
    assert language_of(engine, "U0NEW0001") == "en"
    # ...while a change through set_language shows at once.
    set_language(engine, "U0NEW0001", "sv")
    assert language_of(engine, "U0NEW0001") == "sv"


def test_cache_entries_expire() -> None:
    now = [0.0]
    cache = LanguageCache(seconds=60, now=lambda: now[0])
    loads: list[str] = []

    def load() -> str | None:
        loads.append("load")
        return "en"

    assert cache.get("U1", load) == "en"
    assert cache.get("U1", load) == "en"
    assert len(loads) == 1
    now[0] = 61
    cache.get("U1", load)
    assert len(loads) == 2


def test_a_read_begun_before_a_set_does_not_undo_it() -> None:
    cache = LanguageCache()
    reading, written = threading.Event(), threading.Event()

    def slow_old_value() -> str | None:
        reading.set()
        written.wait(5)
        return None  # what the database said before the set

    reader = threading.Thread(target=lambda: cache.get("U1", slow_old_value))
    reader.start()
    reading.wait(5)
    cache.put("U1", "en")
    written.set()
    reader.join(5)
    assert cache.get("U1", lambda: pytest.fail("cached")) == "en"


def test_the_cache_stays_small() -> None:
    cache = LanguageCache(size=3)
    for n in range(10):
        cache.get(f"U{n}", lambda: None)
    assert len(cache) <= 3


def test_channels_and_nobody_get_the_default(engine: Engine) -> None:
    set_language(engine, "U0NEW0001", "en")
    assert preferred_language(engine, "U0NEW0001", "sv") == "en"
    assert preferred_language(engine, "U0OTHER01", "sv") == "sv"
    assert preferred_language(engine, OFFICE_CHANNEL, "sv") == "sv"
    assert preferred_language(engine, None, "en") == "en"


def test_a_database_that_does_not_answer_means_the_default() -> None:
    from store.db import make_engine

    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert preferred_language(broken, "U0NEW0001", "sv") == "sv"


# ---------------------------------------------------------------- through Slack


def test_swedish_by_default_and_how_to_switch(budget_bot: RunningBot) -> None:
    text = all_text(ask(budget_bot, "språk"))
    assert "Jag svarar dig på svenska (förbundets standardspråk)" in text
    assert "/finsam språk en" in text


def test_a_user_switches_to_english_and_others_keep_swedish(budget_bot: RunningBot) -> None:
    bot = budget_bot
    bot.add_office_user(OTHER_OFFICE_USER, name="Olle Ek")

    switched = all_text(ask(bot, "språk en"))
    assert "From now on I answer you in English" in switched  # the answer is in the new language

    text = all_text(ask(bot, "budget 2026"))
    assert "Budget status 2026" in text
    assert "Remaining decision room:* 1,007 kSEK" in text
    assert "Opening equity:* 3,977 kSEK" in text
    assert "16.9%" in text
    assert not re.search(r"\btkr\b", text) and "Budgetläge" not in text

    assert "I answer you in English." in all_text(ask(bot, "language"))
    assert "finsam-bot – commands" in all_text(ask(bot, "help"))
    assert "`/finsam language [sv|en]`" in all_text(ask(bot, ""))

    other = all_text(ask(bot, "budget 2026", user=OTHER_OFFICE_USER))
    assert "Budgetläge 2026" in other
    assert "Kvarvarande beslutsutrymme:* 1 007 tkr" in other
    assert "16,9 %" in other

    back = all_text(ask(bot, "sprak svenska"))
    assert "Från och med nu svarar jag dig på svenska" in back
    assert "Kvarvarande beslutsutrymme:* 1 007 tkr" in all_text(ask(bot, "budget 2026"))


def test_a_bad_language_is_explained_in_the_users_language(budget_bot: RunningBot) -> None:
    text = all_text(ask(budget_bot, "språk klingon"))
    assert "`klingon` är inget språk jag kan" in text
    assert "/finsam språk en" in text
    ask(budget_bot, "språk english")
    text = all_text(ask(budget_bot, "language de"))
    assert "I don't speak `de`" in text
    assert "/finsam language sv" in text
    assert language_of(budget_bot.engine, OFFICE_USER) == "en"


def test_a_user_who_is_not_registered_may_choose(budget_bot: RunningBot) -> None:
    assert "From now on I answer you in English" in all_text(
        ask(budget_bot, "språk en", user="U0STRANGE")
    )
    text = all_text(ask(budget_bot, "budget 2026", user="U0STRANGE"))
    assert "This command is for the office" in text


@pytest.fixture
def reporting_bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    late_7 = next(r.at for r in REPORTING.deadline(MARCH).reminders if r.stage == "late_7")
    with running_bot(engine, database_url, now=late_7) as bot:
        for user in (LEAD_USER, OTHER_LEAD, OFFICE_USER):
            bot.fake.add_user(user, email=f"{user.lower()}@example.se")
        bot.add_office_user()
        add_intervention(engine, "Växtkraft", "Enköping", leads=(("a@x.example", LEAD_USER),))
        add_intervention(engine, "Steget", "Håbo", leads=(("b@x.example", OTHER_LEAD),))
        yield bot


def dm_text(bot: RunningBot, user: str) -> str:
    """The user's one reminder about March."""
    [message] = dms(bot, user, "2026-03")
    return message_text(message)


def test_reminders_come_in_the_leads_language(reporting_bot: RunningBot) -> None:
    bot = reporting_bot
    assert "From now on I answer you in English" in all_text(ask(bot, "språk en", user=LEAD_USER))
    bot.jobs.run_reminders()

    due = REPORTING.deadline(MARCH).due
    english = dm_text(bot, LEAD_USER)
    assert "Hello!" in english and "March 2026" in english
    assert f"*{format_date(due, 'en')}*" in english  # e.g. 10 Apr 2026, not 2026-04-10
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} 2026\b", english)
    assert due.isoformat() not in english
    assert "working days late" in english
    assert "Hej" not in english

    swedish = dm_text(bot, OTHER_LEAD)
    assert "Hej!" in swedish and due.isoformat() in swedish and "arbetsdagar sen" in swedish

    # The office channel keeps the association's language, whoever the report is about.
    # (one post, the day's digest, about both leads' reports)
    [post] = [message_text(m) for m in bot.fake.messages(OFFICE_CHANNEL)]
    assert f"<@{LEAD_USER}>" in post and f"<@{OTHER_LEAD}>" in post
    assert "saknas" in post and "missing" not in post
    bot.fake.assert_clean()


def test_the_reminder_button_follows_the_language(reporting_bot: RunningBot) -> None:
    bot = reporting_bot
    ask(bot, "språk en", user=LEAD_USER)
    bot.jobs.run_reminders()
    [message] = dms(bot, LEAD_USER, "2026-03")
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert actions  # one per report the day's DM names
    for action in actions:
        assert action["elements"][0]["text"]["text"] == Texts("en").get("common", "report_button")


# ---------------------------------------------------------------- every template renders


def _macros(path: Path) -> dict[str, list[str]]:
    tree = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    return {m.name: [a.name for a in m.args] for m in tree.find_all(nodes.Macro)}


AREAS = sorted(p.stem for p in (templates_dir() / "sv").glob("*.j2"))
LEAD_ROW = SimpleNamespace(user="U0LEAD001", email="anna@example.se")
# A sample value per argument name; where one name means different things, per macro below.
SAMPLES: dict[str, Any] = {
    "amounts": [(2027, 400_000), (2028, 350_000)],  # (year, kr) of an application
    "at": date(2026, 3, 17),
    "due": date(2026, 4, 10),
    "today": date(2026, 4, 20),
    "submitted_on": date(2026, 4, 9),
    "day": date(2026, 4, 10),
    "start": "2026-07-01",
    "end": "2026-08-09",
    "reminders": [
        SimpleNamespace(day=date(2026, 4, 3), office=False),
        SimpleNamespace(day=date(2026, 4, 21), office=True),
    ],
    "send_time": "09:00",
    "kind": "monthly",
    "category": "board",
    "status": "missing",
    "language": "en",
    "chosen": False,
    "split": "women",
    "leads": [LEAD_ROW],
    "month": 3,
    "through": 3,
    "number": 3,
    "year": 2026,
    "offset": 2,
    "days_late": 2,
    "days": 60,
    "revision": 2,
    "threshold": 5,
    "command": "/finsam",
    "value": 0.25,
    "pace": 0.25,
    "ratio": 0.5,
    "share": 0.3,
    "limit": 0.2,
}
AMOUNTS = ("income", "costs", "result", "remaining", "equity", "opening_equity", "member_fees")
AMOUNTS += ("individual_support", "interventions", "difference", "budget", "spent", "projected")
for name in (*AMOUNTS, "preliminary"):
    SAMPLES[name] = 1_007_000
for name in ("ok", "late", "individual", "member", "replaced", "over_budget", "lagging", "ahead"):
    SAMPLES[name] = True
PER_MACRO: dict[str, dict[str, Any]] = {
    "forms.exceeds_total": {
        "parts": [SimpleNamespace(sv="Till arbete", en="To work")],
        "total": SimpleNamespace(sv="Avslutade", en="Ended"),
        "sum": 1200,
        "limit": 1000,
    },
    "forms.stock_does_not_add_up": {
        "start_label": SimpleNamespace(sv="Vid början", en="At the start"),
        "end_label": SimpleNamespace(sv="Vid slutet", en="At the end"),
        "confirm_label": SimpleNamespace(sv="Stämmer", en="Right"),
        "plus_labels": [SimpleNamespace(sv="Nya", en="New")],
        "minus_labels": [SimpleNamespace(sv="Avslutade", en="Ended")],
        "start": 1200,
        "end": 1000,
    },
    "forms.stock_not_continued": {
        "start_label": SimpleNamespace(sv="Vid början", en="At the start"),
        "end_label": SimpleNamespace(sv="Vid slutet", en="At the end"),
        "confirm_label": SimpleNamespace(sv="Stämmer", en="Right"),
        "start": 1200,
    },
    "forms.confirm_figures": {"confirm_label": SimpleNamespace(sv="Stämmer", en="Right")},
    "forms.earlier_label": {"label": "Younger than 30"},
    "reports.escalation": {"leads": "<@U0LEAD001>"},
    "language.day": {"value": date(2026, 3, 5)},
    "people.list_line": {"roles": ["office", "lead"]},
    "applications.ap_status_name": {"status": "granted"},
    "imports.file_kind_name": {"kind": "spending"},
    "quarterly.support": {"kind": "structural"},
    "forms.goal_comment_required": {
        "status": SimpleNamespace(sv="Risk att inte nås", en="At risk")
    },
    "annual_report.row": {"name": "registered"},
    "annual_report.share_of": {"what": "registered"},
    "imports.heading": {"file": "budget-2026.xlsx", "kind": "budget"},
    "quarterly.page_intro": {"kind": "individual"},
    "annual_report.group_name": {"category": "intervention"},
    "applications.application_decided": {"status": "rejected"},
    "applications.ap_round_line": {"status": "granted"},
    "quarterly.quarterly_many_interventions": {"query": "Unga", "names": ["Unga A", "Unga B"]},
}


FILTER_SAMPLES: dict[str, Any] = {
    "date": date(2026, 4, 10),
    "tkr": 1_007_000,
    "kr": 1_007_000,
    "percent": 0.25,
}
DATE_PARTS = frozenset({"day", "month", "year", "weekday", "isoformat"})


@cache
def _lookups(area: str) -> dict[str, Any]:
    """What the template itself says of an argument: used as a key (`{"board": …}[category]`,
    `[…][month]`: a key that is there), through `| date`, `| tkr` or `| percent`, or as a date
    (`on.weekday()`). So enumerations and dates render whatever their names."""
    path = templates_dir() / "sv" / f"{area}.j2"
    tree = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for item in tree.find_all(nodes.Getitem):
        if not isinstance(item.arg, nodes.Name):
            continue
        if isinstance(item.node, nodes.Dict) and item.node.items:
            key = item.node.items[0].key
            if isinstance(key, nodes.Const):
                found.setdefault(item.arg.name, key.value)
        elif isinstance(item.node, nodes.List):
            found.setdefault(item.arg.name, 1)
    for filtered in tree.find_all(nodes.Filter):
        if isinstance(filtered.node, nodes.Name) and filtered.name in FILTER_SAMPLES:
            found.setdefault(filtered.node.name, FILTER_SAMPLES[filtered.name])
    for loop in tree.find_all(nodes.For):
        if isinstance(loop.iter, nodes.Name):
            found.setdefault(loop.iter.name, [2])
    for attribute in tree.find_all(nodes.Getattr):
        if isinstance(attribute.node, nodes.Name) and attribute.attr in DATE_PARTS:
            found.setdefault(attribute.node.name, date(2026, 4, 10))
    return found


def _sample(area: str, macro: str, arg: str) -> Any:
    special = PER_MACRO.get(f"{area}.{macro}", {})
    if arg in special:
        return special[arg]
    if arg in SAMPLES:
        return SAMPLES[arg]
    lookups = _lookups(area)
    if arg in lookups:
        return lookups[arg]
    if arg.endswith("_on") or arg in ("date", "deadline", "when"):
        return date(2026, 9, 30)
    return 2  # counts and most other values; names and texts render a number just as well


# Swedish words an English text may hold: the command words users type, and names.
# Swedish words English texts rightly show: command words, sample names, and the words a
# budget file may use (the English error names what the file can say).
COMMAND_WORDS = re.compile(
    r"frånvaro|språk|svenska|ta bort|Växtkraft|Enköping|Håbo|individstödjande|strukturstödjande"
    r"|delårsrapport|årsrapport|ansökan|Älvkarleby"
)


# Macros whose output is a name for machines (a file name, a key): ISO dates in every language.
ISO_ON_PURPOSE = re.compile(r"file_?name|key")


@pytest.mark.parametrize("area", AREAS)
def test_every_macro_renders_in_both_languages(area: str) -> None:
    rendered: dict[str, dict[str, str]] = {}
    dates: dict[str, list[date]] = {}
    for lang in LANGUAGES:
        texts = Texts(lang)
        for macro, args in _macros(templates_dir() / lang / f"{area}.j2").items():
            values = {arg: _sample(area, macro, arg) for arg in args}
            dates[macro] = [v for v in values.values() if isinstance(v, date)]
            try:
                rendered.setdefault(macro, {})[lang] = texts.get(area, macro, **values)
            except Exception as err:  # pragma: no cover - the message is the point
                pytest.fail(
                    f"{lang}/{area}.j2 {macro}({', '.join(args)}) with {values}: {err!r} – "
                    "a bug in the template, or a sample this test cannot guess: add it to "
                    "PER_MACRO in tests/test_language.py"
                )
    for macro, by_lang in rendered.items():
        english, where = by_lang["en"], f"en/{area}.j2 {macro}"
        assert not re.search("[åäöÅÄÖ]", COMMAND_WORDS.sub("", english)), (where, english)
        assert not re.search(r"\btkr\b|\d kr\b|\d,\d\u00a0%", english), (where, english)
        iso_dates = [d for d in dates[macro] if d.isoformat() in english]
        if ISO_ON_PURPOSE.search(macro):
            iso_dates = []
        assert not iso_dates, f"{where} writes {iso_dates} the Swedish way: use | date"
        assert "kSEK" not in by_lang["sv"] and not re.search(r"\d\.\d%", by_lang["sv"])


def test_every_error_renders_in_both_languages() -> None:
    """Every error code a FinsamError may carry has a text in each language."""
    for lang in LANGUAGES:
        for macro, args in _macros(templates_dir() / lang / "errors.j2").items():
            text = Texts(lang).get(
                "errors", macro, **{a: _sample("errors", macro, a) for a in args}
            )
            assert text and "{{" not in text


def test_english_dates_in_absence_texts() -> None:
    en, sv = Texts("en"), Texts("sv")
    window = {"start": "2026-07-01", "end": "2026-08-09"}
    assert "1 Jul 2026 – 9 Aug 2026" in en.get("interventions", "absence_over_text", **window)
    assert "2026-07-01–2026-08-09" in sv.get("interventions", "absence_over_text", **window)
    assert "9 Aug 2026" in en.get("errors", "absence_in_past", end="2026-08-09")
    assert en.get("language", "day", value="2026-13-01") == "2026-13-01"  # not a date: as is
    assert en.get("language", "day", value=date(2026, 3, 5)) == "5 Mar 2026"
