"""The reporting calendar: known 2026 deadlines, moves past weekends and holidays, reminder
times across daylight-saving changes, properties over years and rules, and the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import app
from workflows.calendar import (
    CalendarRules,
    Period,
    ReportKind,
    Stage,
    calendar_for_year,
    deadline_to_dict,
    due_date,
    periods_of_year,
    reminders_for,
)
from workflows.working_days import WorkingDays

WD = WorkingDays()
RULES = CalendarRules()
STOCKHOLM = ZoneInfo("Europe/Stockholm")
PROPERTY = settings(max_examples=200, deadline=None)


def entry(year: int, label: str, rules: CalendarRules = RULES) -> dict[str, object]:
    found = [d for d in calendar_for_year(year, rules, WD) if d.period.label == label]
    assert len(found) == 1
    return deadline_to_dict(found[0])


# --------------------------------------------------------------------------- periods


def test_periods_have_labels_and_bounds() -> None:
    periods = periods_of_year(2026)
    assert [p.label for p in periods][:3] == ["2026-01", "2026-02", "2026-03"]
    assert [p.label for p in periods][12:] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert Period.month(2026, 2).end == date(2026, 2, 28)
    assert Period.month(2028, 2).end == date(2028, 2, 29)
    assert (Period.quarter(2026, 4).start, Period.quarter(2026, 4).end) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert Period.parse("2026-Q1") == Period(ReportKind.quarterly, 2026, 1)
    assert Period.parse("2026-03") == Period(ReportKind.monthly, 2026, 3)
    for bad in ("2026-13", "2026-Q5", "2026", "26-03", "2026-Qx"):
        with pytest.raises(ValueError):
            Period.parse(bad)


@pytest.mark.parametrize(
    "rules",
    [
        {"monthly_due_day": 0},
        {"quarterly_due_day": 32},
        {"send_hour": 24},
        {"reminder_stages": (Stage("a", 1), Stage("a", 2))},
        {"reminder_stages": (Stage("a", 1), Stage("b", 1))},
    ],
)
def test_bad_rules_are_refused(rules: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CalendarRules(**rules)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- known dates


def test_march_2026_is_due_friday_10_april_with_its_reminders() -> None:
    assert entry(2026, "2026-03") == {
        "period": "2026-03",
        "kind": "monthly",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "due": "2026-04-10",
        "reminders": [
            # five working days back skips annandag påsk (6 April) and långfredagen (3 April)
            {"stage": "before", "at": "2026-04-01T09:00:00+02:00", "notify_office": False},
            {"stage": "due", "at": "2026-04-10T09:00:00+02:00", "notify_office": False},
            {"stage": "late_2", "at": "2026-04-14T09:00:00+02:00", "notify_office": False},
            {"stage": "late_7", "at": "2026-04-21T09:00:00+02:00", "notify_office": True},
        ],
    }


def test_q1_2026_is_due_wednesday_15_april() -> None:
    due = due_date(Period.quarter(2026, 1), RULES, WD)
    assert due == date(2026, 4, 15)
    assert due.weekday() == 2


def test_q4_is_due_in_january_of_the_next_year() -> None:
    assert due_date(Period.quarter(2026, 4), RULES, WD) == date(2027, 1, 15)
    assert due_date(Period.quarter(2027, 4), RULES, WD) == date(2028, 1, 17)  # 15th a Saturday


@pytest.mark.parametrize(
    ("period", "rules", "due"),
    [
        (Period.month(2026, 4), RULES, date(2026, 5, 11)),  # 10 May 2026 is a Sunday
        (Period.month(2026, 9), RULES, date(2026, 10, 12)),  # 10 October is a Saturday
        (Period.month(2026, 12), RULES, date(2027, 1, 11)),  # 10 January 2027 is a Sunday
        (Period.month(2025, 12), CalendarRules(monthly_due_day=6), date(2026, 1, 7)),  # trettondag
        (Period.month(2026, 5), CalendarRules(monthly_due_day=19), date(2026, 6, 22)),  # midsommar
        (Period.month(2026, 11), CalendarRules(monthly_due_day=24), date(2026, 12, 28)),  # jul
        (Period.month(2026, 1), CalendarRules(monthly_due_day=31), date(2026, 3, 2)),  # 28 Feb Sat
        (Period.quarter(2026, 1), CalendarRules(quarterly_due_day=31), date(2026, 4, 30)),
    ],
)
def test_due_dates_move_to_the_next_working_day_and_clamp(
    period: Period, rules: CalendarRules, due: date
) -> None:
    assert due_date(period, rules, WD) == due


def test_december_reminders_skip_the_new_year_holidays() -> None:
    reminders = entry(2026, "2026-12")["reminders"]
    assert isinstance(reminders, list)
    assert [r["at"] for r in reminders] == [
        "2026-12-30T09:00:00+01:00",  # back over 8, 7, 5, 4 January, 1 January and 31 December
        "2027-01-11T09:00:00+01:00",
        "2027-01-13T09:00:00+01:00",
        "2027-01-20T09:00:00+01:00",
    ]


def test_reminders_keep_09_local_across_the_march_change() -> None:
    reminders = reminders_for(date(2026, 3, 30), RULES, WD)  # the Monday after 29 March
    assert [r.at.isoformat() for r in reminders] == [
        "2026-03-23T09:00:00+01:00",
        "2026-03-30T09:00:00+02:00",
        "2026-04-01T09:00:00+02:00",
        "2026-04-10T09:00:00+02:00",  # over långfredagen and annandag påsk
    ]
    # one hour less in between (same-zone subtraction in Python is wall-clock: go via UTC)
    utc = ZoneInfo("UTC")
    elapsed = reminders[1].at.astimezone(utc) - reminders[0].at.astimezone(utc)
    assert elapsed == timedelta(days=7) - timedelta(hours=1)


def test_q3_2026_late_reminder_is_after_the_october_change() -> None:
    reminders = entry(2026, "2026-Q3")["reminders"]
    assert isinstance(reminders, list)
    assert [r["at"] for r in reminders] == [
        "2026-10-08T09:00:00+02:00",
        "2026-10-15T09:00:00+02:00",
        "2026-10-19T09:00:00+02:00",
        "2026-10-26T09:00:00+01:00",
    ]


def test_structural_calendar_has_only_quarters() -> None:
    deadlines = calendar_for_year(2026, RULES, WD, include_monthly=False)
    assert [d.period.label for d in deadlines] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def test_calendar_is_sorted_by_due_date_then_kind() -> None:
    deadlines = calendar_for_year(2026, RULES, WD)
    assert [d.period.label for d in deadlines][:5] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-Q1",
        "2026-04",
    ]
    same_day = calendar_for_year(2026, CalendarRules(monthly_due_day=15), WD)
    labels = [d.period.label for d in same_day]
    assert labels.index("2026-03") + 1 == labels.index("2026-Q1")


# --------------------------------------------------------------------------- properties


@st.composite
def calendar_rules(draw: st.DrawFn) -> CalendarRules:
    offsets = draw(
        st.lists(st.integers(min_value=-15, max_value=15), min_size=1, max_size=6, unique=True)
    )
    stages = tuple(
        Stage(f"stage_{i}", offset, notify_office=draw(st.booleans()))
        for i, offset in enumerate(offsets)
    )
    return CalendarRules(
        monthly_due_day=draw(st.integers(min_value=1, max_value=31)),
        quarterly_due_day=draw(st.integers(min_value=1, max_value=31)),
        reminder_stages=draw(st.sampled_from([stages, RULES.reminder_stages])),
        send_hour=draw(st.integers(min_value=0, max_value=23)),
        send_minute=draw(st.sampled_from([0, 15, 30, 59])),
    )


YEARS = st.integers(min_value=2024, max_value=2035)


@PROPERTY
@given(YEARS, calendar_rules())
def test_calendar_properties(year: int, rules: CalendarRules) -> None:
    deadlines = calendar_for_year(year, rules, WD)
    assert len(deadlines) == 16
    assert sum(d.kind is ReportKind.monthly for d in deadlines) == 12
    assert [(d.due, d.kind) for d in deadlines] == sorted((d.due, d.kind) for d in deadlines)
    offsets = {s.name: s.offset_working_days for s in rules.reminder_stages}
    office = {s.name: s.notify_office for s in rules.reminder_stages}
    for deadline in deadlines:
        assert WD.is_working_day(deadline.due)
        assert deadline.due > deadline.period.end
        nominal_month = deadline.period.end + timedelta(days=1)
        assert (deadline.due - nominal_month).days < 31 + 5  # never moved far
        assert len(deadline.reminders) == len(rules.reminder_stages)
        instants = [r.at for r in deadline.reminders]
        assert instants == sorted(instants)
        assert len(set(instants)) == len(instants)
        for reminder in deadline.reminders:
            local = reminder.at.astimezone(rules.tz)
            day = local.date()
            assert WD.is_working_day(day)
            assert local.time() == time(rules.send_hour, rules.send_minute)
            assert reminder.at.utcoffset() == rules.tz.utcoffset(local.replace(tzinfo=None))
            assert reminder.notify_office == office[reminder.stage]
            offset = offsets[reminder.stage]
            if offset < 0:
                assert day < deadline.due
            elif offset > 0:
                assert day > deadline.due
            else:
                assert day == deadline.due
            assert WD.working_days_between(deadline.due, day) == offset


@PROPERTY
@given(YEARS)
def test_default_rules_properties(year: int) -> None:
    for deadline in calendar_for_year(year, RULES, WD):
        assert deadline.due.day >= RULES.due_day(deadline.kind)
        stages = [r.stage for r in deadline.reminders]
        assert stages == ["before", "due", "late_2", "late_7"]
        assert [r.notify_office for r in deadline.reminders] == [False, False, False, True]
        for reminder in deadline.reminders:
            local = reminder.at.astimezone(STOCKHOLM)
            assert local.hour == 9 and local.minute == 0
            assert reminder.at.utcoffset() == STOCKHOLM.utcoffset(local.replace(tzinfo=None))
            assert reminder.at.utcoffset() in (timedelta(hours=1), timedelta(hours=2))


@PROPERTY
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31)))
def test_one_reminder_per_working_day_whatever_the_offset(day: date) -> None:
    due = WD.next_working_day(day)
    reminders = reminders_for(due, RULES, WD)
    utc_days = [r.at.astimezone(ZoneInfo("UTC")).date() for r in reminders]
    assert len(set(utc_days)) == len(utc_days)
    for reminder in reminders:
        assert reminder.at == datetime.combine(reminder.at.date(), time(9), tzinfo=STOCKHOLM)


# --------------------------------------------------------------------------- CLI


def test_cli_calendar_json(clean_env: Path) -> None:
    result = CliRunner().invoke(app, ["reports", "calendar", "--year", "2026", "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert len(entries) == 16
    by_period = {e["period"]: e for e in entries}
    assert by_period["2026-03"] == entry(2026, "2026-03")
    assert by_period["2026-Q1"]["kind"] == "quarterly"
    assert by_period["2026-Q1"]["due"] == "2026-04-15"
    assert by_period["2026-Q4"]["due"] == "2027-01-15"
    assert by_period["2026-04"]["due"] == "2026-05-11"
    assert by_period["2026-Q1"]["reminders"][0] == {
        "stage": "before",
        "at": "2026-04-08T09:00:00+02:00",
        "notify_office": False,
    }
    assert by_period["2026-01"]["reminders"][-1]["at"] == "2026-02-19T09:00:00+01:00"


def test_cli_calendar_text_in_swedish(clean_env: Path) -> None:
    result = CliRunner().invoke(app, ["reports", "calendar", "--year", "2026"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Rapporteringskalender 2026"
    assert "individstöd" in lines[1]
    assert (
        "2026-03 (månadsrapport): senast fredag 10 april 2026 – "
        "påminnelser 1 apr, 10 apr, 14 apr, 21 apr (kansliet)"
    ) in lines
    assert (
        "2026-Q4 (kvartalsrapport): senast fredag 15 januari 2027 – "
        "påminnelser 8 jan, 15 jan, 19 jan, 26 jan (kansliet)"
    ) in lines
    assert len([line for line in lines if line.startswith("2026-")]) == 16


def test_cli_calendar_text_in_english(clean_env: Path) -> None:
    result = CliRunner().invoke(
        app, ["reports", "calendar", "--year", "2026"], env={"FINSAM_LANGUAGE": "en"}
    )
    assert result.exit_code == 0, result.output
    assert (
        "2026-03 (monthly report): due Friday 10 April 2026 – "
        "reminders 1 Apr, 10 Apr, 14 Apr, 21 Apr (office)"
    ) in result.stdout.splitlines()


def test_cli_calendar_defaults_to_this_year(clean_env: Path) -> None:
    result = CliRunner().invoke(app, ["reports", "calendar", "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert len(entries) == 16
    assert len({e["period"][:4] for e in entries}) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "choose text or json"),
        (["--year", "1999"], "--year"),
        (["--year", "next"], "--year"),
    ],
)
def test_cli_calendar_refuses_bad_options(clean_env: None, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        app, ["reports", "calendar", *args], env={"COLUMNS": "200", "NO_COLOR": "1"}
    )
    assert result.exit_code == 2
    assert message in result.output


def test_calendar_rules_come_from_settings(clean_env: Path) -> None:
    env = {
        "FINSAM_MONTHLY_DUE_DAY": "12",
        "FINSAM_REMINDER_TIME": "08:30",
        "FINSAM_REMINDER_STAGES": "due:0,late_3:3:office",
    }
    result = CliRunner().invoke(
        app, ["reports", "calendar", "--year", "2026", "--format", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    march = next(e for e in json.loads(result.stdout) if e["period"] == "2026-03")
    assert march["due"] == "2026-04-13"  # the 12th is a Sunday
    assert [(r["stage"], r["at"], r["notify_office"]) for r in march["reminders"]] == [
        ("due", "2026-04-13T08:30:00+02:00", False),
        ("late_3", "2026-04-16T08:30:00+02:00", True),
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FINSAM_REMINDER_STAGES", "due:soon"),
        ("FINSAM_REMINDER_STAGES", "a:1,a:2"),
        ("FINSAM_REMINDER_TIME", "nine"),
        ("FINSAM_MONTHLY_DUE_DAY", "32"),
    ],
)
def test_bad_calendar_settings_are_named(clean_env: Path, name: str, value: str) -> None:
    result = CliRunner().invoke(app, ["reports", "calendar", "--year", "2026"], env={name: value})
    assert result.exit_code == 78, result.output
    assert name in result.stderr
