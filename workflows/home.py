"""What a lead sees on the App Home tab: their interventions, what is open (past due and
missing, or sent back), the next deadlines, and their last submissions.

A lead may report a period once it has ended; the button is offered for every open period
within the weekly summary's look-back (`past_due_periods`) and for upcoming periods that have
ended and are not in yet. A deputy standing in for an absent lead today also sees that
lead's interventions, marked with whom they cover for and until when (`Covering`), with the
same buttons: the report form lets a covering deputy report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from store.db import session_scope
from workflows.absence import covering_absences
from workflows.calendar import Period, periods_of_year
from workflows.interventions import InterventionInfo, interventions_led_by
from workflows.outbox import REPLY, plan_new
from workflows.overview import OPEN, StatusRow, owing, past_due_periods, status_row
from workflows.reports import Reporting, ReportView, home_refresh, reports_in

UPCOMING = 3
RECENT = 5


@dataclass(frozen=True)
class Deadline:
    period: Period
    due: date
    row: StatusRow
    can_report: bool


@dataclass(frozen=True)
class Covering:
    """The user stands in for `lead_user_id` through `until` (inclusive)."""

    lead_user_id: str
    until: date


@dataclass(frozen=True)
class InterventionHome:
    intervention: InterventionInfo
    open: tuple[Deadline, ...]  # past due: missing or sent back
    upcoming: tuple[Deadline, ...]  # the next UPCOMING due dates, whatever their status
    covering: Covering | None = None  # set when shown because the user is a deputy


@dataclass(frozen=True)
class RecentSubmission:
    intervention: InterventionInfo
    period: Period
    submitted_at: datetime
    status: str
    revision: int


@dataclass(frozen=True)
class LeadHome:
    user_id: str
    interventions: tuple[InterventionHome, ...]
    recent: tuple[RecentSubmission, ...]

    @property
    def is_lead(self) -> bool:
        return bool(self.interventions)


def covered_interventions(
    engine: Engine, user_id: str, *, today: date, own: set[int]
) -> list[tuple[InterventionInfo, Covering]]:
    """The interventions of the leads the user stands in for today (absences in one query),
    leaving out those in `own`: a co-lead sees them once, as their own."""
    found: list[tuple[InterventionInfo, Covering]] = []
    seen = set(own)
    for absence in covering_absences(engine, user_id, today=today):
        covering = Covering(absence.lead_user_id, absence.ends_on)
        for info in interventions_led_by(engine, absence.lead_user_id):
            if info.id not in seen:
                seen.add(info.id)
                found.append((info, covering))
    return found


def lead_home(engine: Engine, reporting: Reporting, user_id: str, *, today: date) -> LeadHome:
    """The user's own interventions, then those they cover for an absent lead today."""
    led = interventions_led_by(engine, user_id)
    shown: list[tuple[InterventionInfo, Covering | None]] = [(info, None) for info in led]
    shown += covered_interventions(engine, user_id, today=today, own={i.id for i in led})
    if not shown:
        return LeadHome(user_id, (), ())
    recent_periods = past_due_periods(reporting, today)
    ahead = [
        period
        for period in periods_of_year(today.year) + periods_of_year(today.year + 1)
        if reporting.deadline(period).due >= today
    ]
    ahead.sort(key=lambda p: (reporting.deadline(p).due, p.kind.value))
    history = periods_of_year(today.year - 1) + periods_of_year(today.year)
    labels = {p.label for p in [*recent_periods, *ahead, *history]}
    reports = reports_in(engine, sorted(labels), intervention_ids=[i.id for i, _ in shown])

    def deadline(info: InterventionInfo, period: Period) -> Deadline:
        row = status_row(
            info,
            reports.get((info.id, period.label)),
            reporting=reporting,
            period=period,
            today=today,
        )
        return Deadline(
            period, reporting.deadline(period).due, row, row.is_open and period.end < today
        )

    def owed(info: InterventionInfo, period: Period) -> bool:
        return bool(owing([info], period, due=reporting.deadline(period).due))

    homes = []
    for info, covering in shown:
        open_ = [deadline(info, p) for p in recent_periods if owed(info, p)]
        upcoming = [deadline(info, p) for p in ahead if owed(info, p)][:UPCOMING]
        homes.append(
            InterventionHome(
                info,
                tuple(d for d in open_ if d.row.status in OPEN),
                tuple(upcoming),
                covering,
            )
        )
    covered = {info.id for info, covering in shown if covering is not None}
    return LeadHome(user_id, tuple(homes), _recent(user_id, shown, covered, reports))


def _recent(
    user_id: str,
    shown: list[tuple[InterventionInfo, Covering | None]],
    covered: set[int],
    reports: dict[tuple[int, str], ReportView],
) -> tuple[RecentSubmission, ...]:
    """The latest reports of the user's own interventions, and of the covered ones only
    those the user sent: the lead's own reports are not "yours"."""
    by_id = {info.id: info for info, _ in shown}
    mine = [
        view
        for (iid, _), view in reports.items()
        if iid in by_id and (iid not in covered or view.submitted_by == user_id)
    ]
    mine.sort(key=lambda view: view.submitted_at, reverse=True)
    return tuple(
        RecentSubmission(
            by_id[view.intervention_id],
            Period.parse(view.period),
            view.submitted_at,
            view.status.value,
            view.revision,
        )
        for view in mine[:RECENT]
    )


def plan_home_opened(engine: Engine, user_id: str, *, event_id: str, now: datetime) -> bool:
    """Plan the publish of `user_id`'s Home tab for one `app_home_opened` event; True unless
    it was planned already. Slack delivers an event again when it thinks the first delivery
    went unanswered (`X-Slack-Retry-Num` 1–3, the same `event_id`), to whichever process
    answers: the outbox key, unique in the database, names the event, so a retry is a no-op
    in every process."""
    with session_scope(engine) as session:
        planned = plan_new(
            session, [home_refresh(user_id, event=f"opened:{event_id}")], now=now, priority=REPLY
        )
    return bool(planned)
