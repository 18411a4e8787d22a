"""Block Kit for the budget status: totals, rule checks, the lines that need attention first."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, DividerBlock

from bot.blocks.common import cap_blocks, chunked_sections, context, header, section
from bot.ids import Command
from workflows.budget_status import BudgetStatus, LineStatus, RuleCheck
from workflows.texts import Texts


def build_line(texts: Texts, line: LineStatus) -> str:
    return texts.get(
        "budget",
        "line",
        name=line.name,
        owner=line.owner,
        budget=line.budget,
        spent=line.spent,
        ratio=line.consumption_ratio,
        projected=line.projected_year_end,
        over_budget=line.over_budget,
        lagging=line.lagging,
        ahead=line.ahead_of_pace,
        preliminary=line.preliminary,
    )


def build_rule(texts: Texts, rule: RuleCheck) -> str:
    values: dict[str, object] = {"ok": rule.ok, **rule.figures}
    if rule.rule != "income_covers_costs":
        values |= {"value": rule.value, "limit": rule.limit}
    return texts.get("budget", f"rule_{rule.rule}", **values)


def build_totals(texts: Texts, status: BudgetStatus) -> str:
    return texts.get(
        "budget",
        "totals",
        income=status.income,
        costs=status.costs,
        result=status.result,
        remaining=status.remaining_decision_room,
        equity=status.opening_equity,
        granted=status.granted,
        remaining_after=status.remaining_after_grants,
        forecast_result=status.forecast_result,
        forecast_equity=status.forecast_closing_equity,
        booked=status.through_month,
        reserve_fund=status.reserve_fund,
        reserve=status.reserve,
        reserve_granted=status.reserve_granted,
        to_decide=status.to_decide,
        overdrawn=status.overdrawn,
    )


def build_budget_blocks(status: BudgetStatus, texts: Texts) -> list[Block]:
    title = (
        texts.get("budget", "title", year=status.year, plan=status.plan)
        if status.intervention_filter is None
        else texts.get(
            "budget",
            "intervention_title",
            year=status.year,
            query=status.intervention_filter,
            plan=status.plan,
        )
    )
    blocks: list[Block] = [
        header(title),
        context(
            texts.get(
                "budget", "booked_through", month=status.through_month, pace=status.expected_pace
            )
        ),
    ]
    if status.intervention_filter is None:
        blocks += [
            section(build_totals(texts, status)),
            section(
                "\n".join(
                    [texts.get("budget", "rules_heading")]
                    + [build_rule(texts, rule) for rule in status.rules]
                )
            ),
        ]
    blocks += _line_blocks(status, texts)
    if status.intervention_filter is None:
        blocks += [DividerBlock(), *_category_blocks(status, texts)]
    more = texts.get("budget", "more_omitted", command=Command.finsam, year=status.year)
    return cap_blocks(blocks, more=more)


def _line_blocks(status: BudgetStatus, texts: Texts) -> list[Block]:
    ordered = status.attention_first
    flagged = [line for line in ordered if line.needs_attention]
    others = [line for line in ordered if not line.needs_attention]
    blocks: list[Block] = []
    if flagged:
        blocks += [DividerBlock()]
        blocks += chunked_sections(
            [texts.get("budget", "attention_heading", count=len(flagged))]
            + [build_line(texts, line) for line in flagged]
        )
    if others:
        blocks += [DividerBlock()]
        heading = [texts.get("budget", "others_heading")] if flagged else []
        blocks += chunked_sections(heading + [build_line(texts, line) for line in others])
    return blocks


def _category_blocks(status: BudgetStatus, texts: Texts) -> list[Block]:
    lines = [texts.get("budget", "categories_heading")] + [
        texts.get(
            "budget",
            "category_line",
            category=category.category.value,
            budget=category.budget,
            spent=category.spent,
            ratio=category.consumption_ratio,
            share=category.spent_share_of_member_fees,
        )
        for category in status.categories
    ]
    return list(chunked_sections(lines))
