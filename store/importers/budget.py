"""A year's budget from a CSV/XLSX file. Every row is checked and every problem collected before
anything is added to the session: a file is stored whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.errors import ConflictError, RowProblem
from store.importers.tabular import (
    ProblemCode,
    SourceRow,
    line_label,
    problem,
    read_amount,
    read_category,
    read_table,
    read_text,
    read_year,
    reject_if_any,
)
from store.models import (
    SECTION_OF,
    BudgetLine,
    BudgetYear,
    Category,
    Intervention,
    Section,
    Spending,
    SupportKind,
    utcnow,
)

BUDGET_COLUMNS = ("year", "section", "category", "name", "owner", "support", "amount_tkr")
_OPTIONAL = ("owner", "support")
_REQUIRED = tuple(c for c in BUDGET_COLUMNS if c not in _OPTIONAL)

LineKey = tuple[Section, Category, str, str]


@dataclass(frozen=True)
class ParsedLine:
    line: int
    section: Section
    category: Category
    name: str
    owner: str
    support: SupportKind | None
    amount_kr: int

    @property
    def key(self) -> LineKey:
        return (self.section, self.category, self.name, self.owner)


@dataclass(frozen=True)
class BudgetImportResult:
    year: int
    lines: int
    totals: dict[Section, int]  # kr per section
    totals_by_category: dict[Category, int]  # kr per category present in the file
    interventions_created: int
    replaced: bool


def import_budget(session: Session, path: Path, *, replace: bool = False) -> BudgetImportResult:
    """Store the budget in `path` in the caller's session (the caller commits).

    Raises ImportRejected (every bad row), ConflictError('budget_year_exists') when the year is
    already stored and not `replace`. Replacing keeps the ids of lines that remain, so money
    already booked on them stays attached; it refuses to drop a line that has spending."""
    year, lines = read_budget_file(path)
    budget_year = session.exec(select(BudgetYear).where(BudgetYear.year == year)).first()
    if budget_year is not None and not replace:
        raise ConflictError("budget_year_exists", year=year)
    replaced = budget_year is not None
    if budget_year is None:
        budget_year = BudgetYear(year=year, source=path.name)
        session.add(budget_year)
        session.flush()
    else:
        _check_removed_lines(session, budget_year, lines, path=path)
        budget_year.source = path.name
        budget_year.imported_at = utcnow()
        session.execute(  # in SQL: two imports at once must both count
            update(BudgetYear)
            .where(col(BudgetYear.id) == budget_year.id)
            .values(revision=col(BudgetYear.revision) + 1)
        )
    _store_lines(session, budget_year, lines)
    created = _record_interventions(session, year, lines)
    session.flush()
    return BudgetImportResult(
        year=year,
        lines=len(lines),
        totals={s: sum(x.amount_kr for x in lines if x.section is s) for s in Section},
        totals_by_category=_totals_by_category(lines),
        interventions_created=created,
        replaced=replaced,
    )


def read_budget_file(path: Path) -> tuple[int, list[ParsedLine]]:
    """The file's year and lines in file order, or ImportRejected listing every problem."""
    table = read_table(path, required=_REQUIRED, optional=_OPTIONAL)
    problems = list(table.problems)
    file_year: int | None = None
    first_line_of: dict[LineKey, int] = {}
    lines: list[ParsedLine] = []
    for row in table.rows:
        year = read_year(row, problems)
        if year is not None and file_year is None:
            file_year = year
        elif year is not None and year != file_year:
            problems.append(problem(row.line, "year", ProblemCode.other_year, str(year)))
        parsed = _parse_line(row, problems)
        if parsed is None:
            continue
        first = first_line_of.setdefault(parsed.key, row.line)
        if first != row.line:
            problems.append(problem(row.line, "name", ProblemCode.duplicate_line, str(first)))
            continue
        lines.append(parsed)
    reject_if_any(problems, path=path)
    assert file_year is not None  # no problems: every row had this year, and there is a row
    return file_year, lines


def _parse_line(row: SourceRow, problems: list[RowProblem]) -> ParsedLine | None:
    before = len(problems)
    section = _read_section(row, problems)
    category = read_category(row, problems)
    if category is not None and section is not None and SECTION_OF[category] is not section:
        text = row.get("category")
        problems.append(problem(row.line, "category", ProblemCode.category_not_in_section, text))
    name = read_text(row, "name", problems, required=True)
    owner = read_text(row, "owner", problems)
    support = _read_support(row, problems)
    amount = read_amount(row, problems)
    if len(problems) > before:
        return None
    assert section is not None and category is not None and name is not None
    assert owner is not None and amount is not None
    return ParsedLine(row.line, section, category, name, owner, support, amount)


def _read_section(row: SourceRow, problems: list[RowProblem]) -> Section | None:
    text = row.get("section")
    try:
        return Section(text.lower())
    except ValueError:
        problems.append(problem(row.line, "section", ProblemCode.unknown_section, text))
        return None


def _read_support(row: SourceRow, problems: list[RowProblem]) -> SupportKind | None:
    """None for an empty cell; a bad value adds a problem (the caller counts problems)."""
    text = row.get("support")
    if not text:
        return None
    try:
        return SupportKind(text.lower())
    except ValueError:
        problems.append(problem(row.line, "support", ProblemCode.bad_support, text))
        return None


def _existing_lines(session: Session, budget_year: BudgetYear) -> dict[LineKey, BudgetLine]:
    query = select(BudgetLine).where(BudgetLine.budget_year_id == budget_year.id)
    return {(x.section, x.category, x.name, x.owner): x for x in session.exec(query).all()}


def _check_removed_lines(
    session: Session, budget_year: BudgetYear, lines: list[ParsedLine], *, path: Path
) -> None:
    """A replacement may drop a line only if no money is booked on it."""
    kept = {x.key for x in lines}
    removed = [x for key, x in _existing_lines(session, budget_year).items() if key not in kept]
    if not removed:
        return
    query = select(Spending.budget_line_id).where(
        col(Spending.budget_line_id).in_([x.id for x in removed])
    )
    spent = set(session.exec(query).all())
    reject_if_any(
        [
            problem(
                0,
                "",
                ProblemCode.spending_on_removed_line,
                line_label(x.category, x.name, x.owner),
            )
            for x in sorted(removed, key=lambda x: (x.position, x.id or 0))
            if x.id in spent
        ],
        path=path,
    )


def _store_lines(session: Session, budget_year: BudgetYear, lines: list[ParsedLine]) -> None:
    """Update lines that stay (same id, so spending stays on them), add new ones, drop the rest."""
    assert budget_year.id is not None
    existing = _existing_lines(session, budget_year)
    for position, parsed in enumerate(lines):
        line = existing.pop(parsed.key, None)
        if line is None:
            line = BudgetLine(
                budget_year_id=budget_year.id,
                section=parsed.section,
                category=parsed.category,
                name=parsed.name,
                owner=parsed.owner,
                amount_kr=parsed.amount_kr,
            )
        line.support = parsed.support
        line.amount_kr = parsed.amount_kr
        line.position = position
        session.add(line)
    for gone in existing.values():
        session.delete(gone)


def _record_interventions(session: Session, year: int, lines: list[ParsedLine]) -> int:
    """Create or widen the Intervention of each intervention line; returns how many are new."""
    wanted = [x for x in lines if x.category is Category.intervention]
    if not wanted:
        return 0
    query = select(Intervention).where(col(Intervention.name).in_({x.name for x in wanted}))
    known = {(i.name, i.owner): i for i in session.exec(query).all()}
    created = 0
    for line in wanted:
        found = known.get((line.name, line.owner))
        if found is None:
            kind = line.support or SupportKind.individual
            session.add(
                Intervention(
                    name=line.name, owner=line.owner, kind=kind, first_year=year, last_year=year
                )
            )
            created += 1
            continue
        if line.support is not None and year >= (found.last_year or year):
            found.kind = line.support  # the newest budget says what kind of support it is
        found.first_year = min(found.first_year, year)
        found.last_year = max(found.last_year or year, year)
        session.add(found)
    return created


def _totals_by_category(lines: list[ParsedLine]) -> dict[Category, int]:
    totals: dict[Category, int] = {}
    for line in lines:
        totals[line.category] = totals.get(line.category, 0) + line.amount_kr
    return totals
