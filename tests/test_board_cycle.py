"""The board's year as data: the sample 2026 cycle, date rules (with properties), every problem
of a bad file named with its place, import all or nothing on both databases, the next year's
draft, the overview and the announcements."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import select

from simulator.samples import BOARD_CYCLE_2026, sample_path
from store.board import events_of_year, mark_step_done, steps_of
from store.db import session_scope
from store.models import OutboxMessage, OutboxStatus
from store.outbox import enqueue
from workflows import board_cycle
from workflows.board_cycle import (
    MONTHS,
    ORDINALS,
    WEEKDAYS,
    CycleRejected,
    announcements,
    cycle_overview,
    event_inputs,
    import_cycle,
    load_cycle,
    next_year,
    nth_weekday,
    parse_rule,
    problem_lines,
    read_cycle_file,
    rejection_lines,
)
from workflows.outbox_keys import announce_key
from workflows.texts import Texts, templates_dir
from workflows.working_days import WorkingDays

EXAMPLE = sample_path(BOARD_CYCLE_2026)
WD = WorkingDays()
PROPERTY = settings(max_examples=150, deadline=None)

MINIMAL = """\
year: 2026
defaults:
  steps:
    - {id: papers_due, title: Handlingar klara, offset: -7, remind: [secretary]}
    - {id: notice, title: Kallelse skickad, offset: -5, remind: [secretary]}
    - {id: minutes_checked, title: Protokoll justerat, offset: 5, remind: [secretary, director]}
meetings:
  - id: m1
    title: Styrelsemöte
    date: 2026-03-19
    time: "13:00-16:00"
"""


def rejected(text: str) -> list[tuple[str, str]]:
    with pytest.raises(CycleRejected) as caught:
        load_cycle(text, file="x.yml")
    return [(p.place, p.code) for p in caught.value.problems]


# --------------------------------------------------------------------------- the sample year


def test_the_sample_cycle_follows_the_2026_plan() -> None:
    cycle = read_cycle_file(EXAMPLE)
    assert cycle.year == 2026
    assert cycle.warnings == ()
    meetings = [e for e in cycle.events if e.kind.value == "meeting"]
    assert [m.on for m in meetings] == [
        date(2026, 3, 19),
        date(2026, 5, 28),
        date(2026, 9, 17),
        date(2026, 10, 22),
        date(2026, 11, 19),
    ]  # five meetings: March, May, September, October, November
    assert all(m.starts_at == "13:00" and m.ends_at == "16:00" for m in meetings)
    by_id = {e.id: e for e in cycle.events}
    assert by_id["ansokan"].on == date(2026, 5, 12)  # the plan's application deadline
    assert by_id["prognos"].on == date(2026, 9, 30)  # the forecast the budget rests on
    assert "Beslut om årsredovisning för 2025" in by_id["styrelse-mars"].items
    assert "Beslut om delårsrapport 2026" in by_id["styrelse-oktober"].items
    assert "Beslut om verksamhetsplan och budget för 2027" in by_id["styrelse-november"].items
    assert "Budgetuppföljning" in by_id["styrelse-maj"].items  # a standing item
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.startswith("# Styrelsens årshjul 2026")
    assert "Exemplets eget val" in text and "Ur planen" in text


def test_steps_are_working_days_from_the_meeting() -> None:
    rows = {e.uid: e for e in event_inputs(read_cycle_file(EXAMPLE))}
    march = {s.step: (s.due, s.remind) for s in rows["styrelse-mars"].steps}
    assert march == {
        "papers_due": (date(2026, 3, 10), ("secretary",)),
        "notice": (date(2026, 3, 12), ("secretary",)),
        "minutes_checked": (date(2026, 3, 26), ("secretary", "director")),
    }
    september = {s.step: s.due for s in rows["styrelse-september"].steps}
    assert september["papers_due"] == date(2026, 9, 3)  # overridden: ten working days before
    assert september["notice"] == date(2026, 9, 10)  # the default's offset kept
    may = {s.step: s.due for s in rows["styrelse-maj"].steps}
    assert may["minutes_checked"] == date(2026, 6, 4)


def test_the_application_deadline_is_announced_as_steps() -> None:
    rows = {e.uid: e for e in event_inputs(read_cycle_file(EXAMPLE))}
    steps = [(s.step, s.due, s.remind) for s in rows["ansokan"].steps]
    assert steps == [
        ("announce_30", date(2026, 4, 10), ("announce",)),  # 12 April is a Sunday: Friday before
        ("announce_14", date(2026, 4, 28), ("announce",)),
        ("announce_3", date(2026, 5, 8), ("announce",)),  # 9 May is a Saturday
    ]
    assert rows["ansokan"].steps[0].title == (
        "Utskick: 30 dagar kvar till sista dag för ansökningar"
    )


# --------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("rule", "year", "expected"),
    [
        ("third thursday of march", 2026, date(2026, 3, 19)),
        ("Third  Thursday in March", 2026, date(2026, 3, 19)),
        ("last working day of september", 2026, date(2026, 9, 30)),
        ("last working day of february", 2026, date(2026, 2, 27)),
        ("first working day of january", 2026, date(2026, 1, 2)),  # 1 Jan is a holiday
        ("second thursday of may", 2026, date(2026, 5, 15)),  # Ascension Day: moved to Friday
        ("last friday of december", 2026, date(2026, 12, 28)),  # Christmas Day: to Monday
        ("12 may", 2026, date(2026, 5, 12)),
        ("may 12", 2027, date(2027, 5, 12)),
        ("6 june", 2026, date(2026, 6, 8)),  # National Day on a Saturday: to Monday
        ("31 december", 2022, date(2022, 12, 30)),  # no working day left: the one before
    ],
)
def test_rules(rule: str, year: int, expected: date) -> None:
    assert parse_rule(rule).on(year, WD) == expected


@pytest.mark.parametrize(
    "rule",
    ["fifth thursday of march", "third thurs of march", "30 february", "0 may", "march", ""],
)
def test_rules_that_are_not(rule: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(rule)


@PROPERTY
@given(
    st.integers(2000, 2100),
    st.integers(1, 12),
    st.sampled_from(sorted(ORDINALS.values())),
    st.integers(0, 6),
)
def test_nth_weekday_lands_in_its_month_on_its_weekday(
    year: int, month: int, nth: int, weekday: int
) -> None:
    day = nth_weekday(year, month, nth, weekday)
    assert (day.year, day.month, day.weekday()) == (year, month, weekday)
    if nth > 0:
        assert 7 * (nth - 1) < day.day <= 7 * nth
    else:
        assert (day + timedelta(days=7)).month != month


RULES = st.one_of(
    st.builds(
        lambda o, w, m: f"{o} {w} of {m}",
        st.sampled_from(list(ORDINALS)),
        st.sampled_from(WEEKDAYS),
        st.sampled_from(MONTHS),
    ),
    st.builds(
        lambda o, m: f"{o} working day of {m}",
        st.sampled_from(list(ORDINALS)),
        st.sampled_from(MONTHS),
    ),
    st.builds(lambda d, m: f"{d} {m}", st.integers(1, 28), st.sampled_from(MONTHS)),
)


@PROPERTY
@given(RULES, st.integers(2000, 2100))
def test_a_rule_gives_a_working_day_of_its_year(rule: str, year: int) -> None:
    day = parse_rule(rule).on(year, WD)
    assert day.year == year
    assert WD.is_working_day(day)


@PROPERTY
@given(
    st.integers(2020, 2060),
    st.lists(
        st.one_of(RULES, st.dates(date(2001, 1, 1), date(2001, 12, 31))),
        min_size=1,
        max_size=6,
    ),
)
def test_next_year_drafts_are_never_on_non_working_days(
    year: int, anchors: list[str | date]
) -> None:
    entries = []
    for index, anchor in enumerate(anchors):
        if isinstance(anchor, date):  # a fixed date, perhaps on a weekend or holiday
            on = date(year, anchor.month, min(anchor.day, 28))
            entries.append(f"  - {{id: e{index}, title: T, date: {on.isoformat()}}}")
        else:
            entries.append(f"  - {{id: e{index}, title: T, rule: {anchor}}}")
    source = f"year: {year}\nmeetings:\n" + "\n".join(entries) + "\n"
    cycle = load_cycle(source)
    draft = load_cycle(next_year(cycle, Texts("sv")))
    assert draft.year == year + 1
    assert [e.id for e in draft.events] != []
    assert all(WD.is_working_day(e.on) and e.on.year == year + 1 for e in draft.events)
    again = load_cycle(next_year(draft, Texts("sv")))  # the anchor does not drift
    fixed = {e.id: e.on for e in cycle.events if e.rule is None}
    for event in again.events:
        if event.id in fixed:
            assert event.on >= date(year + 2, fixed[event.id].month, fixed[event.id].day)


def test_the_drafted_2027_cycle() -> None:
    draft_text = next_year(read_cycle_file(EXAMPLE), Texts("sv"), source=EXAMPLE.name)
    assert draft_text.startswith("# Utkast till styrelsens årshjul 2027")
    draft = load_cycle(draft_text)
    by_id = {e.id: e for e in draft.events}
    assert by_id["styrelse-mars"].on == date(2027, 3, 18)  # third Thursday of March 2027
    assert by_id["ansokan"].on == date(2027, 5, 12)  # fixed date: the same day
    assert by_id["medlemsavgift"].on == date(2027, 12, 1)
    assert by_id["medlemsavgift"].title == "Medlemsavgift för 2028 fastställd"
    assert "Beslut om årsredovisning för 2026" in by_id["styrelse-mars"].items
    assert [s.offset for s in by_id["styrelse-september"].steps] == [-10, -5, 5]
    assert by_id["ansokan"].announce is not None
    assert "remind: [secretary, director]" in draft_text


# --------------------------------------------------------------------------- bad files


def test_every_problem_is_named_with_its_place() -> None:
    text = """\
year: 2026
colour: blue
defaults:
  steps:
    - {id: papers_due, title: Handlingar, offset: -7, remind: [secretary]}
    - {id: notice, title: Kallelse, offset: -7.5, remind: [chairman]}
meetings:
  - id: m1
    date: 2026-02-30
    time: "25:00"
  - id: m2
    title: Möte
    rule: third thursday of march
    date: 2026-03-20
  - id: m1
    title: Möte igen
    rule: every other tuesday
  - id: m4
    title: Fel år
    date: 2025-11-20
    time: "16:00-13:00"
    steps:
      - {id: papers_due, offset: two}
      - {id: extra, title: Extra}
milestones:
  - id: ms
    title: Ansökan
    date: 2026-05-12
    announce: {days_before: [30, 30]}
    time: "10:00"
"""
    assert rejected(text) == [
        ("colour", "unknown_key"),
        ("defaults.steps[1].offset", "bad_offset"),
        ("defaults.steps[1].remind[0]", "unknown_role"),
        ("meetings[0].title", "missing_key"),
        ("meetings[0].date", "bad_date"),
        ("meetings[0].time", "bad_time"),
        ("meetings[1].date", "rule_date_mismatch"),
        ("meetings[2].rule", "bad_rule"),
        ("meetings[3].date", "other_year"),
        ("meetings[3].time", "end_before_start"),
        ("meetings[3].steps[0].offset", "bad_offset"),
        ("meetings[3].steps[1].offset", "missing_key"),
        ("meetings[3].steps[1].remind", "missing_key"),
        ("milestones[0].time", "unknown_key"),
        ("milestones[0].announce.days_before", "bad_days_list"),
        ("meetings[2].id", "duplicate_id"),
    ]


def test_problems_carry_lines_and_render_in_both_languages() -> None:
    with pytest.raises(CycleRejected) as caught:
        load_cycle(MINIMAL.replace("offset: 5,", "offset: 5.0,"), file="x.yml")
    (problem,) = caught.value.problems
    assert (problem.place, problem.line, problem.value) == (
        "defaults.steps[2].offset",
        6,
        "5.0",
    )
    (sv,) = problem_lines(Texts("sv"), caught.value.problems)
    assert sv == (
        'defaults.steps[2].offset (rad 6): "5.0" är inget helt antal arbetsdagar'
        " – skriv t.ex. -7 (före mötet) eller 5 (efter)"
    )
    (en,) = problem_lines(Texts("en"), caught.value.problems)
    assert en.startswith('defaults.steps[2].offset (line 6): "5.0" is not a whole number')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [("", "empty_file")]),
        ("year: [2026\n", [("", "not_yaml")]),
        ("- 1\n", [("", "not_a_mapping")]),
        ("year: 2026\nmeetings: []\n", [("meetings", "no_meetings")]),
        ("year: 26\nmeetings: []\n", [("year", "out_of_range"), ("meetings", "no_meetings")]),
        ("meetings: {}\n", [("year", "missing_key"), ("meetings", "not_a_list")]),
        (
            "year: 2026\nyear: 2027\nmeetings: [{id: a, title: T, date: 2026-01-08}]\n",
            [("year", "duplicate_key")],
        ),
        (
            "year: 2026\ntimezone: Europe/Oslo\nmeetings: [{id: a, title: T, date: 2026-01-08}]\n",
            [("timezone", "bad_timezone")],
        ),
        (
            "year: 2026\nmeetings: [{id: Möte 1, title: T, date: 2026-01-08}]\n",
            [("meetings[0].id", "bad_id")],
        ),
        (
            "year: 2026\nmeetings: [{id: a, title: T, date: 2026-01-08, "
            "steps: [{id: announce_3, title: X, offset: 1, remind: office}]}]\n",
            [("meetings[0].steps[0].id", "reserved_id")],
        ),
        (
            "year: 2026\nmeetings: [{id: a, title: T, date: 2026-01-08, "
            "steps: [{id: x, title: X, offset: 99, remind: []}]}]\n",
            [
                ("meetings[0].steps[0].offset", "out_of_range"),
                ("meetings[0].steps[0].remind", "no_roles"),
            ],
        ),
        (
            "year: 2026\nmeetings: [{id: a, title: '" + "x" * 201 + "', date: 2026-01-08}]\n",
            [("meetings[0].title", "too_long")],
        ),
        (
            "year: 2026\nmeetings: [{id: a, title: ~, date: 2026-01-08}]\n",
            [("meetings[0].title", "not_text")],
        ),
        ("a: &a [*a]\n", [("", "too_large")]),
    ],
)
def test_small_bad_files(text: str, expected: list[tuple[str, str]]) -> None:
    assert rejected(text) == expected


def test_every_problem_code_has_a_text() -> None:
    """Every code the package can emit is a macro of board.j2 (sv and en: test_templates)."""
    package = Path(board_cycle.__file__).parent
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in package.glob("*.py")]
    codes: set[str] = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        args = node.args
        if name in ("add", "CycleProblem") and len(args) >= 3:
            arg = args[2]
        elif name == "whole":
            arg = next((k.value for k in node.keywords if k.arg == "code"), None)
        else:
            continue
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            codes.add(arg.value)
    assert len(codes) > 25
    template = (templates_dir() / "sv" / "board.j2").read_text(encoding="utf-8")
    assert [c for c in sorted(codes) if f"macro problem_{c}(value, expected)" not in template] == []


def test_unquoted_times_and_dotted_times_are_understood() -> None:
    cycle = load_cycle(MINIMAL.replace('time: "13:00-16:00"', "time: 9:30"))
    assert (cycle.events[0].starts_at, cycle.events[0].ends_at) == ("09:30", None)
    cycle = load_cycle(MINIMAL.replace('"13:00-16:00"', '"13.00–16.15"'))
    assert (cycle.events[0].starts_at, cycle.events[0].ends_at) == ("13:00", "16:15")


def test_a_meeting_on_a_saturday_is_a_warning_not_an_error() -> None:
    cycle = load_cycle(MINIMAL.replace("2026-03-19", "2026-03-21"))
    assert [(w.place, w.code, w.value) for w in cycle.warnings] == [
        ("meetings[0].date", "not_a_working_day", "2026-03-21")
    ]
    holiday = load_cycle(MINIMAL.replace("2026-03-19", "2026-05-14"))
    assert holiday.warnings[0].expected == "Kristi himmelsfärdsdag"


def test_a_rule_alone_gives_the_date() -> None:
    cycle = load_cycle(MINIMAL.replace("date: 2026-03-19", "rule: third thursday of march"))
    assert cycle.events[0].on == date(2026, 3, 19)


# --------------------------------------------------------------------------- the store


def write(tmp_path: Path, text: str, name: str = "cycle.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(engine: Engine, year: int = 2026) -> list[tuple[str, date, list[tuple[str, date]]]]:
    with session_scope(engine) as session:
        events = events_of_year(session, year)
        steps = steps_of(session, [e.id for e in events if e.id is not None])
        return [(e.uid, e.on, [(s.step, s.due) for s in steps[e.id or 0]]) for e in events]


def test_import_stores_the_year(engine: Engine) -> None:
    result = import_cycle(engine, EXAMPLE)
    assert (result.year, result.meetings, result.milestones) == (2026, 5, 5)
    assert (result.added, result.updated, result.removed) == (10, 0, 0)
    assert result.steps == 5 * 3 + 1 + 3 + 1
    rows = stored(engine)
    assert [uid for uid, _, _ in rows][:3] == ["internkontroll-helar", "styrelse-mars", "ansokan"]
    again = import_cycle(engine, EXAMPLE)
    assert (again.added, again.updated, again.removed) == (0, 10, 0)
    assert stored(engine) == rows


def test_a_bad_file_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    import_cycle(engine, EXAMPLE)
    before = stored(engine)
    text = EXAMPLE.read_text(encoding="utf-8")
    bad = write(tmp_path, text.replace("date: 2026-05-28", "date: 2026-05-29"))
    with pytest.raises(CycleRejected) as caught:
        import_cycle(engine, bad)
    assert [(p.place, p.code) for p in caught.value.problems] == [
        ("meetings[1].date", "rule_date_mismatch")
    ]
    assert stored(engine) == before


def test_unreadable_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "cycle.yml"
    path.write_bytes(b"\xff\xfe\x00year")
    with pytest.raises(CycleRejected) as caught:
        import_cycle(engine, path)
    assert caught.value.problems[0].code == "unreadable_file"


def test_a_reimport_keeps_done_marks_while_the_date_holds(engine: Engine, tmp_path: Path) -> None:
    import_cycle(engine, EXAMPLE)
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    with session_scope(engine) as session:
        events = {e.uid: e for e in events_of_year(session, 2026)}
        steps = steps_of(session, [events["styrelse-mars"].id or 0, events["styrelse-maj"].id or 0])
        for step in [
            *steps[events["styrelse-mars"].id or 0],
            *steps[events["styrelse-maj"].id or 0],
        ]:
            if step.step == "papers_due":
                mark_step_done(session, step.id or 0, by="U0SECRET1", at=at)
    moved = EXAMPLE.read_text(encoding="utf-8").replace(
        "rule: fourth thursday of may\n    date: 2026-05-28", "date: 2026-06-04"
    )
    import_cycle(engine, write(tmp_path, moved))
    overview = cycle_overview(engine, today=date(2026, 3, 1), count=5)
    papers = {
        e.uid: next(s for s in e.steps if s.step == "papers_due")
        for e in overview.upcoming
        if e.kind.value == "meeting"
    }
    assert papers["styrelse-mars"].state == "done"
    assert papers["styrelse-mars"].done_by == "U0SECRET1"
    assert papers["styrelse-maj"].state == "open"  # the meeting moved: its date changed


def test_the_overview_shows_the_next_meetings_and_what_is_late(engine: Engine) -> None:
    import_cycle(engine, EXAMPLE)
    overview = cycle_overview(engine, today=date(2026, 3, 11), count=3)
    assert [e.uid for e in overview.upcoming] == [
        "styrelse-mars",
        "ansokan",
        "styrelse-maj",
        "styrelse-september",
    ]
    march = overview.upcoming[0]
    assert [(s.step, s.state) for s in march.steps] == [
        ("papers_due", "late"),  # due 10 March, not done
        ("notice", "open"),
        ("minutes_checked", "open"),
    ]
    assert [e.uid for e in overview.earlier] == ["internkontroll-helar"]  # its step is open
    later = cycle_overview(engine, today=date(2026, 11, 1), count=3)
    assert [e.uid for e in later.upcoming] == ["styrelse-november", "medlemsavgift"]
    assert cycle_overview(engine, today=date(2027, 1, 1)).upcoming == ()


def test_announcements(engine: Engine) -> None:
    import_cycle(engine, EXAMPLE)
    found = announcements(engine, 2026)
    assert [(a.uid, a.days_before, a.due, a.on) for a in found] == [
        ("ansokan", 30, date(2026, 4, 10), date(2026, 5, 12)),
        ("ansokan", 14, date(2026, 4, 28), date(2026, 5, 12)),
        ("ansokan", 3, date(2026, 5, 8), date(2026, 5, 12)),
    ]
    assert announcements(engine, 2027) == []


def test_announcement_days_that_have_passed_are_not_late_tasks(engine: Engine) -> None:
    """Nor are they shown as posted unless the bot posted them: the 10 April one went out,
    the 28 April one did not (no announcement channel set, say)."""
    import_cycle(engine, EXAMPLE)
    before = cycle_overview(engine, today=date(2026, 5, 1), count=2)
    first = next(e for e in before.upcoming if e.uid == "ansokan").steps[0]
    with session_scope(engine) as session:
        key = announce_key(first.id, first.due)
        enqueue(session, key=key, channel="C0UTSKICK", payload={}, now=datetime.now(UTC))
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        row.status = OutboxStatus.sent
        session.add(row)
    overview = cycle_overview(engine, today=date(2026, 5, 1), count=2)
    deadline = next(e for e in overview.upcoming if e.uid == "ansokan")
    assert [(s.step, s.state) for s in deadline.steps] == [
        ("announce_30", "announced"),  # 10 April: the bot posts these itself
        ("announce_14", "not_announced"),  # 28 April: it did not
        ("announce_3", "open"),
    ]
    assert deadline.open_steps == 1
    texts = Texts()
    lines = [
        texts.get(
            "board",
            "step_line",
            state=s.state,
            title=s.title,
            due=s.due,
            done_by=None,
            done_on=None,
            remind=s.remind,
        )
        for s in deadline.steps[:2]
    ]
    assert "utskick 2026-04-10" in lines[0]
    assert "inte utskickat" in lines[1] and "utskick 2026-04-28" not in lines[1]


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        ("title: Styrelsemöte", "title: Styrelsemöte om 811218-9876", "meetings[0].title"),
        (
            "title: Kallelse skickad",
            'title: "Kallelse till 81 12 18 98 76"',
            "defaults.steps[1].title",
        ),
        (
            "title: Styrelsemöte",
            "title: Styrelsemöte\n    place: Rum 1981-12-18-9876",
            "meetings[0].place",
        ),
        ("id: m1", "id: 811218-9876", "meetings[0].id"),
    ],
)
def test_a_cycle_file_with_an_identity_number_is_refused_with_its_line(
    old: str, new: str, place: str
) -> None:
    """Titles and places go to Slack: a personnummer there is refused, its line named and the
    number not repeated."""
    with pytest.raises(CycleRejected) as caught:
        load_cycle(MINIMAL.replace(old, new), file="x.yml")
    (problem,) = caught.value.problems
    assert (problem.place, problem.code, problem.value) == (
        place,
        "identity_number",
        "personnummer",
    )
    assert problem.line > 0
    (sv,) = problem_lines(Texts("sv"), caught.value.problems)
    assert f"(rad {problem.line}): texten innehåller ett personnummer" in sv
    assert "9876" not in sv


def test_a_rejection_names_twenty_problems_and_counts_the_rest() -> None:
    meetings = "".join(
        f"  - id: m{n}\n    title: Möte\n    date: 2026-02-30\n" for n in range(1, 31)
    )
    with pytest.raises(CycleRejected) as caught:
        load_cycle(MINIMAL.split("meetings:")[0] + "meetings:\n" + meetings, file="x.yml")
    assert len(caught.value.problems) == 30
    lines = rejection_lines(Texts("sv"), caught.value)
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "… och 10 fel till"
