"""Drafting the next year's cycle file from this year's rules, as YAML to review and import."""

from __future__ import annotations

import re
from typing import Any

import yaml

from workflows.board_cycle.model import Cycle
from workflows.board_cycle.rules import fixed_day_rule
from workflows.texts import Texts
from workflows.working_days import WorkingDays

_YEAR_IN_TEXT = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


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
