"""The year's forecast kept at the 30 September milestone (the budget for next year rests on
it, DOMAIN.md "Money"), and next year's budget draft that takes it as
`forecast_previous_year`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from store.budget import get_budget_year, list_budget_lines
from store.db import session_scope
from store.errors import NotFoundError
from store.forecasts import get_forecast, keep_forecast
from store.importers.budget import BUDGET_COLUMNS
from store.models import BudgetForecast, Category, Section
from workflows.budget_status import BudgetRules, load_budget_status

MILESTONE_MONTH, MILESTONE_DAY = 9, 30


@dataclass(frozen=True)
class KeptForecast:
    year: int
    kept_on: date
    through_month: int
    costs: int
    result: int
    closing_equity: int
    new: bool  # kept by this call (False: it was kept before)


def milestone(year: int) -> date:
    return date(year, MILESTONE_MONTH, MILESTONE_DAY)


def keep_year_forecast(
    engine: Engine, *, year: int, rules: BudgetRules, today: date
) -> KeptForecast:
    """Keep the year's forecast as the status computes it today (once: a kept forecast
    stays). NotFoundError without a budget for the year."""
    with session_scope(engine) as session:
        kept = get_forecast(session, year)
        if kept is not None:
            return _view(kept, new=False)
        status = load_budget_status(session, year=year, rules=rules)
        row, new = keep_forecast(
            session,
            BudgetForecast(
                year=year,
                kept_on=today,
                through_month=status.through_month,
                costs_kr=status.forecast_costs,
                result_kr=status.forecast_result,
                closing_equity_kr=status.forecast_closing_equity,
            ),
        )
        return _view(row, new=new)


def keep_forecast_if_due(engine: Engine, *, today: date, rules: BudgetRules) -> KeptForecast | None:
    """The scheduled keeping: from 30 September on, the year's forecast once, if the year
    has a budget; None otherwise (nothing to do)."""
    if today < milestone(today.year):
        return None
    with session_scope(engine) as session:
        if get_budget_year(session, today.year) is None or get_forecast(session, today.year):
            return None
    return keep_year_forecast(engine, year=today.year, rules=rules, today=today)


def kept_forecast(engine: Engine, year: int) -> KeptForecast | None:
    with session_scope(engine) as session:
        row = get_forecast(session, year)
        return None if row is None else _view(row, new=False)


def _view(row: BudgetForecast, *, new: bool) -> KeptForecast:
    return KeptForecast(
        year=row.year,
        kept_on=row.kept_on,
        through_month=row.through_month,
        costs=row.costs_kr,
        result=row.result_kr,
        closing_equity=row.closing_equity_kr,
        new=new,
    )


def budget_draft(
    engine: Engine, *, year: int, rules: BudgetRules
) -> tuple[str, KeptForecast | None]:
    """Next year's budget file, drafted from `year - 1`: its income and cost lines as they
    stand (to be edited), the surplus from earlier years (the year's free opening equity),
    the restricted reserve fund as it is, and the forecast of `year - 1` as
    `forecast_previous_year` (the one kept on 30 September; without it, today's, and the
    second value is None). NotFoundError without a budget for `year - 1`."""
    previous = year - 1
    with session_scope(engine) as session:
        budget_year = get_budget_year(session, previous)
        if budget_year is None:
            raise NotFoundError("no_budget_for_year", year=previous, years=str(previous))
        lines = list_budget_lines(session, budget_year)
        status = load_budget_status(session, year=previous, rules=rules)
        row = get_forecast(session, previous)
        kept = None if row is None else _view(row, new=False)
    forecast = status.forecast_result if kept is None else kept.result
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BUDGET_COLUMNS)
    for line in lines:
        if line.section is Section.balance and line.category is not Category.reserve_fund:
            continue
        writer.writerow(
            [
                year,
                line.section.value,
                line.category.value,
                line.name,
                line.owner,
                line.support.value if line.support else "",
                _tkr(line.amount_kr),
            ]
        )
    free = status.opening_equity - status.reserve_fund
    writer.writerow(
        [
            year,
            "balance",
            "opening_surplus",
            "Över-/underskott från tidigare år",
            "",
            "",
            _tkr(free),
        ]
    )
    writer.writerow(
        [year, "balance", "forecast_previous_year", f"Prognos {previous}", "", "", _tkr(forecast)]
    )
    return out.getvalue(), kept


def _tkr(kr: int) -> str:
    """Whole kronor as a file's tkr: 1222500 → '1222.5', 4890000 → '4890'."""
    return format((Decimal(kr) / 1000).normalize(), "f")
