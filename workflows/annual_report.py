"""The figures of the annual report (*årsredovisning*) and the interim report
(*delårsrapport*), as the 2017 annual report prints them (DOMAIN.md "Money", "Follow-up of
interventions"): the participant paragraph and profile, the consumption per category, per
intervention for the year and over its whole life, the spending as a share of the member
fees year by year, and the share of interventions that used more than 85 % of their budget.

An interim report is the same through a month (`through_month`, e.g. 8 for August): the
books of the report's year through that month and the monthly reports through that month;
earlier years count whole. Budgets are the year's (a consumption ratio in August is spent so
far against the whole year's budget, as the interim report prints it).

Participants are counted by the annual report's own method, per person, not per
person-month (workflows/participants.py). Money is kept in kronor; the workbook shows tkr."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine

from store.budget import get_budget_year, list_budget_lines, list_budget_years, spending_by_line
from store.db import session_scope
from store.models import Category, Section, SupportKind
from workflows.comparisons import Comparison
from workflows.exports import reported_through
from workflows.participants import ParticipantFigures, ParticipantTable, participant_table

# "Under 2017 har 67 % av insatserna nyttjat över 85 % av sin budget" (seeds 001).
USED_MOST = Decimal("0.85")
# The collaboration the association funds (*samverkansinsatser*): what the member-fee table
# sums as "Samverkansinsatser", beside the board and the administration.
COLLABORATION = (Category.intervention, Category.other_collaboration, Category.reserved)
PER_INTERVENTION = (Category.intervention, Category.other_collaboration)


def ratio(part: int, whole: int) -> float | None:
    """part / whole, exact (the workbook's cells keep every digit); None without a whole."""
    return part / whole if whole else None


@dataclass(frozen=True)
class HeldLine:
    """A cost line of one budget year held in the database, with what the books say was
    spent on it through the report's month (earlier years: the whole year)."""

    year: int
    category: Category
    name: str
    owner: str
    support: SupportKind | None
    budget: int
    spent: int
    position: int

    @property
    def identity(self) -> tuple[Category, str, str]:
        """The same intervention across years: its category, name and owner (any case)."""
        return self.category, self.name.casefold(), self.owner.casefold()


@dataclass(frozen=True)
class HeldYear:
    year: int
    member_fees: int
    books_through: int  # the last month booked on any line (counted), 0: none
    lines: tuple[HeldLine, ...]


@dataclass(frozen=True)
class CategoryRow:
    """One row of "Förbrukning per kategori": a cost category, and for the interventions
    their kind of support (individual, structural; None: not stated)."""

    category: Category
    support: SupportKind | None
    budget: int
    spent: int

    @property
    def consumption(self) -> float | None:
        return ratio(self.spent, self.budget)


@dataclass(frozen=True)
class InterventionRow:
    """One intervention (or other collaboration line): the year, the year before, and its
    life so far (every budget year held up to the report's, whose books count through the
    report's month)."""

    category: Category
    name: str
    owner: str
    support: SupportKind | None
    budget: int  # the report's year (0 when it has no line that year)
    spent: int
    spent_previous: int | None  # None: no line the year before
    life_budget: int
    life_spent: int
    first_year: int
    last_year: int

    @property
    def consumption(self) -> float | None:
        return ratio(self.spent, self.budget)

    @property
    def life_consumption(self) -> float | None:
        return ratio(self.life_spent, self.life_budget)


@dataclass(frozen=True)
class FeeShareRow:
    """One year of "Förbrukning i förhållande till medlemsintäkt"."""

    year: int
    member_fees: int
    collaboration: int
    board: int
    administration: int
    books_through: int

    def share(self, spent: int) -> float | None:
        return ratio(spent, self.member_fees)


@dataclass(frozen=True)
class UsedMostRow:
    """One year: how many interventions had a budget, how many spent more than 85 % of it."""

    year: int
    interventions: int
    used_most: int
    books_through: int

    @property
    def share(self) -> float | None:
        return ratio(self.used_most, self.interventions)


@dataclass(frozen=True)
class AnnualReport:
    year: int
    through_month: int  # 12: the annual report; less: the interim report through that month
    books_through: int  # the last month of the year booked (up to `through_month`)
    reports_through: int  # the last month of the year with a monthly report in it
    participants: ParticipantTable
    comparison: Comparison
    has_budget: bool
    categories: tuple[CategoryRow, ...]
    interventions: tuple[InterventionRow, ...]
    fee_shares: tuple[FeeShareRow, ...]
    used_most: tuple[UsedMostRow, ...]

    @property
    def interim(self) -> bool:
        return self.through_month < 12

    @property
    def total(self) -> ParticipantFigures:
        return self.participants.total


def held_years(engine: Engine, year: int, *, through_month: int = 12) -> list[HeldYear]:
    """Every budget year held up to `year`, its cost lines with their spending: the whole
    year for earlier years, months 1 … `through_month` for `year` itself."""
    found: list[HeldYear] = []
    with session_scope(engine) as session:
        for held in list_budget_years(session):
            if held > year:
                continue
            budget_year = get_budget_year(session, held)
            assert budget_year is not None
            last = through_month if held == year else 12
            spent = spending_by_line(session, budget_year)
            lines, member_fees, booked = [], 0, 0
            for line in list_budget_lines(session, budget_year):
                if line.category == Category.member_fees:
                    member_fees += line.amount_kr
                if line.section != Section.cost:
                    continue
                months = {m: kr for m, kr in spent.get(line.id or 0, {}).items() if m <= last}
                booked = max([booked, *months])
                lines.append(
                    HeldLine(
                        year=held,
                        category=line.category,
                        name=line.name,
                        owner=line.owner,
                        support=line.support,
                        budget=line.amount_kr,
                        spent=sum(months.values()),
                        position=line.position,
                    )
                )
            found.append(HeldYear(held, member_fees, booked, tuple(lines)))
    return found


def category_rows(lines: Iterable[HeldLine]) -> tuple[CategoryRow, ...]:
    """The year's cost categories in the budget's order; the interventions split by their
    kind of support (individual first), as the annual report tabulates them."""
    rows: list[CategoryRow] = []
    mine = list(lines)
    for category in (*COLLABORATION, Category.board, Category.administration):
        of = [line for line in mine if line.category == category]
        if not of:
            continue
        supports: list[SupportKind | None] = [None]
        if category == Category.intervention:
            supports = [SupportKind.individual, SupportKind.structural, None]
        for support in supports:
            group = [
                line for line in of if category != Category.intervention or line.support == support
            ]
            if group:
                rows.append(
                    CategoryRow(
                        category,
                        support if category == Category.intervention else None,
                        sum(line.budget for line in group),
                        sum(line.spent for line in group),
                    )
                )
    return tuple(rows)


def intervention_rows(years: list[HeldYear], year: int) -> tuple[InterventionRow, ...]:
    """Every intervention and other collaboration line of `year` or the year before (one
    that ended last year shows with nothing this year, as the annual report lists it), in
    the budget's order; its life is every held year up to `year`."""
    by_identity: dict[tuple[Category, str, str], list[HeldLine]] = {}
    for held in years:
        for line in held.lines:
            if line.category in PER_INTERVENTION:
                by_identity.setdefault(line.identity, []).append(line)
    rows: list[tuple[tuple[int, int, int], InterventionRow]] = []
    for lines in by_identity.values():
        this = [line for line in lines if line.year == year]
        before = [line for line in lines if line.year == year - 1]
        if not this and not before:
            continue
        shown = (this or before)[0]
        order = (
            PER_INTERVENTION.index(shown.category),
            0 if this else 1,
            shown.position,
        )
        rows.append(
            (
                order,
                InterventionRow(
                    category=shown.category,
                    name=shown.name,
                    owner=shown.owner,
                    support=shown.support,
                    budget=sum(line.budget for line in this),
                    spent=sum(line.spent for line in this),
                    spent_previous=sum(line.spent for line in before) if before else None,
                    life_budget=sum(line.budget for line in lines),
                    life_spent=sum(line.spent for line in lines),
                    first_year=min(line.year for line in lines),
                    last_year=max(line.year for line in lines),
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return tuple(row for _, row in rows)


def fee_share_row(held: HeldYear) -> FeeShareRow:
    def spent(*categories: Category) -> int:
        return sum(line.spent for line in held.lines if line.category in categories)

    return FeeShareRow(
        year=held.year,
        member_fees=held.member_fees,
        collaboration=spent(*COLLABORATION),
        board=spent(Category.board),
        administration=spent(Category.administration),
        books_through=held.books_through,
    )


def used_most_row(held: HeldYear) -> UsedMostRow:
    """The interventions with a budget that year, and those whose spending was more than
    85 % of it (one line per intervention: lines of the same name and owner are added)."""
    budgets: dict[tuple[Category, str, str], list[int]] = {}
    for line in held.lines:
        if line.category == Category.intervention:
            budget, spent = budgets.setdefault(line.identity, [0, 0])
            budgets[line.identity] = [budget + line.budget, spent + line.spent]
    funded = [(budget, spent) for budget, spent in budgets.values() if budget > 0]
    used = sum(1 for budget, spent in funded if Decimal(spent) > USED_MOST * budget)
    return UsedMostRow(held.year, len(funded), used, held.books_through)


def annual_report(
    engine: Engine,
    year: int,
    *,
    through_month: int = 12,
    comparison: Callable[[int], Comparison] | None = None,
) -> AnnualReport:
    """The annual report's figures for `year` (`through_month` 12), or the interim
    report's through a month. `comparison` gives the national average and the board's
    target for a year (the settings; none when not given)."""
    if not 1 <= through_month <= 12:
        raise ValueError(f"a month is 1 to 12, not {through_month}")
    years = held_years(engine, year, through_month=through_month)
    this = next((held for held in years if held.year == year), None)
    table = participant_table(engine, year, through_month=through_month)
    reports_through = min(reported_through(engine, year), through_month)
    return AnnualReport(
        year=year,
        through_month=through_month,
        books_through=this.books_through if this else 0,
        reports_through=reports_through,
        participants=table,
        comparison=comparison(year) if comparison else Comparison(),
        has_budget=this is not None,
        categories=category_rows(this.lines) if this else (),
        interventions=intervention_rows(years, year),
        fee_shares=tuple(fee_share_row(held) for held in years),
        used_most=tuple(used_most_row(held) for held in years),
    )
