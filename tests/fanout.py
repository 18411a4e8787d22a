"""A fan-out of reminders for tests and benchmarks: N interventions, each with one lead who is
a user of the Slack fake, all owing April 2026's monthly report, written straight to the store.

At `FANOUT_AT` (April's due day, 09:00) exactly one reminder per intervention is due: the
monthly "due" stage; no quarterly reminder is in play and no stage escalates to the office.
The interventions end on 30 April 2026, so a process planning on the real clock later than
that (a `serve` started by a test) finds nothing more to plan for them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Engine

from simulator.fake_slack import SlackFake
from store.db import session_scope
from store.models import Intervention, InterventionLead, Role, SupportKind
from store.people import add_person
from workflows.calendar import CalendarRules, Period
from workflows.outbox_keys import reminder_digest_key
from workflows.reports import Reporting
from workflows.working_days import WorkingDays

APRIL = Period.month(2026, 4)
REPORTING = Reporting(CalendarRules(), WorkingDays())
OWNER = "Fan-out"


def stage_at(period: Period, stage: str) -> datetime:
    return next(r.at for r in REPORTING.deadline(period).reminders if r.stage == stage)


FANOUT_AT = stage_at(APRIL, "due")


def lead_id(number: int) -> str:
    return f"U0FAN{number:05d}"


def add_fanout(engine: Engine, count: int, *, fake: SlackFake | None = None) -> list[int]:
    """`count` individual interventions with one Slack lead each (added to `fake` too);
    their ids, in the order of the leads' numbers."""
    ids: list[int] = []
    with session_scope(engine) as session:
        for number in range(count):
            intervention = Intervention(
                name=f"Insats {number:05d}",
                owner=OWNER,
                kind=SupportKind.individual,
                first_year=2025,
                last_year=2026,
                starts_on=date(2025, 1, 1),
                ends_on=date(2026, 4, 30),
            )
            session.add(intervention)
            session.flush()
            assert intervention.id is not None
            person = add_person(session, lead_id(number), role=Role.lead, name=f"Lead {number}")
            session.add(
                InterventionLead(
                    intervention_id=intervention.id,
                    email=f"lead{number}@fanout.example",
                    person_id=person.id,
                )
            )
            ids.append(intervention.id)
    if fake is not None:
        for number in range(count):
            fake.add_user(lead_id(number), email=f"lead{number}@fanout.example")
    return ids


def expected_keys(intervention_ids: Iterable[int]) -> set[str]:
    """The reminder keys a fan-out plans at FANOUT_AT: each lead's digest of the day, which
    names the one report the lead owes."""
    return {
        reminder_digest_key(lead_id(number), FANOUT_AT.date())
        for number, _ in enumerate(intervention_ids)
    }


def posted_keys(fake: SlackFake, count: int) -> Counter[str]:
    """How often each outbox key shows among the messages stored in the leads' DMs."""
    found: Counter[str] = Counter()
    for number in range(count):
        for message in fake.messages(fake.dm_channel(lead_id(number))):
            metadata = message.get("metadata") or {}
            key = (metadata.get("event_payload") or {}).get("key")
            if key is not None:
                found[str(key)] += 1
    return found
