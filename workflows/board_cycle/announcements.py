"""The application deadlines to announce: a milestone's `announce_<days>` steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from store.board import events_of_year, steps_of
from store.db import session_scope
from workflows.board_cycle.model import ANNOUNCE_PREFIX


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
