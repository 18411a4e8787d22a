"""The `finsam-bot` CLI run in-process with typer's CliRunner, on SQLite and PostgreSQL: what
each command prints (in Swedish), its exit code, and that a refused command stores nothing.

Every test runs in an empty working directory (no developer `.env` can leak in) with the
settings' variables removed from the environment; each invocation gets its own `env`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from simulator.fake_slack import SlackFake
from store.db import head_revision
from tests.budget_data import SAMPLE_2024, SAMPLE_2026, write_spending
from tests.cli_runner import Cli, describe
from workflows.languages import preferred_language, set_language

BOT_TOKEN = "xoxb-cli-test-1234-abcdef"
OFFICE_CHANNEL = "C_OFFICE"
HELP_ENV = {"COLUMNS": "200", "TERMINAL_WIDTH": "200", "NO_COLOR": "1"}


@pytest.fixture
def fresh(database_url: str, clean_env: Path) -> Cli:
    """The CLI on an empty database (not migrated)."""
    return Cli(database_url, clean_env)


@pytest.fixture
def cli(fresh: Cli) -> Cli:
    """The CLI on a migrated database."""
    fresh.ok("db", "upgrade")
    return fresh


def head() -> str:
    revision = head_revision()
    assert revision
    return revision


# --------------------------------------------------------------------------- db


def test_db_upgrade_on_a_fresh_database_then_status(fresh: Cli) -> None:
    assert fresh.ok("db", "status").stdout == f"revision -, newest {head()}\n"
    assert fresh.ok("db", "upgrade").stdout == f"database at revision {head()}\n"
    assert fresh.ok("db", "status").stdout == f"revision {head()}, newest {head()}\n"
    assert fresh.ok("db", "upgrade").stdout == f"database at revision {head()}\n"  # idempotent


def test_a_fresh_database_sqlite_migrates_itself_postgresql_refuses(fresh: Cli) -> None:
    result = fresh("people", "list")
    if fresh.is_sqlite:
        assert result.exit_code == 0, describe(result)
        assert result.stdout == ""
        assert fresh.ok("db", "status").stdout == f"revision {head()}, newest {head()}\n"
        return
    assert result.exit_code == 75, describe(result)
    assert result.stdout == ""
    assert (
        f"Databasen är inte migrerad (version -, koden kräver {head()}). Kör: finsam-bot db upgrade"
    ) in result.stderr
    assert fresh.ok("db", "status").stdout == f"revision -, newest {head()}\n"  # left alone
    for args in (
        ["budget", "import", str(SAMPLE_2026)],
        ["budget", "status", "--year", "2026"],
        ["people", "add", "U012AB3CD", "--role", "office"],
    ):
        refused = fresh(*args)
        assert refused.exit_code == 75, describe(refused)
        assert "finsam-bot db upgrade" in refused.stderr


# --------------------------------------------------------------------------- people


def test_people_add_a_second_role_and_list(cli: Cli) -> None:
    added = cli.ok("people", "add", "U012AB3CD", "--role", "office", "--name", "Eva Ek")
    assert added.stdout == "U012AB3CD Eva Ek +office\n"
    again = cli.ok("people", "add", "U012AB3CD", "--role", "lead")
    assert again.stdout == "U012AB3CD Eva Ek +lead\n"  # the name is kept
    cli.ok("people", "add", "W0SECRET1", "--role", "secretary", "--name", "Sam Sekreterare")

    listed = cli.ok("people", "list").stdout.splitlines()
    assert sorted(listed) == [
        "U012AB3CD\tEva Ek\tlead, office",
        "W0SECRET1\tSam Sekreterare\tsecretary",
    ]
    people = cli.json("people", "list")
    assert sorted(people, key=lambda p: p["slack_user_id"]) == [
        {"slack_user_id": "U012AB3CD", "name": "Eva Ek", "roles": ["lead", "office"]},
        {"slack_user_id": "W0SECRET1", "name": "Sam Sekreterare", "roles": ["secretary"]},
    ]


def test_adding_the_same_role_twice_keeps_one(cli: Cli) -> None:
    cli.ok("people", "add", "U012AB3CD", "--role", "office", "--name", "Eva Ek")
    cli.ok("people", "add", "U012AB3CD", "--role", "office", "--name", "Eva Ek")
    assert cli.json("people", "list") == [
        {"slack_user_id": "U012AB3CD", "name": "Eva Ek", "roles": ["office"]}
    ]


@pytest.mark.parametrize(
    ("user_id", "role", "message"),
    [
        ("u012ab3cd", "office", "”u012ab3cd” är varken ett Slack-användar-id"),
        ("C012AB3CD", "office", "”C012AB3CD” är varken ett Slack-användar-id"),
        ("eva@", "office", "”eva@” är varken ett Slack-användar-id (t.ex. U012AB3CD)"),
        ("U012AB3CD", "boss", "Okänd roll ”boss” – välj office, lead, secretary eller director."),
        ("U012AB3CD", "Office", "Okänd roll ”Office”"),
    ],
)
def test_people_add_refuses_a_bad_id_or_role_and_stores_nothing(
    cli: Cli, user_id: str, role: str, message: str
) -> None:
    result = cli("people", "add", user_id, "--role", role, "--name", "Eva Ek")
    assert result.exit_code == 2, describe(result)
    assert message in result.stderr
    assert result.stdout == ""
    assert cli.json("people", "list") == []


def test_people_add_without_a_role_is_a_usage_error(cli: Cli) -> None:
    result = cli("people", "add", "U012AB3CD")
    assert result.exit_code == 2
    assert "--role" in result.stderr
    assert cli.json("people", "list") == []


def test_people_language_shows_and_sets_what_the_bot_answers_in(cli: Cli, engine: Engine) -> None:
    """The twin of `/finsam språk`: what it sets is what the bot reads, and the other way."""
    change = "Byt med: finsam-bot people language U012AB3CD sv|en"
    cli.ok("people", "add", "U012AB3CD", "--role", "lead", "--name", "Anna Lead")
    assert cli.ok("people", "language", "U012AB3CD").stdout == (
        f"U012AB3CD får svar på svenska (förbundets standardspråk – inget eget val). {change}\n"
    )
    assert cli.json("people", "language", "U012AB3CD") == {
        "slack_user_id": "U012AB3CD",
        "language": "sv",
        "chosen": False,
    }
    assert cli.ok("people", "language", "U012AB3CD", "en").stdout == (
        "Klart: U012AB3CD får från och med nu svar på engelska. "
        "En bot som redan kör märker det inom en minut.\n"
    )
    assert preferred_language(engine, "U012AB3CD", "sv") == "en"
    assert cli.ok("people", "language", "U012AB3CD").stdout == (
        f"U012AB3CD får svar på engelska (eget val). {change}\n"
    )
    # A choice made in Slack shows here; the words Slack takes work here too.
    set_language(engine, "U012AB3CD", "sv")
    assert cli.json("people", "language", "U012AB3CD")["language"] == "sv"
    assert cli.json("people", "language", "U012AB3CD", "English") == {
        "slack_user_id": "U012AB3CD",
        "language": "en",
        "chosen": True,
    }
    assert cli.json("people", "list") == [
        {"slack_user_id": "U012AB3CD", "name": "Anna Lead", "roles": ["lead"]}
    ]


def test_people_language_for_someone_not_registered_yet(cli: Cli) -> None:
    """Like `/finsam språk`: anyone may have a language; a person row without a role."""
    shown = cli.ok("people", "language", "W0GUEST01", FINSAM_LANGUAGE="en").stdout
    assert shown.startswith("W0GUEST01 is answered in English (the association's default")
    cli.ok("people", "language", "W0GUEST01", "sv")
    assert cli.json("people", "list") == [{"slack_user_id": "W0GUEST01", "name": "", "roles": []}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["U012AB3CD", "klingon"], "”klingon” är inget språk jag kan – välj sv (svenska) eller en"),
        (["U012AB3CD", ""], "”” är inget språk jag kan"),
        (["C012AB3CD", "en"], "”C012AB3CD” ser inte ut som ett Slack-användar-id"),
        (["C012AB3CD"], "”C012AB3CD” ser inte ut som ett Slack-användar-id"),
    ],
)
def test_people_language_refuses_an_unknown_language_or_id_and_stores_nothing(
    cli: Cli, args: list[str], message: str
) -> None:
    result = cli("people", "language", *args)
    assert result.exit_code == 2, describe(result)
    assert message in result.stderr
    assert result.stdout == ""
    assert cli.json("people", "list") == []


# --------------------------------------------------------------------------- budget import


def test_budget_import_refuses_an_existing_year_unless_replace(cli: Cli) -> None:
    # The year's totals follow, to compare with the approved plan (as /finsam importera says).
    totals = (
        "Budget 2026 att jämföra med den beslutade: intäkter 24 180 tkr, kostnader 27 150 tkr, "
        "årets resultat −2 970 tkr, eget kapital vid årets början 3 977 tkr, "
        "kvarvarande beslutsutrymme 1 007 tkr.\n"
    )
    assert cli.ok("budget", "import", str(SAMPLE_2026)).stdout == (
        "Budgeten för 2026 är importerad: 22 rader.\n" + totals
    )
    again = cli("budget", "import", str(SAMPLE_2026))
    assert again.exit_code == 3, describe(again)
    assert again.stdout == ""
    assert (
        "Budgeten för 2026 finns redan. Kör om med --replace för att ersätta den." in again.stderr
    )
    replaced = cli.ok("budget", "import", "--replace", str(SAMPLE_2026))
    assert replaced.stdout == "Budgeten för 2026 är ersatt: 22 rader.\n" + totals
    assert cli.json("budget", "status", "--year", "2026")["income"] == 24_180_000


def test_budget_import_of_a_bad_file_names_every_problem_and_stores_nothing(cli: Cli) -> None:
    bad = cli.write(
        "bad-budget.csv",
        "year,section,category,name,owner,support,amount_tkr\n"
        "2026,income,member_fees,Medlemsavgifter,,,23490\n"
        "2026,bogus,sales,Försäljning,,,240\n"
        "2026,cost,board,Förtroendevalda,,,500\n"
        "2026,cost,administration,Förvaltning,,,12x\n"
        "2026,cost,intervention,,Heby,individual,100\n",
    )
    result = cli("budget", "import", str(bad))
    assert result.exit_code == 4, describe(result)
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert "bad-budget.csv importerades inte: 3 fel. Inget sparades." in errors
    assert 'rad 3, kolumn section: okänt avsnitt "bogus" – giltiga: income, cost, balance' in errors
    assert 'rad 5, kolumn amount_tkr: "12x" är inget belopp i tkr (t.ex. 1 222,5)' in errors
    assert "rad 6, kolumn name: namnet saknas" in errors

    status = cli("budget", "status", "--year", "2026")
    assert status.exit_code == 2, describe(status)
    assert "Det finns ingen budget för 2026." in status.stderr


def test_budget_import_of_a_missing_file_is_a_usage_error(cli: Cli) -> None:
    result = cli("budget", "import", "no-such-file.csv")
    assert result.exit_code == 2
    assert "no-such-file.csv" in result.stderr


# --------------------------------------------------------------------------- budget status


@pytest.fixture
def budgets(cli: Cli) -> Cli:
    cli.ok("budget", "import", str(SAMPLE_2026))
    cli.ok("budget", "import", str(SAMPLE_2024))
    return cli


def test_budget_status_json_2026(budgets: Cli) -> None:
    status = budgets.json("budget", "status", "--year", "2026")
    assert status["year"] == 2026
    assert status["income"] == 24_180_000
    assert status["costs"] == 27_150_000
    assert status["remaining_decision_room"] == 1_007_000
    assert status["opening_equity"] == 3_977_000
    assert len(status["lines"]) == 17
    for line in status["lines"]:
        assert {"name", "budget", "spent", "consumption_ratio"} <= line.keys()
        assert line["spent"] == 0
        assert line["consumption_ratio"] == 0
    rules = {rule["rule"]: rule for rule in status["rules"]}
    assert set(rules) == {
        "equity_ceiling",
        "income_covers_costs",
        "individual_support_share",
        "grants_individual_share",
    }
    for rule in rules.values():
        assert {"ok", "limit", "figures"} <= rule.keys()
    assert rules["equity_ceiling"]["ok"] is True
    assert rules["equity_ceiling"]["limit"] == 0.2
    assert rules["equity_ceiling"]["figures"] == {
        "opening_equity": 3_977_000,
        "member_fees": 23_490_000,
    }
    assert rules["income_covers_costs"]["ok"] is False
    assert rules["income_covers_costs"]["figures"]["difference"] == -2_970_000


def test_budget_status_json_2024_breaks_the_equity_rule(budgets: Cli) -> None:
    status = budgets.json("budget", "status", "--year", "2024")
    assert status["year"] == 2024
    assert status["income"] == 24_100_000
    assert status["costs"] == 27_059_000
    assert status["remaining_decision_room"] == 2_062_000
    assert status["opening_equity"] == 5_021_000
    [equity] = [rule for rule in status["rules"] if rule["rule"] == "equity_ceiling"]
    assert equity["ok"] is False
    assert equity["limit"] == 0.2
    assert equity["figures"]["opening_equity"] == 5_021_000


def test_budget_status_for_one_intervention(budgets: Cli) -> None:
    status = budgets.json("budget", "status", "--year", "2026", "--intervention", "Växtkraft")
    assert [(line["name"], line["owner"], line["budget"]) for line in status["lines"]] == [
        ("Växtkraft", "Enköping", 2_753_000)
    ]
    text = budgets.ok("budget", "status", "--year", "2026", "--intervention", "Växtkraft")
    assert "Växtkraft (Enköping): 0 tkr av 2 753 tkr (0,0 %)" in text.stdout
    assert "Framsteget" not in text.stdout

    unknown = budgets("budget", "status", "--year", "2026", "--intervention", "Finns inte")
    assert unknown.exit_code == 2, describe(unknown)
    assert "Ingen insats i budgeten heter ”Finns inte”." in unknown.stderr


def test_budget_status_text(budgets: Cli) -> None:
    out = budgets.ok("budget", "status", "--year", "2026").stdout
    lines = out.splitlines()
    assert lines[0] == "Budgetläge 2026"
    assert "Inga utgifter bokförda ännu." in lines
    assert "Intäkter: 24 180 tkr" in lines
    assert "Kostnader: 27 150 tkr" in lines
    assert "Kvarvarande beslutsutrymme: 1 007 tkr" in lines
    assert "Eget kapital vid årets början: 3 977 tkr" in lines
    assert "Regler för god ekonomisk hushållning" in lines
    assert (
        "✅ Eget kapital 3 977 tkr är 16,9 % av medlemsavgifterna 23 490 tkr (tak 20,0 %)" in lines
    )
    assert "Växtkraft (Enköping): 0 tkr av 2 753 tkr (0,0 %)" in lines
    assert "*" not in out  # no Slack mrkdwn bold in a terminal
    assert "\u00a0" not in out

    eq_2024 = budgets.ok("budget", "status", "--year", "2024").stdout
    assert "Kvarvarande beslutsutrymme: 2 062 tkr" in eq_2024
    assert "⚠️ Eget kapital 5 021 tkr" in eq_2024
    assert "– över taket" in eq_2024


def test_budget_status_of_an_unknown_year_names_the_imported_years(budgets: Cli) -> None:
    result = budgets("budget", "status", "--year", "2025")
    assert result.exit_code == 2, describe(result)
    assert result.stdout == ""
    [message] = [line for line in result.stderr.splitlines() if "2025" in line]
    assert message.startswith("Det finns ingen budget för 2025. Importerade år: ")
    assert "2024" in message
    assert "2026" in message


def test_budget_status_refuses_an_unknown_format(budgets: Cli) -> None:
    result = budgets("budget", "status", "--year", "2026", "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    assert "choose text or json" in result.stderr


def test_people_list_refuses_an_unknown_format(cli: Cli) -> None:
    result = cli("people", "list", "--format", "yaml")
    assert result.exit_code == 2
    assert "choose text or json" in result.stderr


# --------------------------------------------------------------------------- spending import


def test_spending_import_counts_new_changed_and_unchanged_rows(budgets: Cli) -> None:
    rows = [
        (1, "intervention", "Växtkraft", "Enköping", "200,5"),
        (2, "intervention", "Växtkraft", "Enköping", "210"),
        (1, "board", "Förtroendevalda", "", "40"),
    ]
    books = write_spending(budgets.files / "books-2026.csv", 2026, rows)
    first = budgets.ok("spending", "import", str(books))
    assert first.stdout == ("Utfallet är importerat: 3 rader (3 nya, 0 ändrade, 0 oförändrade).\n")
    [line] = budgets.json("budget", "status", "--year", "2026", "--intervention", "Växtkraft")[
        "lines"
    ]
    assert line["spent"] == 410_500

    rows[1] = (2, "intervention", "Växtkraft", "Enköping", "220")
    write_spending(books, 2026, rows)
    second = budgets.ok("spending", "import", str(books))
    assert second.stdout == ("Utfallet är importerat: 3 rader (0 nya, 1 ändrad, 2 oförändrade).\n")


def test_spending_import_refuses_a_line_unknown_to_the_budget(budgets: Cli) -> None:
    books = write_spending(
        budgets.files / "books-2026.csv",
        2026,
        [
            (1, "intervention", "Växtkraft", "Enköping", "200"),
            (3, "intervention", "Okänd insats", "Enköping", "210"),
        ],
    )
    result = budgets("spending", "import", str(books))
    assert result.exit_code == 4, describe(result)
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert "books-2026.csv importerades inte: 1 fel. Inget sparades." in errors
    [problem] = [line for line in errors if line.startswith("rad ")]
    assert problem.startswith("rad 3, kolumn name: ")
    assert "Okänd insats" in problem
    assert "finns inte i årets budget" in problem
    [line] = budgets.json("budget", "status", "--year", "2026", "--intervention", "Växtkraft")[
        "lines"
    ]
    assert line["spent"] == 0  # the good row was not stored either


def test_spending_import_without_a_budget_for_the_year(cli: Cli) -> None:
    books = write_spending(
        cli.files / "books-2027.csv", 2027, [(1, "intervention", "Växtkraft", "Enköping", "1")]
    )
    result = cli("spending", "import", str(books))
    assert result.exit_code == 4, describe(result)
    assert "det finns ingen budget för 2027" in result.stderr


# --------------------------------------------------------------------------- summary


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    with SlackFake(bot_token=BOT_TOKEN) as running:
        running.add_channel(OFFICE_CHANNEL, name="kansliet")
        yield running


def slack_env(fake: SlackFake, **overrides: str) -> dict[str, str]:
    return {
        "SLACK_API_URL": fake.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "cli-test-signing-secret",
        "FINSAM_OFFICE_CHANNEL": OFFICE_CHANNEL,
        **overrides,
    }


def test_summary_posts_once_per_month(budgets: Cli, fake: SlackFake) -> None:
    env = slack_env(fake)
    first = budgets.ok("summary", "--now", "2026-05-05T09:00", **env)
    assert first.stdout == "Skickat: 1, försöks igen senare: 0, misslyckade: 0.\n"
    post = fake.unique_post(OFFICE_CHANNEL)
    assert post.args["metadata"]["event_payload"] == {"key": "budget_summary:C_OFFICE:2026-05"}
    assert "Budgetläge 2026: kvarvarande beslutsutrymme 1\u00a0007\u00a0tkr" in post.args["text"]
    [chart] = fake.files()
    assert chart["channel"] == OFFICE_CHANNEL
    assert chart["content"].startswith(b"\x89PNG")

    calls = len(fake.calls())
    again = budgets.ok("summary", "--now", "2026-05-20T09:00", **env)
    assert again.stdout == "Skickat: 0, försöks igen senare: 0, misslyckade: 0.\n"
    assert len(fake.calls("chat.postMessage")) == 1
    assert len(fake.files()) == 1
    assert [c.method for c in fake.calls()[calls:]] == []  # not even a history lookup
    fake.assert_clean()


def test_summary_that_slack_refuses_exits_non_zero(budgets: Cli, fake: SlackFake) -> None:
    result = budgets(
        "summary", "--now", "2026-05-05T09:00", **slack_env(fake, FINSAM_OFFICE_CHANNEL="C0GONE")
    )
    assert "misslyckade: 1" in result.stdout
    assert result.exit_code != 0


def test_summary_without_a_budget_says_so(cli: Cli, fake: SlackFake) -> None:
    result = cli("summary", "--now", "2026-05-05T09:00", **slack_env(fake))
    assert "Ingen budget för 2026 är importerad – ingen sammanfattning skickades." in (
        result.stdout + result.stderr
    )
    assert fake.calls("chat.postMessage") == []


def test_summary_refuses_a_bad_time(budgets: Cli, fake: SlackFake) -> None:
    result = budgets("summary", "--now", "garbage", **slack_env(fake))
    assert result.exit_code == 2, describe(result)
    assert "”garbage” är ingen tidpunkt – skriv t.ex. 2026-03-05T09:00." in result.stderr
    assert fake.calls("chat.postMessage") == []


def test_summary_without_a_bot_token_names_the_setting(budgets: Cli, fake: SlackFake) -> None:
    env = slack_env(fake)
    del env["SLACK_BOT_TOKEN"]
    result = budgets("summary", "--now", "2026-05-05T09:00", **env)
    assert result.exit_code == 78, describe(result)
    assert "Inställning saknas: SLACK_BOT_TOKEN. Ange värdet i miljön" in result.stderr
    assert fake.calls() == []


def test_a_bad_setting_names_the_variable(fresh: Cli) -> None:
    result = fresh("db", "status", FINSAM_TIMEZONE="Mars/Olympus")
    assert result.exit_code == 78, describe(result)
    assert "Felaktig inställning: FINSAM_TIMEZONE" in result.stderr


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    ("group", "example"),
    [
        ([], "finsam-bot budget status --year 2026"),
        (["db"], "finsam-bot db upgrade"),
        (["people"], "finsam-bot people list"),
        (["budget"], "finsam-bot budget status --year 2026"),
        (["spending"], "finsam-bot spending import books-2026.csv"),
    ],
)
def test_every_command_group_help_shows_an_example(
    clean_env: Path, group: list[str], example: str
) -> None:
    result = CliRunner().invoke(app, [*group, "--help"], env=HELP_ENV)
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert example in squash(result.stdout)


def squash(text: str) -> str:
    """Help text without rich's box drawing and line wrapping."""
    return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", text))


def all_commands() -> list[list[str]]:
    from typer.main import get_command

    root = get_command(app)
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.append(path)
            return
        for name, sub in subcommands.items():
            walk(sub, [*path, name])

    walk(root, [])
    return found


def test_the_command_list_is_what_the_readme_promises() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    commands = [" ".join(path) for path in all_commands()]
    assert [c for c in commands if f"finsam-bot {c}" not in readme] == []
    mentioned = set(re.findall(r"`finsam-bot ([a-z]+)", readme))
    assert mentioned <= {path[0] for path in all_commands()}
    assert {"budget", "serve", "doctor", "people"} <= mentioned


@pytest.mark.parametrize("command", all_commands(), ids=" ".join)
def test_every_command_help_shows_an_example(clean_env: Path, command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env=HELP_ENV)
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert f"finsam-bot {' '.join(command)}" in squash(result.stdout)


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("nonsense", 78, "DATABASE_URL går inte att använda (ArgumentError)"),
        ("mysql://u@127.0.0.1/x", 78, "DATABASE_URL går inte att använda (ModuleNotFoundError)"),
        (
            "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
            69,
            "Databasen svarar inte:",
        ),
    ],
    ids=["malformed", "driver-missing", "unreachable"],
)
def test_a_bad_database_url_is_explained(cli: Cli, url: str, code: int, message: str) -> None:
    result = cli("people", "list", DATABASE_URL=url)
    assert result.exit_code == code, describe(result)
    assert message in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_budget_status_text_for_one_intervention_and_plain_names(cli: Cli) -> None:
    budget = cli.write(
        "budget-2025.csv",
        "year,section,category,name,owner,support,amount_tkr\n"
        "2025,income,member_fees,Medlemsavgifter,,,1000\n"
        "2025,cost,intervention,Arbete & Hälsa,Heby,individual,500\n"
        "2025,cost,intervention,Växtkraft,Enköping,individual,400\n",
    )
    cli.ok("budget", "import", str(budget))
    out = cli.ok("budget", "status", "--year", "2025", "--intervention", "arbete").stdout
    assert "Budgetläge 2025: arbete" in out
    assert "Arbete & Hälsa (Heby): 0 tkr av 500 tkr" in out
    assert "&amp;" not in out
    assert "Växtkraft" not in out
    assert "Kvarvarande beslutsutrymme" not in out  # one intervention: no year totals


def test_outbox_list_and_retry_of_a_refused_summary(budgets: Cli, fake: SlackFake) -> None:
    env = slack_env(fake, FINSAM_OFFICE_CHANNEL="C0GONE")
    assert budgets("summary", "--now", "2026-05-05T09:00", **env).exit_code == 1
    [failed] = budgets.json("outbox", "list", "--status", "failed")
    assert (failed["key"], failed["status"]) == ("budget_summary:C0GONE:2026-05", "failed")
    assert "channel_not_found" in failed["last_error"]
    retried = budgets.ok("outbox", "retry", failed["key"])
    assert "ligger i kön igen" in retried.stdout
    assert budgets.json("outbox", "list", "--status", "failed") == []
    missing = budgets("outbox", "retry", "nope")
    assert missing.exit_code == 2
    assert "Inget misslyckat meddelande har nyckeln ”nope”" in missing.stderr
    assert budgets("outbox", "list", "--status", "lost").exit_code == 2
