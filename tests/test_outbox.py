"""The outbox's own rules, on both databases, with a recording Sender (the port's test side):
keys plan once, a row is held by one dispatcher at a time, and one that lost its lease stops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from store import outbox as rows
from store.db import session_scope
from store.models import OutboxStatus
from workflows.clock import FixedClock
from workflows.outbox import (
    CALL_MARGIN,
    CALL_TIMEOUT,
    LEASE,
    MAX_ATTEMPTS,
    REPLY,
    DispatchReport,
    Outgoing,
    Planned,
    Progress,
    backoff,
    dispatch_due,
    messages,
    plan,
    plan_new,
)
from workflows.outbox_kinds import Payload

T0 = datetime(2026, 5, 5, 7, 0, tzinfo=UTC)


class RecordingSender:
    """Posts into a list; `during_send` runs in the middle of a send (another process)."""

    def __init__(self) -> None:
        self.posted: list[str] = []
        self.looked_for: list[str] = []
        self.during_send = lambda: None

    def send(self, message: Outgoing, *, progress: Progress) -> str:
        progress.still_mine()
        self.during_send()
        ts = f"{len(self.posted) + 1}.000"
        self.posted.append(message.key)
        progress.posted(ts)
        return ts

    def find_sent(self, message: Outgoing) -> str | None:
        self.looked_for.append(message.key)
        return None


@dataclass(frozen=True)
class Sample(Payload):
    """A kind of this test's own: the dispatcher sends whatever a Sender is given."""

    KIND: ClassVar[str] = "x"
    n: int | None = None


def plan_one(engine: Engine, key: str = "k1") -> None:
    with session_scope(engine) as session:
        assert plan(session, key=key, channel="C1", payload=Sample(), now=T0)
        assert not plan(session, key=key, channel="C1", payload=Sample(), now=T0)


def test_a_key_plans_once_and_sends_once(engine: Engine) -> None:
    plan_one(engine)
    sender = RecordingSender()
    clock = FixedClock(T0)
    assert dispatch_due(engine, sender, clock=clock).sent == ["k1"]
    assert dispatch_due(engine, sender, clock=clock).sent == []
    assert sender.posted == ["k1"]


def test_a_held_row_is_not_claimed_twice(engine: Engine) -> None:
    plan_one(engine)
    with session_scope(engine) as first, session_scope(engine) as second:
        held = rows.claim_next(first, now=T0, lease_until=T0 + LEASE)
        assert held is not None
        assert (
            rows.claim_next(second, now=T0 + timedelta(minutes=1), lease_until=T0 + LEASE) is None
        )


def test_a_dispatcher_that_lost_its_lease_stops_without_posting(engine: Engine) -> None:
    """The lease runs out mid-send and another process takes the row over: the first one's
    next step is refused (fenced by the attempt number), so only the second one posts. The
    second does not post at once: the first may have a post on its way, so it waits out the
    longest call the first could have started (timeout + margin), then looks, then posts."""
    plan_one(engine)
    slow, other = RecordingSender(), RecordingSender()
    expired = T0 + LEASE + timedelta(seconds=1)
    reported: list[DispatchReport] = []

    def another_process_takes_over() -> None:
        reported.append(dispatch_due(engine, other, clock=FixedClock(expired)))

    slow.during_send = another_process_takes_over
    report = dispatch_due(engine, slow, clock=FixedClock(T0))
    assert (report.sent, report.lost) == ([], ["k1"])
    assert reported[0].sent == [] and other.posted == []  # taken over, not yet sent
    [row] = messages(engine)
    assert (row.status, row.last_error) == (OutboxStatus.pending, rows.LEASE_EXPIRED)

    waited = T0 + LEASE + CALL_TIMEOUT + CALL_MARGIN
    assert dispatch_due(engine, other, clock=FixedClock(waited - timedelta(seconds=1))).sent == []
    assert dispatch_due(engine, other, clock=FixedClock(waited)).sent == ["k1"]
    assert other.posted == ["k1"] and other.looked_for == ["k1"]
    [row] = messages(engine)
    assert (row.status, row.attempts) == (OutboxStatus.sent, 3)


def test_stored_times_are_utc_whatever_the_offset(engine: Engine) -> None:
    """SQLite keeps no offset: a lease written at +02:00 must still compare right."""
    plan_one(engine)
    stockholm = T0.astimezone(ZoneInfo("Europe/Stockholm"))
    with session_scope(engine) as session:
        assert rows.claim_next(session, now=stockholm, lease_until=stockholm + LEASE) is not None
    with session_scope(engine) as session:  # one minute later, in UTC: still held
        assert rows.claim_next(session, now=T0 + timedelta(minutes=1), lease_until=T0) is None
    with session_scope(engine) as session:  # after the lease, in UTC: claimable again
        later = T0 + LEASE + timedelta(seconds=1)
        assert rows.claim_next(session, now=later, lease_until=later + LEASE) is not None


def test_a_reply_goes_before_a_fan_out_planned_earlier(engine: Engine) -> None:
    """A submission's confirmation does not wait behind the rest of a reminder fan-out."""
    with session_scope(engine) as session:
        for number in range(3):
            plan(session, key=f"reminder:{number}", channel="U1", payload=Sample(), now=T0)
        plan_new(
            session,
            [Planned("received:1", "U2", Sample()), Planned("home:1", "U2", Sample())],
            now=T0,
            priority=REPLY,
        )
        plan(session, key="reminder:3", channel="U1", payload=Sample(), now=T0)
    sender = RecordingSender()
    dispatch_due(engine, sender, clock=FixedClock(T0))
    assert sender.posted == [
        "received:1",
        "home:1",
        "reminder:0",
        "reminder:1",
        "reminder:2",
        "reminder:3",
    ]


def test_planning_new_keys_leaves_an_existing_key_alone(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = plan_new(session, [Planned("a", "U1", Sample(n=1))], now=T0)
        again = plan_new(
            session, [Planned("a", "U1", Sample(n=2)), Planned("b", "U1", Sample())], now=T0
        )
    assert (first, again) == (["a"], ["b"])
    [row] = [m for m in messages(engine) if m.key == "a"]
    assert '"n": 1' in row.payload


def test_giving_up_comes_after_about_five_hours_of_backoff() -> None:
    """What docs/FLOWS.md says: the waits between the 12 attempts add up to 5.1 hours."""
    waited = sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta(0))
    assert round(waited.total_seconds() / 3600, 1) == 5.1
