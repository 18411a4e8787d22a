"""Reports coming in and being reviewed (DOMAIN.md "Follow-up of interventions").

A submission is stored as the next revision of its (intervention, period) report, in the same
transaction as what it sets off: the period's pending reminders are cancelled, and the
confirmation to the sender, the update of the reminder messages ("done") and the office's
review post are planned as outbox rows. So a report is never stored without its follow-ups,
nor a follow-up sent for a report that was not stored. Office staff accept a report or send
it back with a comment, which reopens the period: the reminders resume at their next stage."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from store import outbox as outbox_rows
from store import reports as rows
from store.absences import list_absences
from store.budget import bump_revisions
from store.db import session_scope
from store.errors import AccessDenied, ConflictError, NotFoundError
from store.models import Report, ReportKind, ReportStatus, SupportKind
from store.people import roles_of
from workflows.calendar import CalendarRules, Period, PeriodDeadline, deadline_for
from workflows.digests import drop_report
from workflows.interventions import InterventionInfo, intervention_in
from workflows.outbox import REPLY, Planned, plan, plan_new
from workflows.outbox_keys import (
    home_refresh_key,
    received_key,
    reminder_prefix,
    reminders_done_key,
    returned_key,
    review_key,
    review_prefix,
    review_revision,
    review_update_key,
)
from workflows.outbox_kinds import (
    HomeRefreshPayload,
    ReceivedPayload,
    RemindersDonePayload,
    ReturnedPayload,
    ReviewPayload,
    ReviewUpdatePayload,
)
from workflows.people import OFFICE_ROLES, in_office
from workflows.working_days import WorkingDays

RECEIVED = ReceivedPayload.KIND
REMINDERS_DONE = RemindersDonePayload.KIND
REVIEW = ReviewPayload.KIND
RETURNED = ReturnedPayload.KIND
# The office's review post of a revision rewritten once it was sent back (planned with the
# send-back, so only a send-back that was stored sets it off).
REVIEW_UPDATE = ReviewUpdatePayload.KIND
# The lead's App Home, published again by the worker after a submission or a review.
HOME_REFRESH = HomeRefreshPayload.KIND


@dataclass(frozen=True)
class Reporting:
    """The calendar rules with their working days: when a period is due."""

    rules: CalendarRules
    working_days: WorkingDays

    @classmethod
    def default(cls) -> Reporting:
        return cls(CalendarRules(), WorkingDays())

    def deadline(self, period: Period) -> PeriodDeadline:
        return deadline_for(period, self.rules, self.working_days)

    def is_late(self, period: Period, at: datetime) -> bool:
        return at.astimezone(self.rules.tz).date() > self.deadline(period).due


def owes(kind: SupportKind, period: Period) -> bool:
    """Monthly reports come from individual-support interventions only."""
    return period.kind is ReportKind.quarterly or kind is SupportKind.individual


def owes_report(intervention: InterventionInfo, period: Period) -> bool:
    """Whether the intervention owes a report for the period: it is in the reporting cycle
    (it has leads: an intervention known only from a budget line is not), it runs during the
    period, and it owes this kind (monthly: individual support only)."""
    return (
        bool(intervention.leads)
        and owes(intervention.kind, period)
        and intervention.active_during(period.start, period.end)
    )


def owed_when_due(intervention: InterventionInfo, due: date) -> bool:
    """A report due on `due` is owed once the bot went live for the intervention: not one
    due before `reports_from` (the installation's go-live, or its own later day). It may
    still come in (`may_report_period`); nobody is reminded of it or told it is missing."""
    return intervention.reports_from is None or due >= intervention.reports_from


def may_report_period(intervention: InterventionInfo, period: Period, *, today: date) -> bool:
    """Whether a report for `period` may come in `today`: the intervention owes it (its
    kind, its start and end; one without a start date reports from its first year only)
    and the period has begun. A form for any other period (a forged `1999-01`, `2099-12`)
    is refused before anything is stored."""
    first = intervention.starts_on or date(intervention.first_year or period.year, 1, 1)
    return owes_report(intervention, period) and first <= period.end and period.start <= today


def delivery_key(view_id: str, answers: dict[str, Any]) -> str:
    """The same view submitted with the same answers is the same submission (a duplicated
    delivery); a new view, or new answers, is a new one."""
    canonical = json.dumps([view_id, answers], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Submission:
    report_id: int
    intervention_id: int
    period: str
    revision: int
    late: bool
    created: bool  # False: this delivery was already stored


@dataclass(frozen=True)
class ReportView:
    """A report as the office and the lead see it: its state and latest answers."""

    report_id: int
    intervention_id: int
    period: str
    kind: ReportKind
    status: ReportStatus
    revision: int
    submitted_by: str
    submitted_at: datetime
    late: bool
    answers: dict[str, Any]
    review_comment: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None = None


def may_see_report(engine: Engine, user_id: str, lead_ids: set[str]) -> bool:
    """A report's answers are for its leads and the office (and its sender: the caller)."""
    return user_id in lead_ids or in_office(engine, user_id)


def may_review(engine: Engine, user_id: str) -> bool:
    """Accepting and sending back reports is for office staff."""
    return in_office(engine, user_id)


def reporting_target(
    engine: Engine, user_id: str, intervention_id: int, *, today: date
) -> InterventionInfo:
    """The intervention, if `user_id` may report for it `today` (a lead, a deputy covering
    a lead today, office staff); NotFoundError or AccessDenied otherwise. One transaction:
    it runs before the answer to every form."""
    with session_scope(engine) as session:
        intervention = intervention_in(session, intervention_id)
        leads = {lead.slack_user_id for lead in intervention.leads if lead.slack_user_id}
        if user_id in leads:
            return intervention
        covering = list_absences(session, deputy_user_id=user_id, ending_on_or_after=today)
        if any(a.lead_user_id in leads and a.starts_on <= today for a in covering):
            return intervention
        if roles_of(session, user_id) & OFFICE_ROLES:
            return intervention
    raise AccessDenied("not_your_intervention", intervention=intervention.label)


def submit_report(
    engine: Engine,
    reporting: Reporting,
    *,
    intervention_id: int,
    period: Period,
    user_id: str,
    answers: dict[str, Any],
    delivery: str,
    now: datetime,
    office_channel: str | None,
) -> Submission:
    """Store the answers as the next revision and plan what follows; idempotent per `delivery`.
    ConflictError `report_already_accepted` when the office accepted the report since the
    form was opened: an accepted report is reopened only by the office sending it back."""
    late = reporting.is_late(period, now)
    for attempt in range(3):
        try:
            with session_scope(engine) as session:
                report, revision, created = rows.add_revision(
                    session,
                    intervention_id=intervention_id,
                    period=period.label,
                    kind=period.kind,
                    submitted_by=user_id,
                    submitted_at=now,
                    late=late,
                    answers=answers,
                    delivery_key=delivery,
                )
                assert report.id is not None
                if created:
                    _plan_follow_ups(
                        session,
                        report,
                        revision=revision.revision,
                        user_id=user_id,
                        now=now,
                        office_channel=office_channel,
                    )
                return Submission(
                    report_id=report.id,
                    intervention_id=intervention_id,
                    period=period.label,
                    revision=revision.revision,
                    late=revision.late,
                    created=created,
                )
        except rows.ReportAccepted as err:
            raise ConflictError("report_already_accepted", period=period.label) from err
        except (IntegrityError, rows.RevisionTaken):
            # Two submissions took the same revision number at once (SQLite has no row
            # lock): the second tries again on top of the first.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _plan_follow_ups(
    session: Any,
    report: Report,
    *,
    revision: int,
    user_id: str,
    now: datetime,
    office_channel: str | None,
) -> None:
    outbox_rows.cancel_pending(session, reminder_prefix(report.intervention_id, report.period))
    drop_report(session, report.intervention_id, report.period)  # the daily digests waiting
    if report.kind == ReportKind.quarterly:
        # Stated costs show in the budget status as preliminary money: cached figures go.
        bump_revisions(session, {int(report.period[:4])})
    assert report.id is not None
    follow_ups = [
        Planned(
            received_key(report.id, revision),
            user_id,
            ReceivedPayload(report_id=report.id, revision=revision),
        ),
        Planned(
            reminders_done_key(report.id, revision),
            user_id,
            RemindersDonePayload(
                report_id=report.id,
                revision=revision,
                intervention_id=report.intervention_id,
                period=report.period,
            ),
        ),
        home_refresh(user_id, event=f"{report.id}:{revision}"),
    ]
    if office_channel:
        review = ReviewPayload(report_id=report.id, revision=revision)
        follow_ups.append(Planned(review_key(report.id, revision), office_channel, review))
    plan_new(session, follow_ups, now=now, priority=REPLY)


def home_refresh(user_id: str, *, event: str) -> Planned:
    """Publish `user_id`'s App Home again once, for `event`: by the worker, not while the
    user waits for the answer to a form (bot/worker.py)."""
    return Planned(home_refresh_key(user_id, event), user_id, HomeRefreshPayload())


def review_report(
    engine: Engine,
    *,
    report_id: int,
    reviewer: str,
    accept: bool,
    comment: str | None,
    now: datetime,
    revision: int | None = None,
) -> ReportView:
    """Accept a report, or send it back with a comment (the lead is told, and may correct it).
    Office staff only. `revision` is the one the reviewer saw (the review post's): when a
    newer one came in since, ConflictError `newer_revision` (it has a review post of its
    own), so a decision is never taken on answers nobody looked at. The report row is locked
    (PostgreSQL) so a submission and a review do not cross. A send-back plans the rewriting
    of the revision's review post with the rest: nothing follows a refused one."""
    with session_scope(engine) as session:
        if not roles_of(session, reviewer) & OFFICE_ROLES:
            raise AccessDenied("office_only")
        report = rows.report_for_review(session, report_id)
        if report is None:
            raise NotFoundError("unknown_report", report_id=report_id)
        shown = report.revision if revision is None else revision
        status = ReportStatus.accepted if accept else ReportStatus.returned
        if shown != report.revision or not rows.set_review(
            session,
            report,
            status=status,
            reviewer=reviewer,
            at=now,
            comment=comment,
            revision=shown,
        ):
            raise ConflictError("newer_revision", shown=shown, latest=report.revision)
        latest = rows.latest_revision(session, report)
        assert latest is not None
        plan_new(
            session,
            [
                home_refresh(
                    latest.submitted_by, event=f"{report.id}:{report.revision}:{status.value}"
                )
            ],
            now=now,
            priority=REPLY,
        )
        if not accept:
            assert report.id is not None
            plan(
                session,
                key=returned_key(report.id, report.revision),
                channel=latest.submitted_by,
                payload=ReturnedPayload(report_id=report.id, revision=report.revision),
                now=now,
            )
            _plan_review_update(session, report, status=status, now=now)
        return _view(session, report)


@dataclass(frozen=True)
class ReviewPost:
    """An office review post that went out: which revision it showed, where it is."""

    revision: int
    channel: str
    ts: str


def _plan_review_update(
    session: Any, report: Report, *, status: ReportStatus, now: datetime
) -> None:
    """The revision's review post, as the store knows it, is rewritten by the worker."""
    assert report.id is not None
    for post in _review_posts(session, report.id):
        if post.revision != report.revision:
            continue
        payload = ReviewUpdatePayload(report_id=report.id, revision=report.revision, ts=post.ts)
        key = review_update_key(report.id, report.revision, status.value)
        update = Planned(key, post.channel, payload)
        plan_new(session, [update], now=now, priority=REPLY)


def _review_posts(session: Any, report_id: int) -> list[ReviewPost]:
    found = []
    for row in outbox_rows.sent_with_prefix(session, review_prefix(report_id)):
        revision = review_revision(row.key, report_id)
        if revision is not None and row.message_ts:
            found.append(ReviewPost(revision, row.channel, row.message_ts))
    return found


def review_post_revision(engine: Engine, report_id: int, ts: str) -> int | None:
    """The revision a review post (by its ts) showed; None when no such post went out. For
    the buttons of posts sent before they carried their revision."""
    with session_scope(engine) as session:
        for post in _review_posts(session, report_id):
            if post.ts == ts:
                return post.revision
    return None


def report_view(engine: Engine, report_id: int) -> ReportView:
    with session_scope(engine) as session:
        report = session.get(Report, report_id)
        if report is None:
            raise NotFoundError("unknown_report", report_id=report_id)
        return _view(session, report)


def find_report(engine: Engine, intervention_id: int, period: str) -> ReportView | None:
    with session_scope(engine) as session:
        report = rows.get_report(session, intervention_id, period)
        return None if report is None else _view(session, report)


def history(engine: Engine, intervention_id: int, period: str) -> list[dict[str, Any]]:
    """Every revision of a report, oldest first: who, when, late, answers."""
    with session_scope(engine) as session:
        report = rows.get_report(session, intervention_id, period)
        if report is None:
            return []
        return [
            {
                "revision": r.revision,
                "submitted_by": r.submitted_by,
                "submitted_at": r.submitted_at.isoformat(),
                "late": r.late,
                "answers": json.loads(r.answers),
            }
            for r in rows.revisions_of(session, report)
        ]


def reports_in(
    engine: Engine, periods: list[str], *, intervention_ids: Iterable[int] | None = None
) -> dict[tuple[int, str], ReportView]:
    """The reports of the given periods (of these interventions only, when given), keyed by
    (intervention id, period)."""
    with session_scope(engine) as session:
        found = rows.report_rows(session, periods, intervention_ids)
    return {
        (row.intervention_id, row.period): ReportView(
            report_id=row.report_id,
            intervention_id=row.intervention_id,
            period=row.period,
            kind=ReportKind(row.kind),
            status=ReportStatus(row.status),
            revision=row.revision,
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            late=row.first_late,
            answers=json.loads(row.answers),
            review_comment=row.review_comment,
            reviewed_by=row.reviewed_by,
            reviewed_at=row.reviewed_at,
        )
        for row in found
    }


def _view(
    session: Any, report: Report, *, revision: Any = None, first_late: bool | None = None
) -> ReportView:
    revision = revision or rows.latest_revision(session, report)
    assert report.id is not None and revision is not None
    if first_late is None:
        first = rows.first_revisions(session, [report.id])
        first_late = first[report.id].late
    return ReportView(
        report_id=report.id,
        intervention_id=report.intervention_id,
        period=report.period,
        kind=ReportKind(report.kind),
        status=ReportStatus(report.status),
        revision=report.revision,
        submitted_by=revision.submitted_by,
        submitted_at=revision.submitted_at,
        late=first_late,
        answers=json.loads(revision.answers),
        review_comment=report.review_comment,
        reviewed_by=report.reviewed_by,
        reviewed_at=report.reviewed_at,
    )


def days_late(reporting: Reporting, period: Period, *, until: date) -> int:
    """Working days past the due date (0 when not late)."""
    due = reporting.deadline(period).due
    if until <= due:
        return 0
    return reporting.working_days.working_days_between(due, until)
