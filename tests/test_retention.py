"""FINSAM_RETENTION_MONTHS: the nightly job, on the bot's injected clock, empties the free
text of reports older than the setting (text answers per the form files, review comments)
and deletes sent and cancelled messages older than it; figures, choices, recent reports and
waiting messages stay. Off (0, the default) it is not even scheduled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from store.db import session_scope
from store.models import OutboxMessage, OutboxStatus, Report, ReportKind
from store.outbox import enqueue
from store.reports import add_revision
from tests.harness import STOCKHOLM, running_bot
from tests.reporting_data import add_intervention
from workflows.reports import find_report

SUBMITTED = datetime(2025, 4, 20, 10, 0, tzinfo=STOCKHOLM)
QUARTER = {
    "goal_1": "partly",
    "goal_1_comment": "Anna på Arbetsförmedlingen har hjälpt oss",
    "goal_2": "reached",
    "goal_2_comment": "Klart",
    "collaboration": "Bra samverkan med kommunen",
    "participant_view": None,
    "steering_group": "Styrgruppen träffades två gånger",
    "resources": "Som planerat",
}
MONTH = {"month_end_women": 6, "month_end_men": 4, "new_women": 2}


def _report(
    engine: Engine,
    intervention_id: int,
    period: str,
    kind: ReportKind,
    answers: dict[str, object],
    at: datetime,
    comment: str | None = None,
) -> None:
    with session_scope(engine) as session:
        report, _revision, _ = add_revision(
            session,
            intervention_id=intervention_id,
            period=period,
            kind=kind,
            submitted_by="U0LEAD001",
            submitted_at=at,
            late=False,
            answers=answers,
            delivery_key=f"{intervention_id}:{period}",
        )
        if comment is not None:
            report.review_comment = comment
            report.reviewed_at = at + timedelta(days=1)
            report.reviewed_by = "U0OFFICE1"
            session.add(report)


def _message(engine: Engine, key: str, at: datetime, status: OutboxStatus) -> None:
    with session_scope(engine) as session:
        enqueue(session, key=key, channel="U0LEAD001", payload={"kind": "x"}, now=at)
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        row.status = status
        row.sent_at = at if status is OutboxStatus.sent else None
        session.add(row)


def test_old_free_text_and_sent_messages_go_figures_and_recent_ones_stay(
    engine: Engine, database_url: str
) -> None:
    intervention = add_intervention(
        engine, "Växtkraft", "Enköping", goals=("Fler i arbete", "Samverkan")
    )
    _report(
        engine,
        intervention,
        "2025-Q1",
        ReportKind.quarterly,
        QUARTER,
        SUBMITTED,
        comment="Ring Anna Andersson om siffrorna",
    )
    _report(engine, intervention, "2025-03", ReportKind.monthly, MONTH, SUBMITTED)
    recent = SUBMITTED + timedelta(days=300)
    _report(engine, intervention, "2026-Q1", ReportKind.quarterly, QUARTER, recent, comment="Bra")
    _message(engine, "old-sent", SUBMITTED, OutboxStatus.sent)
    _message(engine, "old-cancelled", SUBMITTED, OutboxStatus.cancelled)
    _message(engine, "old-pending", SUBMITTED, OutboxStatus.pending)
    _message(engine, "old-failed", SUBMITTED, OutboxStatus.failed)
    _message(engine, "recent-sent", recent, OutboxStatus.sent)

    with running_bot(engine, database_url, now=SUBMITTED, finsam_retention_months=12) as bot:
        assert "retention" in {job.id for job in bot.jobs.jobs()}
        bot.clock.set(SUBMITTED + timedelta(days=364))  # not a year yet: nothing goes
        cleared = bot.jobs.run_retention()
        assert cleared is not None
        assert (cleared.revisions, cleared.review_comments, cleared.outbox_rows) == (0, 0, 0)

        bot.clock.set(SUBMITTED + timedelta(days=367))
        cleared = bot.jobs.run_retention()
        assert cleared is not None
        assert (cleared.revisions, cleared.review_comments, cleared.outbox_rows) == (1, 1, 2)

        old = find_report(engine, intervention, "2025-Q1")
        assert old is not None
        assert old.answers == {
            **QUARTER,
            "goal_1_comment": None,
            "goal_2_comment": None,
            "collaboration": None,
            "steering_group": None,
            "resources": None,
        }  # the choices stay: they are the goal attainment, not free text
        assert old.review_comment is None
        monthly = find_report(engine, intervention, "2025-03")
        assert monthly is not None and monthly.answers == MONTH
        kept = find_report(engine, intervention, "2026-Q1")
        assert kept is not None and kept.answers == QUARTER and kept.review_comment == "Bra"
        with session_scope(engine) as session:
            keys = set(session.exec(select(OutboxMessage.key)).all())
            assert keys == {"old-pending", "old-failed", "recent-sent"}
            reports = session.exec(select(Report)).all()
            quarterly = [r for r in reports if r.kind == ReportKind.quarterly]
            assert {r.reviewed_by for r in quarterly} == {"U0OFFICE1"}  # who reviewed: kept

        again = bot.jobs.run_retention()  # idempotent
        assert again is not None and (again.revisions, again.outbox_rows) == (0, 0)


def test_retention_off_by_default_schedules_nothing_and_clears_nothing(
    engine: Engine, database_url: str
) -> None:
    intervention = add_intervention(engine, "Växtkraft", "Enköping")
    _report(
        engine, intervention, "2020-Q1", ReportKind.quarterly, QUARTER, SUBMITTED.replace(year=2020)
    )
    with running_bot(engine, database_url) as bot:
        assert "retention" not in {job.id for job in bot.jobs.jobs()}
        assert bot.jobs.run_retention() is None
    old = find_report(engine, intervention, "2020-Q1")
    assert old is not None and old.answers == QUARTER
