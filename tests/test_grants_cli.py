"""`finsam-bot grants add|list` end to end: typer's CliRunner in-process, settings from the
environment, SQLite and PostgreSQL. The budget status JSON shows what was granted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.budget_data import SAMPLE_2026
from tests.cli_runner import Cli, describe

ADD = (
    "grants",
    "add",
    "--date",
    "2026-01-15",
    "--intervention",
    "Växtkraft",
    "--owner",
    "Enköping",
    "--body",
    "delegation",
    "--decided-by",
    "Förbundschefen",
)


@pytest.fixture
def cli(database_url: str, clean_env: Path) -> Cli:
    runner = Cli(database_url, clean_env)
    runner.ok("db", "upgrade")
    runner.ok("budget", "import", str(SAMPLE_2026))
    return runner


def test_add_prints_the_decision_and_what_is_left(cli: Cli) -> None:
    result = cli.ok(*ADD, "--amount-tkr", "300")
    assert result.stdout.splitlines() == [
        "Beslutet är registrerat: 300 tkr till Växtkraft (Enköping), individstödjande insats, "
        "delegationsbeslut 2026-01-15 av Förbundschefen.",
        "Kvarvarande beslutsutrymme 2026: 1 007 tkr, beviljat under året 300 tkr, "
        "kvar efter beslut 707 tkr.",
    ]
    status = cli.json("budget", "status", "--year", "2026")
    assert (status["remaining_decision_room"], status["granted"]) == (1_007_000, 300_000)
    assert status["remaining_after_grants"] == 707_000


def test_add_json_and_list_in_both_formats(cli: Cli) -> None:
    added = cli.json(*ADD, "--amount-kr", "250 000")
    assert added["grant"] | {"id": 0, "recorded_at": ""} == {
        "id": 0,
        "year": 2026,
        "decided_on": "2026-01-15",
        "intervention": "Växtkraft",
        "owner": "Enköping",
        "support": "individual",
        "amount_kr": 250_000,
        "body": "delegation",
        "decided_by": "Förbundschefen",
        "recorded_by": "cli",
        "recorded_at": "",
    }
    assert added["remaining_after_grants"] == 757_000
    cli.ok(
        "grants",
        "add",
        "--date",
        "2026-02-10",
        "--intervention",
        "Unga vuxna",
        "--owner",
        "Heby",
        "--amount-tkr",
        "1 222,5",
        "--body",
        "board",
        "--decided-by",
        "Styrelsen § 14",
        "--support",
        "structural",
    )
    listed = cli.json("grants", "list", "--year", "2026")
    assert [(g["intervention"], g["amount_kr"], g["body"]) for g in listed] == [
        ("Växtkraft", 250_000, "delegation"),
        ("Unga vuxna", 1_222_500, "board"),
    ]
    text = cli.ok("grants", "list", "--year", "2026").stdout.splitlines()
    assert text[0] == "Beslut om medel under 2026: 2 st, sammanlagt 1 473 tkr"
    assert text[2] == (
        "2026-02-10  1 223 tkr  Unga vuxna (Heby), strukturstödjande  "
        "styrelsebeslut, Styrelsen § 14"
    )
    assert cli.ok("grants", "list", "--year", "2025").stdout.strip() == (
        "Inga beslut om medel under 2025 är registrerade."
    )


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (("--amount-tkr", "tre hundra"), 2, "”tre hundra” är inget belopp"),
        (("--amount-tkr", "300", "--amount-kr", "300000"), 2, "antingen i tkr eller i kronor"),
        ((), 2, "Ange beloppet"),
        (("--amount-tkr", "-300"), 2, "Beloppet måste vara större än noll."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    cli: Cli, extra: tuple[str, ...], code: int, message: str
) -> None:
    result = cli(*ADD, *extra)
    assert result.exit_code == code, describe(result)
    assert message in result.stderr
    assert cli.json("grants", "list", "--year", "2026") == []


def test_a_year_without_budget_and_a_bad_body_are_named(cli: Cli) -> None:
    args = list(ADD)
    args[args.index("2026-01-15")] = "2024-05-01"
    result = cli(*args, "--amount-tkr", "100")
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        "Det finns ingen budget för 2024. Importerade år: 2026.",
    )
    args = list(ADD)
    args[args.index("delegation")] = "au"
    result = cli(*args, "--amount-tkr", "100")
    assert result.exit_code == 2
    assert "”au” – välj board (styrelsebeslut) eller delegation" in result.stderr
