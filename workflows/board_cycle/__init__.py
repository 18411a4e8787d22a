"""The board's year as data: one YAML file per year (the sample association's is
`simulator/data/board-cycle-2026.yml`), checked whole, stored as BoardEvent/BoardStep rows,
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

# One module per concern: `rules` (dates), `yaml_places` (YAML with lines), `checks` and
# `loading` (checking a file whole), `importing` (rows, the file, problem texts), `draft` (next
# year), `overview` (asking), `announcements`. Callers import from the package.

from __future__ import annotations

from workflows.board_cycle.announcements import (
    Announcement,
    announcements,
)
from workflows.board_cycle.draft import (
    next_year,
)
from workflows.board_cycle.importing import (
    CycleImport,
    event_inputs,
    import_cycle,
    problem_lines,
    read_cycle_file,
    rejection_lines,
)
from workflows.board_cycle.loading import (
    load_cycle,
)
from workflows.board_cycle.model import (
    ANNOUNCE_DAYS_MAX,
    ANNOUNCE_PREFIX,
    ANNOUNCE_ROLE,
    DEFAULT_ANNOUNCE_DAYS,
    EARLIER_DAYS,
    FILE_MAX_BYTES,
    ID_MAX,
    ITEM_MAX,
    ITEMS_MAX,
    NODES_MAX,
    OFFSET_MAX,
    ROLES,
    TEXT_MAX,
    TIMEZONE,
    AnnounceSpec,
    Cycle,
    CycleProblem,
    CycleRejected,
    EventSpec,
    StepSpec,
)
from workflows.board_cycle.overview import (
    EventView,
    Overview,
    StepView,
    cycle_overview,
    local_day,
    year_events,
)
from workflows.board_cycle.rules import (
    MONTHS,
    ORDINALS,
    WEEKDAYS,
    DateRule,
    fixed_day_rule,
    month_end,
    nth_weekday,
    nth_working_day,
    parse_rule,
)

__all__ = [
    "ANNOUNCE_DAYS_MAX",
    "ANNOUNCE_PREFIX",
    "ANNOUNCE_ROLE",
    "DEFAULT_ANNOUNCE_DAYS",
    "EARLIER_DAYS",
    "FILE_MAX_BYTES",
    "ID_MAX",
    "ITEMS_MAX",
    "ITEM_MAX",
    "MONTHS",
    "NODES_MAX",
    "OFFSET_MAX",
    "ORDINALS",
    "ROLES",
    "TEXT_MAX",
    "TIMEZONE",
    "WEEKDAYS",
    "AnnounceSpec",
    "Announcement",
    "Cycle",
    "CycleImport",
    "CycleProblem",
    "CycleRejected",
    "DateRule",
    "EventSpec",
    "EventView",
    "Overview",
    "StepSpec",
    "StepView",
    "announcements",
    "cycle_overview",
    "event_inputs",
    "fixed_day_rule",
    "import_cycle",
    "load_cycle",
    "local_day",
    "month_end",
    "next_year",
    "nth_weekday",
    "nth_working_day",
    "parse_rule",
    "problem_lines",
    "read_cycle_file",
    "rejection_lines",
    "year_events",
]
