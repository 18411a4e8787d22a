"""`finsam-bot interventions import|list` end to end: typer's CliRunner in-process, the
settings from the environment, leads matched against the Slack fake, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.fake_slack import SlackFake
from simulator.samples import INTERVENTIONS_2026, sample_path
from tests.budget_data import SAMPLE_2026
from tests.cli_runner import Cli, describe

BOT_TOKEN = "xoxb-cli-interventions-1234"
SAMPLE = sample_path(INTERVENTIONS_2026)
HEADER = "name,owner,kind,lead_emails,start,end,goals\n"


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    with SlackFake(bot_token=BOT_TOKEN) as running:
        yield running


@pytest.fixture
def cli(database_url: str, clean_env: Path, fake: SlackFake) -> Cli:
    runner = Cli(database_url, clean_env, SLACK_API_URL=fake.api_url, SLACK_BOT_TOKEN=BOT_TOKEN)
    runner.ok("db", "upgrade")
    return runner


def add_sample_users(fake: SlackFake) -> None:
    """Everyone in the sample file except per.nystrom@osthammar.example."""
    for user_id, email, name in [
        ("U0ANNA001", "anna.lind@enkoping.example", "Anna Lind"),
        ("U0KARIN01", "karin.sjoberg@heby.example", "Karin Sjöberg"),
        ("U0JONAS01", "jonas.pettersson@habo.example", "Jonas Pettersson"),
        ("U0LENA001", "lena.holm@knivsta.example", "Lena Holm"),
        ("U0ERIK001", "erik.nord@regionuppsala.example", "Erik Nord"),
        ("U0SOFIA01", "sofia.ek@tierp.example", "Sofia Ek"),
        ("U0MARIA01", "Maria.Berg@uppsala.example", "Maria Berg"),
        ("U0AHMED01", "ahmed.ali@uppsala.example", "Ahmed Ali"),
        ("U0NILS001", "nils.strom@alvkarleby.example", "Nils Ström"),
        ("U0EVA0001", "eva.lund@alvkarleby.example", "Eva Lund"),
    ]:
        fake.add_user(user_id, email=email, name=name)


def test_import_the_sample_then_match_the_missing_lead(cli: Cli, fake: SlackFake) -> None:
    cli.ok("budget", "import", str(SAMPLE_2026))
    add_sample_users(fake)

    first = cli.ok("interventions", "import", str(SAMPLE))

    assert first.stdout.splitlines() == [
        "Insatserna är importerade: 0 nya, 11 uppdaterade. 11 insatsansvariga matchade mot "
        "Slack, 1 utan Slack-användare.",
        "Obs: ingen Slack-användare med e-post per.nystrom@osthammar.example "
        "(Nystart Östhammar (Östhammar)); matchas igen vid nästa import.",
    ]
    assert len(fake.calls("users.lookupByEmail")) == 11  # each distinct e-mail once
    listed = cli.json("interventions", "list")
    assert len(listed) == 11
    samordnat = next(i for i in listed if i["name"] == "Samordnat stöd för arbete/studier")
    assert samordnat == {
        "id": samordnat["id"],
        "name": "Samordnat stöd för arbete/studier",
        "owner": "Uppsala",
        "kind": "individual",
        "start": "2026-01-01",
        "end": None,
        "goals": [
            "Minst 35 % av deltagarna går vidare till arbete eller studier",
            "Väntetiden till första möte är högst två veckor",
            "Deltagarna upplever stödet som samordnat",
        ],
        "leads": [
            {"email": "ahmed.ali@uppsala.example", "slack_user_id": "U0AHMED01"},
            {"email": "maria.berg@uppsala.example", "slack_user_id": "U0MARIA01"},
        ],
    }
    nystart = next(i for i in listed if i["name"] == "Nystart Östhammar")
    assert nystart["leads"] == [{"email": "per.nystrom@osthammar.example", "slack_user_id": None}]
    people = {p["slack_user_id"]: p for p in cli.json("people", "list")}
    assert people["U0MARIA01"] == {
        "slack_user_id": "U0MARIA01",
        "name": "Maria Berg",
        "roles": ["lead"],
    }

    fake.add_user("U0PER0001", email="per.nystrom@osthammar.example", name="Per Nyström")
    second = cli.json("interventions", "import", str(SAMPLE))
    assert (second["created"], second["updated"], second["unmatched"]) == (0, 11, [])
    assert {
        "intervention": "Nystart Östhammar (Östhammar)",
        "email": "per.nystrom@osthammar.example",
        "slack_user_id": "U0PER0001",
    } in second["matched"]
    assert second["without_budget_line"] == []
    text = cli.ok("interventions", "list").stdout
    assert (
        "Nystart Östhammar (Östhammar)\tindividual\t2026-03-01–\t"
        "per.nystrom@osthammar.example (U0PER0001)"
    ) in text
    fake.assert_clean(allow_errors=["users.lookupByEmail:users_not_found"])


def test_import_warns_about_a_missing_budget_line(cli: Cli, fake: SlackFake) -> None:
    path = cli.write(
        "insatser.csv",
        HEADER + "Ny insats,Heby,structural,a@heby.example,2026-01-01,,<!channel> mål\n",
    )
    result = cli.ok("interventions", "import", str(path))
    assert result.stdout.splitlines() == [
        "Insatserna är importerade: 1 ny, 0 uppdaterade. 0 insatsansvariga matchade mot Slack, "
        "1 utan Slack-användare.",
        "Obs: ingen Slack-användare med e-post a@heby.example (Ny insats (Heby)); "
        "matchas igen vid nästa import.",
        "Obs: Ny insats (Heby) ligger inte inom något importerat budgetår – kontrollera namn "
        "och ägare när årets budget är importerad.",
    ]
    cli.ok("budget", "import", str(SAMPLE_2026))
    again = cli.json("interventions", "import", str(path))
    assert again["without_budget_line"] == [{"intervention": "Ny insats (Heby)", "years": [2026]}]
    listed = next(i for i in cli.json("interventions", "list") if i["name"] == "Ny insats")
    assert listed["goals"] == ["<!channel> mål"]  # stored as typed; escaped where shown in Slack


def test_a_bad_file_names_every_problem_and_asks_slack_nothing(cli: Cli, fake: SlackFake) -> None:
    path = cli.write(
        "bad.csv",
        HEADER
        + "Växtkraft,Enköping,individuell,anna@x.example,2026-01-01,,\n"
        + "Framsteget,Håbo,individual,anna@x,2026-06-01,2026-05-01,\n",
    )
    result = cli("interventions", "import", str(path))
    assert result.exit_code == 4, describe(result)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "bad.csv importerades inte: 3 fel. Inget sparades.",
        'rad 2, kolumn kind: okänd sorts insats "individuell" – giltiga: individual, structural',
        'rad 3, kolumn lead_emails: "anna@x" är ingen e-postadress – skriv t.ex. '
        "anna.lind@enkoping.se, flera åtskilda med ;",
        "rad 3, kolumn end: slutdatumet 2026-05-01 ligger före startdatumet",
    ]
    assert fake.calls("users.lookupByEmail") == []
    assert cli.json("interventions", "list") == []


def test_import_needs_the_bot_token(cli: Cli, fake: SlackFake) -> None:
    result = cli("interventions", "import", str(SAMPLE), SLACK_BOT_TOKEN="")
    assert result.exit_code == 78, describe(result)
    assert "Inställning saknas: SLACK_BOT_TOKEN" in result.stderr
    assert fake.calls() == []


def test_slack_down_stores_nothing(cli: Cli, fake: SlackFake) -> None:
    fake.error_next("users.lookupByEmail", "missing_scope")
    result = cli("interventions", "import", str(SAMPLE))
    assert result.exit_code == 1, describe(result)
    assert "Slack vägrade slå upp e-postadresser (missing_scope)" in result.stderr
    assert cli.json("interventions", "list") == []


def test_list_when_empty(cli: Cli) -> None:
    assert cli.ok("interventions", "list").stdout == (
        "Inga insatser ännu – importera dem med finsam-bot interventions import FIL.\n"
    )
    assert cli.json("interventions", "list") == []


def test_english(cli: Cli, fake: SlackFake) -> None:
    path = cli.write("insatser.csv", HEADER + "X,Y,individual,a@b.example,2026-01-01,,\n")
    fake.add_user("U0A000001", email="a@b.example", name="A")
    result = cli.ok("interventions", "import", str(path), FINSAM_LANGUAGE="en")
    assert result.stdout.splitlines()[0] == (
        "Interventions imported: 1 new, 0 updated. 1 lead matched to Slack."
    )
