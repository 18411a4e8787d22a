"""Planning report reminders (DOMAIN.md "Follow-up of interventions", DESIGN.md "Time" and
"Outgoing messages are data").

At any instant, each report that is owed and not in has at most one reminder stage due: the
latest whose time has come. Planning gathers those stages per recipient (the lead, or the
lead's deputy during an absence) into one digest a day, and the escalating ones into the
office's digest of the day (workflows/digests.py): keyed per recipient and day, each report's
stage taken in once, so planning again — the next tick, a second process, a restart — adds
nothing. A bot that was down sends only the latest stage when it comes back: a digest of an
earlier day still waiting is cancelled and today's takes in what is still due, and a stage
older than the catch-up window is not sent at all (a bot started on a new database does not
send a year of old reminders)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from store.db import session_scope
from store.models import ReportStatus
from workflows.absence import AbsenceMap, absence_map
from workflows.calendar import PeriodDeadline, Reminder, periods_of_year, send_slot
from workflows.digests import DigestPlanned, plan_digest
from workflows.interventions import InterventionInfo, all_interventions
from workflows.outbox_keys import (
    escalation_digest_key,
    escalation_digest_prefix,
    reminder_digest_key,
    reminder_digest_prefix,
)
from workflows.outbox_kinds import (
    EscalationDigestPayload,
    ReminderDigestPayload,
    ReminderItem,
)
from workflows.reports import (
    Reporting,
    owed_when_due,
    owes_report,
    reports_in,
)

log = logging.getLogger(__name__)

DEFAULT_CATCH_UP = timedelta(days=14)
DONE = frozenset({ReportStatus.submitted, ReportStatus.accepted})


@dataclass
class PlanReport:
    planned: list[str] = field(default_factory=list)  # digest rows this call created
    extended: list[str] = field(default_factory=list)  # waiting ones that took in more
    unreachable: list[str] = field(default_factory=list)  # interventions with no Slack lead


def current_stage(deadline: PeriodDeadline, *, now: datetime) -> Reminder | None:
    """The latest reminder whose time has come, or None before the first."""
    due = [reminder for reminder in deadline.reminders if reminder.at <= now]
    return due[-1] if due else None


def _superseded(deadline: PeriodDeadline, stage: Reminder, slot: datetime) -> bool:
    """A stage held until `slot` whose next stage is due by then is not planned: the next
    one goes out at the slot instead, and the lead gets one reminder, not two."""
    later = [reminder for reminder in deadline.reminders if reminder.at > stage.at]
    return bool(later) and later[0].at <= slot


def periods_in_play(now: datetime, reporting: Reporting) -> list[PeriodDeadline]:
    """Periods of this year and last whose first reminder has come (last year's December and
    Q4 are due in January)."""
    year = now.astimezone(reporting.rules.tz).year
    deadlines = [
        reporting.deadline(period) for period in periods_of_year(year - 1) + periods_of_year(year)
    ]
    return [d for d in deadlines if d.reminders and d.reminders[0].at <= now]


def plan_reminders(
    engine: Engine,
    reporting: Reporting,
    *,
    now: datetime,
    office_channel: str | None,
    catch_up: timedelta = DEFAULT_CATCH_UP,
) -> PlanReport:
    """Plan the reminders due at `now`: one digest per recipient and send day, with every
    report whose stage is due, and the office's digest of the stages that escalate; their
    keys and items make planning idempotent (workflows/digests.py). Planned outside the
    send window (a bot back at night or on a weekend) they wait for the next send time on
    a working day, and are keyed by that day."""
    result = PlanReport()
    tz = reporting.rules.tz
    slot = send_slot(
        now,
        tz=tz,
        send_at=reporting.rules.send_time,
        working_days=reporting.working_days,
    )
    active = [
        (deadline, stage)
        for deadline in periods_in_play(now, reporting)
        if (stage := current_stage(deadline, now=now)) is not None
        and stage.at >= now - catch_up
        and not _superseded(deadline, stage, slot)
    ]
    if not active:
        return result
    day = slot.astimezone(tz).date()
    since = min(stage.at for _, stage in active).astimezone(tz).date()
    interventions = all_interventions(engine)
    reports = reports_in(engine, [deadline.period.label for deadline, _ in active])
    absences = absence_map(engine)
    by_recipient: dict[str, list[ReminderItem]] = {}
    escalations: list[ReminderItem] = []
    for deadline, stage in active:
        for intervention in interventions:
            if not (
                owes_report(intervention, deadline.period)
                and owed_when_due(intervention, deadline.due)
            ):
                continue
            report = reports.get((intervention.id, deadline.period.label))
            if report is not None and report.status in DONE:
                continue
            recipients = _recipients(intervention, stage, absences)
            if not recipients:
                result.unreachable.append(intervention.label)
            for recipient, lead, on_behalf_of in recipients:
                by_recipient.setdefault(recipient, []).append(
                    ReminderItem(
                        intervention_id=intervention.id,
                        period=deadline.period.label,
                        stage=stage.stage,
                        due=deadline.due,
                        lead=lead,
                        on_behalf_of=on_behalf_of,
                    )
                )
            if stage.notify_office and office_channel:
                escalations.append(
                    ReminderItem(intervention.id, deadline.period.label, stage.stage, deadline.due)
                )
    with session_scope(engine) as session:
        for recipient, items in by_recipient.items():
            _note(
                result,
                plan_digest(
                    session,
                    prefix=reminder_digest_prefix(recipient),
                    key=reminder_digest_key(recipient, day),
                    channel=recipient,
                    day=day,
                    items=items,
                    since=since,
                    make=lambda day, items: ReminderDigestPayload(day=day, items=items),
                    now=now,
                    not_before=slot,
                ),
            )
        if escalations and office_channel:
            _note(
                result,
                plan_digest(
                    session,
                    prefix=escalation_digest_prefix(office_channel),
                    key=escalation_digest_key(office_channel, day),
                    channel=office_channel,
                    day=day,
                    items=escalations,
                    since=since,
                    make=lambda day, items: EscalationDigestPayload(day=day, items=items),
                    now=now,
                    not_before=slot,
                ),
            )
    if result.planned or result.extended:
        log.info(
            "planned %d reminder digests, added to %d", len(result.planned), len(result.extended)
        )
    return result


def _note(result: PlanReport, planned: DigestPlanned | None) -> None:
    if planned is None:
        return
    (result.planned if planned.created else result.extended).append(planned.key)


def _recipients(
    intervention: InterventionInfo, stage: Reminder, absences: AbsenceMap
) -> list[tuple[str, str, str | None]]:
    """(recipient, lead, on behalf of) per lead reachable in Slack; a deputy standing in for
    two leads gets one message."""
    seen: set[str] = set()
    found: list[tuple[str, str, str | None]] = []
    day = stage.at.date()
    for lead in intervention.leads:
        if lead.slack_user_id is None:
            continue
        recipient, on_behalf_of = absences.recipient_on(lead.slack_user_id, day)
        if recipient in seen:
            continue
        seen.add(recipient)
        found.append((recipient, lead.slack_user_id, on_behalf_of))
    return found
