"""What a report form depends on beyond its file: the intervention's other reports
(workflows/forms.py `FormContext`). The previous period's answers give what follows from it
(the start stock is last month's end) and the balance check across months; the year's earlier
reports tell whether the once-a-year fields (the profile of those already enrolled) were
asked already, so each person is counted once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from store import reports as rows
from store.db import session_scope
from workflows.calendar import Period, ReportKind
from workflows.forms import FormContext, FormDefinition, once_a_year_inputs, prefill_from_previous


def previous_period(period: Period) -> Period:
    if period.number > 1:
        return Period(period.kind, period.year, period.number - 1)
    last = 12 if period.kind is ReportKind.monthly else 4
    return Period(period.kind, period.year - 1, last)


def earlier_in_year(period: Period) -> list[Period]:
    return [Period(period.kind, period.year, n) for n in range(1, period.number)]


def form_context(
    engine: Engine, form: FormDefinition, intervention_id: int, period: Period
) -> FormContext:
    """The context of one intervention's form for `period`: one query. The once-a-year fields
    are asked unless an earlier report of the same year answered one of them (so a report
    corrected later, or the first in the new shape after reports in the old one, asks them)."""
    before = previous_period(period)
    labels = [p.label for p in earlier_in_year(period)] + [before.label]
    with session_scope(engine) as session:
        found: dict[str, Any] = rows.answers_of(session, intervention_id, set(labels))
    once = once_a_year_inputs(form)
    asked_before = any(
        once & set(found[p.label]) for p in earlier_in_year(period) if p.label in found
    )
    previous = found.get(before.label)
    return FormContext(
        first_of_year=not asked_before,
        previous=previous if isinstance(previous, dict) else None,
    )


def carried_over(form: FormDefinition, context: FormContext) -> dict[str, object]:
    """A new report's initial values that follow from the previous period."""
    return prefill_from_previous(form, context.previous)
