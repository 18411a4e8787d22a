"""The board's year as data: one YAML file per year (the sample association's is
`bot/simulator/data/board-cycle-2026.yml`), checked whole, stored as BoardEvent/BoardStep rows,
drafted for the next year from its rules, and read back for `/finsam styrelse` and
`finsam-bot cycle show`.

The file::

    year: 2026
    timezone: Europe/Stockholm            # the only zone supported (calendar export, reminders)
    defaults:
      meeting: {title: Styrelsemöte, time: "13:00-16:00", place: …, items: [stående punkter]}
      steps:                               # every meeting's steps unless it lists its own
        - {id: papers_due, title: Handlingar klara, offset: -7, remind: [secretary]}
        - {id: notice, title: Kallelse skickad, offset: -5, remind: [secretary]}
        - {id: minutes_checked, title: Protokoll justerat, offset: 5, remind: [secretary, director]}
      announce: {days_before: [30, 14, 3], title: "…"}
    meetings:
      - {id: styrelse-mars, rule: third thursday of march, date: 2026-03-19, items: [...]}
    milestones:
      - {id: ansokan, title: …, date: 2026-05-12, announce: true}

- **Dates.** An event has a `date:` (YYYY-MM-DD), a `rule:`, or both (then they must agree).
  Rules (English, case and spacing free): `third thursday of march` (first, second, third,
  fourth or last weekday of a month), `last working day of september` (first … fourth or last
  working day), `12 may` / `may 12` (a fixed day; 29–31 February refused, so a rule holds
  every year). A weekday or fixed-day rule that lands on a non-working day moves to the next
  working day (`WorkingDays`; the one before, should the next be in the following year).
  Every date must lie in the file's year.
- **Meetings** take `title`, `time` (`"13:00-16:00"` or `"13:00"`; 13.00 also understood) and
  `place` from `defaults.meeting` when they give none; `defaults.meeting.items` (standing items,
  budget follow-up at every meeting …) are added after each meeting's own items. A meeting
  dated on a non-working day is a *warning*, not an error: a board may well meet on a Saturday
  (a planning day), but it is more often a typo.
- **Steps** are offsets in working days from the event (negative before, positive after),
  each reminding roles (`secretary`, `director`, `office`). A meeting without `steps:` gets
  `defaults.steps`; one with `steps:` gets exactly those, where an entry whose id is a default
  step's takes the default's title, offset and remind for whatever it leaves out (so
  `steps: [{id: papers_due, offset: -10}]` keeps only that step, ten days before). Milestones
  have steps only when they list them.
- **Announcements.** A milestone with `announce: true` (or `announce: {days_before: [..],
  title: ..}`) is announced `days_before` calendar days before (default
  `defaults.announce.days_before`, else [30, 14, 3]). They are stored as ordinary steps of the
  milestone — step id `announce_<days>`, remind `announce`, due the milestone's date minus the
  days, moved back to the working day before when that is not a working day — so the reminder
  engine plans them like any step, and `announcements(engine, year)` lists them. The step's
  title is the announce `title` with `{days}` replaced, else the milestone's title. Step ids
  starting with `announce_` are reserved.

A bad file is refused whole (`CycleRejected`), every problem named with its place in the file
(`meetings[2].steps[0].offset`, and its line) and rendered from templates/<lang>/board.j2.
Nothing is stored then. Re-importing replaces the year by event id (store.board.replace_year):
done marks are kept while a step's due date holds.

`next_year` drafts the following year's file: events with a rule get the rule's date, events
without one the same month and day (28 February for 29 February), moved to the next working day,
and keep that as a fixed-day rule so the anchor does not drift from year to year; years in titles
and items (the file's year and its neighbours) move up by one. The rules are not stored in the
database (the tables hold dates), so drafting reads the file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Engine

from store.board import (
    EventInput,
    StepInput,
    events_between,
    events_of_year,
    replace_year,
    steps_of,
)
from store.db import session_scope
from store.errors import FinsamError
from store.identity_numbers import find_identity_number
from store.importers.limits import MAX_NAMED_PROBLEMS
from store.models import BoardEvent, BoardEventKind, BoardStep
from workflows.texts import Texts
from workflows.working_days import WorkingDays

TIMEZONE = "Europe/Stockholm"
ROLES = ("secretary", "director", "office")
ANNOUNCE_ROLE = "announce"
ANNOUNCE_PREFIX = "announce_"
DEFAULT_ANNOUNCE_DAYS = (30, 14, 3)
ID_MAX = 64  # leaves room in BoardEvent.uid (100) and the calendar UID
TEXT_MAX = 200  # BoardEvent.title/place, BoardStep.title
ITEM_MAX = 300
ITEMS_MAX = 30
OFFSET_MAX = 60  # working days: about three months either way
ANNOUNCE_DAYS_MAX = 366
FILE_MAX_BYTES = 1_000_000
NODES_MAX = 50_000  # aliases can multiply a small file; refuse rather than walk forever
EARLIER_DAYS = 90  # the overview also shows events this far back that still have open steps

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_STEP_ID = re.compile(r"[a-z][a-z0-9_]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?:\s*[-–]\s*([0-9]{1,2})[:.]([0-9]{2}))?")
_YEAR_IN_TEXT = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")

_TOP_KEYS = ("year", "timezone", "defaults", "meetings", "milestones")
_DEFAULTS_KEYS = ("meeting", "steps", "announce")
_MEETING_DEFAULT_KEYS = ("title", "time", "place", "items")
_MEETING_KEYS = ("id", "title", "date", "rule", "time", "place", "items", "steps")
_MILESTONE_KEYS = ("id", "title", "date", "rule", "items", "steps", "announce")
_STEP_KEYS = ("id", "title", "offset", "remind")
_ANNOUNCE_KEYS = ("days_before", "title")


# --------------------------------------------------------------------------- date rules

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


# --------------------------------------------------------------------------- the parsed cycle


@dataclass(frozen=True)
class CycleProblem:
    """One problem of a cycle file: `place` as a path (`meetings[2].steps[0].offset`), `line`
    in the file (0: unknown), `code` a macro of templates/<lang>/board.j2 taking `value` and
    `expected` (either may be empty)."""

    place: str
    line: int
    code: str
    value: str = ""
    expected: str = ""


class CycleRejected(FinsamError):
    """A cycle file with problems: nothing of it was stored. Rendered by `problem_lines`."""

    def __init__(self, problems: list[CycleProblem], *, file: str) -> None:
        super().__init__("cycle_rejected", file=file, count=len(problems))
        self.problems = problems
        self.file = file


@dataclass(frozen=True)
class StepSpec:
    id: str
    title: str
    offset: int
    remind: tuple[str, ...]


@dataclass(frozen=True)
class AnnounceSpec:
    days_before: tuple[int, ...]
    title: str | None


@dataclass(frozen=True)
class EventSpec:
    id: str
    kind: BoardEventKind
    title: str
    on: date
    rule: DateRule | None
    starts_at: str | None
    ends_at: str | None
    place: str
    items: tuple[str, ...]
    steps: tuple[StepSpec, ...]
    announce: AnnounceSpec | None = None


@dataclass(frozen=True)
class Cycle:
    """A checked cycle file. `data` is the file as plain values (for drafting the next year),
    `warnings` what is allowed but probably a mistake."""

    year: int
    events: tuple[EventSpec, ...]
    data: dict[str, Any]
    warnings: tuple[CycleProblem, ...] = ()


# --------------------------------------------------------------------------- YAML with places


@dataclass
class _Value:
    """A YAML value with its line (1-based) and, for scalars, the text as written."""

    data: Any  # dict[str, _Value] | list[_Value] | a scalar
    line: int
    raw: str | None = None


class _Composer:
    def __init__(self, problems: list[CycleProblem]) -> None:
        self.problems = problems
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def walk(self, node: yaml.Node, place: str) -> _Value:
        self.nodes += 1
        if self.nodes > NODES_MAX:
            raise _TooLarge
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            found: dict[str, _Value] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str) or not key:
                    self.problems.append(
                        CycleProblem(place, key_node.start_mark.line + 1, "bad_key")
                    )
                    continue
                here = _join(place, key)
                if key in found:
                    self.problems.append(
                        CycleProblem(here, key_node.start_mark.line + 1, "duplicate_key", key)
                    )
                    continue
                found[key] = self.walk(value_node, here)
            return _Value(found, line)
        if isinstance(node, yaml.SequenceNode):
            return _Value(
                [self.walk(item, f"{place}[{i}]") for i, item in enumerate(node.value)], line
            )
        assert isinstance(node, yaml.ScalarNode)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # a bad timestamp (2026-02-30), an unknown tag: keep the text
            value = str(node.value)
        return _Value(value, line, str(node.value))


class _TooLarge(Exception):
    pass


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def _plain(value: _Value, key: str = "") -> Any:
    if isinstance(value.data, dict):
        return {k: _plain(v, k) for k, v in value.data.items()}
    if isinstance(value.data, list):
        return [_plain(v) for v in value.data]
    if key == "time" and value.raw is not None:
        return value.raw  # `time: 13:00` unquoted is a YAML 1.1 sexagesimal number
    return value.data


def _compose(text: str, problems: list[CycleProblem]) -> _Value | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        problems.append(CycleProblem("", 0, "too_large"))
        return None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problems.append(CycleProblem("", line, "not_yaml", str(getattr(err, "problem", "") or "")))
        return None
    if node is None:
        problems.append(CycleProblem("", 0, "empty_file"))
        return None
    try:
        return _Composer(problems).walk(node, "")
    except (_TooLarge, RecursionError):
        problems.append(CycleProblem("", 0, "too_large"))
        return None


# --------------------------------------------------------------------------- checking


class _Check:
    def __init__(self, year: int | None, working_days: WorkingDays) -> None:
        self.problems: list[CycleProblem] = []
        self.warnings: list[CycleProblem] = []
        self.year = year
        self.wd = working_days

    def add(
        self, place: str, v: _Value | None, code: str, value: object = "", expected: object = ""
    ) -> None:
        line = v.line if v is not None else 0
        self.problems.append(CycleProblem(place, line, code, _show(value), _show(expected)))

    def mapping(
        self, v: _Value, place: str, allowed: Sequence[str], required: Sequence[str] = ()
    ) -> dict[str, _Value] | None:
        if not isinstance(v.data, dict):
            self.add(place, v, "not_a_mapping")
            return None
        for key, item in v.data.items():
            if key not in allowed:
                self.add(_join(place, key), item, "unknown_key", key, ", ".join(allowed))
        for key in required:
            if key not in v.data:
                self.add(_join(place, key), v, "missing_key", key)
        return {k: item for k, item in v.data.items() if k in allowed}

    def items_of(self, v: _Value, place: str) -> list[_Value] | None:
        if not isinstance(v.data, list):
            self.add(place, v, "not_a_list")
            return None
        return list(v.data)

    def text(self, v: _Value, place: str, *, limit: int = TEXT_MAX) -> str | None:
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

    def identifier(self, v: _Value, place: str, pattern: re.Pattern[str], limit: int) -> str | None:
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

    def whole(self, v: _Value, place: str, *, low: int, high: int, code: str) -> int | None:
        if isinstance(v.data, bool) or not isinstance(v.data, int):
            self.add(place, v, code, v.raw if v.raw is not None else "")
            return None
        if not low <= v.data <= high:
            self.add(place, v, "out_of_range", v.data, f"{low}…{high}")
            return None
        return v.data

    def day(self, v: _Value, place: str) -> date | None:
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


def _show(value: object) -> str:
    return "" if value is None else str(value)


def load_cycle(text: str, *, file: str = "", working_days: WorkingDays | None = None) -> Cycle:
    """Check a cycle file whole; CycleRejected names every problem."""
    wd = working_days or WorkingDays()
    problems: list[CycleProblem] = []
    root = _compose(text, problems)
    if root is None:
        raise CycleRejected(problems, file=file)
    check = _Check(None, wd)
    check.problems = problems
    top = check.mapping(root, "", _TOP_KEYS, ("year", "meetings"))
    if top is None:
        raise CycleRejected(check.problems, file=file)
    if "year" in top:
        check.year = check.whole(top["year"], "year", low=2000, high=2100, code="bad_year")
    if "timezone" in top:
        zone = check.text(top["timezone"], "timezone")
        if zone is not None and zone != TIMEZONE:
            check.add("timezone", top["timezone"], "bad_timezone", zone, TIMEZONE)
    defaults = _defaults(check, top.get("defaults"))
    events: list[EventSpec] = []
    for key, kind in (
        ("meetings", BoardEventKind.meeting),
        ("milestones", BoardEventKind.milestone),
    ):
        if key not in top:
            continue
        entries = check.items_of(top[key], key)
        for index, entry in enumerate(entries or []):
            event = _event(check, entry, f"{key}[{index}]", kind, defaults)
            if event is not None:
                events.append(event)
        if kind is BoardEventKind.meeting and entries == []:
            check.add(key, top[key], "no_meetings")
    _check_unique_ids(check, top)
    if check.problems or check.year is None:
        raise CycleRejected(check.problems, file=file)
    events.sort(key=lambda e: (e.on, e.starts_at or "", e.id))
    return Cycle(check.year, tuple(events), _plain(root), tuple(check.warnings))


@dataclass(frozen=True)
class _Defaults:
    title: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    place: str = ""
    items: tuple[str, ...] = ()
    steps: tuple[StepSpec, ...] = ()
    announce: AnnounceSpec = field(
        default_factory=lambda: AnnounceSpec(DEFAULT_ANNOUNCE_DAYS, None)
    )


def _defaults(check: _Check, v: _Value | None) -> _Defaults:
    if v is None:
        return _Defaults()
    found = check.mapping(v, "defaults", _DEFAULTS_KEYS)
    if found is None:
        return _Defaults()
    result = _Defaults()
    if "meeting" in found:
        meeting = check.mapping(found["meeting"], "defaults.meeting", _MEETING_DEFAULT_KEYS) or {}
        place = "defaults.meeting"
        title = check.text(meeting["title"], f"{place}.title") if "title" in meeting else None
        starts_at, ends_at = (
            _time(check, meeting["time"], f"{place}.time") if "time" in meeting else (None, None)
        )
        where = check.text(meeting["place"], f"{place}.place") if "place" in meeting else ""
        items = _items(check, meeting["items"], f"{place}.items") if "items" in meeting else ()
        result = replace(
            result,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=where or "",
            items=items,
        )
    if "steps" in found:
        result = replace(result, steps=_steps(check, found["steps"], "defaults.steps", {}))
    if "announce" in found:
        announce = _announce(check, found["announce"], "defaults.announce", result.announce)
        if announce is not None:
            result = replace(result, announce=announce)
    return result


def _time(check: _Check, v: _Value, place: str) -> tuple[str | None, str | None]:
    raw = (v.raw or "").strip() if not isinstance(v.data, (dict, list)) else ""
    found = _TIME.fullmatch(raw)
    if found is None:
        check.add(place, v, "bad_time", raw)
        return None, None
    start = (int(found[1]), int(found[2]))
    end = (int(found[3]), int(found[4])) if found[3] is not None else None
    if any(h > 23 or m > 59 for h, m in [start, *([end] if end else [])]):
        check.add(place, v, "bad_time", raw)
        return None, None
    if end is not None and end <= start:
        check.add(place, v, "end_before_start", raw)
        return None, None
    return f"{start[0]:02d}:{start[1]:02d}", (f"{end[0]:02d}:{end[1]:02d}" if end else None)


def _items(check: _Check, v: _Value, place: str) -> tuple[str, ...]:
    entries = check.items_of(v, place)
    if entries is None:
        return ()
    if len(entries) > ITEMS_MAX:
        check.add(place, v, "too_many", len(entries), ITEMS_MAX)
        return ()
    texts = [check.text(item, f"{place}[{i}]", limit=ITEM_MAX) for i, item in enumerate(entries)]
    return tuple(t for t in texts if t is not None)


def _steps(
    check: _Check, v: _Value, place: str, defaults: dict[str, StepSpec]
) -> tuple[StepSpec, ...]:
    entries = check.items_of(v, place)
    found: list[StepSpec] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries or []):
        here = f"{place}[{index}]"
        raw = check.mapping(entry, here, _STEP_KEYS, ("id",))
        if raw is None or "id" not in raw:
            continue
        step_id = check.identifier(raw["id"], f"{here}.id", _STEP_ID, 40)
        if step_id is None:
            continue
        if step_id.startswith(ANNOUNCE_PREFIX):
            check.add(f"{here}.id", raw["id"], "reserved_id", step_id, ANNOUNCE_PREFIX)
            continue
        if step_id in seen:
            check.add(f"{here}.id", raw["id"], "duplicate_id", step_id, seen[step_id])
            continue
        seen[step_id] = f"{here}.id"
        base = defaults.get(step_id)
        before = len(check.problems)
        if base is None:
            for key in ("title", "offset", "remind"):
                if key not in raw:
                    check.add(f"{here}.{key}", entry, "missing_key", key)
        title = check.text(raw["title"], f"{here}.title") if "title" in raw else None
        offset = None
        if "offset" in raw:
            offset = check.whole(
                raw["offset"], f"{here}.offset", low=-OFFSET_MAX, high=OFFSET_MAX, code="bad_offset"
            )
        remind = _roles(check, raw["remind"], f"{here}.remind") if "remind" in raw else None
        if len(check.problems) > before:
            continue
        found.append(
            StepSpec(
                step_id,
                title if title is not None else base.title if base else "",
                offset if offset is not None else base.offset if base else 0,
                remind if remind is not None else base.remind if base else (),
            )
        )
    return tuple(found)


def _roles(check: _Check, v: _Value, place: str) -> tuple[str, ...] | None:
    entries = [v] if isinstance(v.data, str) else check.items_of(v, place)
    if entries is None:
        return None
    roles: list[str] = []
    bad = False
    for index, item in enumerate(entries):
        here = place if item is v else f"{place}[{index}]"
        if not isinstance(item.data, str) or item.data.strip() not in ROLES:
            check.add(here, item, "unknown_role", item.raw or "", ", ".join(ROLES))
            bad = True
        elif item.data.strip() not in roles:
            roles.append(item.data.strip())
    if not roles and not bad:
        check.add(place, v, "no_roles", "", ", ".join(ROLES))
    return tuple(roles) if roles and not bad else None


def _announce(check: _Check, v: _Value, place: str, base: AnnounceSpec) -> AnnounceSpec | None:
    if v.data is True:
        return base
    if v.data is False or v.data is None:
        return None
    raw = check.mapping(v, place, _ANNOUNCE_KEYS)
    if raw is None:
        return None
    days = base.days_before
    if "days_before" in raw:
        entries = check.items_of(raw["days_before"], f"{place}.days_before") or []
        found = [
            check.whole(
                item, f"{place}.days_before[{i}]", low=1, high=ANNOUNCE_DAYS_MAX, code="bad_days"
            )
            for i, item in enumerate(entries)
        ]
        if any(d is None for d in found):
            return None
        numbers = [d for d in found if d is not None]
        if not numbers or len(set(numbers)) != len(numbers):
            check.add(f"{place}.days_before", raw["days_before"], "bad_days_list", _show(numbers))
            return None
        days = tuple(sorted(numbers, reverse=True))
    title = base.title
    if "title" in raw:
        title = check.text(raw["title"], f"{place}.title")
        if title is None:
            return None
    return AnnounceSpec(days, title)


def _event(
    check: _Check, v: _Value, place: str, kind: BoardEventKind, defaults: _Defaults
) -> EventSpec | None:
    meeting = kind is BoardEventKind.meeting
    raw = check.mapping(v, place, _MEETING_KEYS if meeting else _MILESTONE_KEYS, ("id",))
    if raw is None:
        return None
    before = len(check.problems)
    event_id = check.identifier(raw["id"], f"{place}.id", _ID, ID_MAX) if "id" in raw else None
    title = check.text(raw["title"], f"{place}.title") if "title" in raw else None
    if title is None and "title" not in raw:
        title = defaults.title if meeting else None
        if title is None:
            check.add(f"{place}.title", v, "missing_key", "title")
    on = _event_date(check, raw, place, v)
    starts_at, ends_at = defaults.starts_at, defaults.ends_at
    if "time" in raw:
        starts_at, ends_at = _time(check, raw["time"], f"{place}.time")
    where = defaults.place
    if "place" in raw:
        where = check.text(raw["place"], f"{place}.place") or ""
    items = _items(check, raw["items"], f"{place}.items") if "items" in raw else ()
    if meeting:
        items = (*items, *defaults.items)
        if len(items) > ITEMS_MAX:
            check.add(f"{place}.items", v, "too_many", len(items), ITEMS_MAX)
    default_steps = {s.id: s for s in defaults.steps}
    if "steps" in raw:
        steps = _steps(check, raw["steps"], f"{place}.steps", default_steps)
    else:
        steps = defaults.steps if meeting else ()
    announce = None
    if not meeting and "announce" in raw:
        announce = _announce(check, raw["announce"], f"{place}.announce", defaults.announce)
    if len(check.problems) > before or event_id is None or title is None or on is None:
        return None
    if meeting and not check.wd.is_working_day(on[0]):
        check.warnings.append(
            CycleProblem(
                f"{place}.date",
                (raw.get("date") or raw.get("rule") or v).line,
                "not_a_working_day",
                on[0].isoformat(),
                check.wd.holiday_name(on[0]) or "",
            )
        )
    return EventSpec(
        event_id,
        kind,
        title,
        on[0],
        on[1],
        starts_at if meeting else None,
        ends_at if meeting else None,
        where if meeting else "",
        items,
        steps,
        announce,
    )


def _event_date(
    check: _Check, raw: dict[str, _Value], place: str, v: _Value
) -> tuple[date, DateRule | None] | None:
    rule: DateRule | None = None
    if "rule" in raw:
        text = check.text(raw["rule"], f"{place}.rule")
        if text is None:
            return None
        try:
            rule = parse_rule(text)
        except ValueError:
            check.add(f"{place}.rule", raw["rule"], "bad_rule", text)
            return None
    given = check.day(raw["date"], f"{place}.date") if "date" in raw else None
    if "date" in raw and given is None:
        return None
    if rule is None:
        if given is None:
            check.add(f"{place}.date", v, "missing_key", "date")
            return None
        return given, None
    if check.year is None:
        return None
    from_rule = rule.on(check.year, check.wd)
    if given is not None and given != from_rule:
        check.add(
            f"{place}.date",
            raw["date"],
            "rule_date_mismatch",
            given.isoformat(),
            from_rule.isoformat(),
        )
        return None
    return from_rule, rule


def _check_unique_ids(check: _Check, top: dict[str, _Value]) -> None:
    seen: dict[str, str] = {}
    for key in ("meetings", "milestones"):
        entries = top[key].data if key in top and isinstance(top[key].data, list) else []
        for index, entry in enumerate(entries):
            id_value = entry.data.get("id") if isinstance(entry.data, dict) else None
            if id_value is None or not isinstance(id_value.data, str):
                continue
            here = f"{key}[{index}].id"
            if id_value.data in seen:
                check.add(here, id_value, "duplicate_id", id_value.data, seen[id_value.data])
            else:
                seen[id_value.data] = here


# --------------------------------------------------------------------------- rows


def event_inputs(cycle: Cycle, working_days: WorkingDays | None = None) -> list[EventInput]:
    """The cycle as rows for store.board.replace_year."""
    wd = working_days or WorkingDays()
    return [_event_input(event, wd) for event in cycle.events]


def _event_input(event: EventSpec, wd: WorkingDays) -> EventInput:
    steps = [
        StepInput(s.id, s.title, wd.add_working_days(event.on, s.offset), s.remind)
        for s in event.steps
    ]
    if event.announce is not None:
        for days in event.announce.days_before:
            title = (
                event.announce.title.replace("{days}", str(days))
                if event.announce.title
                else event.title
            )
            due = wd.previous_working_day(event.on - timedelta(days=days))
            steps.append(
                StepInput(f"{ANNOUNCE_PREFIX}{days}", title[:TEXT_MAX], due, (ANNOUNCE_ROLE,))
            )
    return EventInput(
        uid=event.id,
        kind=event.kind,
        title=event.title,
        on=event.on,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        items=event.items,
        steps=tuple(sorted(steps, key=lambda s: (s.due, s.step))),
    )


@dataclass(frozen=True)
class CycleImport:
    year: int
    meetings: int
    milestones: int
    steps: int
    added: int
    updated: int
    removed: int
    warnings: tuple[CycleProblem, ...]


def read_cycle_file(path: Path, working_days: WorkingDays | None = None) -> Cycle:
    """Read and check a cycle file (CycleRejected when it cannot be read or is bad)."""
    try:
        data = path.read_bytes()
        if len(data) > FILE_MAX_BYTES:
            raise CycleRejected([CycleProblem("", 0, "too_large")], file=path.name)
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise CycleRejected(
            [CycleProblem("", 0, "unreadable_file", path.name)], file=path.name
        ) from err
    return load_cycle(text, file=path.name, working_days=working_days)


def import_cycle(
    engine: Engine, path: Path, working_days: WorkingDays | None = None
) -> CycleImport:
    """Check the file whole, then replace its year's events in one transaction."""
    wd = working_days or WorkingDays()
    cycle = read_cycle_file(path, wd)
    rows = event_inputs(cycle, wd)
    with session_scope(engine) as session:
        added, updated, removed = replace_year(session, cycle.year, rows)
    return CycleImport(
        year=cycle.year,
        meetings=sum(e.kind is BoardEventKind.meeting for e in cycle.events),
        milestones=sum(e.kind is BoardEventKind.milestone for e in cycle.events),
        steps=sum(len(e.steps) for e in rows),
        added=added,
        updated=updated,
        removed=removed,
        warnings=cycle.warnings,
    )


def problem_lines(texts: Texts, problems: Iterable[CycleProblem]) -> list[str]:
    """Each problem as one line: its place, its line in the file and what is wrong."""
    return [
        texts.get(
            "board",
            "problem_line",
            place=p.place,
            line=p.line,
            message=texts.get("board", f"problem_{p.code}", value=p.value, expected=p.expected),
        )
        for p in problems
    ]


def rejection_lines(texts: Texts, err: CycleRejected) -> list[str]:
    """The refusal and its first MAX_NAMED_PROBLEMS problems; the rest are counted."""
    more = len(err.problems) - MAX_NAMED_PROBLEMS
    return [
        texts.get("board", "rejected", file=err.file, count=len(err.problems)),
        *problem_lines(texts, err.problems[:MAX_NAMED_PROBLEMS]),
        *([texts.get("import", "more_problems", count=more)] if more > 0 else []),
    ]


# --------------------------------------------------------------------------- next year


def next_year(
    cycle: Cycle, texts: Texts, *, source: str = "", working_days: WorkingDays | None = None
) -> str:
    """The next year's cycle file as YAML text, to review and import."""
    wd = working_days or WorkingDays()
    year = cycle.year + 1
    data = _shift_years(cycle.data, cycle.year)
    data["year"] = year
    by_id = {e.id: e for e in cycle.events}
    for key in ("meetings", "milestones"):
        for entry in data.get(key) or []:
            event = by_id[str(entry["id"])]
            rule = event.rule or fixed_day_rule(event.on)
            entry["rule"] = rule.text
            entry["date"] = rule.on(year, wd)
            _order(entry)
    header = texts.get("board", "draft_header", year=year, source=source, from_year=cycle.year)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return comment + body


class _Dumper(yaml.SafeDumper):
    """Short lists of words or numbers on one line (`remind: [secretary, director]`)."""


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    short = all(
        isinstance(v, int) or (isinstance(v, str) and len(v) <= 20 and v.isidentifier())
        for v in value
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=short)


_Dumper.add_representer(list, _represent_list)


def _order(entry: dict[str, Any]) -> None:
    """id, title, rule, date first: the way a person reads an entry."""
    first: dict[str, Any] = {k: entry[k] for k in ("id", "title", "rule", "date") if k in entry}
    rest = {k: v for k, v in entry.items() if k not in first}
    entry.clear()
    entry.update(first)
    entry.update(rest)


def _shift_years(value: Any, year: int) -> Any:
    """Years near the file's year in texts move up by one: "årsredovisning 2025" in 2026 is
    "årsredovisning 2026" in 2027."""
    if isinstance(value, dict):
        return {k: _shift_years(v, year) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_years(v, year) for v in value]
    if isinstance(value, str):
        return _YEAR_IN_TEXT.sub(
            lambda m: str(int(m[0]) + 1) if abs(int(m[0]) - year) <= 1 else m[0], value
        )
    return value


# --------------------------------------------------------------------------- asking


@dataclass(frozen=True)
class StepView:
    """`state`: "done", "open" (due today or later), "late" (due before today, not done), or
    "announced" for an announcement step whose day has passed: the bot posts those itself, so
    nobody is late with them."""

    id: int
    step: str
    title: str
    due: date
    remind: tuple[str, ...]
    state: str
    done_by: str | None
    done_at: datetime | None


@dataclass(frozen=True)
class EventView:
    uid: str
    year: int
    kind: BoardEventKind
    title: str
    on: date
    starts_at: str | None
    ends_at: str | None
    place: str
    items: tuple[str, ...]
    steps: tuple[StepView, ...]

    @property
    def open_steps(self) -> int:
        return sum(s.state in ("open", "late") for s in self.steps)


@dataclass(frozen=True)
class Overview:
    """The next `count` meetings from `today` with the milestones up to the last of them, and
    before them (`earlier`) events of the last EARLIER_DAYS days that still have open steps."""

    today: date
    earlier: tuple[EventView, ...]
    upcoming: tuple[EventView, ...]


def cycle_overview(engine: Engine, *, today: date, count: int = 3) -> Overview:
    with session_scope(engine) as session:
        ahead = events_between(session, today, date(today.year + 2, 12, 31))
        meetings = [e for e in ahead if e.kind is BoardEventKind.meeting]
        if len(meetings) >= count > 0:
            last = meetings[count - 1].on
            ahead = [e for e in ahead if e.on <= last]
        behind = events_between(
            session, today - timedelta(days=EARLIER_DAYS), today - timedelta(days=1)
        )
        steps = steps_of(session, [e.id for e in (*ahead, *behind) if e.id is not None])
        upcoming = [_view(e, steps.get(e.id or 0, []), today) for e in ahead]
        earlier = [
            view
            for view in (_view(e, steps.get(e.id or 0, []), today) for e in behind)
            if view.open_steps
        ]
    return Overview(today, tuple(earlier), tuple(upcoming))


def year_events(engine: Engine, year: int, *, today: date) -> list[EventView]:
    """Every event of the year with its steps (for the calendar export)."""
    with session_scope(engine) as session:
        events = events_of_year(session, year)
        steps = steps_of(session, [e.id for e in events if e.id is not None])
        return [_view(e, steps.get(e.id or 0, []), today) for e in events]


def _view(event: BoardEvent, steps: Sequence[BoardStep], today: date) -> EventView:
    return EventView(
        uid=event.uid,
        year=event.year,
        kind=event.kind,
        title=event.title,
        on=event.on,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        items=tuple(line for line in event.items.splitlines() if line.strip()),
        steps=tuple(
            StepView(
                id=s.id or 0,
                step=s.step,
                title=s.title,
                due=s.due,
                remind=tuple(r for r in s.remind.split(",") if r),
                state=_state(s, today),
                done_by=s.done_by,
                done_at=s.done_at,
            )
            for s in sorted(steps, key=lambda s: (s.due, s.step))
        ),
    )


def _state(step: BoardStep, today: date) -> str:
    if step.done_at is not None:
        return "done"
    if step.due >= today:
        return "open"
    return "announced" if step.remind == ANNOUNCE_ROLE else "late"


@dataclass(frozen=True)
class Announcement:
    """A milestone to announce `days_before` it falls due: the step `step_id` (due `due`)."""

    uid: str
    title: str
    on: date
    days_before: int
    step_id: int
    due: date


def announcements(engine: Engine, year: int) -> list[Announcement]:
    """The year's announcement steps (see the module's doc), by due date."""
    found: list[Announcement] = []
    with session_scope(engine) as session:
        events = events_of_year(session, year)
        steps = steps_of(session, [e.id for e in events if e.id is not None])
        for event in events:
            for step in steps.get(event.id or 0, []):
                days = step.step.removeprefix(ANNOUNCE_PREFIX)
                if step.step.startswith(ANNOUNCE_PREFIX) and days.isdigit():
                    found.append(
                        Announcement(
                            event.uid, event.title, event.on, int(days), step.id or 0, step.due
                        )
                    )
    return sorted(found, key=lambda a: (a.due, a.uid))


def local_day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return None if moment is None else moment.astimezone(tz).date()
