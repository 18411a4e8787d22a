"""The Swedish wording (issue #12, "Words"): the domain's terms, plurals, no "för … för",
board step reminders that read as sentences, and rules without a limit shown as figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from bot.blocks.budget import build_rule
from workflows.budget_status import RuleCheck
from workflows.texts import Texts, plural, templates_dir

SV = Texts("sv")
EN = Texts("en")


def without_comments(source: str) -> list[str]:
    """The template's lines with its {# comments #} blanked (they are for developers)."""
    blank = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group().count("\n"), source, flags=re.S)
    return blank.splitlines()


@pytest.mark.parametrize(
    ("wrong", "why"),
    [
        ("rapportör", "the lead is the insatsansvarig"),
        ("förening", "a samordningsförbund is a förbund"),
        ("strukturinsats", "strukturstödjande insats"),
        ("individstöd,", "individstödjande insats"),
        ("särskilda skäl", "the law says synnerliga skäl"),
        ("finsam-bot budget status", "Slack users get the Slack way"),
        ("finsam-bot reports status", "Slack users get the Slack way"),
        ("finsam-bot cycle show", "Slack users get the Slack way"),
        ("ska ut nu", "the papers are sent the day they should be ready"),
    ],
)
def test_no_swedish_template_uses_the_wrong_word(wrong: str, why: str) -> None:
    found = [
        f"{path.name}:{number}"
        for path in sorted((templates_dir() / "sv").glob("*.j2"))
        for number, line in enumerate(without_comments(path.read_text(encoding="utf-8")), 1)
        if wrong in line.casefold()
    ]
    assert found == [], why


def test_plural_takes_the_singular_for_one_only() -> None:
    assert [plural(n, "rad", "rader") for n in (0, 1, 2, -1)] == [
        "0 rader",
        "1 rad",
        "2 rader",
        "-1 rad",
    ]


@pytest.mark.parametrize(
    ("area", "macro", "values", "expected"),
    [
        ("cli", "budget_imported", {"year": 2026, "lines": 1, "replaced": False}, ": 1 rad."),
        ("cli", "budget_imported", {"year": 2026, "lines": 2, "replaced": False}, ": 2 rader."),
        (
            "cli",
            "spending_imported",
            {"rows": 1, "new": 1, "updated": 0, "unchanged": 0},
            "1 rad (1 ny, 0 ändrade, 0 oförändrade)",
        ),
        (
            "board",
            "imported",
            {
                "year": 2026,
                "meetings": 1,
                "milestones": 1,
                "steps": 1,
                "added": 1,
                "updated": 1,
                "removed": 1,
            },
            "1 möte, 1 annan hållpunkt, 1 steg (händelser: 1 ny, 1 uppdaterad, 1 borttagen)",
        ),
        ("board", "warnings", {"count": 1}, "1 varning (importerat ändå):"),
        ("board", "calendar_written", {"path": "x.ics", "year": 2026, "count": 1}, "1 händelse"),
        (
            "interventions",
            "imported",
            {"created": 1, "updated": 1, "matched": 1, "unmatched": 0},
            "1 ny, 1 uppdaterad. 1 insatsansvarig matchade",
        ),
        (
            "status",
            "summary",
            {
                "kind": "monthly",
                "due": date(2026, 4, 10),
                "total": 1,
                "missing": 0,
                "returned": 1,
                "submitted": 1,
                "accepted": 1,
            },
            "1 insats: 1 inlämnad, 1 godkänd, 1 återskickad, 0 saknas",
        ),
        (
            "papers",
            "reporting_summary",
            {"since": date(2026, 3, 10), "periods": 1, "owed": 1, "reported": 1, "missing": 0},
            "1 period, 1 av 1 rapport inlämnad.",
        ),
        (
            "reports",
            "escalation_text",
            {"intervention": "Växtkraft", "period": "mars 2026", "days_late": 1},
            "är 1 arbetsdag sen.",
        ),
        ("errors", "absence_too_long", {"days": 1}, "högst 1 dag "),
        ("errors", "import_rejected", {"file": "a.csv", "count": 1}, "1 fel."),
    ],
)
def test_a_count_agrees_with_its_word(
    area: str, macro: str, values: dict[str, object], expected: str
) -> None:
    assert expected in SV.get(area, macro, **values)


@pytest.mark.parametrize("texts", [SV, EN], ids=["sv", "en"])
@pytest.mark.parametrize("offset", [-5, 0, 2])
@pytest.mark.parametrize(
    "macro",
    [
        "reminder_text",
        "reminder_body",
    ],
)
def test_report_reminders_say_for_once(texts: Texts, offset: int, macro: str) -> None:
    """'månadsrapporten för mars 2026 för Växtkraft' read badly: the intervention is 'från'."""
    text = texts.get(
        "reports",
        macro,
        kind="monthly",
        intervention="Växtkraft",
        period="mars 2026",
        due=date(2026, 4, 10),
        offset=offset,
        days_late=2,
    )
    first_paragraph = text.split("\n")[0]
    word = "för" if texts.lang == "sv" else "for"
    assert len(re.findall(rf"\b{word}\b", first_paragraph)) == 1, first_paragraph
    assert "Växtkraft" in first_paragraph


@pytest.mark.parametrize(
    "macro", ["reminder_done_text", "received_text", "returned_text", "submitted_view"]
)
def test_report_notices_say_for_once(macro: str) -> None:
    text = SV.get("reports", macro, intervention="Växtkraft", period="mars 2026")
    assert len(re.findall(r"\bför\b", text)) == 1, text


def rule(name: str, *, ok: bool, limit: Decimal | None) -> RuleCheck:
    figures = (
        {"individual_support": 400_000, "interventions": 1_000_000}
        if name == "individual_support_share"
        else {"individual_grants": 400_000, "granted": 1_000_000}
    )
    return RuleCheck(
        rule=name,
        ok=ok,
        value=Decimal("0.4"),
        limit=limit,
        figures=figures,
        checked=limit is not None,
    )


@pytest.mark.parametrize("texts", [SV, EN], ids=["sv", "en"])
@pytest.mark.parametrize("name", ["individual_support_share", "grants_individual_share"])
def test_a_rule_without_a_limit_shows_only_its_figure(texts: Texts, name: str) -> None:
    without = build_rule(texts, rule(name, ok=True, limit=None))
    assert "✅" not in without and "⚠️" not in without
    assert "40" in without  # the share is still shown
    assert build_rule(texts, rule(name, ok=True, limit=Decimal("0.3"))).startswith("✅")
    assert build_rule(texts, rule(name, ok=False, limit=Decimal("0.5"))).startswith("⚠️")


def test_a_rule_without_a_limit_is_neither_met_nor_missed_in_the_workbook() -> None:
    assert SV.get("papers", "yes_no", ok=None) == "–"
    assert SV.get("papers", "yes_no", ok=True) == "Ja"


def test_the_share_of_member_fees_is_so_far_this_year() -> None:
    line = SV.get(
        "budget",
        "category_line",
        category="administration",
        budget=1_000_000,
        spent=300_000,
        ratio=Decimal("0.3"),
        share=Decimal("0.05"),
    )
    assert line.endswith("av medlemsavgifterna hittills i år")


def test_costs_over_income_need_synnerliga_skal() -> None:
    text = SV.get(
        "budget",
        "rule_income_covers_costs",
        ok=False,
        income=1_000_000,
        costs=2_000_000,
        difference=-1_000_000,
    )
    assert "kräver synnerliga skäl" in text


@pytest.mark.parametrize("texts", [SV, EN], ids=["sv", "en"])
def test_more_than_fits_points_to_slack_not_the_command_line(texts: Texts) -> None:
    shown = [
        texts.get("budget", "more_omitted", command="/finsam", year=2026),
        texts.get("status", "more_omitted", command="/finsam", period="2026-03"),
        texts.get("board", "more_events", command="/finsam"),
    ]
    assert all("finsam-bot" not in text for text in shown)
    assert "`/finsam budget 2026 " in shown[0]
    assert "`/finsam status 2026-03`" in shown[1]
    assert "`/finsam styrelse kalender`" in shown[2]
    assert "finsam-bot" not in texts.get("status", "more_omitted", command="/finsam", period=None)
