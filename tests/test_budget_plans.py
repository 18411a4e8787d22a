"""Money the way the plans write it (issue #13): Örnsköldsvik's table as printed through the
status and `/finsam budget` (the real app against the Slack fake), the equity staircase, the
forecast of the year, the reserve and what the board can still decide on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.settings import Settings
from store.errors import ConfigError
from tests.budget_data import SAMPLE_2024, SAMPLE_2026, write_spending
from tests.harness import OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from workflows.budget_files import import_budget_file, import_spending_file
from workflows.budget_forecast import kept_forecast
from workflows.budget_json import status_to_dict
from workflows.budget_status import BudgetRules, EquityStep, budget_status_for, parse_equity_steps
from workflows.grants import GrantFields, record_grant

ORNSKOLDSVIK = Path(__file__).parent / "data" / "budget-ornskoldsvik-2026.csv"
# A staircase configured for the tests. The plan (003:373-375) gives one step: 20 % for
# Örnsköldsvik's allocation of 4 890 tkr; the steps around it are this test's own.
STEPS = "0:0.30, 2000000:0.20, 10000000:0.15"


def all_text(body: dict[str, Any]) -> str:
    parts = [body.get("text", "")]
    for block in body.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element.get("text", ""))
    return "\n".join(parts).replace("\u00a0", " ")


def rule(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["rules"] if r["rule"] == name)
    return found


@pytest.fixture
def steps_bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, finsam_equity_steps=STEPS) as bot:
        bot.add_office_user()
        bot.import_budget(ORNSKOLDSVIK)
        yield bot
        bot.fake.assert_clean()


# -- the equity ceiling by size ---------------------------------------------------------------


def test_steps_are_read_and_checked() -> None:
    assert parse_equity_steps(STEPS) == (
        EquityStep(0, Decimal("0.30")),
        EquityStep(2_000_000, Decimal("0.20")),
        EquityStep(10_000_000, Decimal("0.15")),
    )
    rules = BudgetRules(equity_steps=parse_equity_steps(STEPS))
    assert rules.equity_step(1_999_999) == (Decimal("0.30"), 0, 2_000_000)
    assert rules.equity_step(4_890_000) == (Decimal("0.20"), 2_000_000, 10_000_000)
    assert rules.equity_step(23_490_000) == (Decimal("0.15"), 10_000_000, None)
    assert BudgetRules().equity_step(4_890_000) == (Decimal("0.20"), None, None)
    for bad in ("1000:0.2", "0:0.2,0:0.1", "0:1.5", "0:x", "0", "0:0.2,5000000:0.1,1000000:0.1"):
        with pytest.raises(ValueError):
            parse_equity_steps(bad)


def test_a_bad_staircase_setting_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises((ConfigError, ValueError)):
        Settings(_env_file=None, finsam_equity_steps="0:0.2,100:2")  # type: ignore[call-arg]
    cfg = Settings(_env_file=None, finsam_equity_steps=STEPS)  # type: ignore[call-arg]
    assert cfg.budget_rules.equity_steps[1] == EquityStep(2_000_000, Decimal("0.20"))


def test_the_ceiling_is_chosen_by_the_years_member_fees(engine: Engine) -> None:
    import_budget_file(engine, ORNSKOLDSVIK)
    import_budget_file(engine, SAMPLE_2024)  # Uppsala: member fees 23 322 tkr
    rules = BudgetRules(equity_steps=parse_equity_steps(STEPS))

    small = status_to_dict(budget_status_for(engine, year=2026, rules=rules))
    equity = rule(small, "equity_ceiling")

    # 2 800 of 4 890 tkr = 57 % (the plan's footnote), on the 20 % step: over the ceiling
    assert (equity["ok"], equity["value"], equity["limit"]) == (False, 0.5726, 0.2)
    assert equity["figures"] == {
        "opening_equity": 2_800_000,
        "member_fees": 4_890_000,
        "step_from": 2_000_000,
        "step_until": 10_000_000,
    }
    large = rule(
        status_to_dict(budget_status_for(engine, year=2024, rules=rules)), "equity_ceiling"
    )
    assert (large["ok"], large["value"], large["limit"]) == (False, 0.2153, 0.15)
    assert (large["figures"]["step_from"], "step_until" in large["figures"]) == (10_000_000, False)


def test_budget_shows_the_step_in_the_rule_line(steps_bot: RunningBot) -> None:
    text = all_text(steps_bot.ask("budget 2026", user=OFFICE_USER))

    assert (
        "⚠️ Eget kapital 2 800 tkr är 57,3 % av medlemsavgifterna 4 890 tkr (tak 20,0 %, "
        "Nationella rådets trappsteg för tilldelning från 2 000 tkr och under 10 000 tkr) – "
        "*över taket*"
    ) in text
    assert "Intäkter:* 4 890 tkr" in text
    assert "Kostnader:* 7 690 tkr" in text
    assert "Kvarvarande beslutsutrymme:* 0 tkr" in text


# -- the forecast of the year -------------------------------------------------------------------


def book_first_half(engine: Engine, tmp_path: Path) -> None:
    """Books through June: the director's fee 70 tkr a month, Resurslotsen 100 tkr a month."""
    rows: list[tuple[int, str, str, str, str]] = []
    for month in range(1, 7):
        rows += [
            (month, "administration", "Uppdragsersättning förbundschef 100 %", "", "70"),
            (
                month,
                "intervention",
                "Resurslotsen Örnsköldsvik (inkl. beredningsgrupp)",
                "Örnsköldsvik",
                "100",
            ),
        ]
    import_spending_file(engine, write_spending(tmp_path / "books-2026.csv", 2026, rows))


def test_forecast_from_the_line_projections_with_the_reserve_as_planned(
    engine: Engine, tmp_path: Path
) -> None:
    import_budget_file(engine, ORNSKOLDSVIK)
    before = budget_status_for(engine, year=2026, rules=BudgetRules())
    # nothing booked: the forecast is the budget (result −2 800, closing equity 0)
    assert (before.forecast_costs, before.forecast_result) == (7_690_000, -2_800_000)
    assert before.forecast_closing_equity == 0

    book_first_half(engine, tmp_path)
    data = status_to_dict(budget_status_for(engine, year=2026, rules=BudgetRules()))

    # 420 → 840 and 600 → 1 200 by their pace, lines with nothing booked at 0, the reserve
    # 3 732 as planned: 5 772 tkr; 4 890 − 5 772 = −882; 2 800 − 882 = 1 918 at year end
    assert data["through_month"] == 6
    assert data["forecast_costs"] == 5_772_000
    assert data["forecast_result"] == -882_000
    assert data["forecast_closing_equity"] == 1_918_000


def test_budget_shows_the_forecast(steps_bot: RunningBot, tmp_path: Path) -> None:
    text = all_text(steps_bot.ask("budget 2026", user=OFFICE_USER))
    assert (
        "*Prognos för året:* resultat −2 800 tkr, eget kapital vid årets slut 0 tkr "
        "(enligt budget: inget bokfört ännu, reserverade medel enligt plan)"
    ) in text

    book_first_half(steps_bot.engine, tmp_path)
    text = all_text(steps_bot.ask("budget 2026", user=OFFICE_USER))

    assert (
        "*Prognos för året:* resultat −882 tkr, eget kapital vid årets slut 1 918 tkr "
        "(raderna efter takten t.o.m. juni, reserverade medel enligt plan)"
    ) in text


# -- the reserve and what the board can still decide on ---------------------------------------

RESERVE_LINE = "Reserverade medel för ej beslutade insatser"
RESURSLOTSEN = "Resurslotsen Örnsköldsvik (inkl. beredningsgrupp)"


def grant(
    engine: Engine,
    amount_tkr: str,
    *,
    decided_on: str = "2026-03-15",
    intervention: str = RESURSLOTSEN,
    support: str | None = None,
) -> None:
    record_grant(
        engine,
        GrantFields(
            decided_on=decided_on,
            intervention=intervention,
            owner="Örnsköldsvik",
            amount_tkr=amount_tkr,
            body="board",
            decided_by="Förbundsstyrelsen",
            support=support,
        ),
        today=date(2026, 4, 20),
        now=datetime(2026, 4, 20, 8, 0, tzinfo=UTC),
        recorded_by="cli",
    )


def test_room_zero_and_the_reserve_to_decide_on(engine: Engine, tmp_path: Path) -> None:
    import_budget_file(engine, ORNSKOLDSVIK)
    book_first_half(engine, tmp_path)

    status = budget_status_for(engine, year=2026, rules=BudgetRules())

    # room 0 by the table's arithmetic; 3 732 tkr reserved: 3 732 tkr to decide on
    assert (status.remaining_decision_room, status.reserve, status.to_decide) == (
        0,
        3_732_000,
        3_732_000,
    )
    assert (status.granted, status.remaining_after_grants, status.overdrawn) == (
        0,
        3_732_000,
        False,
    )
    reserve = next(line for line in status.lines if line.name == RESERVE_LINE)
    # half the year gone, nothing spent on it: the pool grants are drawn from is not lagging
    assert (reserve.spent, reserve.lagging, reserve.needs_attention) == (0, False, False)
    kansli = next(line for line in status.lines if line.name.startswith("Kanslikostnader"))
    assert kansli.lagging is True  # other lines are still judged by their pace


def test_grants_come_from_the_reserve_and_beyond_it_are_flagged(steps_bot: RunningBot) -> None:
    text = all_text(steps_bot.ask("budget 2026", user=OFFICE_USER))
    assert "*Kvarvarande beslutsutrymme:* 0 tkr" in text
    assert "*Reserverade medel för ej beslutade insatser:* 3 732 tkr" in text
    assert (
        "*Att besluta om under året:* 3 732 tkr (kvarvarande beslutsutrymme och reserverade medel)"
    ) in text

    grant(steps_bot.engine, "1000")
    text = all_text(steps_bot.ask("budget 2026", user=OFFICE_USER))
    assert (
        "*Beviljat under året (styrelse- och delegationsbeslut):* 1 000 tkr "
        "(varav ur reserverade medel 1 000 tkr)"
    ) in text
    assert "*Kvar att besluta om efter beslut:* 2 732 tkr" in text
    assert "mer beviljat" not in text

    grant(steps_bot.engine, "3000", decided_on="2026-04-01")
    answer = steps_bot.ask("budget 2026", user=OFFICE_USER)
    text = all_text(answer)
    assert (
        "*Kvar att besluta om efter beslut:* −268 tkr ⚠️ *mer beviljat än det fanns att besluta om*"
    ) in text
    assert "(varav ur reserverade medel 3 732 tkr)" in text
    # the forecast counts what was granted beyond the reserve: 7 690 + 268 tkr of costs
    assert "*Prognos för året:* resultat −3 068 tkr, eget kapital vid årets slut −268 tkr" in text

    data = status_to_dict(budget_status_for(steps_bot.engine, year=2026, rules=BudgetRules()))
    assert (data["remaining_after_grants"], data["overdrawn"]) == (-268_000, True)
    assert (data["reserve_granted"], data["to_decide"]) == (3_732_000, 3_732_000)


def test_a_restricted_reserve_fund_is_equity_but_not_room(engine: Engine, tmp_path: Path) -> None:
    text = SAMPLE_2026.read_text(encoding="utf-8")
    text += "2026,balans,bunden reservfond,Bunden reservfond,,,1000\n"
    path = tmp_path / "budget-2026.csv"
    path.write_text(text, encoding="utf-8")
    import_budget_file(engine, path)

    status = budget_status_for(engine, year=2026, rules=BudgetRules())

    assert status.opening_equity == 3_977_000 + 1_000_000  # part of equity
    assert status.reserve_fund == 1_000_000
    assert status.remaining_decision_room == 1_007_000  # not free: not in the room
    assert status.to_decide == 1_007_000


# -- the 70 % rule for new grants -------------------------------------------------------------


def test_the_share_rule_for_new_interventions_counts_only_new_ones(
    engine: Engine, database_url: str
) -> None:
    with running_bot(engine, database_url, finsam_new_grants_individual_min="0.70") as bot:
        bot.add_office_user()
        bot.import_budget(ORNSKOLDSVIK)
        assert bot.settings.budget_rules.new_grants_individual_min == Decimal("0.70")
        text = all_text(bot.ask("budget 2026", user=OFFICE_USER))
        assert (
            "✅ Inga beslut om nya insatser under året ännu (minst 70,0 % ska gå till "
            "individstödjande)"
        ) in text

        grant(engine, "600", intervention="Unga vuxna i arbete", support="individual")
        grant(engine, "400", intervention="Samverkansplattform", support="structural")
        grant(engine, "500")  # more to Resurslotsen, in the budget: not a new intervention
        text = all_text(bot.ask("budget 2026", user=OFFICE_USER))

        assert (
            "⚠️ Årets beslut om nya insatser till individstödjande: 600 tkr av 1 000 tkr "
            "(60,0 %), minst 70,0 %"
        ) in text
        rules = bot.settings.budget_rules
        data = status_to_dict(budget_status_for(engine, year=2026, rules=rules))
        new = rule(data, "new_grants_individual_share")
        assert (new["ok"], new["value"], new["limit"]) == (False, 0.6, 0.7)
        assert new["figures"] == {"individual_grants": 600_000, "granted": 1_000_000}
        every = rule(data, "grants_individual_share")  # all grants, its own setting (unset)
        assert (every["ok"], every["value"], every["limit"]) == (True, 0.7333, None)
        bot.fake.assert_clean()


def test_without_the_setting_there_is_no_new_grants_rule(engine: Engine) -> None:
    import_budget_file(engine, ORNSKOLDSVIK)
    data = status_to_dict(budget_status_for(engine, year=2026, rules=BudgetRules()))
    assert "new_grants_individual_share" not in [r["rule"] for r in data["rules"]]


# -- the forecast kept at the 30 September milestone, and next year's draft -------------------


def test_the_forecast_is_kept_once_from_30_september(steps_bot: RunningBot, tmp_path: Path) -> None:
    engine = steps_bot.engine
    book_first_half(engine, tmp_path)
    steps_bot.jobs.run_reminders(now=datetime(2026, 9, 29, 12, 0, tzinfo=STOCKHOLM))
    assert kept_forecast(engine, 2026) is None  # not before the milestone

    steps_bot.jobs.run_reminders(now=datetime(2026, 9, 30, 9, 0, tzinfo=STOCKHOLM))

    kept = kept_forecast(engine, 2026)
    assert kept is not None
    assert (kept.kept_on, kept.through_month) == (date(2026, 9, 30), 6)
    assert (kept.costs, kept.result, kept.closing_equity) == (5_772_000, -882_000, 1_918_000)

    rows = [(7, "administration", "Sammanträdeskostnader", "", "500")]
    import_spending_file(engine, write_spending(tmp_path / "july.csv", 2026, rows))
    steps_bot.jobs.run_reminders(now=datetime(2026, 10, 2, 9, 0, tzinfo=STOCKHOLM))
    steps_bot.jobs.catch_up()
    again = kept_forecast(engine, 2026)
    assert again is not None and (again.kept_on, again.result) == (date(2026, 9, 30), -882_000)


def test_next_years_draft_takes_the_kept_forecast(
    database_url: str, clean_env: Path, tmp_path: Path
) -> None:
    from tests.cli_runner import Cli

    cli = Cli(database_url, clean_env)
    cli.ok("db", "upgrade")
    cli.ok("budget", "import", str(ORNSKOLDSVIK))
    assert cli.ok("budget", "forecast", "--year", "2026").stdout == (
        "Ingen prognos för 2026 är sparad ännu – den sparas den 30 september (eller med --keep).\n"
    )
    kept = cli.ok("budget", "forecast", "--year", "2026", "--keep").stdout
    assert "Prognosen för 2026 är sparad" in kept
    assert "resultat −2 800 tkr, eget kapital vid årets slut 0 tkr." in kept.replace("\u00a0", " ")

    draft = tmp_path / "budget-2027-utkast.csv"
    said = cli.ok("budget", "draft", "--year", "2027", "--output", str(draft)).stdout
    assert "Utkast till budget 2027 från budgeten 2026: prognosen för 2026 sparad" in said
    lines = draft.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "year,section,category,name,owner,support,amount_tkr"
    assert lines[1] == "2027,income,member_fees,Region Västernorrland,,,1222.5"
    assert lines[-2:] == [
        "2027,balance,opening_surplus,Över-/underskott från tidigare år,,,2800",
        "2027,balance,forecast_previous_year,Prognos 2026,,,-2800",
    ]

    out = cli.ok("budget", "import", str(draft)).stdout  # replaces the 2027 plan
    assert out == (  # 17 lines, 2 of balance; then the year's totals
        "Budgeten för 2027 är ersatt: 19 rader.\n"
        "Budget 2027 att jämföra med den beslutade: intäkter 4 890 tkr, kostnader 7 690 tkr, "
        "årets resultat −2 800 tkr, eget kapital vid årets början 0 tkr, "
        "kvarvarande beslutsutrymme −2 800 tkr.\n"
    )
    status = cli.json("budget", "status", "--year", "2027")
    assert status["opening_equity"] == 0  # 2 800 at the start of 2026, −2 800 forecast
    assert status["plan"] is False


def test_a_plan_year_says_so(steps_bot: RunningBot) -> None:
    text = all_text(steps_bot.ask("budget 2027", user=OFFICE_USER))
    assert "Budgetläge 2027 (plan, ej beslutad budget)" in text
    assert "Kvarvarande beslutsutrymme:* 922 tkr" in text  # 4 890 + 1 562 − 5 530
    assert "Budgetläge 2026 (plan" not in all_text(steps_bot.ask("budget 2026", user=OFFICE_USER))
