"""Delivery of outgoing messages (DESIGN.md "Outgoing messages are data"): plan a row with a
unique key, then dispatch: lease, send through a Sender, mark sent. The lease is renewed
before every Slack call and every change is fenced by the attempt number, so a process that
lost its row (lease ran out, another took over) stops instead of sending twice. A row whose
earlier attempt ended with an unknown outcome is first looked for in Slack (message metadata
carries the key) and never blindly re-sent.

Fencing guards the database, not Slack: a post already on its way cannot be called back. So
(docs/FLOWS.md "Exactly once"): leases are judged by the database's clock, not each host's
own; no Slack call starts with less lease left than the call can last plus a margin, as
measured here on a clock that runs on through a pause (`before_call`); a row taken from a
holder whose lease ran out waits out that holder's last possible call before anyone looks
in the history; and a 429 releases the row until its Retry-After instead of sleeping in the
call with the lease running out."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from store import outbox as rows
from store.db import database_now, session_scope
from store.errors import (
    LeaseLost,
    NotFoundError,
    SendRejected,
    SlackRateLimited,
    SlackUnavailable,
)
from store.models import OutboxMessage, OutboxStatus
from workflows.clock import Clock
from workflows.outbox_kinds import Payload
from workflows.pacing import Pacer

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
CALL_TIMEOUT = timedelta(seconds=10)  # SLACK_TIMEOUT_SECONDS's default: one call's longest wait
# What a call may take beyond its timeout (the request's own setup, a busy machine) and how
# far two clocks that agree may still differ: both kept out of the lease's last moments.
CALL_MARGIN = timedelta(seconds=5)
CLOCKS_AGREE = timedelta(seconds=1)
# A call starts on a lease renewed at most this long ago (seconds): whatever paused the
# process before it, at least the whole lease less this is left when the request leaves.
RENEWED_JUST_NOW = 1.0
MAX_ATTEMPTS = 12  # with the backoff below: about five hours (5.1 h) of trying before giving up
MAX_BACKOFF = timedelta(hours=1)
NORMAL = 0
# What answers something a person just did (a submission's confirmation, its reminders turned
# "done", the App Home) goes before the rest of a fan-out planned earlier.
REPLY = 1


@dataclass(frozen=True)
class Outgoing:
    """A message as the sender sees it: its key, where it goes, what kind, its data, and
    the steps an earlier attempt already finished (`posted` with `posted_ts`, `chart`, …)."""

    key: str
    channel: str
    kind: str
    data: dict[str, Any]
    attempts: int
    posted_ts: str | None
    steps_done: frozenset[str] = frozenset()
    # An earlier attempt may have posted without this row knowing (a lost answer, a holder
    # whose lease ran out): the sender looks in the history before posting.
    outcome_unknown: bool = False


class Progress(Protocol):
    """What a sender reports while it sends. Each call but `pace` raises LeaseLost when
    another process has taken the message over: the sender must then stop."""

    def pace(self, channel: str) -> None:
        """Wait until a post to `channel` keeps under Slack's rates (workflows/pacing.py);
        called before each post, then `still_mine`."""
        ...

    def still_mine(self) -> None: ...

    def before_call(self, bound: timedelta) -> None:
        """Called as a Slack call is about to start, that may last up to `bound`: renews
        the lease unless it was renewed just now and outlasts the call by the margin, so no
        call starts on a lease that could run out under it (or that ran out in a pause)."""
        ...

    def posted(self, ts: str) -> None: ...

    def step_done(self, step: str) -> None: ...


class Sender(Protocol):
    """The port to Slack. `send` skips the steps in `steps_done`, calls `progress.still_mine()`
    before each Slack call and reports each finished step; it raises SlackUnavailable when
    the outcome is unknown or Slack is failing, SendRejected when Slack refuses for good.
    It returns the ts of the post, or None when the message is no longer wanted (the row
    is then cancelled)."""

    def send(self, message: Outgoing, *, progress: Progress) -> str | None: ...

    def find_sent(self, message: Outgoing) -> str | None: ...


@dataclass
class DispatchReport:
    sent: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    # How long until the soonest row left waiting is due (a 429's Retry-After, a row taken
    # over): a worker waits no longer than that for its next round. None: nothing waits.
    next_due_in: timedelta | None = None


def plan(
    session: Session,
    *,
    key: str,
    channel: str,
    payload: Payload,
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Plan a row unless its key exists; it is not sent before `not_before` (if given)."""
    return rows.enqueue(
        session,
        key=key,
        channel=channel,
        payload=stored_payload(payload),
        now=now,
        not_before=not_before,
    )


@dataclass(frozen=True)
class Planned:
    """A row to plan: its key, where it goes, what it carries (its kind's payload)."""

    key: str
    channel: str
    payload: Payload


def stored_payload(payload: Payload) -> dict[str, Any]:
    """The row's JSON: the kind's name and the payload's fields (also what a digest row
    that takes in more reports is rewritten to, workflows/digests.py)."""
    return {"kind": payload.KIND, "data": payload.to_data()}


def plan_new(
    session: Session, planned: list[Planned], *, now: datetime, priority: int = NORMAL
) -> list[str]:
    """Plan rows whose keys name a new event (a report's revision) in one statement; a key
    that exists is still left alone. The keys planned."""
    return rows.enqueue_new(
        session,
        [(p.key, p.channel, stored_payload(p.payload)) for p in planned],
        now=now,
        priority=priority,
    )


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** (attempts - 1)), MAX_BACKOFF)


def _outgoing(row: OutboxMessage) -> Outgoing:
    payload = json.loads(row.payload)
    return Outgoing(
        key=row.key,
        channel=row.channel,
        kind=payload["kind"],
        data=payload["data"],
        attempts=row.attempts,
        posted_ts=row.message_ts,
        steps_done=frozenset(s for s in (row.step or "").split(",") if s),
        outcome_unknown=(
            row.attempts > 1
            and row.message_ts is None
            and not (row.last_error or "").startswith(rows.NOT_PROCESSED)
        ),
    )


def _elapsed() -> float:
    """Seconds on a clock that never goes back and runs on while the process is stopped
    (SIGSTOP) or the machine suspended: what is left of a lease is measured on it."""
    return time.clock_gettime(getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC))


class _RowProgress:
    def __init__(
        self,
        session: Session,
        row: OutboxMessage,
        clock: Clock,
        *,
        lease: timedelta = LEASE,
        pacer: Pacer | None = None,
    ) -> None:
        self._session = session
        self._row = row
        self._clock = clock
        self._lease = lease
        self._pacer = pacer
        self._leased_at = _elapsed()  # claimed just now

    def pace(self, channel: str) -> None:
        if self._pacer is not None:
            self._pacer.wait(channel)

    def still_mine(self) -> None:
        renewing = _elapsed()
        rows.renew(self._session, self._row, lease_until=self._clock.now() + self._lease)
        self._leased_at = renewing

    def before_call(self, bound: timedelta) -> None:
        since = _elapsed() - self._leased_at
        left = self._lease.total_seconds() - since
        if since > RENEWED_JUST_NOW or left < (bound + CALL_MARGIN).total_seconds():
            self.still_mine()

    def posted(self, ts: str) -> None:
        rows.record_step(self._session, self._row, "posted", ts=ts)

    def step_done(self, step: str) -> None:
        rows.record_step(self._session, self._row, step)


class DatabaseClock:
    """The business clock moved onto the database's: every process sharing the database
    judges a lease's end alike, whichever host it runs on and however far off that host's
    clock is. The offset is measured once per dispatch (clocks drift slowly); under
    CLOCKS_AGREE it is taken as none, so a test's fixed clock stays exact."""

    def __init__(self, clock: Clock, offset: timedelta) -> None:
        self._clock = clock
        self.offset = offset

    def now(self) -> datetime:
        return self._clock.now() + self.offset

    @classmethod
    def measure(cls, engine: Engine, clock: Clock) -> DatabaseClock:
        with session_scope(engine) as session:
            before = datetime.now(UTC)
            theirs = database_now(session)
            after = datetime.now(UTC)
        offset = timedelta(0) if theirs is None else theirs - (before + (after - before) / 2)
        if abs(offset) < CLOCKS_AGREE:
            offset = timedelta(0)
        elif abs(offset) > CALL_MARGIN:
            log.warning(
                "this machine's clock is %.0f s %s the database's: leases follow the database",
                abs(offset.total_seconds()),
                "behind" if offset > timedelta(0) else "ahead of",
            )
        return cls(clock, offset)


def dispatch_due(
    engine: Engine,
    sender: Sender,
    *,
    clock: Clock,
    limit: int | None = None,
    lease: timedelta = LEASE,
    call_timeout: timedelta = CALL_TIMEOUT,
    pacer: Pacer | None = None,
) -> DispatchReport:
    """Send every due row, one lease at a time, until none is left (or `limit` rows). The
    lease must outlast the longest Slack call (`call_timeout`) with room to spare; with a
    `pacer`, posts keep under Slack's rates."""
    report = DispatchReport()
    handled = 0
    database_clock = DatabaseClock.measure(engine, clock)
    takeover_wait = call_timeout + CALL_MARGIN
    while limit is None or handled < limit:
        with session_scope(engine) as session:
            now = database_clock.now()
            row = rows.claim_next(
                session, now=now, lease_until=now + lease, takeover_wait=takeover_wait
            )
            if row is None:
                due = rows.next_due(session)
                report.next_due_in = None if due is None else max(due - now, timedelta(0))
                return report
            progress = _RowProgress(session, row, database_clock, lease=lease, pacer=pacer)
            _deliver(session, row, sender, progress=progress, clock=database_clock, report=report)
        handled += 1
    return report


def _deliver(
    session: Session,
    row: OutboxMessage,
    sender: Sender,
    *,
    progress: _RowProgress,
    clock: Clock,
    report: DispatchReport,
) -> None:
    message = _outgoing(row)
    try:
        if message.outcome_unknown:
            progress.still_mine()
            found = sender.find_sent(message)
            message = replace(message, outcome_unknown=False)
            if found is not None:
                progress.posted(found)
                message = replace(
                    message, posted_ts=found, steps_done=message.steps_done | {"posted"}
                )
        ts = sender.send(message, progress=progress)
        if ts is None:
            rows.mark_cancelled(session, row)
            report.cancelled.append(row.key)
        else:
            rows.mark_sent(session, row, ts=ts, now=clock.now())
            report.sent.append(row.key)
    except LeaseLost:
        log.warning("message %s was taken over by another process; leaving it", row.key)
        report.lost.append(row.key)
    except SendRejected as err:
        log.error("message %s refused by Slack: %s", row.key, err.params)
        _give_up(session, row, str(err.params), report)
    except SlackRateLimited as err:
        _wait_out(
            session, row, err, still_unknown=message.outcome_unknown, clock=clock, report=report
        )
    except SlackUnavailable as err:
        _retry_later(session, row, str(err.params), clock=clock, report=report)
    except Exception as err:
        log.exception("message %s failed in the bot itself", row.key)
        _retry_later(session, row, f"{type(err).__name__}: {err}", clock=clock, report=report)


def _wait_out(
    session: Session,
    row: OutboxMessage,
    err: SlackRateLimited,
    *,
    still_unknown: bool,
    clock: Clock,
    report: DispatchReport,
) -> None:
    """A 429: Slack did nothing, so the row goes back until Retry-After, and its next attempt
    need not look in the history (unless the 429 came while looking: an earlier attempt's
    outcome is then still unknown). Not an attempt that counts towards giving up: Slack only
    asked to wait."""
    log.info("message %s rate limited: again in %s s", row.key, err.retry_after)
    note = "ratelimited" if still_unknown else rows.NOT_PROCESSED
    try:
        rows.release(
            session,
            row,
            retry_at=clock.now() + timedelta(seconds=err.retry_after),
            error=f"{note}: {err.params}",
        )
        report.retried.append(row.key)
    except LeaseLost:
        report.lost.append(row.key)


def _retry_later(
    session: Session, row: OutboxMessage, error: str, *, clock: Clock, report: DispatchReport
) -> None:
    if row.attempts >= MAX_ATTEMPTS:
        log.error("message %s failed %d times, giving up: %s", row.key, row.attempts, error)
        _give_up(session, row, error, report)
        return
    log.warning("message %s not sent yet (attempt %d): %s", row.key, row.attempts, error)
    try:
        rows.release(session, row, retry_at=clock.now() + backoff(row.attempts), error=error)
        report.retried.append(row.key)
    except LeaseLost:
        report.lost.append(row.key)


def _give_up(session: Session, row: OutboxMessage, error: str, report: DispatchReport) -> None:
    try:
        rows.mark_failed(session, row, error=error)
        report.failed.append(row.key)
    except LeaseLost:
        report.lost.append(row.key)


def messages(engine: Engine, *, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    with session_scope(engine) as session:
        return rows.list_messages(session, status=status)


def sent_messages(engine: Engine, key_prefix: str) -> list[tuple[str, str]]:
    """(channel, ts) of the posts already sent under keys starting with `key_prefix`."""
    with session_scope(engine) as session:
        return [
            (row.channel, row.message_ts)
            for row in rows.sent_with_prefix(session, key_prefix)
            if row.message_ts
        ]


def retry_failed(engine: Engine, key: str, *, clock: Clock) -> None:
    """Give up on giving up: an operator puts a failed message back in the queue (its key
    stays, so it still goes out at most once). NotFoundError when no failed message has it."""
    with session_scope(engine) as session:
        if not rows.requeue(session, key, now=clock.now()):
            raise NotFoundError("no_failed_message", key=key)
