"""Reports and their revisions: one Report row per intervention and period once something
came in, one ReportRevision per submission. A revision is never changed; the delivery key
makes a second delivery of the same submission a no-op."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from store.db import insert_if_absent, insert_rows_if_absent
from store.models import Intervention, Report, ReportKind, ReportRevision, ReportStatus


class RevisionTaken(Exception):
    """Two submissions of one report took the same revision number: try again."""


class ReportAccepted(Exception):
    """The report was accepted: a new revision would silently reopen it."""


def get_report(session: Session, intervention_id: int, period: str) -> Report | None:
    return session.exec(
        select(Report).where(Report.intervention_id == intervention_id, Report.period == period)
    ).first()


def revision_by_delivery(session: Session, delivery_key: str) -> ReportRevision | None:
    return session.exec(
        select(ReportRevision).where(ReportRevision.delivery_key == delivery_key)
    ).first()


def add_revision(
    session: Session,
    *,
    intervention_id: int,
    period: str,
    kind: ReportKind,
    submitted_by: str,
    submitted_at: datetime,
    late: bool,
    answers: dict[str, Any],
    delivery_key: str,
) -> tuple[Report, ReportRevision, bool]:
    """Store a submission as the report's next revision; (report, revision, created). A
    delivery key already stored returns that revision with created False. The report row is
    locked (PostgreSQL) while its next revision number is taken, so two submissions at once
    get 1 and 2, not a unique-constraint error. ReportAccepted when the office accepted
    the report: a new revision would silently reopen it."""
    existing = revision_by_delivery(session, delivery_key)
    if existing is not None:
        report = session.get(Report, existing.report_id)
        assert report is not None
        return report, existing, False
    report = _report_for_update(session, intervention_id, period, kind)
    assert report.id is not None
    if report.status == ReportStatus.accepted:
        raise ReportAccepted(report.id)
    revision = ReportRevision(
        report_id=report.id,
        revision=report.revision + 1,
        submitted_by=submitted_by,
        submitted_at=submitted_at,
        late=late,
        answers=json.dumps(answers, ensure_ascii=False, sort_keys=True),
        delivery_key=delivery_key,
    )
    inserted = insert_rows_if_absent(session, ReportRevision, [revision.model_dump(exclude={"id"})])
    if not inserted:
        again = revision_by_delivery(session, delivery_key)
        if again is None:
            raise RevisionTaken(report.id)  # a concurrent submission took the number
        # The same delivery, stored by another request a moment ago.
        report = session.get(Report, again.report_id)
        assert report is not None
        return report, again, False
    revision.id = inserted[0]
    # Read again now that this transaction writes (SQLite takes its write lock with the
    # insert; PostgreSQL holds the row lock): an acceptance stored since the first read
    # is seen here, not overwritten.
    session.refresh(report)
    if report.status == ReportStatus.accepted:
        raise ReportAccepted(report.id)
    if report.revision != revision.revision - 1:
        raise RevisionTaken(report.id)
    report.revision = revision.revision
    report.status = ReportStatus.submitted
    report.reviewed_by = None
    report.reviewed_at = None
    report.review_comment = None
    session.add(report)
    session.flush()
    return report, revision, True


def _report_for_update(
    session: Session, intervention_id: int, period: str, kind: ReportKind
) -> Report:
    query = (
        select(Report)
        .where(Report.intervention_id == intervention_id, Report.period == period)
        .with_for_update()
    )
    report = session.exec(query).first()
    if report is not None:
        return report
    # Created here, or a moment ago by a concurrent submission: take whichever is there.
    insert_if_absent(
        session,
        Report,
        intervention_id=intervention_id,
        period=period,
        kind=kind,
        status=ReportStatus.submitted,
        revision=0,
    )
    found = session.exec(query).first()
    assert found is not None
    return found


def report_for_review(session: Session, report_id: int) -> Report | None:
    """The report, locked (PostgreSQL) until the review is stored: a submission waits."""
    return session.exec(select(Report).where(Report.id == report_id).with_for_update()).first()


def latest_revision(session: Session, report: Report) -> ReportRevision | None:
    return session.exec(
        select(ReportRevision).where(
            ReportRevision.report_id == report.id, ReportRevision.revision == report.revision
        )
    ).first()


def revisions_of(session: Session, report: Report) -> list[ReportRevision]:
    return list(
        session.exec(
            select(ReportRevision)
            .where(ReportRevision.report_id == report.id)
            .order_by(col(ReportRevision.revision))
        ).all()
    )


def set_review(
    session: Session,
    report: Report,
    *,
    status: ReportStatus,
    reviewer: str,
    at: datetime,
    comment: str | None,
    revision: int | None = None,
) -> bool:
    """Store the decision; with `revision`, only while that is still the latest (a
    compare-and-set, so a submission stored meanwhile, even on SQLite, which has no row
    lock, is never decided on unseen). False when a newer revision came in."""
    statement = update(Report).where(col(Report.id) == report.id)
    if revision is not None:
        statement = statement.where(col(Report.revision) == revision)
    result = session.execute(
        statement.values(
            status=status, reviewed_by=reviewer, reviewed_at=at, review_comment=comment
        )
    )
    session.refresh(report)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def reports_for_periods(session: Session, periods: Iterable[str]) -> list[Report]:
    return list(session.exec(select(Report).where(col(Report.period).in_(list(periods)))).all())


@dataclass(frozen=True)
class ReportRow:
    """A report with what its latest revision says and whether its first came in late."""

    report_id: int
    intervention_id: int
    period: str
    kind: ReportKind
    status: ReportStatus
    revision: int
    review_comment: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    submitted_by: str
    submitted_at: datetime
    answers: str  # the latest revision's JSON
    first_late: bool


def report_rows(
    session: Session, periods: Iterable[str], intervention_ids: Iterable[int] | None = None
) -> list[ReportRow]:
    """The reports of the periods (of these interventions only, when given), each joined to
    its latest and its first revision in one query. Columns, not ORM objects: a year of a
    large association is thousands of reports, and building an object per row cost more than
    the query."""
    wanted = list(periods)
    if not wanted:
        return []
    latest = aliased(ReportRevision)
    first = aliased(ReportRevision)
    query = (
        select(  # type: ignore[call-overload]
            Report.id,
            Report.intervention_id,
            Report.period,
            Report.kind,
            Report.status,
            Report.revision,
            Report.review_comment,
            Report.reviewed_by,
            Report.reviewed_at,
            latest.submitted_by,
            latest.submitted_at,
            latest.answers,
            first.late,
        )
        .join(latest, (latest.report_id == Report.id) & (latest.revision == Report.revision))
        .join(first, (first.report_id == Report.id) & (first.revision == 1))
        .where(col(Report.period).in_(wanted))
    )
    if intervention_ids is not None:
        ids = sorted(set(intervention_ids))
        if not ids:
            return []
        query = query.where(col(Report.intervention_id).in_(ids))
    return [ReportRow(*row) for row in session.exec(query).all()]


def first_revisions(session: Session, report_ids: Iterable[int]) -> dict[int, ReportRevision]:
    """The first submission of each report: when it first came in, and whether late."""
    ids = list(report_ids)
    if not ids:
        return {}
    found = session.exec(
        select(ReportRevision).where(
            col(ReportRevision.report_id).in_(ids), ReportRevision.revision == 1
        )
    ).all()
    return {r.report_id: r for r in found}


def latest_revisions(session: Session, reports: Iterable[Report]) -> dict[int, ReportRevision]:
    wanted = {(r.id, r.revision) for r in reports if r.id is not None}
    if not wanted:
        return {}
    found = session.exec(
        select(ReportRevision).where(
            col(ReportRevision.report_id).in_([report_id for report_id, _ in wanted])
        )
    ).all()
    return {r.report_id: r for r in found if (r.report_id, r.revision) in wanted}


COSTS_ANSWER = "costs"  # the quarterly form's input for the quarter's costs (whole kronor)


def stated_costs(session: Session, year: int) -> dict[tuple[str, str], dict[int, int]]:
    """{(intervention name, owner): {quarter: kr}} from the latest revision of each of the
    year's quarterly reports that states its costs."""
    found = session.exec(
        select(Intervention.name, Intervention.owner, Report.period, ReportRevision.answers)
        .join(Report, col(Report.intervention_id) == col(Intervention.id))
        .join(
            ReportRevision,
            (col(ReportRevision.report_id) == col(Report.id))
            & (col(ReportRevision.revision) == col(Report.revision)),
        )
        .where(Report.kind == ReportKind.quarterly, col(Report.period).startswith(f"{year}-Q"))
    ).all()
    costs: dict[tuple[str, str], dict[int, int]] = {}
    for name, owner, period, answers in found:
        amount = json.loads(answers).get(COSTS_ANSWER)
        if isinstance(amount, int) and not isinstance(amount, bool):
            costs.setdefault((name, owner), {})[int(period[-1])] = amount
    return costs


def answers_of(session: Session, intervention_id: int, periods: Iterable[str]) -> dict[str, Any]:
    """{period: latest answers} of one intervention's reports for the given periods."""
    wanted = list(periods)
    if not wanted:
        return {}
    found = session.exec(
        select(Report.period, ReportRevision.answers)
        .join(
            ReportRevision,
            (col(ReportRevision.report_id) == col(Report.id))
            & (col(ReportRevision.revision) == col(Report.revision)),
        )
        .where(Report.intervention_id == intervention_id, col(Report.period).in_(wanted))
    ).all()
    return {period: json.loads(answers) for period, answers in found}
