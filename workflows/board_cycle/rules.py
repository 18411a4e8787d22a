"""Date rules of a cycle file (`third thursday of march`, `last working day of september`,
`12 may`) and the calendar arithmetic behind them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from workflows.working_days import WorkingDays

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_ORD = "|".join(ORDINALS)
_WEEKDAY_RULE = re.compile(rf"({_ORD}) ({'|'.join(WEEKDAYS)}) (?:of|in) ({'|'.join(MONTHS)})")
_WORKING_RULE = re.compile(rf"({_ORD}) working day (?:of|in) ({'|'.join(MONTHS)})")
_DAY_FIRST = re.compile(rf"([0-9]{{1,2}}) ({'|'.join(MONTHS)})")
_MONTH_FIRST = re.compile(rf"({'|'.join(MONTHS)}) ([0-9]{{1,2}})")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February: every year's


@dataclass(frozen=True)
class DateRule:
    """`kind`: "weekday" (nth `weekday` of `month`), "working_day" (nth working day) or "day"
    (`day` of `month`). `nth` is 1–4, or −1 for the last."""

    text: str
    kind: str
    month: int
    nth: int = 1
    weekday: int = 0
    day: int = 1

    def raw_date(self, year: int, working_days: WorkingDays) -> date:
        """The date the rule names, before any move off a non-working day."""
        if self.kind == "weekday":
            return nth_weekday(year, self.month, self.nth, self.weekday)
        if self.kind == "working_day":
            return nth_working_day(year, self.month, self.nth, working_days)
        return date(year, self.month, self.day)

    def on(self, year: int, working_days: WorkingDays) -> date:
        """The rule's date in `year`, moved to the next working day when it is not one (to the
        working day before when the next one is in the following year)."""
        raw = self.raw_date(year, working_days)
        moved = working_days.next_working_day(raw)
        return moved if moved.year == year else working_days.previous_working_day(raw)


def parse_rule(text: str) -> DateRule:
    """A rule as written in the file; ValueError when it is not one."""
    norm = " ".join(str(text).casefold().split())
    if found := _WEEKDAY_RULE.fullmatch(norm):
        return DateRule(
            norm,
            "weekday",
            MONTHS.index(found[3]) + 1,
            nth=ORDINALS[found[1]],
            weekday=WEEKDAYS.index(found[2]),
        )
    if found := _WORKING_RULE.fullmatch(norm):
        return DateRule(norm, "working_day", MONTHS.index(found[2]) + 1, nth=ORDINALS[found[1]])
    day_text = month_name = ""
    if found := _DAY_FIRST.fullmatch(norm):
        day_text, month_name = found[1], found[2]
    elif found := _MONTH_FIRST.fullmatch(norm):
        day_text, month_name = found[2], found[1]
    if day_text:
        month, day = MONTHS.index(month_name) + 1, int(day_text)
        if not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
            raise ValueError(norm)
        return DateRule(norm, "day", month, day=day)
    raise ValueError(norm)


def fixed_day_rule(day: date) -> DateRule:
    """The fixed-day rule of a date (29 February becomes 28 February)."""
    return parse_rule(f"{min(day.day, _DAYS_IN_MONTH[day.month - 1])} {MONTHS[day.month - 1]}")


def month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    """The nth (1–4, or −1: last) `weekday` (0 = Monday) of the month."""
    if nth == -1:
        last = month_end(year, month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    if not 1 <= nth <= 4:
        raise ValueError(f"no such ordinal: {nth}")
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def nth_working_day(year: int, month: int, nth: int, working_days: WorkingDays) -> date:
    """The nth (1–4, or −1: last) working day of the month."""
    if nth == -1:
        return working_days.previous_working_day(month_end(year, month))
    if not 1 <= nth <= 4:
        raise ValueError(f"no such ordinal: {nth}")
    start = date(year, month, 1) - timedelta(days=1)
    return working_days.add_working_days(start, nth)
