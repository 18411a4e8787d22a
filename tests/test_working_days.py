"""Swedish working days: known 2026 dates, then properties of next/add/between."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.working_days import WorkingDays

WD = WorkingDays()
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31))
STEPS = st.integers(min_value=-40, max_value=40)
PROPERTY = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "nyårsdagen"),
        (date(2026, 1, 6), "trettondedag jul"),
        (date(2026, 4, 3), "långfredagen"),
        (date(2026, 4, 6), "annandag påsk"),
        (date(2026, 5, 1), "första maj"),
        (date(2026, 5, 14), "kristi himmelsfärdsdag"),
        (date(2026, 6, 19), "midsommarafton"),
        (date(2026, 12, 24), "julafton"),
        (date(2026, 12, 25), "juldagen"),
        (date(2026, 12, 31), "nyårsafton"),
    ],
)
def test_holidays_on_weekdays_are_not_working_days(day: date, name: str) -> None:
    assert day.weekday() < 5
    assert not WD.is_working_day(day)
    assert WD.holiday_name(day) is not None
    assert name in WD.holiday_name(day).lower()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 10),  # Friday after Easter
        date(2026, 4, 2),  # skärtorsdagen is a working day
        date(2026, 6, 18),
        date(2026, 12, 23),
        date(2026, 12, 30),
        date(2026, 1, 5),  # trettondagsafton is a working day
    ],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert WD.is_working_day(day)


def test_weekends_are_not_working_days_and_sundays_are_not_named_holidays() -> None:
    assert not WD.is_working_day(date(2026, 4, 11))  # Saturday
    assert not WD.is_working_day(date(2026, 4, 12))  # Sunday
    assert WD.holiday_name(date(2026, 4, 12)) is None
    assert WD.holiday_name(date(2026, 4, 5)) == "Påskdagen"  # a Sunday that is a holiday
    for year in (2026, 2034):  # 2034 has five holidays on a Sunday, not 52
        named_sundays = [d for d in WD.holidays_of(year) if d.weekday() == 6]
        assert 2 <= len(named_sundays) <= 6  # påskdagen, pingstdagen and dated ones


def test_the_holidays_package_still_has_what_the_rules_need() -> None:
    se = holidays.country_holidays("SE", years=2026)
    assert {"public", "de_facto"} <= set(se.supported_categories)
    assert se.default_category == "public"
    de_facto = holidays.country_holidays("SE", years=2026, categories=("de_facto",), language="sv")
    assert sorted(de_facto) == [date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 31)]


def test_steps_across_easter_and_new_year() -> None:
    assert WD.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)
    assert WD.add_working_days(date(2026, 4, 10), -5) == date(2026, 4, 1)
    assert WD.add_working_days(date(2026, 4, 10), 2) == date(2026, 4, 14)
    assert WD.add_working_days(date(2026, 4, 10), 0) == date(2026, 4, 10)
    assert WD.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    assert WD.add_working_days(date(2027, 1, 11), -5) == date(2026, 12, 30)
    assert WD.previous_working_day(date(2026, 12, 27)) == date(2026, 12, 23)
    assert WD.working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert (
        WD.working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 251
    )  # 261 weekdays − 10 holidays


@PROPERTY
@given(DAYS)
def test_next_working_day_is_the_first_working_day_from_d(day: date) -> None:
    found = WD.next_working_day(day)
    assert WD.is_working_day(found)
    assert found >= day
    between = day
    while between < found:
        assert not WD.is_working_day(between)
        between += timedelta(days=1)
    assert (found == day) == WD.is_working_day(day)


@PROPERTY
@given(DAYS, STEPS)
def test_adding_and_subtracting_returns_to_a_working_day(day: date, n: int) -> None:
    there = WD.add_working_days(day, n)
    back = WD.add_working_days(there, -n)
    if n:
        assert WD.is_working_day(there)
    if WD.is_working_day(day):
        assert back == WD.next_working_day(day) == day


@PROPERTY
@given(DAYS, STEPS)
def test_add_working_days_is_strictly_monotonic_in_n(day: date, n: int) -> None:
    assert WD.add_working_days(day, n) < WD.add_working_days(day, n + 1)


@PROPERTY
@given(DAYS, STEPS)
def test_between_counts_what_add_stepped(day: date, n: int) -> None:
    there = WD.add_working_days(day, n)
    if WD.is_working_day(day) or n > 0:
        assert WD.working_days_between(day, there) == n


@PROPERTY
@given(DAYS, DAYS)
def test_between_is_antisymmetric_and_counts_working_days(a: date, b: date) -> None:
    assert WD.working_days_between(a, b) == -WD.working_days_between(b, a)
    if abs((b - a).days) <= 60:
        low, high = sorted((a, b))
        count = sum(
            WD.is_working_day(low + timedelta(days=i)) for i in range(1, (high - low).days + 1)
        )
        assert abs(WD.working_days_between(a, b)) == count
