"""Swedish working days: not a weekend, not a public holiday, not midsommarafton, julafton or
nyårsafton (the `holidays` package, SE, categories `public` and `de_facto`).

The `holidays` SE calendar can count every Sunday as a holiday (`include_sundays`, on by default
in old versions); it is asked for explicitly off here, so a Sunday is just weekend and the
holiday names are the real ones. Pure and without I/O: holiday dates are computed once per year
and kept by the instance."""

from __future__ import annotations

from datetime import date, timedelta

import holidays

HOLIDAY_CATEGORIES = ("public", "de_facto")
ONE_DAY = timedelta(days=1)


class WorkingDays:
    """Working days of Sweden: Monday–Friday that are neither public holidays nor the de facto
    holidays midsommarafton, julafton and nyårsafton."""

    def __init__(self, *, categories: tuple[str, ...] = HOLIDAY_CATEGORIES) -> None:
        self._categories = categories
        self._years: dict[int, dict[date, str]] = {}

    def holidays_of(self, year: int) -> dict[date, str]:
        """The year's non-working weekdays and weekend holidays, with their Swedish names."""
        found = self._years.get(year)
        if found is None:
            calendar = holidays.country_holidays(
                "SE",
                years=year,
                categories=self._categories,
                language="sv",
                include_sundays=False,
            )
            found = {day: str(name) for day, name in sorted(calendar.items()) if day.year == year}
            self._years[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        return self.holidays_of(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays_of(day.year)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n > 0) or before it (n < 0); `day` itself for 0.

        `day` is not counted: from Friday 2026-04-10, +1 is Monday 2026-04-13 and −1 is
        Thursday 2026-04-09. For a working day d, add(add(d, n), −n) == d."""
        step = ONE_DAY if n > 0 else -ONE_DAY
        for _ in range(abs(n)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end], negated when end < start (then those in (end, start]).

        The inverse of `add_working_days` from a working day:
        working_days_between(d, add_working_days(d, n)) == n."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count
