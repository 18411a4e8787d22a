"""Budget status: the approved budget against money spent, and the rules of good financial
management (DOMAIN.md "Money"). Pure computation over plain values; `load_budget_status`
fetches them from the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from store.board import grants_of_year
from store.budget import get_budget_year, list_budget_lines, list_budget_years, spending_by_line
from store.db import session_scope
from store.errors import NotFoundError
from store.models import Category, Section, SupportKind
from store.reports import stated_costs

RATIO_PLACES = Decimal("0.0001")
COST_CATEGORIES = (
    Category.board,
    Category.administration,
    Category.intervention,
    Category.other_collaboration,
    Category.reserved,
)


@dataclass(frozen=True)
class EquityStep:
    """A step of the national council's equity staircase: from this allocation (the year's
    member fees, kr) the ceiling is `limit` of it, until the next step."""

    from_kr: int
    limit: Decimal


def parse_equity_steps(text: str) -> tuple[EquityStep, ...]:
    """`"0:0.20,10000000:0.15"` → steps; the first from 0, each from more than the one
    before, limits between 0 and 1. Raises ValueError saying what is wrong."""
    steps: list[EquityStep] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        start, colon, limit = part.partition(":")
        try:
            step = EquityStep(int(start.strip().replace(" ", "").replace("_", "")), Decimal(limit))
        except (ValueError, ArithmeticError) as err:
            raise ValueError(f"{part!r} is not FROM_KR:SHARE, e.g. 10000000:0.15") from err
        if not colon or not Decimal(0) <= step.limit <= Decimal(1):
            raise ValueError(f"{part!r}: the share is a decimal between 0 and 1, e.g. 0.20")
        if steps and step.from_kr <= steps[-1].from_kr:
            raise ValueError(f"{part!r}: steps go up in size, each from more than the one before")
        steps.append(step)
    if not steps or steps[0].from_kr != 0:
        raise ValueError("the first step starts at 0, e.g. 0:0.20")
    return tuple(steps)


@dataclass(frozen=True)
class BudgetRules:
    """Limits of the rule checks, per association (the equity ceiling steps with size)."""

    equity_limit: Decimal = Decimal("0.20")
    individual_share_min: Decimal | None = None
    pace_margin: Decimal = Decimal("0.15")
    # The staircase (FINSAM_EQUITY_STEPS); empty: `equity_limit` at every size.
    equity_steps: tuple[EquityStep, ...] = ()
    # The least share of money granted to new interventions in the year that goes to
    # individual support (Örnsköldsvik 2026: 70 %); None: no such rule.
    new_grants_individual_min: Decimal | None = None

    def equity_step(self, member_fees: int) -> tuple[Decimal, int | None, int | None]:
        """The ceiling for an association of this size, and the step's bounds (from, until;
        None without a staircase, until None on the top step)."""
        if not self.equity_steps:
            return self.equity_limit, None, None
        index = max(i for i, step in enumerate(self.equity_steps) if step.from_kr <= member_fees)
        step = self.equity_steps[index]
        above = self.equity_steps[index + 1 :]
        return step.limit, step.from_kr, above[0].from_kr if above else None


@dataclass(frozen=True)
class LineInput:
    section: Section
    category: Category
    name: str
    owner: str
    support: SupportKind | None
    budget: int
    spent_by_month: dict[int, int] = field(default_factory=dict)
    # Costs the intervention stated in its quarterly reports, by quarter (1–4).
    stated_by_quarter: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GrantInput:
    """Money granted during the year from the remaining decision room (workflows/grants.py)."""

    amount: int
    support: SupportKind
    intervention: str = ""
    owner: str = ""


@dataclass(frozen=True)
class LineStatus:
    category: Category
    name: str
    owner: str
    support: SupportKind | None
    budget: int
    spent: int
    consumption_ratio: Decimal | None
    projected_year_end: int | None
    over_budget: bool
    lagging: bool
    ahead_of_pace: bool
    # Stated in quarterly reports for months the books do not cover yet: shown beside the
    # books, never added to them (the books win once they cover the month).
    preliminary: int = 0

    @property
    def needs_attention(self) -> bool:
        return self.over_budget or self.lagging or self.ahead_of_pace


@dataclass(frozen=True)
class CategoryStatus:
    category: Category
    budget: int
    spent: int
    consumption_ratio: Decimal | None
    budget_share_of_member_fees: Decimal | None
    spent_share_of_member_fees: Decimal | None


@dataclass(frozen=True)
class RuleCheck:
    """One rule of good financial management, with the figures it was judged on."""

    rule: str
    ok: bool
    value: Decimal | None
    limit: Decimal | None
    figures: dict[str, int]
    # False for a share rule without a minimum: the figure is shown, nothing is met or missed.
    checked: bool = True


@dataclass(frozen=True)
class BudgetStatus:
    year: int
    through_month: int
    expected_pace: Decimal
    income: int
    costs: int
    result: int
    opening_equity: int
    remaining_decision_room: int
    member_fees: int
    lines: list[LineStatus]
    categories: list[CategoryStatus]
    rules: list[RuleCheck]
    intervention_filter: str | None = None
    # Granted during the year by the board or on delegation: what is left to decide on.
    granted: int = 0
    remaining_after_grants: int = 0
    # The year's forecast: each cost line at its projection (its budget while no month is
    # booked), the reserve for undecided interventions as planned, income as budgeted.
    forecast_costs: int = 0
    forecast_result: int = 0
    forecast_closing_equity: int = 0
    # The restricted reserve fund: in the opening equity, not in the decision room.
    reserve_fund: int = 0
    # Reserved for undecided interventions (cost lines `reserved`): the pool grants come from.
    reserve: int = 0
    reserve_granted: int = 0  # of the grants, what the reserve covered
    # What the board can decide on during the year: the remaining decision room plus the
    # reserve (before grants; `remaining_after_grants` is what is left after them).
    to_decide: int = 0
    # A later year of a multi-year plan, not yet the adopted budget.
    plan: bool = False

    @property
    def overdrawn(self) -> bool:
        """More granted than there was to decide on: flagged, never a silent negative."""
        return self.remaining_after_grants < 0

    @property
    def attention_first(self) -> list[LineStatus]:
        """Over budget first (largest overspend first), then ahead of pace, then lagging
        (largest shortfall against the pace first), then the rest in file order."""
        flagged = [line for line in self.lines if line.needs_attention]
        flagged.sort(key=self._urgency)
        return flagged + [line for line in self.lines if not line.needs_attention]

    def _urgency(self, line: LineStatus) -> tuple[int, Decimal]:
        deviation = Decimal(line.spent) - Decimal(line.budget) * self.expected_pace
        if line.over_budget:
            return 0, Decimal(line.budget - line.spent)
        if line.ahead_of_pace:
            return 1, -deviation
        return 2, deviation


def ratio(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def _line_status(
    line: LineInput, *, through_month: int, pace: Decimal, margin: Decimal
) -> LineStatus:
    spent = sum(line.spent_by_month.values())
    consumption = ratio(spent, line.budget)
    projected = (
        None
        if through_month == 0
        else (Decimal(spent) * 12 / through_month).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    # The reserve for undecided interventions is spent by decisions, not month by month: it
    # is the pool grants are drawn from, never "lagging".
    paced = line.category != Category.reserved and consumption is not None and through_month > 0
    lagging = paced and consumption is not None and consumption < pace - margin
    ahead = paced and consumption is not None and consumption > pace + margin
    return LineStatus(
        category=line.category,
        name=line.name,
        owner=line.owner,
        support=line.support,
        budget=line.budget,
        spent=spent,
        consumption_ratio=consumption,
        projected_year_end=None if projected is None else int(projected),
        over_budget=spent > line.budget,
        lagging=lagging,
        ahead_of_pace=ahead and not spent > line.budget,
        preliminary=preliminary_after(line.stated_by_quarter, through_month=through_month),
    )


def preliminary_after(stated_by_quarter: dict[int, int], *, through_month: int) -> int:
    """Stated quarterly costs for the months after `through_month` (the books' last month):
    a quarter the books partly cover counts for its uncovered months only, pro rata."""
    total = Decimal(0)
    for quarter, amount in stated_by_quarter.items():
        first, last = 3 * quarter - 2, 3 * quarter
        uncovered = last - max(first - 1, through_month)
        if uncovered > 0:
            total += Decimal(amount) * min(uncovered, 3) / 3
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _sum(
    lines: list[LineInput], *, section: Section | None = None, category: Category | None = None
) -> int:
    return sum(
        line.budget
        for line in lines
        if (section is None or line.section == section)
        and (category is None or line.category == category)
    )


def _rules(
    lines: list[LineInput],
    rules: BudgetRules,
    *,
    member_fees: int,
    opening_equity: int,
    income: int,
    costs: int,
) -> list[RuleCheck]:
    interventions = [line for line in lines if line.category == Category.intervention]
    individual = sum(
        line.budget for line in interventions if line.support == SupportKind.individual
    )
    intervention_total = sum(line.budget for line in interventions)
    equity_share = ratio(opening_equity, member_fees)
    individual_share = ratio(individual, intervention_total)
    minimum = rules.individual_share_min
    ceiling, step_from, step_until = rules.equity_step(max(member_fees, 0))
    step = {} if step_from is None else {"step_from": step_from}
    if step_until is not None:
        step["step_until"] = step_until
    return [
        RuleCheck(
            rule="equity_ceiling",
            ok=equity_share is not None and equity_share <= ceiling,
            value=equity_share,
            limit=ceiling,
            figures={"opening_equity": opening_equity, "member_fees": member_fees, **step},
        ),
        RuleCheck(
            rule="income_covers_costs",
            ok=income >= costs,
            value=None,
            limit=None,
            figures={"income": income, "costs": costs, "difference": income - costs},
        ),
        RuleCheck(
            rule="individual_support_share",
            ok=minimum is None or (individual_share is not None and individual_share >= minimum),
            value=individual_share,
            limit=minimum,
            figures={"individual_support": individual, "interventions": intervention_total},
            checked=minimum is not None,
        ),
    ]


def _grants_rule(grants: Sequence[GrantInput], rules: BudgetRules) -> RuleCheck:
    """The individual-support share of the money granted during the year (DOMAIN.md: the
    share of new grants going to individual support, reported at every board meeting)."""
    granted = sum(grant.amount for grant in grants)
    individual = sum(g.amount for g in grants if g.support == SupportKind.individual)
    share = ratio(individual, granted)
    minimum = rules.individual_share_min
    return RuleCheck(
        rule="grants_individual_share",
        ok=minimum is None or share is None or share >= minimum,
        value=share,
        limit=minimum,
        figures={"individual_grants": individual, "granted": granted},
        checked=minimum is not None,
    )


def _new_grants_rule(
    grants: Sequence[GrantInput], lines: list[LineInput], minimum: Decimal
) -> RuleCheck:
    """The individual-support share of the money granted to new interventions: those with
    no line of their own in the year's budget (a budgeted one that gets more is not new)."""
    budgeted = {
        (line.name.casefold(), line.owner.casefold())
        for line in lines
        if line.category == Category.intervention
    }
    new = [g for g in grants if (g.intervention.casefold(), g.owner.casefold()) not in budgeted]
    granted = sum(g.amount for g in new)
    individual = sum(g.amount for g in new if g.support == SupportKind.individual)
    share = ratio(individual, granted)
    return RuleCheck(
        rule="new_grants_individual_share",
        ok=share is None or share >= minimum,
        value=share,
        limit=minimum,
        figures={"individual_grants": individual, "granted": granted},
    )


def compute_budget_status(
    year: int,
    lines: list[LineInput],
    *,
    rules: BudgetRules,
    intervention: str | None = None,
    grants: Sequence[GrantInput] = (),
    plan: bool = False,
) -> BudgetStatus:
    """The year's status. Pace is measured against the months the books cover: the latest
    month with money booked on any line (accounting lags the calendar; judging spending
    against today's date would flag every line as lagging)."""
    through_month = max((m for line in lines for m in line.spent_by_month), default=0)
    pace = (Decimal(through_month) / 12).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)
    income = _sum(lines, section=Section.income)
    costs = _sum(lines, section=Section.cost)
    opening_equity = _sum(lines, section=Section.balance)
    member_fees = _sum(lines, category=Category.member_fees)
    cost_lines = [line for line in lines if line.section == Section.cost]
    statuses = [
        _line_status(line, through_month=through_month, pace=pace, margin=rules.pace_margin)
        for line in cost_lines
    ]
    categories = [
        _category_status(category, statuses, member_fees=member_fees)
        for category in COST_CATEGORIES
        if any(s.category == category for s in statuses)
    ]
    shown = statuses if intervention is None else match_interventions(statuses, intervention)
    reserve_fund = _sum(lines, category=Category.reserve_fund)
    remaining = income - costs + opening_equity - reserve_fund
    reserve = _sum(lines, category=Category.reserved)
    granted = sum(grant.amount for grant in grants)
    forecast_costs = _forecast_costs(statuses, granted=granted)
    return BudgetStatus(
        year=year,
        through_month=through_month,
        expected_pace=pace,
        income=income,
        costs=costs,
        result=income - costs,
        opening_equity=opening_equity,
        remaining_decision_room=remaining,
        member_fees=member_fees,
        lines=shown,
        categories=categories,
        rules=[
            *_rules(
                lines,
                rules,
                member_fees=member_fees,
                opening_equity=opening_equity,
                income=income,
                costs=costs,
            ),
            _grants_rule(grants, rules),
            *(
                []
                if rules.new_grants_individual_min is None
                else [_new_grants_rule(grants, lines, rules.new_grants_individual_min)]
            ),
        ],
        intervention_filter=intervention,
        granted=granted,
        remaining_after_grants=remaining + reserve - granted,
        forecast_costs=forecast_costs,
        forecast_result=income - forecast_costs,
        forecast_closing_equity=opening_equity + income - forecast_costs,
        reserve_fund=reserve_fund,
        reserve=reserve,
        reserve_granted=min(max(reserve, 0), granted),
        to_decide=remaining + reserve,
        plan=plan,
    )


def _forecast_costs(statuses: list[LineStatus], *, granted: int) -> int:
    """The year's costs as the books point: a line at its projection, or its budget before
    any month is booked; the reserve at its budget (it is spent by decisions, not by pace),
    and what was granted beyond it on top."""
    total = 0
    reserve = 0
    for line in statuses:
        if line.category == Category.reserved:
            reserve += max(line.budget, line.spent)
        elif line.projected_year_end is None:
            total += line.budget
        else:
            total += line.projected_year_end
    return total + max(reserve, granted)


def _category_status(
    category: Category, statuses: list[LineStatus], *, member_fees: int
) -> CategoryStatus:
    mine = [s for s in statuses if s.category == category]
    budget = sum(s.budget for s in mine)
    spent = sum(s.spent for s in mine)
    return CategoryStatus(
        category=category,
        budget=budget,
        spent=spent,
        consumption_ratio=ratio(spent, budget),
        budget_share_of_member_fees=ratio(budget, member_fees),
        spent_share_of_member_fees=ratio(spent, member_fees),
    )


def match_interventions(statuses: list[LineStatus], query: str) -> list[LineStatus]:
    """Intervention lines whose name is `query` (any case), else those containing it;
    "Lokussamordnare Uppsala" also matches on name plus owner."""
    wanted = " ".join(query.casefold().split())
    interventions = [s for s in statuses if s.category == Category.intervention]

    def label(s: LineStatus) -> str:
        return f"{s.name} {s.owner}".casefold()

    exact = [s for s in interventions if wanted in (s.name.casefold(), label(s))]
    found = exact or [s for s in interventions if wanted in label(s)]
    if found:
        return found
    raise NotFoundError("no_such_intervention", query=query)


def load_budget_status(
    session: Session, *, year: int, rules: BudgetRules, intervention: str | None = None
) -> BudgetStatus:
    """The status of a stored budget year; NotFoundError names the years that exist."""
    budget_year = get_budget_year(session, year)
    if budget_year is None:
        years = ", ".join(str(y) for y in list_budget_years(session)) or "-"
        raise NotFoundError("no_budget_for_year", year=year, years=years)
    spent = spending_by_line(session, budget_year)
    stated = stated_costs(session, year)
    lines = [
        LineInput(
            section=line.section,
            category=line.category,
            name=line.name,
            owner=line.owner,
            support=line.support,
            budget=line.amount_kr,
            spent_by_month=spent.get(line.id or 0, {}),
            stated_by_quarter=stated.get((line.name, line.owner), {})
            if line.category == Category.intervention
            else {},
        )
        for line in list_budget_lines(session, budget_year)
    ]
    grants = [
        GrantInput(
            amount=grant.amount_kr,
            support=SupportKind(grant.support),
            intervention=grant.intervention,
            owner=grant.owner,
        )
        for grant in grants_of_year(session, year)
    ]
    return compute_budget_status(
        year,
        lines,
        rules=rules,
        intervention=intervention,
        grants=grants,
        plan=budget_year.plan,
    )


def budget_status_for(
    engine: Engine, *, year: int, rules: BudgetRules, intervention: str | None = None
) -> BudgetStatus:
    with session_scope(engine) as session:
        return load_budget_status(session, year=year, rules=rules, intervention=intervention)
