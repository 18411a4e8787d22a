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
        "corrected_by": None,
        "corrected_at": None,
        "withdrawn_by": None,
        "withdrawn_at": None,
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
        "styrelsebeslut, Styrelsen § 14  (#2)"
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


# --------------------------------------------------------------------------- undoing


def _room(cli: Cli, year: int = 2026) -> tuple[int, int]:
    status = cli.json("budget", "status", "--year", str(year))
    return status["granted"], status["remaining_after_grants"]


def test_a_grant_corrected_keeps_who_and_when_and_moves_the_room(cli: Cli) -> None:
    grant = cli.json(*ADD, "--amount-tkr", "300")["grant"]
    assert _room(cli) == (300_000, 707_000)
    result = cli.ok(
        "grants", "correct", str(grant["id"]), "--amount-tkr", "250", "--by", "Eva Ek, kansliet"
    )
    assert result.stdout.splitlines() == [
        f"Beslut {grant['id']} är rättat av Eva Ek, kansliet: 250 tkr till Växtkraft (Enköping) "
        "2026-01-15 för 2026 (var 300 tkr till Växtkraft (Enköping) 2026-01-15 för 2026).",
        "Kvarvarande beslutsutrymme 2026: 1 007 tkr, beviljat under året 250 tkr, "
        "kvar efter beslut 757 tkr.",
    ]
    assert _room(cli) == (250_000, 757_000)
    corrected = cli.json(
        "grants", "correct", str(grant["id"]), "--date", "2026-02-01", "--by", "Eva Ek"
    )
    assert corrected["before"]["decided_on"] == "2026-01-15"
    after = corrected["grant"]
    assert (after["decided_on"], after["amount_kr"], after["year"]) == ("2026-02-01", 250_000, 2026)
    assert after["corrected_by"] == "Eva Ek" and after["corrected_at"]
    assert (after["recorded_by"], after["recorded_at"]) == ("cli", grant["recorded_at"])
    listed = cli.ok("grants", "list", "--year", "2026").stdout.splitlines()
    assert listed[1].endswith(f"(#{grant['id']}, rättat av Eva Ek)")


def test_a_withdrawn_grant_no_longer_counts_and_cannot_be_changed(cli: Cli) -> None:
    first = cli.json(*ADD, "--amount-tkr", "300")["grant"]
    cli.json(*ADD, "--amount-tkr", "100")
    assert _room(cli) == (400_000, 607_000)
    result = cli.ok("grants", "withdraw", str(first["id"]), "--by", "Styrelsen § 14")
    assert result.stdout.splitlines()[0] == (
        f"Beslut {first['id']} om 300 tkr till Växtkraft (Enköping) 2026-01-15 är återkallat "
        "av Styrelsen § 14. Beloppet räknas inte längre mot beslutsutrymmet."
    )
    assert _room(cli) == (100_000, 907_000)
    listed = cli.ok("grants", "list", "--year", "2026").stdout.splitlines()
    assert listed[0] == "Beslut om medel under 2026: 1 st, sammanlagt 100 tkr"
    assert listed[1].endswith(f"(#{first['id']}, ÅTERKALLAT av Styrelsen § 14)")
    withdrawn = next(g for g in cli.json("grants", "list", "--year", "2026") if g["withdrawn_at"])
    assert (withdrawn["id"], withdrawn["withdrawn_by"]) == (first["id"], "Styrelsen § 14")
    for args in (
        ("withdraw", str(first["id"]), "--by", "Eva"),
        ("correct", str(first["id"]), "--amount-tkr", "1", "--by", "Eva"),
    ):
        again = cli("grants", *args)
        assert again.exit_code == 3, describe(again)
        assert f"Beslut {first['id']} är redan återkallat" in again.stderr
    assert _room(cli) == (100_000, 907_000)
    missing = cli("grants", "withdraw", "999", "--by", "Eva")
    assert missing.exit_code == 2
    assert "Det finns inget beslut med nummer 999." in missing.stderr
    nobody = cli("grants", "withdraw", str(first["id"] + 1), "--by", "  ")
    assert nobody.exit_code == 2 and "Ange vem som gör ändringen" in nobody.stderr


def test_a_september_decision_for_next_year_is_not_charged_to_this_year(cli: Cli) -> None:
    args = list(ADD)
    args[args.index("2026-01-15")] = "2026-09-15"
    result = cli.ok(*args, "--amount-tkr", "400", "--for-year", "2027")
    assert result.stdout.splitlines()[1] == "Belastar 2027 års beslutsutrymme."
    assert _room(cli) == (0, 1_007_000)  # 2026 untouched
    assert cli.json("grants", "list", "--year", "2026") == []
    (next_year,) = cli.json("grants", "list", "--year", "2027")
    assert (next_year["year"], next_year["decided_on"]) == (2027, "2026-09-15")
    assert (
        cli.ok("grants", "list", "--year", "2027")
        .stdout.splitlines()[1]
        .endswith(f"(#{next_year['id']}, för 2027)")
    )
    # Charged to this year after all: a correction moves it back.
    moved = cli.json("grants", "correct", str(next_year["id"]), "--for-year", "2026", "--by", "Eva")
    assert moved["grant"]["year"] == 2026
    assert _room(cli) == (400_000, 607_000)
    for bad in ("2028", "2025", "nästa"):
        refused = cli(*args, "--amount-tkr", "1", "--for-year", bad)
        assert refused.exit_code == 2, describe(refused)
        assert "ett beslut kan gälla beslutsårets budget eller nästa års" in refused.stderr
