"""The board's year as an iCalendar file: RFC 5545 text rules (escaping, CRLF, folding at 75
octets), read back by the `icalendar` package, times in Europe/Stockholm across daylight
saving, and UIDs that stay the same across exports and when an event moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from simulator.samples import BOARD_CYCLE_2026, sample_path
from store.models import BoardEventKind
from workflows.board_cycle import EventView, StepView, import_cycle
from workflows.ics import calendar, escape_text, event_uid, fold, year_calendar
from workflows.texts import Texts

EXAMPLE = sample_path(BOARD_CYCLE_2026)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 4, 20, 10, 0, tzinfo=STOCKHOLM)


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def events_of(data: bytes) -> dict[str, icalendar.Event]:
    parsed = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def view(**overrides: object) -> EventView:
    values: dict[str, object] = {
        "uid": "m1",
        "year": 2026,
        "kind": BoardEventKind.meeting,
        "title": "Styrelsemöte",
        "on": date(2026, 3, 19),
        "starts_at": "13:00",
        "ends_at": "16:00",
        "place": "Kansliet",
        "items": (),
        "steps": (),
    }
    values.update(overrides)
    return EventView(**values)  # type: ignore[arg-type]


def test_text_is_escaped() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400))
def test_folding_keeps_lines_short_and_the_text_whole(text: str) -> None:
    line = "SUMMARY:" + escape_text(text).replace("\r", "")
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line


def test_the_sample_year_reads_back(engine: Engine) -> None:
    import_cycle(engine, EXAMPLE)
    data, count = year_calendar(engine, 2026, now=NOW, texts=Texts("sv"))
    assert count == 10
    lines = unfold(data)
    assert lines[:3] == ["BEGIN:VCALENDAR", "PRODID:-//finsam-bot//Board cycle//SV", "VERSION:2.0"]
    assert all(len(line.encode()) <= 75 for line in data.decode().split("\r\n"))
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/Stockholm" in lines
    parsed = icalendar.Calendar.from_ical(data)
    assert str(parsed["VERSION"]) == "2.0"
    events = events_of(data)
    assert len(events) == 10
    march = events["styrelse-mars-2026@finsam-bot"]
    start, end = march.decoded("DTSTART"), march.decoded("DTEND")
    assert start.astimezone(UTC) == datetime(2026, 3, 19, 12, 0, tzinfo=UTC)  # CET
    assert end.astimezone(UTC) == datetime(2026, 3, 19, 15, 0, tzinfo=UTC)
    october = events["styrelse-oktober-2026@finsam-bot"]
    assert october.decoded("DTSTART").astimezone(UTC) == datetime(2026, 10, 22, 11, tzinfo=UTC)
    assert str(march["SUMMARY"]) == "Styrelsemöte"
    assert str(march["LOCATION"]) == "Samordningsförbundets kansli, Uppsala"
    description = str(march["DESCRIPTION"])
    assert "• Beslut om årsredovisning för 2025" in description
    assert "• Handlingar klara: 2026-03-10" in description
    deadline = events["ansokan-2026@finsam-bot"]
    assert deadline.decoded("DTSTART") == date(2026, 5, 12)
    assert deadline.decoded("DTEND") == date(2026, 5, 13)
    assert str(deadline["TRANSP"]) == "TRANSPARENT"
    assert march.decoded("DTSTAMP") == NOW.astimezone(UTC)


def test_the_raw_lines_name_the_zone(engine: Engine) -> None:
    import_cycle(engine, EXAMPLE)
    lines = unfold(year_calendar(engine, 2026, now=NOW, texts=Texts("sv"))[0])
    assert "DTSTART;TZID=Europe/Stockholm:20260319T130000" in lines
    assert "DTSTART;VALUE=DATE:20260512" in lines
    assert "UID:styrelse-mars-2026@finsam-bot" in lines


def test_uids_hold_across_exports_and_moves(engine: Engine, tmp_path: Path) -> None:
    import_cycle(engine, EXAMPLE)
    first = events_of(year_calendar(engine, 2026, now=NOW, texts=Texts("sv"))[0])
    later = NOW + timedelta(days=3)
    second = events_of(year_calendar(engine, 2026, now=later, texts=Texts("sv"))[0])
    assert sorted(first) == sorted(second)
    assert int(second["styrelse-mars-2026@finsam-bot"]["SEQUENCE"]) > int(
        first["styrelse-mars-2026@finsam-bot"]["SEQUENCE"]
    )
    moved = EXAMPLE.read_text(encoding="utf-8").replace(
        "rule: fourth thursday of may\n    date: 2026-05-28", "date: 2026-06-04"
    )
    path = tmp_path / "moved.yml"
    path.write_text(moved, encoding="utf-8")
    import_cycle(engine, path)
    third = events_of(year_calendar(engine, 2026, now=later, texts=Texts("sv"))[0])
    assert sorted(third) == sorted(first)
    may = third["styrelse-maj-2026@finsam-bot"]
    assert may.decoded("DTSTART").date() == date(2026, 6, 4)


def test_awkward_text_survives_the_round_trip() -> None:
    title = "Möte; med, komma\\och\nny rad – " + "å" * 80
    event = view(
        title=title,
        place="Rum 1, plan 2; hus B",
        items=("Beslut, om; allt",),
        steps=(
            StepView(
                1, "papers_due", "Handlingar", date(2026, 3, 10), ("secretary",), "open", None, None
            ),
        ),
    )
    data = calendar([event], year=2026, stamp=NOW, texts=Texts("en"))
    parsed = events_of(data)[event_uid("m1", 2026)]
    assert str(parsed["SUMMARY"]) == title
    assert str(parsed["LOCATION"]) == "Rum 1, plan 2; hus B"
    assert (
        str(parsed["DESCRIPTION"])
        == "Items:\n• Beslut, om; allt\n\nSteps:\n• Handlingar: 10 Mar 2026"
    )


def test_a_meeting_without_an_end_and_one_without_a_time() -> None:
    data = calendar(
        [view(uid="a", ends_at=None), view(uid="b", starts_at=None, ends_at=None)],
        year=2026,
        stamp=NOW,
        texts=Texts("sv"),
    )
    events = events_of(data)
    assert "DTEND" not in events["a-2026@finsam-bot"]
    assert events["b-2026@finsam-bot"].decoded("DTSTART") == date(2026, 3, 19)
    assert "TRANSP" not in events["b-2026@finsam-bot"]  # a meeting keeps the day busy


def test_a_naive_stamp_is_refused() -> None:
    with pytest.raises(ValueError):
        calendar([], year=2026, stamp=datetime(2026, 1, 1), texts=Texts("sv"))  # noqa: DTZ001
