"""The daily digests (issue #12, "Less noise"): a recipient gets at most one reminder DM a
day, and the office one post a day, each about every report whose stage is due then.

A digest's row is keyed per recipient and day (`reminder_digest:<user>:<day>`,
`escalation_digest:<channel>:<day>`), so planning again adds no row. What it is about is
its items, each a report's stage, and a report's stage goes to a recipient once: planning
leaves out what an earlier digest of the recipient took in (sent, being sent, or waiting),
takes what is new into today's row while no dispatcher has tried it yet, and otherwise
leaves it for the next day's. A digest of an earlier day that never went out is cancelled
and today's takes in its reports (those still at that stage): the bot back after downtime
sends one message, not one per day missed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from store.db import session_scope
from store.digests import (
    DigestRow,
    cancel_pending_before,
    cancel_waiting,
    digest_rows,
    extend_pending,
    sent_digests_mentioning,
    waiting_mentioning,
)
from store.models import OutboxStatus
from workflows.outbox import plan, stored_payload
from workflows.outbox_keys import DIGESTS, ESCALATION_DIGESTS
from workflows.outbox_kinds import (
    PAYLOADS,
    EscalationDigestPayload,
    Payload,
    ReminderDigestPayload,
    ReminderItem,
)

# A digest payload made from its day and items.
MakeDigest = Callable[[date, tuple[ReminderItem, ...]], Payload]


@dataclass(frozen=True)
class DigestPlanned:
    key: str
    created: bool  # False: an existing row took in more reports
    items: tuple[ReminderItem, ...]  # what this call added


def items_of(row: DigestRow) -> tuple[ReminderItem, ...]:
    """A digest row's items, as its payload stores them."""
    return ReminderDigestPayload.from_data(row.data).items  # both digests have this shape


def plan_digest(
    session: Session,
    *,
    prefix: str,
    key: str,
    channel: str,
    day: date,
    items: Sequence[ReminderItem],
    since: date,
    make: MakeDigest,
    now: datetime,
    not_before: datetime,
) -> DigestPlanned | None:
    """Plan (or extend) the digest `key` of `day` with those of `items` no digest of the
    recipient has taken in since `since` (the day the oldest stage in play began); None
    when nothing is new or today's row is already on its way."""
    rows = digest_rows(session, prefix, from_key=f"{prefix}{since.isoformat()}")
    replaced = set(cancel_pending_before(session, prefix, before_key=key))
    taken = {
        item.event
        for row in rows
        if row.status is not OutboxStatus.cancelled and row.key not in replaced
        for item in items_of(row)
    }
    new = _unique(item for item in items if item.event not in taken)
    if not new:
        return None
    today = next((row for row in rows if row.key == key), None)
    if today is None:
        payload = make(day, new)
        if plan(session, key=key, channel=channel, payload=payload, now=now, not_before=not_before):
            return DigestPlanned(key, True, new)
        return None  # another process planned it just now: the next tick sees its items
    if today.status is not OutboxStatus.pending or today.attempts:
        return None  # on its way (or gone): what is new waits for the next day's
    extended = make(day, items_of(today) + new)
    if extend_pending(session, today, stored_payload(extended)):
        return DigestPlanned(key, False, new)
    return None


@dataclass(frozen=True)
class SentDigest:
    """A reminder digest that went out: where, its ts, and what it was about."""

    channel: str
    ts: str
    items: tuple[ReminderItem, ...]


def item_text(intervention_id: int, period: str) -> str:
    """How a digest row's JSON writes an item about this report (`ReminderItem`'s first two
    fields, `json.dumps` of `stored_payload`): the rows are found by it in the database, so a
    submission reads only the few digests that name its report, not every one of the period
    (500 leads' digests cost a form 70 ms of CPU, bench_forms)."""
    return json.dumps({"intervention_id": intervention_id, "period": period})[1:-1]


def drop_report(session: Session, intervention_id: int, period: str) -> list[str]:
    """A report came in: take it out of every digest still waiting (never tried), in the
    submission's transaction, so the digest goes out without it, and a digest left with
    nothing is cancelled. A digest already on its way leaves it out when it is built (its
    builder checks), and one sent is updated (kind `reminders_done`). The keys changed."""
    mentions = item_text(intervention_id, period)
    changed: list[str] = []
    for prefix in (DIGESTS, ESCALATION_DIGESTS):
        for row in waiting_mentioning(session, prefix, mentions):
            payload = PAYLOADS[str(json.loads(row.payload)["kind"])].from_data(row.data)
            assert isinstance(payload, ReminderDigestPayload | EscalationDigestPayload)
            kept = tuple(i for i in payload.items if i.report != (intervention_id, period))
            if len(kept) == len(payload.items):
                continue
            done = (
                extend_pending(session, row, stored_payload(replace(payload, items=kept)))
                if kept
                else cancel_waiting(session, row)
            )
            if done:
                changed.append(row.key)
    return changed


def sent_reminder_digests(engine: Engine, intervention_id: int, period: str) -> list[SentDigest]:
    """Every sent reminder digest, to any recipient, that names the report (to turn its
    line "done")."""
    mentions = item_text(intervention_id, period)
    with session_scope(engine) as session:
        rows = sent_digests_mentioning(session, DIGESTS, mentions)
    found: list[SentDigest] = []
    for row in rows:
        items = items_of(row)
        if row.message_ts and any(item.report == (intervention_id, period) for item in items):
            found.append(SentDigest(row.channel, row.message_ts, items))
    return found


def digests_on_their_way(engine: Engine, intervention_id: int, period: str) -> list[str]:
    """The keys of the reminder digests naming the report that a dispatcher holds now: one
    built before the report came in may show its button, so its "done" update waits until
    it is sent."""
    mentions = item_text(intervention_id, period)
    with session_scope(engine) as session:
        rows = sent_digests_mentioning(session, DIGESTS, mentions, status=OutboxStatus.sending)
    return [
        row.key
        for row in rows
        if any(item.report == (intervention_id, period) for item in items_of(row))
    ]


def _unique(items: Iterable[ReminderItem]) -> tuple[ReminderItem, ...]:
    """Each report's stage once (a deputy standing in for two leads of one intervention)."""
    seen: dict[tuple[int, str, str], ReminderItem] = {}
    for item in items:
        seen.setdefault(item.event, item)
    return tuple(seen.values())
