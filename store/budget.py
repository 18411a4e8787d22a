"""Queries over budget years, lines and money spent."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.models import BudgetLine, BudgetYear, Spending


def get_budget_year(session: Session, year: int) -> BudgetYear | None:
    return session.exec(select(BudgetYear).where(BudgetYear.year == year)).first()


def list_budget_years(session: Session) -> list[int]:
    return list(session.exec(select(BudgetYear.year).order_by(col(BudgetYear.year))).all())


def list_budget_lines(session: Session, budget_year: BudgetYear) -> list[BudgetLine]:
    query = (
        select(BudgetLine)
        .where(BudgetLine.budget_year_id == budget_year.id)
        .order_by(col(BudgetLine.position), col(BudgetLine.id))
    )
    return list(session.exec(query).all())


def spending_by_line(session: Session, budget_year: BudgetYear) -> dict[int, dict[int, int]]:
    """{line id: {month: kr}} for the year's lines."""
    query = (
        select(Spending.budget_line_id, Spending.month, Spending.amount_kr)
        .join(BudgetLine, col(BudgetLine.id) == col(Spending.budget_line_id))
        .where(BudgetLine.budget_year_id == budget_year.id)
    )
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for line_id, month, amount in session.exec(query).all():
        result[line_id][month] = amount
    return dict(result)


def get_revision(session: Session, year: int) -> int | None:
    """The year's revision (bumped by every import touching it); None without a budget."""
    return session.exec(select(BudgetYear.revision).where(BudgetYear.year == year)).first()


def bump_revisions(session: Session, years: set[int]) -> None:
    """Cached figures of these years are stale. In SQL, not in Python: two imports at once
    must both count."""
    session.execute(
        update(BudgetYear)
        .where(col(BudgetYear.year).in_(years))
        .values(revision=col(BudgetYear.revision) + 1)
    )
