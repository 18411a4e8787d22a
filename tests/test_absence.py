"""Absences: the deputy gets the lead's reminders inside the window (edges included), the
rules of recording one, the "welcome back" notice planned once and sent through the real
sender, and `/finsam frånvaro` end to end."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from store.errors import BadArgument
from workflows.absence import (
    AbsenceInfo,
    AbsenceMap,
    absence_map,
    absences_of,
    cancel_absences,
    recipient_on,
    record_absence,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LEAD = "U0LEAD001"
DEPUTY = "U0DEPUTY1"
OTHER = "U0OTHER01"
TODAY = date(2026, 6, 15)


# -- who gets the reminder -----------------------------------------------------------------


def test_recipient_inside_the_window_edges_included() -> None:
    absences = AbsenceMap([AbsenceInfo(1, LEAD, DEPUTY, date(2026, 7, 1), date(2026, 8, 9))])
    assert absences.recipient_on(LEAD, date(2026, 6, 30)) == (LEAD, None)
    assert absences.recipient_on(LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 7, 20)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 8, 9)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 8, 10)) == (LEAD, None)
    assert absences.recipient_on(OTHER, date(2026, 7, 20)) == (OTHER, None)


def test_one_day_absence_and_two_absences() -> None:
    absences = AbsenceMap(
        [
            AbsenceInfo(1, LEAD, DEPUTY, date(2026, 7, 1), date(2026, 7, 1)),
            AbsenceInfo(2, LEAD, OTHER, date(2026, 9, 1), date(2026, 9, 30)),
        ]
    )
    assert absences.recipient_on(LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert absences.recipient_on(LEAD, date(2026, 7, 2)) == (LEAD, None)
    assert absences.recipient_on(LEAD, date(2026, 9, 30)) == (OTHER, LEAD)


def test_recipient_from_the_database(engine: Engine) -> None:
    record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 8, 9), DEPUTY, today=TODAY)
    assert recipient_on(engine, LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert recipient_on(engine, LEAD, date(2026, 8, 9)) == (DEPUTY, LEAD)
    assert recipient_on(engine, LEAD, date(2026, 8, 10)) == (LEAD, None)
    assert recipient_on(engine, LEAD, date(2026, 6, 30)) == (LEAD, None)
    assert recipient_on(engine, DEPUTY, date(2026, 7, 5)) == (DEPUTY, None)
    loaded = absence_map(engine)
    assert loaded.recipient_on(LEAD, date(2026, 7, 1)) == (DEPUTY, LEAD)
    assert absence_map(engine, from_day=date(2026, 8, 10)).recipient_on(LEAD, date(2026, 7, 1)) == (
        LEAD,
        None,
    )


# -- recording, listing, cancelling ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "deputy", "code"),
    [
        (date(2026, 7, 10), date(2026, 7, 1), DEPUTY, "absence_end_before_start"),
        (date(2026, 6, 1), date(2026, 6, 14), DEPUTY, "absence_in_past"),
        (date(2026, 7, 1), date(2026, 7, 9), LEAD, "absence_deputy_self"),
        (date(2026, 7, 1), date(2027, 7, 2), DEPUTY, "absence_too_long"),
    ],
)
def test_bad_absences_are_refused(
    engine: Engine, start: date, end: date, deputy: str, code: str
) -> None:
    with pytest.raises(BadArgument) as caught:
        record_absence(engine, LEAD, start, end, deputy, today=TODAY)
    assert caught.value.code == code
    assert absences_of(engine, LEAD, today=TODAY) == []


def test_limits_that_are_allowed(engine: Engine) -> None:
    started = record_absence(engine, LEAD, date(2026, 6, 1), TODAY, DEPUTY, today=TODAY)
    year = record_absence(
        engine, OTHER, date(2026, 7, 1), date(2027, 7, 1), DEPUTY, today=TODAY
    )  # 366 days, both ends counted
    assert started.ends_on == TODAY
    assert (year.ends_on - year.starts_on).days + 1 == 366


def test_an_overlapping_absence_is_refused(engine: Engine) -> None:
    record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 7, 31), DEPUTY, today=TODAY)
    with pytest.raises(BadArgument) as caught:
        record_absence(engine, LEAD, date(2026, 7, 31), date(2026, 8, 9), OTHER, today=TODAY)
    assert (caught.value.code, caught.value.params) == (
        "absence_overlaps",
        {"start": "2026-07-01", "end": "2026-07-31"},
    )
    record_absence(engine, LEAD, date(2026, 8, 1), date(2026, 8, 9), OTHER, today=TODAY)


def test_list_and_cancel(engine: Engine) -> None:
    record_absence(
        engine, LEAD, date(2026, 6, 1), date(2026, 6, 10), DEPUTY, today=date(2026, 6, 1)
    )
    running = record_absence(
        engine, LEAD, date(2026, 6, 12), date(2026, 6, 20), DEPUTY, today=TODAY
    )
    future = record_absence(engine, LEAD, date(2026, 7, 1), date(2026, 7, 9), OTHER, today=TODAY)
    assert absences_of(engine, LEAD, today=TODAY) == [running, future]
    assert absences_of(engine, DEPUTY, today=TODAY) == []

    assert cancel_absences(engine, LEAD, today=TODAY) == [running, future]
    assert absences_of(engine, LEAD, today=TODAY) == []
    # the running one now ends yesterday: the lead is back today
    assert recipient_on(engine, LEAD, date(2026, 6, 14)) == (DEPUTY, LEAD)
    assert recipient_on(engine, LEAD, TODAY) == (LEAD, None)
    assert recipient_on(engine, LEAD, date(2026, 7, 1)) == (LEAD, None)
    assert cancel_absences(engine, LEAD, today=TODAY) == []


def test_an_absence_starting_today_is_removed_when_cancelled(engine: Engine) -> None:
    record_absence(engine, LEAD, TODAY, date(2026, 6, 20), DEPUTY, today=TODAY)
    cancel_absences(engine, LEAD, today=TODAY)
    assert recipient_on(engine, LEAD, TODAY) == (LEAD, None)
    assert absence_map(engine).absence_on(LEAD, TODAY) is None
