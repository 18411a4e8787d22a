"""The office's overview of reporting (DOMAIN.md "Follow-up of interventions"): which
interventions owe a period, whether their report is in, how late it is; the weekly summary of
missing reports; and the <5 rule for counts posted to channels.

A period is *owed* by an intervention in the reporting cycle (it has leads) that runs on some
day of it, monthly periods only by individual-support interventions (`owing`). A report
that was sent back (`returned`) is open again, like a missing one. Working days late are
counted for missing reports only: from the due date to the day asked about (`days_late`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from store.db import session_scope
from store.errors import AccessDenied
from store.models import ReportStatus
from store.people import roles_of
from workflows.calendar import Period, ReportKind, periods_of_year
from workflows.interventions import InterventionInfo, Lead, all_interventions
from workflows.outbox import plan
from workflows.outbox_keys import missing_summary_key
from workflows.outbox_kinds import MissingReportsPayload
from workflows.people import OFFICE_ROLES
from workflows.reports import (
    Reporting,
    ReportView,
    days_late,
    owed_when_due,
    owes_report,
    reports_in,
)

MISSING = "missing"
MISSING_REPORTS = MissingReportsPayload.KIND  # the outbox kind of the weekly summary
OPEN = frozenset({MISSING, ReportStatus.returned.value})
# How far back the weekly summary looks: the last few periods past due of each kind.
LOOKBACK_MONTHS = 3
LOOKBACK_QUARTERS = 2
DEFAULT_SMALL_COUNT_THRESHOLD = 5


@dataclass(frozen=True)
class StatusRow:
    """One intervention's report for one period. `status` is `missing` or a ReportStatus."""

    intervention: InterventionInfo
    status: str
    late: bool
    days_late: int
    submitted_at: datetime | None
    revision: int | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass(frozen=True)
class PeriodStatus:
    period: Period
    due: date
    rows: tuple[StatusRow, ...]

    @property
    def open_rows(self) -> tuple[StatusRow, ...]:
        return tuple(row for row in self.rows if row.is_open)

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.rows)


def owing(
    interventions: Sequence[InterventionInfo], period: Period, *, due: date | None
) -> list[InterventionInfo]:
    """The interventions that owe a report for `period` (`owes_report`) due on `due`: not
    one due before the bot went live for it (`owed_when_due`). `due` None: every report
    the intervention is in the cycle for, owed or not (e.g. the figures of a year)."""
    return [
        info
        for info in interventions
        if owes_report(info, period) and (due is None or owed_when_due(info, due))
    ]


def _passed(reporting: Reporting, today: date) -> list[Period]:
    """This year's and last year's periods whose due date is before `today`, by due date
    (months before quarters on the same day)."""
    passed = [
        period
        for period in periods_of_year(today.year - 1) + periods_of_year(today.year)
        if reporting.deadline(period).due < today
    ]
    return sorted(passed, key=lambda p: (reporting.deadline(p).due, p.kind is ReportKind.quarterly))


def latest_due_period(reporting: Reporting, today: date) -> Period:
    """The default period of `/finsam status`: the one whose due date passed most recently
    (a month or a quarter, whichever was due last; on a tie the quarter)."""
    return _passed(reporting, today)[-1]


def past_due_periods(
    reporting: Reporting,
    today: date,
    *,
    months: int = LOOKBACK_MONTHS,
    quarters: int = LOOKBACK_QUARTERS,
) -> list[Period]:
    """The last `months` monthly and `quarters` quarterly periods whose due date has passed,
    oldest due date first."""
    passed = _passed(reporting, today)
    monthly = [p for p in passed if p.kind is ReportKind.monthly][-months:] if months else []
    quarterly = [p for p in passed if p.kind is ReportKind.quarterly]
    keep = set(monthly) | set(quarterly[-quarters:] if quarters else [])
    return [p for p in passed if p in keep]


def status_row(
    info: InterventionInfo,
    report: ReportView | None,
    *,
    reporting: Reporting,
    period: Period,
    today: date,
) -> StatusRow:
    if report is None:
        late = today > reporting.deadline(period).due
        return StatusRow(
            info,
            MISSING,
            late=late,
            days_late=days_late(reporting, period, until=today),
            submitted_at=None,
            revision=None,
        )
    return StatusRow(
        info,
        report.status.value,
        late=report.late,
        days_late=0,
        submitted_at=report.submitted_at,
        revision=report.revision,
    )


def period_statuses(
    engine: Engine, reporting: Reporting, periods: Sequence[Period], *, today: date
) -> list[PeriodStatus]:
    """Each period with a row per intervention that owes it (sorted by name and owner)."""
    interventions = all_interventions(engine)
    reports = reports_in(engine, [period.label for period in periods])
    return [
        PeriodStatus(
            period,
            reporting.deadline(period).due,
            tuple(
                status_row(
                    info,
                    reports.get((info.id, period.label)),
                    reporting=reporting,
                    period=period,
                    today=today,
                )
                for info in owing(interventions, period, due=reporting.deadline(period).due)
            ),
        )
        for period in periods
    ]


def period_status(
    engine: Engine, reporting: Reporting, period: Period, *, today: date
) -> PeriodStatus:
    return period_statuses(engine, reporting, [period], today=today)[0]


def require_office(engine: Engine, user_id: str, *, refusal: str = "office_only") -> None:
    """AccessDenied(`refusal`) unless the user is office staff or the director."""
    with session_scope(engine) as session:
        if not roles_of(session, user_id) & OFFICE_ROLES:
            raise AccessDenied(refusal)


def attention_first(rows: Sequence[StatusRow]) -> list[StatusRow]:
    """Missing (latest first), then returned, submitted, accepted; by name within each."""
    order = {MISSING: 0, "returned": 1, "submitted": 2, "accepted": 3}
    return sorted(
        rows,
        key=lambda r: (order.get(r.status, 4), -r.days_late, r.intervention.name.casefold()),
    )


def lead_to_dict(lead: Lead) -> dict[str, Any]:
    return {"name": lead.name, "email": lead.email, "slack_user_id": lead.slack_user_id}


def status_to_dict(status: PeriodStatus) -> dict[str, Any]:
    """The JSON shape of `finsam-bot reports status --format json`."""
    return {
        "period": status.period.label,
        "kind": status.period.kind.value,
        "due": status.due.isoformat(),
        "interventions": [
            {
                "id": row.intervention.id,
                "name": row.intervention.name,
                "owner": row.intervention.owner,
                "status": row.status,
                "late": row.late,
                "days_late": row.days_late,
                "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
                "revision": row.revision,
                "leads": [lead_to_dict(lead) for lead in row.intervention.leads],
            }
            for row in status.rows
        ],
    }


# --------------------------------------------------------------------------- weekly summary


def missing_summary(engine: Engine, reporting: Reporting, *, today: date) -> list[PeriodStatus]:
    """The recent periods past due that have missing or returned reports, each with only
    those rows (most days late first); empty when everything is in."""
    found = []
    for status in period_statuses(
        engine, reporting, past_due_periods(reporting, today), today=today
    ):
        open_rows = tuple(attention_first(status.open_rows))
        if open_rows:
            found.append(PeriodStatus(status.period, status.due, open_rows))
    return found


def plan_missing_summary(engine: Engine, *, now: datetime, tz: ZoneInfo, channel: str) -> str:
    """Plan this week's summary (once per ISO week and channel); what it says is decided
    when it is sent, so a report that came in meanwhile is not listed, and a week with
    nothing missing posts nothing."""
    today = now.astimezone(tz).date()
    key = missing_summary_key(channel, today)
    with session_scope(engine) as session:
        plan(
            session,
            key=key,
            channel=channel,
            payload=MissingReportsPayload(date=today),
            now=now,
        )
    return key


def weekly_due(cron: str, *, now: datetime, tz: ZoneInfo) -> bool:
    """Whether this ISO week's scheduled time has come: lets a bot that was down then post
    the week's summary when it starts (once: the key is per week)."""
    local = now.astimezone(tz)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    first = CronTrigger.from_crontab(cron, timezone=tz).get_next_fire_time(None, monday)
    return first is not None and first <= local


# --------------------------------------------------------------------------- the <5 rule


def mask_count(count: int, threshold: int = DEFAULT_SMALL_COUNT_THRESHOLD) -> str:
    """A count as a channel may show it: 1 … threshold−1 become "<threshold" (a small group
    can identify people); 0 stays 0 (nobody to identify) and so does everything from the
    threshold up. A threshold of 0 or 1 turns masking off. Exports and the store keep the
    exact figures."""
    if 0 < count < threshold:
        return f"<{threshold}"
    return str(count)


def is_masked(count: int, threshold: int = DEFAULT_SMALL_COUNT_THRESHOLD) -> bool:
    return 0 < count < threshold


def hidden_in_chain(
    counts: Sequence[int], threshold: int = DEFAULT_SMALL_COUNT_THRESHOLD
) -> list[bool]:
    """Which counts of a chain, each a part of the ones before it (participants ⊇ ended ⊇ to
    work or studies), a channel may not show. Every count below the threshold is masked; and
    of two counts shown side by side whose difference (those in the whole, not in the part)
    is below it, the whole is hidden too: "7 ended, of them 5 to work" tells the 2 others.
    Repeated until no shown pair tells a small difference. A threshold of 0 or 1 hides
    nothing."""
    hidden = [is_masked(count, threshold) for count in counts]
    changed = True
    while changed:
        changed = False
        for whole in range(len(counts)):
            for part in range(whole + 1, len(counts)):
                if hidden[whole] or hidden[part]:
                    continue
                if is_masked(counts[whole] - counts[part], threshold):
                    hidden[whole] = changed = True
    return hidden
