"""A checked cycle file as values, its problems, and the limits every part of the package
checks against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from store.errors import FinsamError
from store.models import BoardEventKind
from workflows.board_cycle.rules import DateRule

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
