"""Budget status from imported files: DOMAIN.md's figures, pace, flags and rule checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from store.errors import NotFoundError
from tests.budget_data import SAMPLE_2024, SAMPLE_2026, write_spending
from workflows.budget_files import import_budget_file, import_spending_file
from workflows.budget_json import status_to_dict
from workflows.budget_status import BudgetRules, budget_status_for

RULES = BudgetRules()


def rule(data: dict[str, object], name: str) -> dict[str, object]:
    return next(r for r in data["rules"] if r["rule"] == name)  # type: ignore[attr-defined, index]


def test_2026_totals_match_the_plan(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_2026)
    data = status_to_dict(budget_status_for(engine, year=2026, rules=RULES))
    assert (data["income"], data["costs"], data["result"]) == (24_180_000, 27_150_000, -2_970_000)
    assert data["remaining_decision_room"] == 1_007_000
    assert data["opening_equity"] == 3_977_000
    equity = rule(data, "equity_ceiling")
    assert (equity["ok"], equity["value"], equity["limit"]) == (True, 0.1693, 0.2)
    assert equity["figures"] == {"opening_equity": 3_977_000, "member_fees": 23_490_000}
    assert rule(data, "income_covers_costs")["ok"] is False
    share = rule(data, "individual_support_share")
    assert share["figures"] == {"individual_support": 19_004_000, "interventions": 20_690_000}
    assert (share["ok"], share["limit"]) == (True, None)


def test_2024_equity_over_the_ceiling_is_flagged(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_2024)
    data = status_to_dict(budget_status_for(engine, year=2024, rules=RULES))
    assert (data["income"], data["costs"]) == (24_100_000, 27_059_000)
    assert (data["remaining_decision_room"], data["opening_equity"]) == (2_062_000, 5_021_000)
    equity = rule(data, "equity_ceiling")
    assert (equity["ok"], equity["value"]) == (False, 0.2153)


def test_limits_are_configurable(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_2024)
    rules = BudgetRules(equity_limit=Decimal("0.25"), individual_share_min=Decimal("0.95"))
    data = status_to_dict(budget_status_for(engine, year=2024, rules=rules))
    assert rule(data, "equity_ceiling")["ok"] is True
    share = rule(data, "individual_support_share")
    assert (share["ok"], share["limit"]) == (False, 0.95)


def test_spending_gives_ratio_pace_projection_and_flags(engine: Engine, tmp_path: Path) -> None:
    import_budget_file(engine, SAMPLE_2026)
    rows = []
    for month in (1, 2, 3):
        rows += [
            (month, "intervention", "Växtkraft", "Enköping", "229,4"),  # on pace
            (month, "intervention", "Min framtid", "Tierp", "10"),  # lagging
            (month, "board", "Förtroendevalda", "", "200"),  # over budget by March
        ]
    import_spending_file(engine, write_spending(tmp_path / "books.csv", 2026, rows))
    status = budget_status_for(engine, year=2026, rules=RULES)
    assert (status.through_month, status.expected_pace) == (3, Decimal("0.25"))
    lines = {line.name: line for line in status.lines}
    on_pace, lagging, over = lines["Växtkraft"], lines["Min framtid"], lines["Förtroendevalda"]
    assert (on_pace.spent, on_pace.consumption_ratio) == (688_200, Decimal("0.2500"))
    assert on_pace.projected_year_end == 2_752_800
    assert not on_pace.needs_attention
    assert (lagging.spent, lagging.lagging, lagging.over_budget) == (30_000, True, False)
    assert (over.spent, over.over_budget, over.consumption_ratio) == (
        600_000,
        True,
        Decimal("1.2000"),
    )
    ordered = status.attention_first
    assert ordered[0].name == "Förtroendevalda"
    shortfalls = [line.budget // 4 - line.spent for line in ordered if line.lagging]
    assert shortfalls == sorted(shortfalls, reverse=True)
    assert "Min framtid" in [line.name for line in ordered if line.lagging]
    assert ordered.index(on_pace) > len([line for line in ordered if line.needs_attention]) - 1
    board = next(c for c in status.categories if c.category == "board")
    assert (board.spent, board.spent_share_of_member_fees) == (600_000, Decimal("0.0255"))


def test_one_intervention_and_its_twin_owners(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_2026)
    both = budget_status_for(engine, year=2026, rules=RULES, intervention="lokussamordnare")
    assert [(line.name, line.owner) for line in both.lines] == [
        ("Lokussamordnare", "Uppsala"),
        ("Lokussamordnare", "Älvkarleby"),
    ]
    one = budget_status_for(engine, year=2026, rules=RULES, intervention="Lokussamordnare Uppsala")
    assert [(line.owner, line.budget) for line in one.lines] == [("Uppsala", 280_000)]
    assert one.remaining_decision_room == 1_007_000  # totals stay the year's


def test_unknown_year_and_intervention_are_named(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_2026)
    with pytest.raises(NotFoundError) as year:
        budget_status_for(engine, year=2025, rules=RULES)
    assert (year.value.code, year.value.params) == (
        "no_budget_for_year",
        {"year": 2025, "years": "2026"},
    )
    with pytest.raises(NotFoundError) as name:
        budget_status_for(engine, year=2026, rules=RULES, intervention="Finns inte")
    assert name.value.code == "no_such_intervention"
