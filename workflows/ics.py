"""The board's year as an iCalendar file (RFC 5545), written by hand: one VCALENDAR with a
VTIMEZONE for Europe/Stockholm, one VEVENT per meeting (local times, TZID=Europe/Stockholm)
and per milestone (all day, VALUE=DATE).

- Each event's UID is `<uid>-<year>@finsam-bot`, from the cycle file's id: the same event keeps
  its UID across exports and when its date moves, so a calendar that imports a later file
  updates the event rather than adding a second one. SEQUENCE grows with the export time
  (minutes since 2020), so a later export is always the newer revision of an event.
- TEXT values escape backslash, semicolon, comma and newline; lines end in CRLF and are folded
  at 75 octets without splitting a UTF-8 character.
- `calendar` is pure (the events and the time stamp are given); `year_calendar` reads the
  year's events from the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from store.models import BoardEventKind
from workflows.board_cycle import EventView, year_events
from workflows.texts import Texts

PRODID = "-//finsam-bot//Board cycle//SV"
TZID = "Europe/Stockholm"
LINE_OCTETS = 75
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

# Central European Time since 1996: summer time from the last Sunday of March 02:00 to the last
# Sunday of October 03:00 (EU rules).
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    f"X-LIC-LOCATION:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def event_uid(uid: str, year: int) -> str:
    return f"{uid}-{year}@finsam-bot"


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon, comma and newline escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets continue on the next line after CRLF and one
    space; a UTF-8 character is never split."""
    out: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            out.append(current)
            current, size = " ", 1  # the continuation's leading space counts
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _local(value: date, hhmm: str) -> str:
    return f"{_date(value)}T{hhmm.replace(':', '')}00"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def description(event: EventView, texts: Texts) -> str:
    parts: list[str] = []
    if event.items:
        parts.append(texts.get("board", "calendar_items_heading"))
        parts += [f"• {item}" for item in event.items]
    if event.steps:
        if parts:
            parts.append("")
        parts.append(texts.get("board", "calendar_steps_heading"))
        parts += [
            "• " + texts.get("board", "calendar_step", title=s.title, due=s.due)
            for s in event.steps
        ]
    return "\n".join(parts)


def vevent(event: EventView, *, stamp: datetime, texts: Texts) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event_uid(event.uid, event.year)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"LAST-MODIFIED:{_utc(stamp)}",
        f"SEQUENCE:{max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))}",
    ]
    if event.kind is BoardEventKind.meeting and event.starts_at:
        lines.append(f"DTSTART;TZID={TZID}:{_local(event.on, event.starts_at)}")
        if event.ends_at:
            lines.append(f"DTEND;TZID={TZID}:{_local(event.on, event.ends_at)}")
    else:
        lines += [
            f"DTSTART;VALUE=DATE:{_date(event.on)}",
            f"DTEND;VALUE=DATE:{_date(event.on + timedelta(days=1))}",
        ]
        if event.kind is BoardEventKind.milestone:
            lines.append("TRANSP:TRANSPARENT")  # a deadline does not make anyone busy
    lines.append(f"SUMMARY:{escape_text(event.title)}")
    if event.place:
        lines.append(f"LOCATION:{escape_text(event.place)}")
    text = description(event, texts)
    if text:
        lines.append(f"DESCRIPTION:{escape_text(text)}")
    lines += ["STATUS:CONFIRMED", "END:VEVENT"]
    return lines


def calendar(events: Sequence[EventView], *, year: int, stamp: datetime, texts: Texts) -> bytes:
    """The year's events as an .ics file (UTF-8, CRLF line endings)."""
    if stamp.tzinfo is None:
        raise ValueError("the time stamp must be aware")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(texts.get('board', 'calendar_name', year=year))}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for event in events:
        lines += vevent(event, stamp=stamp, texts=texts)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def year_calendar(engine: Engine, year: int, *, now: datetime, texts: Texts) -> tuple[bytes, int]:
    """The stored year as an .ics file, and how many events it holds."""
    events = year_events(engine, year, today=now.date())
    return calendar(events, year=year, stamp=now, texts=texts), len(events)
