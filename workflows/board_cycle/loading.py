"""Checking a cycle file whole: the top level, the defaults, each meeting and milestone with
its date, time, items, steps and announcements. Every problem is collected with its place;
`load_cycle` refuses the file when there is any."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from store.models import BoardEventKind
from workflows.board_cycle.checks import Check, show
from workflows.board_cycle.model import (
    ANNOUNCE_DAYS_MAX,
    ANNOUNCE_PREFIX,
    DEFAULT_ANNOUNCE_DAYS,
    ID_MAX,
    ITEM_MAX,
    ITEMS_MAX,
    OFFSET_MAX,
    ROLES,
    TIMEZONE,
    AnnounceSpec,
    Cycle,
    CycleProblem,
    CycleRejected,
    EventSpec,
    StepSpec,
)
from workflows.board_cycle.rules import DateRule, parse_rule
from workflows.board_cycle.yaml_places import Value, compose, plain
from workflows.working_days import WorkingDays

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_STEP_ID = re.compile(r"[a-z][a-z0-9_]*")
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?:\s*[-–]\s*([0-9]{1,2})[:.]([0-9]{2}))?")

_TOP_KEYS = ("year", "timezone", "defaults", "meetings", "milestones")
_DEFAULTS_KEYS = ("meeting", "steps", "announce")
_MEETING_DEFAULT_KEYS = ("title", "time", "place", "items")
_MEETING_KEYS = ("id", "title", "date", "rule", "time", "place", "items", "steps")
_MILESTONE_KEYS = ("id", "title", "date", "rule", "items", "steps", "announce")
_STEP_KEYS = ("id", "title", "offset", "remind")
_ANNOUNCE_KEYS = ("days_before", "title")
_KINDS = (("meetings", BoardEventKind.meeting), ("milestones", BoardEventKind.milestone))


def load_cycle(text: str, *, file: str = "", working_days: WorkingDays | None = None) -> Cycle:
    """Check a cycle file whole; CycleRejected names every problem."""
    problems: list[CycleProblem] = []
    root = compose(text, problems)
    if root is None:
        raise CycleRejected(problems, file=file)
    check = Check(None, working_days or WorkingDays())
    check.problems = problems
    top = check.mapping(root, "", _TOP_KEYS, ("year", "meetings"))
    if top is None:
        raise CycleRejected(check.problems, file=file)
    _check_year_and_timezone(check, top)
    defaults = _defaults(check, top.get("defaults"))
    events = [
        event for key, kind in _KINDS for event in _events_of(check, top, key, kind, defaults)
    ]
    _check_unique_ids(check, top)
    if check.problems or check.year is None:
        raise CycleRejected(check.problems, file=file)
    events.sort(key=lambda e: (e.on, e.starts_at or "", e.id))
    return Cycle(check.year, tuple(events), plain(root), tuple(check.warnings))


def _check_year_and_timezone(check: Check, top: dict[str, Value]) -> None:
    """The file's year (which every date must lie in) and its zone, the only one supported."""
    if "year" in top:
        check.year = check.whole(top["year"], "year", low=2000, high=2100, code="bad_year")
    if "timezone" in top:
        zone = check.text(top["timezone"], "timezone")
        if zone is not None and zone != TIMEZONE:
            check.add("timezone", top["timezone"], "bad_timezone", zone, TIMEZONE)


def _events_of(
    check: Check, top: dict[str, Value], key: str, kind: BoardEventKind, defaults: _Defaults
) -> list[EventSpec]:
    """The good entries of `meetings` or `milestones`; a file needs at least one meeting."""
    if key not in top:
        return []
    entries = check.items_of(top[key], key)
    found = [
        _event(check, entry, f"{key}[{index}]", kind, defaults)
        for index, entry in enumerate(entries or [])
    ]
    if kind is BoardEventKind.meeting and entries == []:
        check.add(key, top[key], "no_meetings")
    return [event for event in found if event is not None]


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


def _defaults(check: Check, v: Value | None) -> _Defaults:
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


def _time(check: Check, v: Value, place: str) -> tuple[str | None, str | None]:
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


def _items(check: Check, v: Value, place: str) -> tuple[str, ...]:
    entries = check.items_of(v, place)
    if entries is None:
        return ()
    if len(entries) > ITEMS_MAX:
        check.add(place, v, "too_many", len(entries), ITEMS_MAX)
        return ()
    texts = [check.text(item, f"{place}[{i}]", limit=ITEM_MAX) for i, item in enumerate(entries)]
    return tuple(t for t in texts if t is not None)


def _steps(
    check: Check, v: Value, place: str, defaults: dict[str, StepSpec]
) -> tuple[StepSpec, ...]:
    seen: dict[str, str] = {}
    found = [
        _step(check, entry, f"{place}[{index}]", defaults, seen)
        for index, entry in enumerate(check.items_of(v, place) or [])
    ]
    return tuple(step for step in found if step is not None)


def _step(
    check: Check, entry: Value, here: str, defaults: dict[str, StepSpec], seen: dict[str, str]
) -> StepSpec | None:
    """One step; an id of a default step takes the default's fields for those it leaves out."""
    raw = check.mapping(entry, here, _STEP_KEYS, ("id",))
    if raw is None or "id" not in raw:
        return None
    step_id = _step_id(check, raw["id"], f"{here}.id", seen)
    if step_id is None:
        return None
    before = len(check.problems)
    if step_id not in defaults:
        for key in ("title", "offset", "remind"):
            if key not in raw:
                check.add(f"{here}.{key}", entry, "missing_key", key)
    base = defaults.get(step_id, StepSpec(step_id, "", 0, ()))
    title = check.text(raw["title"], f"{here}.title") if "title" in raw else None
    offset = None
    if "offset" in raw:
        offset = check.whole(
            raw["offset"], f"{here}.offset", low=-OFFSET_MAX, high=OFFSET_MAX, code="bad_offset"
        )
    remind = _roles(check, raw["remind"], f"{here}.remind") if "remind" in raw else None
    if len(check.problems) > before:
        return None
    return StepSpec(
        step_id,
        base.title if title is None else title,
        base.offset if offset is None else offset,
        base.remind if remind is None else remind,
    )


def _step_id(check: Check, v: Value, place: str, seen: dict[str, str]) -> str | None:
    """A step id, not reserved (`announce_…`) and not already used in the same list."""
    step_id = check.identifier(v, place, _STEP_ID, 40)
    if step_id is None:
        return None
    if step_id.startswith(ANNOUNCE_PREFIX):
        check.add(place, v, "reserved_id", step_id, ANNOUNCE_PREFIX)
        return None
    if step_id in seen:
        check.add(place, v, "duplicate_id", step_id, seen[step_id])
        return None
    seen[step_id] = place
    return step_id


def _roles(check: Check, v: Value, place: str) -> tuple[str, ...] | None:
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


def _announce(check: Check, v: Value, place: str, base: AnnounceSpec) -> AnnounceSpec | None:
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
            check.add(f"{place}.days_before", raw["days_before"], "bad_days_list", show(numbers))
            return None
        days = tuple(sorted(numbers, reverse=True))
    title = base.title
    if "title" in raw:
        title = check.text(raw["title"], f"{place}.title")
        if title is None:
            return None
    return AnnounceSpec(days, title)


@dataclass(frozen=True)
class _Fields:
    """What an entry gives besides its id, title and date (a milestone has no time or place,
    a meeting no announcements)."""

    starts_at: str | None = None
    ends_at: str | None = None
    place: str = ""
    items: tuple[str, ...] = ()
    steps: tuple[StepSpec, ...] = ()
    announce: AnnounceSpec | None = None


def _event(
    check: Check, v: Value, place: str, kind: BoardEventKind, defaults: _Defaults
) -> EventSpec | None:
    meeting = kind is BoardEventKind.meeting
    raw = check.mapping(v, place, _MEETING_KEYS if meeting else _MILESTONE_KEYS, ("id",))
    if raw is None:
        return None
    before = len(check.problems)
    event_id = check.identifier(raw["id"], f"{place}.id", _ID, ID_MAX) if "id" in raw else None
    title = _event_title(check, raw, place, v, defaults.title if meeting else None)
    on = _event_date(check, raw, place, v)
    if meeting:
        fields = _meeting_fields(check, raw, place, v, defaults)
    else:
        fields = _milestone_fields(check, raw, place, defaults)
    if len(check.problems) > before or event_id is None or title is None or on is None:
        return None
    if meeting:
        _warn_off_working_day(check, raw, place, v, on[0])
    return EventSpec(
        event_id,
        kind,
        title,
        on[0],
        on[1],
        fields.starts_at,
        fields.ends_at,
        fields.place,
        fields.items,
        fields.steps,
        fields.announce,
    )


def _event_title(
    check: Check, raw: dict[str, Value], place: str, v: Value, default: str | None
) -> str | None:
    if "title" in raw:
        return check.text(raw["title"], f"{place}.title")
    if default is None:
        check.add(f"{place}.title", v, "missing_key", "title")
    return default


def _meeting_fields(
    check: Check, raw: dict[str, Value], place: str, v: Value, defaults: _Defaults
) -> _Fields:
    """Time and place from the defaults unless given; the standing items after the own."""
    starts_at, ends_at = defaults.starts_at, defaults.ends_at
    if "time" in raw:
        starts_at, ends_at = _time(check, raw["time"], f"{place}.time")
    where = defaults.place
    if "place" in raw:
        where = check.text(raw["place"], f"{place}.place") or ""
    items = (*_own_items(check, raw, place), *defaults.items)
    if len(items) > ITEMS_MAX:
        check.add(f"{place}.items", v, "too_many", len(items), ITEMS_MAX)
    steps = _own_steps(check, raw, place, defaults) if "steps" in raw else defaults.steps
    return _Fields(starts_at, ends_at, where, items, steps)


def _milestone_fields(
    check: Check, raw: dict[str, Value], place: str, defaults: _Defaults
) -> _Fields:
    """A milestone has steps only when it lists them, and is announced only when it says so."""
    items = _own_items(check, raw, place)
    steps = _own_steps(check, raw, place, defaults) if "steps" in raw else ()
    announce = None
    if "announce" in raw:
        announce = _announce(check, raw["announce"], f"{place}.announce", defaults.announce)
    return _Fields(items=items, steps=steps, announce=announce)


def _own_items(check: Check, raw: dict[str, Value], place: str) -> tuple[str, ...]:
    return _items(check, raw["items"], f"{place}.items") if "items" in raw else ()


def _own_steps(
    check: Check, raw: dict[str, Value], place: str, defaults: _Defaults
) -> tuple[StepSpec, ...]:
    return _steps(check, raw["steps"], f"{place}.steps", {s.id: s for s in defaults.steps})


def _warn_off_working_day(
    check: Check, raw: dict[str, Value], place: str, v: Value, on: date
) -> None:
    """A meeting on a Saturday may be a planning day, but is more often a typo."""
    if check.wd.is_working_day(on):
        return
    check.warnings.append(
        CycleProblem(
            f"{place}.date",
            (raw.get("date") or raw.get("rule") or v).line,
            "not_a_working_day",
            on.isoformat(),
            check.wd.holiday_name(on) or "",
        )
    )


def _event_date(
    check: Check, raw: dict[str, Value], place: str, v: Value
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


def _check_unique_ids(check: Check, top: dict[str, Value]) -> None:
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
