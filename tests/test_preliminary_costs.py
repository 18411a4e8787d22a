"""Costs stated in quarterly reports show beside the books as preliminary money, for months
the books do not cover yet; the books win where both exist, nothing is counted twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from store.models import Role
from tests.budget_data import SAMPLE_2026, write_spending
from tests.harness import STOCKHOLM
from tests.reporting_data import add_intervention
from workflows.budget_answers import BudgetAnswers
from workflows.budget_files import import_budget_file, import_spending_file
from workflows.budget_status import BudgetRules, budget_status_for, preliminary_after
from workflows.calendar import Period
from workflows.people import register_person
from workflows.reports import Reporting, submit_report


def test_a_quarter_counts_only_for_the_months_the_books_do_not_cover() -> None:
    assert preliminary_after({1: 300_000}, through_month=0) == 300_000
    assert preliminary_after({1: 300_000}, through_month=2) == 100_000  # March only
    assert preliminary_after({1: 300_000}, through_month=3) == 0  # the books win
    assert preliminary_after({1: 300_000, 2: 90_000}, through_month=4) == 60_000
    assert preliminary_after({}, through_month=5) == 0


def _report_costs(
    engine: Engine, intervention_id: int, quarter: int, kr: int, delivery: str
) -> None:
    submit_report(
        engine,
        Reporting.default(),
        intervention_id=intervention_id,
        period=Period.quarter(2026, quarter),
        user_id="U0LEAD001",
        answers={"costs": kr, "deviations": "Inga"},
        delivery=delivery,
        now=datetime(2026, 4, 14, 10, tzinfo=STOCKHOLM),
        office_channel=None,
    )


def test_stated_costs_show_as_preliminary_until_the_books_cover_them(
    engine: Engine, tmp_path: object
) -> None:
    import_budget_file(engine, SAMPLE_2026)
    register_person(engine, "U0OFFICE1", role=Role.office)
    intervention = add_intervention(
        engine, "Växtkraft", "Enköping", leads=(("a@x.example", "U0LEAD001"),)
    )
    rows = [(m, "intervention", "Växtkraft", "Enköping", "200") for m in (1, 2)]
    import_spending_file(engine, write_spending(tmp_path / "s.csv", 2026, rows))  # type: ignore[operator]
    answers = BudgetAnswers(engine, rules=BudgetRules())
    _, before = answers.for_office("U0OFFICE1", year=2026, intervention="Växtkraft")
    assert before.lines[0].preliminary == 0

    _report_costs(engine, intervention, 1, 630_000, "d1")
    status = budget_status_for(engine, year=2026, rules=BudgetRules(), intervention="Växtkraft")
    [line] = status.lines
    assert line.spent == 400_000  # the books alone
    assert line.preliminary == 210_000  # March's third of the stated quarter
    # The cached answer saw the report: its revision moved.
    _, after = answers.for_office("U0OFFICE1", year=2026, intervention="Växtkraft")
    assert after.lines[0].preliminary == 210_000

    # A correction replaces the stated figure, it does not add to it.
    _report_costs(engine, intervention, 1, 330_000, "d2")
    [line] = budget_status_for(
        engine, year=2026, rules=BudgetRules(), intervention="Växtkraft"
    ).lines
    assert line.preliminary == 110_000
