"""Reports for the overview tests, stored through the real submission workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from store.db import session_scope
from store.models import ReportKind
from store.outbox import cancel_pending
from workflows.calendar import CalendarRules, Period
from workflows.forms import inputs, load_forms
from workflows.reports import (
    HOME_REFRESH,
    RECEIVED,
    REMINDERS_DONE,
    REVIEW,
    Reporting,
    delivery_key,
    submit_report,
)
from workflows.working_days import WorkingDays

REPORTING = Reporting(CalendarRules(), WorkingDays())


def monthly_answers(**figures: int) -> dict[str, Any]:
    """Every input of the monthly form, 0 unless given (`month_end_women=6, …`)."""
    ids = [item.id for item in inputs(load_forms()[ReportKind.monthly], ())]
    unknown = set(figures) - set(ids)
    assert not unknown, f"not in the monthly form: {unknown}"
    return {input_id: figures.get(input_id, 0) for input_id in ids}


def submit(
    engine: Engine,
    intervention_id: int,
    period: str,
    *,
    at: datetime,
    by: str = "U0LEAD001",
    answers: dict[str, Any] | None = None,
) -> int:
    """Store a submission as the lead would; the report's id. The follow-ups it plans (the
    confirmation, the office's review post) are cancelled: these tests are about the overview."""
    stored = answers if answers is not None else {"note": period}
    submission = submit_report(
        engine,
        REPORTING,
        intervention_id=intervention_id,
        period=Period.parse(period),
        user_id=by,
        answers=stored,
        delivery=delivery_key(f"{intervention_id}:{period}:{at.isoformat()}", stored),
        now=at,
        office_channel=None,
    )
    with session_scope(engine) as session:
        for kind in (RECEIVED, REMINDERS_DONE, REVIEW):
            cancel_pending(session, f"{kind}:{submission.report_id}:")
        cancel_pending(session, f"{HOME_REFRESH}:{by}:{submission.report_id}:")
    return submission.report_id
