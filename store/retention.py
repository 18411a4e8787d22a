"""Storage limitation: what a retention run clears. Report free text (the answers the forms
define as text, and the office's review comments) is emptied on reports older than the
cutoff, and sent or cancelled outbox rows older than it are deleted; the figures stay.

A report's age is that of its latest activity (last revision, last review), so a report
corrected or reviewed recently keeps its text for the full period."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, delete, select

from store.models import OutboxMessage, OutboxStatus, Report, ReportKind, ReportRevision


@dataclass(frozen=True)
class Cleared:
    revisions: int  # revisions whose free-text answers were emptied
    review_comments: int
    outbox_rows: int  # sent or cancelled messages deleted


def clear_before(
    session: Session,
    cutoff: datetime,
    *,
    text_inputs: Mapping[ReportKind, Collection[str]],
) -> Cleared:
    """Empty the free text of reports whose latest activity is before `cutoff`; delete sent
    and cancelled outbox rows from before it."""
    latest = (
        select(ReportRevision.report_id, func.max(ReportRevision.submitted_at).label("last"))
        .group_by(col(ReportRevision.report_id))
        .subquery()
    )
    old = session.exec(
        select(Report)
        .join(latest, latest.c.report_id == col(Report.id))
        .where(
            latest.c.last < cutoff,
            or_(col(Report.reviewed_at).is_(None), col(Report.reviewed_at) < cutoff),
        )
    ).all()
    revisions = comments = 0
    for report in old:
        if report.review_comment is not None:
            report.review_comment = None
            session.add(report)
            comments += 1
        wanted = text_inputs.get(ReportKind(report.kind), ())
        if not wanted:
            continue
        for revision in session.exec(
            select(ReportRevision).where(ReportRevision.report_id == report.id)
        ).all():
            answers = json.loads(revision.answers)
            if not isinstance(answers, dict):
                continue
            emptied = {
                key: (None if key in wanted and isinstance(value, str) else value)
                for key, value in answers.items()
            }
            if emptied != answers:
                revision.answers = json.dumps(emptied, ensure_ascii=False, sort_keys=True)
                session.add(revision)
                revisions += 1
    done = (OutboxStatus.sent, OutboxStatus.cancelled)
    outcome = session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.status).in_(done),
            func.coalesce(col(OutboxMessage.sent_at), col(OutboxMessage.created_at)) < cutoff,
        )
    )
    session.flush()
    return Cleared(
        revisions=revisions,
        review_comments=comments,
        outbox_rows=int(getattr(outcome, "rowcount", 0) or 0),
    )
