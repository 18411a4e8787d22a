"""Money booked per budget line and month, from the accounting export (the books). All or nothing;
a month already stored takes the new amount, because a new export means the books were corrected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from store.budget import bump_revisions
from store.errors import RowProblem
from store.importers.tabular import (
    ProblemCode,
    SourceRow,
    line_label,
    problem,
    read_amount,
    read_category,
    read_month,
    read_table,
    read_text,
    read_year,
    reject_if_any,
)
from store.models import SECTION_OF, BudgetLine, BudgetYear, Category, Section, Spending

SPENDING_COLUMNS = ("year", "month", "category", "name", "owner", "amount_tkr")
_OPTIONAL = ("owner",)
_REQUIRED = tuple(c for c in SPENDING_COLUMNS if c not in _OPTIONAL)

LineKey = tuple[int, Category, str, str]  # year, category, name, owner


@dataclass(frozen=True)
class ParsedSpending:
    line: int
    year: int
    month: int
    category: Category
    name: str
    owner: str
    amount_kr: int

    @property
    def key(self) -> LineKey:
        return (self.year, self.category, self.name, self.owner)


@dataclass(frozen=True)
class SpendingImportResult:
    years: tuple[int, ...]
    months: tuple[int, ...]  # every month that occurs, over all years
    rows: int
    new: int
    updated: int  # stored before with another amount
    unchanged: int  # stored before with the same amount
    total_kr: int


def import_spending(session: Session, path: Path) -> SpendingImportResult:
    """Store the spending in `path` in the caller's session (the caller commits).
    Raises ImportRejected listing every bad row; nothing is added then."""
    table = read_table(path, required=_REQUIRED, optional=_OPTIONAL)
    problems = list(table.problems)
    entries = [e for row in table.rows if (e := _parse_row(row, problems)) is not None]
    lines = _budget_lines(session, {e.year for e in entries})
    problems += _check_against_budget(entries, lines)
    reject_if_any(problems, path=path)
    new, updated, unchanged = _upsert(session, entries, lines)
    if new or updated:
        bump_revisions(session, {e.year for e in entries})
    session.flush()
    return SpendingImportResult(
        years=tuple(sorted({e.year for e in entries})),
        months=tuple(sorted({e.month for e in entries})),
        rows=len(entries),
        new=new,
        updated=updated,
        unchanged=unchanged,
        total_kr=sum(e.amount_kr for e in entries),
    )


def _parse_row(row: SourceRow, problems: list[RowProblem]) -> ParsedSpending | None:
    before = len(problems)
    year = read_year(row, problems)
    month = read_month(row, problems)
    category = read_category(row, problems)
    if category is not None and SECTION_OF[category] is not Section.cost:
        problems.append(
            problem(row.line, "category", ProblemCode.not_a_cost_line, row.get("category"))
        )
    name = read_text(row, "name", problems, required=True)
    owner = read_text(row, "owner", problems)
    amount = read_amount(row, problems)
    if len(problems) > before:
        return None
    assert year is not None and month is not None and category is not None
    assert name is not None and owner is not None and amount is not None
    return ParsedSpending(row.line, year, month, category, name, owner, amount)


def _budget_lines(session: Session, years: set[int]) -> dict[int, dict[LineKey, BudgetLine]]:
    """{year: {line key: line}} for each year that has a budget."""
    if not years:
        return {}
    query = select(BudgetYear.year, BudgetLine).join(
        BudgetLine, col(BudgetLine.budget_year_id) == col(BudgetYear.id), isouter=True
    )
    result: dict[int, dict[LineKey, BudgetLine]] = {}
    for year, line in session.exec(query.where(col(BudgetYear.year).in_(years))).all():
        lines = result.setdefault(year, {})
        if line is not None:
            lines[(year, line.category, line.name, line.owner)] = line
    return result


def _check_against_budget(
    entries: list[ParsedSpending], lines: dict[int, dict[LineKey, BudgetLine]]
) -> list[RowProblem]:
    problems: list[RowProblem] = []
    first_line_of: dict[tuple[LineKey, int], int] = {}
    for e in entries:
        if e.year not in lines:
            problems.append(problem(e.line, "year", ProblemCode.no_budget_for_year, str(e.year)))
        elif e.key not in lines[e.year]:
            label = line_label(e.category, e.name, e.owner)
            problems.append(problem(e.line, "name", ProblemCode.unknown_budget_line, label))
        first = first_line_of.setdefault((e.key, e.month), e.line)
        if first != e.line:
            problems.append(problem(e.line, "month", ProblemCode.duplicate_spending, str(first)))
    return problems


def _upsert(
    session: Session, entries: list[ParsedSpending], lines: dict[int, dict[LineKey, BudgetLine]]
) -> tuple[int, int, int]:
    line_ids = {e.line: _line_id(lines[e.year][e.key]) for e in entries}
    query = select(Spending).where(col(Spending.budget_line_id).in_(set(line_ids.values())))
    stored = {(s.budget_line_id, s.month): s for s in session.exec(query).all()}
    new = updated = unchanged = 0
    for e in entries:
        found = stored.get((line_ids[e.line], e.month))
        if found is None:
            session.add(
                Spending(budget_line_id=line_ids[e.line], month=e.month, amount_kr=e.amount_kr)
            )
            new += 1
        elif found.amount_kr == e.amount_kr:
            unchanged += 1
        else:
            found.amount_kr = e.amount_kr
            session.add(found)
            updated += 1
    return new, updated, unchanged


def _line_id(line: BudgetLine) -> int:
    assert line.id is not None  # loaded from the database
    return line.id
