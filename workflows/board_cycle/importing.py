"""A checked cycle as rows: reading the file (size and encoding), storing its year in one
transaction (announcements become steps), and naming a refused file's problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from store.board import EventInput, StepInput, replace_year
from store.db import session_scope
from store.importers.limits import MAX_NAMED_PROBLEMS
from store.models import BoardEventKind
from workflows.board_cycle.loading import load_cycle
from workflows.board_cycle.model import (
    ANNOUNCE_PREFIX,
    ANNOUNCE_ROLE,
    FILE_MAX_BYTES,
    TEXT_MAX,
    Cycle,
    CycleProblem,
    CycleRejected,
    EventSpec,
)
from workflows.texts import Texts
from workflows.working_days import WorkingDays


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
