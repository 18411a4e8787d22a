"""A year's budget from a CSV/XLSX file. Every row is checked and every problem collected before
anything is added to the session: a file is stored whole or not at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.budget import get_budget_year
from store.errors import ConflictError, RowProblem
from store.importers.tabular import (
    ProblemCode,
    SourceRow,
    fold,
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
# Swedish headers beside the English ones (compared `fold`ed: case and accents do not count).
COLUMN_WORDS: dict[str, str] = {
    fold(word): column
    for column, words in {
        "year": ("år", "budgetår"),
        "section": ("avsnitt",),
        "category": ("kategori",),
        "name": ("namn", "benämning", "rad"),
        "owner": ("ägare", "huvudman"),
        "support": ("stöd", "stödform", "typ av stöd"),
        "amount_tkr": ("belopp", "belopp tkr", "tkr", "amount tkr"),
    }.items()
    for word in (*words, column)
}
SECTION_WORDS: dict[str, Section] = {
    fold(word): section
    for section, words in {
        Section.income: ("intäkter", "intäkt"),
        Section.cost: ("kostnader", "kostnad"),
        Section.balance: ("balans", "balansposter", "eget kapital"),
    }.items()
    for word in (*words, section.value)
}
SUPPORT_WORDS: dict[str, SupportKind] = {
    fold(word): kind
    for kind, words in {
        SupportKind.individual: ("individstödjande", "individstöd", "individ", "individuell"),
        SupportKind.structural: ("strukturstödjande", "strukturstöd", "struktur", "strukturell"),
    }.items()
    for word in (*words, kind.value)
}
# A multi-year plan: one amount column per year, "Budget 2026", "Plan 2027", "2028".
_YEAR_COLUMN = re.compile(r"^(?:(budget|plan)\s+)?([0-9]{4})(?:\s+tkr)?$")

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
    column: str = "amount_tkr"  # where the amount stood (a year's column in a plan)
    text: str = ""  # the amount as written

    @property
    def key(self) -> LineKey:
        return (self.section, self.category, self.name, self.owner)


@dataclass(frozen=True)
class ParsedBudget:
    """One year of a budget file: the budget, or a later year of a multi-year plan."""

    year: int
    plan: bool
    lines: list[ParsedLine]


@dataclass(frozen=True)
class BudgetFile:
    budgets: list[ParsedBudget]  # in the file's column order: the budget first
    # Rows whose costs were written with a minus sign (as Örnsköldsvik prints them) and read
    # as costs.
    negated_costs: int = 0


@dataclass(frozen=True)
class PlanImported:
    """A later year of a multi-year file; `kept` when an adopted budget of that year exists
    (a plan never replaces a decided budget)."""

    year: int
    lines: int
    totals: dict[Section, int]
    replaced: bool
    kept: bool = False


@dataclass(frozen=True)
class BudgetImportResult:
    year: int
    lines: int
    totals: dict[Section, int]  # kr per section
    totals_by_category: dict[Category, int]  # kr per category present in the file
    interventions_created: int
    replaced: bool
    plan: bool = False
    plans: tuple[PlanImported, ...] = ()
    negated_costs: int = 0


def import_budget(session: Session, path: Path, *, replace: bool = False) -> BudgetImportResult:
    """Store the budget in `path` in the caller's session (the caller commits).

    Raises ImportRejected (every bad row), ConflictError('budget_year_exists') when the year is
    already stored and not `replace`. Replacing keeps the ids of lines that remain, so money
    already booked on them stays attached; it refuses to drop a line that has spending.
    A multi-year file stores its later years as plans: a stored plan is replaced by the next
    file of that year without `replace`, an adopted budget is never replaced by a plan."""
    parsed = read_budget_plan(path)
    first, *later = parsed.budgets
    existing = get_budget_year(session, first.year)
    if existing is not None and not existing.plan and not replace:
        raise ConflictError("budget_year_exists", year=first.year)
    replaced = _store_year(session, first, existing, path=path)
    created = 0 if first.plan else _record_interventions(session, first.year, first.lines)
    plans: list[PlanImported] = []
    for budget in later:
        stored = get_budget_year(session, budget.year)
        kept = stored is not None and not stored.plan and budget.plan
        plans.append(
            PlanImported(
                year=budget.year,
                lines=len(budget.lines),
                totals=_totals(budget.lines),
                replaced=False if kept else _store_year(session, budget, stored, path=path),
                kept=kept,
            )
        )
        if not budget.plan and not kept:
            created += _record_interventions(session, budget.year, budget.lines)
    session.flush()
    return BudgetImportResult(
        year=first.year,
        lines=len(first.lines),
        totals=_totals(first.lines),
        totals_by_category=_totals_by_category(first.lines),
        interventions_created=created,
        replaced=replaced,
        plan=first.plan,
        plans=tuple(plans),
        negated_costs=parsed.negated_costs,
    )


def _store_year(
    session: Session, budget: ParsedBudget, budget_year: BudgetYear | None, *, path: Path
) -> bool:
    """Store one year's lines, creating or replacing its BudgetYear; True if it replaced."""
    if budget_year is None:
        budget_year = BudgetYear(year=budget.year, source=path.name, plan=budget.plan)
        session.add(budget_year)
        session.flush()
        _store_lines(session, budget_year, budget.lines)
        return False
    _check_removed_lines(session, budget_year, budget.lines, path=path)
    budget_year.source = path.name
    budget_year.imported_at = utcnow()
    budget_year.plan = budget.plan
    session.add(budget_year)
    session.execute(  # in SQL: two imports at once must both count
        update(BudgetYear)
        .where(col(BudgetYear.id) == budget_year.id)
        .values(revision=col(BudgetYear.revision) + 1)
    )
    _store_lines(session, budget_year, budget.lines)
    return True


def _totals(lines: list[ParsedLine]) -> dict[Section, int]:
    return {s: sum(x.amount_kr for x in lines if x.section is s) for s in Section}


def read_budget_file(path: Path) -> tuple[int, list[ParsedLine]]:
    """The file's (first) year and its lines in file order, or ImportRejected listing every
    problem."""
    first = read_budget_plan(path).budgets[0]
    return first.year, first.lines


def _required(header: tuple[str, ...]) -> list[str]:
    """A plan's year columns stand for `year` and `amount_tkr`."""
    if "amount_tkr" not in header and _year_columns(header):
        return [c for c in _REQUIRED if c not in ("year", "amount_tkr")]
    return list(_REQUIRED)


def _year_columns(header: tuple[str, ...]) -> list[tuple[str, int, bool]]:
    """(column, year, plan) of each year column: "Plan 2027" is a plan, "Budget 2026" a
    budget; a bare year is the budget when it comes first, a plan after it."""
    found: list[tuple[str, int, bool]] = []
    for name in header:
        match = _YEAR_COLUMN.match(fold(name)) if name else None
        if match is None:
            continue
        word, year = match.group(1), int(match.group(2))
        found.append((name, year, word == "plan" or (word is None and bool(found))))
    return found


def read_budget_plan(path: Path) -> BudgetFile:
    """Every year of the file, its lines in file order, costs made positive; or ImportRejected
    listing every problem (by the column names the file uses)."""
    table = read_table(path, required=_required, optional=_OPTIONAL, aliases=COLUMN_WORDS)
    problems = list(table.problems)
    wide = "amount_tkr" not in table.header
    columns = _year_columns(table.header) if wide else []
    years_seen: dict[int, str] = {}
    for name, column_year, _plan in columns:
        if column_year in years_seen:
            written = table.written.get(name, name)
            problems.append(problem(table.header_line, name, ProblemCode.duplicate_column, written))
        years_seen.setdefault(column_year, name)
    file_year: int | None = None
    first_line_of: dict[tuple[int, LineKey], int] = {}
    lines: list[tuple[int, ParsedLine]] = []
    for row in table.rows:
        if wide:
            found = _parse_plan_row(row, columns, problems)
        else:
            row_year = read_year(row, problems)
            if row_year is not None and file_year is None:
                file_year = row_year
            elif row_year is not None and row_year != file_year:
                problems.append(problem(row.line, "year", ProblemCode.other_year, str(row_year)))
            parsed = _parse_line(row, problems, "amount_tkr")
            found = [] if parsed is None or row_year is None else [(row_year, parsed)]
        for year, line in found:
            first = first_line_of.setdefault((year, line.key), row.line)
            if first != row.line:
                problems.append(problem(row.line, "name", ProblemCode.duplicate_line, str(first)))
                break
            lines.append((year, line))
    negated = _check_signs([parsed for _, parsed in lines], problems)
    reject_if_any(table.as_written(problems), path=path)
    if negated:
        lines = [(y, _negated(x) if x.section is Section.cost else x) for y, x in lines]
    if wide:
        plans = {year: plan for _name, year, plan in columns}
        order = list(dict.fromkeys(year for _name, year, _plan in columns))
    else:
        assert file_year is not None  # no problems: every row had this year, and there is a row
        plans, order = {file_year: False}, [file_year]
    budgets = [
        ParsedBudget(year, plans[year], [x for y, x in lines if y == year])
        for year in order
        if any(y == year for y, _ in lines)
    ]
    if not budgets:  # a plan whose every year column is empty
        reject_if_any([problem(table.header_line, "", ProblemCode.empty_file)], path=path)
    return BudgetFile(budgets=budgets, negated_costs=negated)


def _parse_plan_row(
    row: SourceRow, columns: list[tuple[str, int, bool]], problems: list[RowProblem]
) -> list[tuple[int, ParsedLine]]:
    """A row of a multi-year plan: a line for each year whose column holds an amount."""
    filled = [(name, year) for name, year, _plan in columns if row.get(name)]
    if not filled:  # the budget year's amount is missing: say so there
        filled = [(columns[0][0], columns[0][1])]
    found: list[tuple[int, ParsedLine]] = []
    before = len(problems)
    for index, (name, year) in enumerate(filled):
        scratch: list[RowProblem] = []
        parsed = _parse_line(row, scratch, name)
        # The row's other cells are the same for every year: name their problems once.
        problems.extend(scratch if index == 0 else [p for p in scratch if p.column == name])
        if parsed is not None:
            found.append((year, parsed))
    return found if len(problems) == before else []


def _check_signs(lines: list[ParsedLine], problems: list[RowProblem]) -> int:
    """A line's sign follows its section: income is positive; costs are all positive or all
    written with a minus sign (then read as costs: the count is returned). A cost whose sign
    differs from most of the file's costs, and negative income, are refused by cell."""
    problems.extend(
        problem(x.line, x.column, ProblemCode.negative_income, x.text)
        for x in lines
        if x.section is Section.income and x.amount_kr < 0
    )
    costs = [x for x in lines if x.section is Section.cost and x.amount_kr != 0]
    negative = [x for x in costs if x.amount_kr < 0]
    positive = [x for x in costs if x.amount_kr > 0]
    if negative and positive:
        odd = negative if len(negative) <= len(positive) else positive
        problems.extend(problem(x.line, x.column, ProblemCode.cost_sign_mixed, x.text) for x in odd)
        return 0
    return len({x.line for x in negative})  # rows of the file, not cells


def _negated(line: ParsedLine) -> ParsedLine:
    return replace_fields(line, amount_kr=-line.amount_kr)


def _parse_line(row: SourceRow, problems: list[RowProblem], column: str) -> ParsedLine | None:
    before = len(problems)
    section = _read_section(row, problems)
    category = read_category(row, problems)
    if category is not None and section is not None and SECTION_OF[category] is not section:
        text = row.get("category")
        problems.append(problem(row.line, "category", ProblemCode.category_not_in_section, text))
    name = read_text(row, "name", problems, required=True)
    owner = read_text(row, "owner", problems)
    support = _read_support(row, problems)
    amount = read_amount(row, problems, column)
    if len(problems) > before:
        return None
    assert section is not None and category is not None and name is not None
    assert owner is not None and amount is not None
    return ParsedLine(
        row.line, section, category, name, owner, support, amount, column, row.get(column)
    )


def _read_section(row: SourceRow, problems: list[RowProblem]) -> Section | None:
    text = row.get("section")
    found = SECTION_WORDS.get(fold(text)) if text else None
    if found is None:
        problems.append(problem(row.line, "section", ProblemCode.unknown_section, text))
    return found


def _read_support(row: SourceRow, problems: list[RowProblem]) -> SupportKind | None:
    """None for an empty cell; a bad value adds a problem (the caller counts problems)."""
    text = row.get("support")
    if not text:
        return None
    found = SUPPORT_WORDS.get(fold(text))
    if found is None:
        problems.append(problem(row.line, "support", ProblemCode.bad_support, text))
    return found


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
