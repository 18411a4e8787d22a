"""The checks every entry of a cycle file is put through (a mapping with known keys, a text
without personal identity numbers, a whole number in range, a date in the file's year), each
adding a problem with its place instead of raising, so a file's problems are named at once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from store.identity_numbers import find_identity_number
from workflows.board_cycle.model import TEXT_MAX, CycleProblem
from workflows.board_cycle.yaml_places import Value, join
from workflows.working_days import WorkingDays

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Check:
    """The problems and warnings found so far, and what dates are checked against (the
    file's year, once read, and the working days)."""

    def __init__(self, year: int | None, working_days: WorkingDays) -> None:
        self.problems: list[CycleProblem] = []
        self.warnings: list[CycleProblem] = []
        self.year = year
        self.wd = working_days

    def add(
        self, place: str, v: Value | None, code: str, value: object = "", expected: object = ""
    ) -> None:
        line = v.line if v is not None else 0
        self.problems.append(CycleProblem(place, line, code, show(value), show(expected)))

    def mapping(
        self, v: Value, place: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, Value] | None:
        if not isinstance(v.data, dict):
            self.add(place, v, "not_a_mapping")
            return None
        for key, item in v.data.items():
            if key not in allowed:
                self.add(join(place, key), item, "unknown_key", key, ", ".join(allowed))
        for key in required:
            if key not in v.data:
                self.add(join(place, key), v, "missing_key", key)
        return {k: item for k, item in v.data.items() if k in allowed}

    def items_of(self, v: Value, place: str) -> list[Value] | None:
        if not isinstance(v.data, list):
            self.add(place, v, "not_a_list")
            return None
        return list(v.data)

    def text(self, v: Value, place: str, *, limit: int = TEXT_MAX) -> str | None:
        if v.data is None or v.raw is None:  # null, a mapping or a list
            self.add(place, v, "not_text")
            return None
        text = v.raw  # as written: `title: yes` is the word, not a boolean
        if (kind := find_identity_number(text)) is not None:
            self.add(place, v, "identity_number", kind)  # titles go to Slack: no personal data
            return None
        text = " ".join(text.split())
        if not text:
            self.add(place, v, "empty_text")
            return None
        if len(text) > limit:
            self.add(place, v, "too_long", text[:40] + "…", limit)
            return None
        return text

    def identifier(self, v: Value, place: str, pattern: re.Pattern[str], limit: int) -> str | None:
        text = (
            str(v.data) if isinstance(v.data, (str, int)) and not isinstance(v.data, bool) else None
        )
        if text is not None and (kind := find_identity_number(text)) is not None:
            self.add(place, v, "identity_number", kind)  # ids go into calendars and commands
            return None
        if text is None or not pattern.fullmatch(text) or len(text) > limit:
            self.add(place, v, "bad_id", v.raw if v.raw is not None else "", limit)
            return None
        return text

    def whole(self, v: Value, place: str, *, low: int, high: int, code: str) -> int | None:
        if isinstance(v.data, bool) or not isinstance(v.data, int):
            self.add(place, v, code, v.raw if v.raw is not None else "")
            return None
        if not low <= v.data <= high:
            self.add(place, v, "out_of_range", v.data, f"{low}…{high}")
            return None
        return v.data

    def day(self, v: Value, place: str) -> date | None:
        found: date | None = None
        if isinstance(v.data, date) and not isinstance(v.data, datetime):
            found = v.data
        elif isinstance(v.data, str) and _DATE.fullmatch(v.data.strip()):
            try:
                found = date.fromisoformat(v.data.strip())
            except ValueError:
                found = None
        if found is None:
            self.add(place, v, "bad_date", v.raw if v.raw is not None else "")
            return None
        if self.year is not None and found.year != self.year:
            self.add(place, v, "other_year", found.isoformat(), self.year)
            return None
        return found


def show(value: object) -> str:
    return "" if value is None else str(value)
