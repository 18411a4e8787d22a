"""`finsam-bot applications add|list|grant|reject` end to end: typer's CliRunner in-process,
settings from the environment, SQLite and PostgreSQL. The round is listed against next
year's room as `budget status --year 2027` gives it; a granted application is a grant for
2027 in `grants list`; problems are one Swedish line with the tree's exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import Cli, describe
from workflows.texts import format_tkr

ORNSKOLDSVIK = Path(__file__).parent / "data" / "budget-ornskoldsvik-2026.csv"  # Plan 2027
ADD = (
    "applications",
    "add",
    "--received-on",
    "2026-05-04",
    "--organisation",
    "Heby kommun",
    "--owner",
    "Heby",
)


@pytest.fixture
def cli(database_url: str, clean_env: Path) -> Cli:
    runner = Cli(database_url, clean_env)
    runner.ok("db", "upgrade")
    runner.ok("budget", "import", str(ORNSKOLDSVIK))
    return runner


def tkr(kr: int) -> str:
    return format_tkr(kr).replace("\u00a0", " ")


def test_add_list_grant_reject(cli: Cli) -> None:
    said = cli.ok(
        *ADD, "--title", "Stöd till arbete", "--support", "individual",
        "--amount", "500", "--amount", "450",
    ).stdout  # fmt: skip
    assert said.splitlines() == [
        "Ansökan är registrerad (nr 1): Stöd till arbete, individinriktad, från Heby kommun "
        "med Heby som huvudman, inkom 2026-05-04. Söker 2027: 500 tkr, 2028: 450 tkr."
    ]
    added = cli.json(
        *ADD, "--title", "Kartläggning", "--support", "strukturinriktad", "--amount", "300"
    )
    assert (added["id"], added["for_year"], added["amounts_kr"], added["support"]) == (
        2,
        2027,
        {"2027": 300_000},
        "structural",
    )

    plan = cli.json("budget", "status", "--year", "2027")
    room = plan["remaining_after_grants"]
    listed = cli.ok("applications", "list", "--year", "2027").stdout.splitlines()
    assert listed[0] == "Ansökningsomgången för 2027: 2 ansökningar, 2 utan beslut"
    assert listed[3] == (
        "#1 Stöd till arbete (Heby), individinriktad, från Heby kommun, inkom 2026-05-04: "
        "2027: 500 tkr, 2028: 450 tkr – inkommen"
    )
    assert listed[1] == (
        f"Beslutsutrymme 2027 enligt planen: {tkr(room)}, redan beviljat för 2027 0 tkr, "
        f"kvar {tkr(room)}."
    )
    assert listed[2] == (
        "Ansökningar utan beslut söker 800 tkr för 2027 (individinriktade 62,5 %); "
        f"kvar om alla beviljas: {tkr(room - 800_000)}."
    )

    granted = cli.ok(
        "applications", "grant", "1", "--date", "2026-09-22", "--decided-by", "Styrelsen § 12"
    ).stdout
    assert granted.startswith("Ansökan 1 (Stöd till arbete) är beviljad: 500 tkr ur 2027 års")
    [grant] = cli.json("grants", "list", "--year", "2027")
    assert (grant["intervention"], grant["owner"], grant["amount_kr"], grant["year"]) == (
        "Stöd till arbete",
        "Heby",
        500_000,
        2027,
    )
    rejected = cli.ok("applications", "reject", "2", "--by", "Styrelsen § 12").stdout
    assert rejected == "Ansökan 2 (Kartläggning) är avslagen av Styrelsen § 12.\n"

    after = cli.json("applications", "list", "--year", "2027")
    assert [a["status"] for a in after["applications"]] == ["granted", "rejected"]
    assert after["applications"][0]["grant_id"] == grant["id"]
    assert (after["applied_kr"], after["room"]["granted_kr"]) == (0, 500_000)
    assert after["room"]["left_kr"] == room - 500_000
    assert cli.json("budget", "status", "--year", "2027")["granted"] == 500_000


def test_problems_are_one_swedish_line_and_store_nothing(cli: Cli) -> None:
    result = cli(*ADD, "--title", "Stöd 811218-9876", "--support", "individual", "--amount", "5")
    assert result.exit_code == 2, describe(result)
    assert result.stderr.strip() == (
        "Fältet insatsens namn ser ut att innehålla ett personnummer. Personuppgifter hör "
        "inte hemma här – ta bort numret."
    )
    result = cli(*ADD, "--title", "Stöd", "--support", "individual", "--amount", "fem")
    assert result.exit_code == 2, describe(result)
    assert "”fem” är inget belopp" in result.stderr
    assert cli.json("applications", "list", "--year", "2027")["applications"] == []

    cli.ok(*ADD, "--title", "Stöd", "--support", "individual", "--amount", "5")
    twice = cli(*ADD, "--title", "stöd", "--support", "individual", "--amount", "5")
    assert twice.exit_code == 3, describe(twice)
    assert "redan registrerad (nr 1)" in twice.stderr
    missing = cli("applications", "grant", "7", "--date", "2026-09-22", "--decided-by", "S")
    assert missing.exit_code == 2, describe(missing)
    assert "Det finns ingen ansökan med nummer 7" in missing.stderr
    cli.ok("applications", "reject", "1", "--by", "Styrelsen")
    again = cli("applications", "grant", "1", "--date", "2026-09-22", "--decided-by", "S")
    assert again.exit_code == 3, describe(again)
    assert "Ansökan 1 är redan avslagen" in again.stderr


def test_an_empty_round_without_a_budget(cli: Cli) -> None:
    said = cli.ok("applications", "list", "--year", "2030").stdout.splitlines()
    assert said == [
        "Inga ansökningar om medel för 2030 är registrerade.",
        "Det finns ingen budget eller plan för 2030 än – ansökningarna kan inte ställas mot "
        "något utrymme.",
    ]


def test_grant_preview_states_how_the_share_moves(cli: Cli) -> None:
    rule = {"FINSAM_NEW_GRANTS_INDIVIDUAL_MIN": "0.70"}
    cli.ok(*ADD, "--title", "Stöd till arbete", "--support", "individual", "--amount", "500")
    cli.ok(*ADD, "--title", "Kartläggning", "--support", "structural", "--amount", "300")
    decision = ("--date", "2026-09-22", "--decided-by", "Styrelsen § 12")
    cli.ok("applications", "grant", "1", *decision, **rule)
    left = cli.json("budget", "status", "--year", "2027")["remaining_after_grants"]

    said = cli.ok("applications", "grant", "2", *decision, "--preview", **rule).stdout
    assert said.splitlines() == [
        "Innan beslutet registreras: 300 tkr till Kartläggning (Heby), strukturstödjande "
        "insats, ur 2027 års beslutsutrymme.",
        "Andelen nya beviljade medel till individinriktade insatser går från 100,0 % till "
        "62,5 % (lägsta 70,0 %).",
        ":warning: Under lägsta andelen 70,0 %: beslutet tar andelen under gränsen.",
        f"Kvar att besluta om 2027: {tkr(left)}, efter beslutet {tkr(left - 300_000)}.",
    ]
    shown = cli.json("applications", "grant", "2", *decision, "--preview", **rule)
    assert (shown["share_before"], shown["share_after"], shown["below_minimum"]) == (
        1.0,
        0.625,
        True,
    )
    # Nothing was stored: the application is still open, 2027 has one grant.
    assert [g["amount_kr"] for g in cli.json("grants", "list", "--year", "2027")] == [500_000]
    assert cli.json("applications", "list", "--year", "2027")["applied_kr"] == 300_000
