"""People by Slack id or e-mail, roles removed at once in every process, and forgetting a
person: the CLI against the Slack fake, `/finsam personer` through the real Bolt app, and
two bots (two engines) on one database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from simulator.fake_slack import SlackFake
from store.db import make_engine, session_scope
from store.models import InterventionLead, Role
from store.people import get_person, roles_of
from tests.cli_runner import Cli, describe
from tests.harness import BOT_TOKEN, OFFICE_USER, running_bot
from tests.reporting_data import add_intervention
from tests.test_bot_budget import all_text
from workflows.people import register_person

LEAVER = "U0LEAVER1"
LEAVER_EMAIL = "lena.lamnar@uppsala.example"


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    with SlackFake(bot_token=BOT_TOKEN) as running:
        yield running


@pytest.fixture
def cli(database_url: str, clean_env: Path, fake: SlackFake, engine: Engine) -> Cli:
    return Cli(database_url, clean_env, SLACK_API_URL=fake.api_url, SLACK_BOT_TOKEN=BOT_TOKEN)


def _roles(engine: Engine, user_id: str) -> set[Role]:
    with session_scope(engine) as session:
        return roles_of(session, user_id)


# --------------------------------------------------------------------------- the CLI


def test_people_add_by_email_finds_the_slack_user(
    cli: Cli, fake: SlackFake, engine: Engine
) -> None:
    fake.add_user(LEAVER, email=LEAVER_EMAIL, name="Lena Lämnar")
    added = cli.ok("people", "add", "Lena.Lamnar@Uppsala.example", "--role", "office")
    assert added.stdout == f"{LEAVER} Lena Lämnar +office\n"
    [person] = cli.json("people", "list")
    assert person == {"slack_user_id": LEAVER, "name": "Lena Lämnar", "roles": ["office"]}
    with session_scope(engine) as session:
        stored = get_person(session, LEAVER)
        assert stored is not None and stored.email == LEAVER_EMAIL
    [call] = fake.calls("users.lookupByEmail")
    assert call.args["email"] == "lena.lamnar@uppsala.example"

    unknown = cli("people", "add", "ingen@uppsala.example", "--role", "office")
    assert unknown.exit_code == 2, describe(unknown)
    assert "Ingen i Slack-arbetsytan har e-postadressen ingen@uppsala.example" in unknown.stderr
    assert len(cli.json("people", "list")) == 1
    fake.assert_clean(allow_errors=["users.lookupByEmail:users_not_found"])


def test_people_add_by_slack_id_asks_slack_nothing(cli: Cli, fake: SlackFake) -> None:
    cli.ok("people", "add", LEAVER, "--role", "secretary", "--name", "Lena")
    assert fake.calls() == []


def test_remove_role_by_email_or_id_and_a_lead_leaves_their_interventions(
    cli: Cli, fake: SlackFake, engine: Engine
) -> None:
    register_person(engine, LEAVER, role=Role.office, name="Lena", email=LEAVER_EMAIL)
    add_intervention(engine, "Växtkraft", "Enköping", leads=((LEAVER_EMAIL, LEAVER),))
    assert _roles(engine, LEAVER) == {Role.office, Role.lead}

    removed = cli.ok("people", "remove-role", LEAVER_EMAIL.upper(), "--role", "office")
    assert removed.stdout == f"{LEAVER} (lena.lamnar): rollen kansliet borttagen, gäller direkt.\n"
    assert _roles(engine, LEAVER) == {Role.lead}
    again = cli.ok("people", "remove-role", LEAVER, "--role", "office")
    assert again.stdout == f"{LEAVER} hade inte rollen kansliet – inget ändrades.\n"

    lead = cli.ok("people", "remove-role", LEAVER, "--role", "lead")
    assert lead.stdout == (
        f"{LEAVER} (lena.lamnar): rollen insatsansvarig borttagen, gäller direkt. "
        "Borttagen som insatsansvarig för 1 insats.\n"
    )
    assert _roles(engine, LEAVER) == set()
    with session_scope(engine) as session:
        assert session.exec(select(InterventionLead)).all() == []
    assert fake.calls() == []  # the stored address was enough

    nobody = cli("people", "remove-role", "U0NOBODY1", "--role", "office")
    assert nobody.exit_code == 2 and "U0NOBODY1 finns inte registrerad" in nobody.stderr


# --------------------------------------------------------------------------- in Slack


def test_a_removed_role_is_gone_at_once_in_another_process(
    engine: Engine, database_url: str
) -> None:
    """Two bots, each with its own engine (as two processes have), on one database: the
    office removes a leaver's role in one, and the leader's next question in the other,
    a moment later, is refused."""
    other_engine = make_engine(database_url)
    try:
        with (
            running_bot(engine, database_url) as first,
            running_bot(other_engine, database_url) as second,
        ):
            first.add_office_user()
            first.import_budget()
            for bot in (first, second):
                bot.fake.add_user(LEAVER, email=LEAVER_EMAIL, name="Lena Lämnar")
            added = first.ask(f"personer lägg till {LEAVER_EMAIL} kansli", user=OFFICE_USER)
            assert all_text(added).startswith(f"<@{LEAVER}> (Lena Lämnar) har nu rollen kansliet.")
            # The leaver asks in both processes: figures in both (the answers are cached).
            for bot in (first, second):
                assert "Budgetläge 2026" in all_text(bot.ask("budget 2026", user=LEAVER))

            listed = all_text(second.ask("personer", user=OFFICE_USER))
            assert "*2 personer i finsam-bot*" in listed
            assert f"<@{LEAVER}> (Lena Lämnar): kansliet" in listed

            removed = first.ask(f"personer ta bort <@{LEAVER}|lena> kansli", user=OFFICE_USER)
            assert all_text(removed).startswith(
                f"<@{LEAVER}> (Lena Lämnar) har inte längre rollen kansliet"
            )
            for bot in (second, first):
                refused = all_text(bot.ask("budget 2026", user=LEAVER))
                assert "Budgetläge" not in refused
                assert "Det här kommandot är till för kansliet" in refused
            # Nor may she look at who has roles, or give herself one back.
            for text in ("personer", f"personer lägg till {LEAVER} kansli"):
                denied = all_text(second.ask(text, user=LEAVER))
                assert "Det är bara kansliet som kan se och ändra" in denied
            assert _roles(engine, LEAVER) == set()
            first.fake.assert_clean()
            second.fake.assert_clean()
    finally:
        other_engine.dispose()


def test_personer_usage_and_bad_input(engine: Engine, database_url: str) -> None:
    with running_bot(engine, database_url) as bot:
        bot.add_office_user()
        usage = all_text(bot.ask("personer ta bort", user=OFFICE_USER))
        assert "`/finsam personer ta bort PERSON ROLL`" in usage
        bad = all_text(bot.ask("personer lägg till nån kansli", user=OFFICE_USER))
        assert "”nån” är varken ett Slack-användar-id" in bad
        role = all_text(bot.ask(f"personer lägg till {LEAVER} chefen", user=OFFICE_USER))
        assert "Okänd roll ”chefen”" in role
        missing = all_text(bot.ask("personer lägg till ingen@example.se kansli", user=OFFICE_USER))
        assert "Ingen i Slack-arbetsytan har e-postadressen ingen@example.se" in missing
        mailto = bot.ask(
            f"personer lägg till <mailto:{LEAVER_EMAIL}|{LEAVER_EMAIL}> sekreterare",
            user=OFFICE_USER,
        )
        assert "Ingen i Slack-arbetsytan" in all_text(mailto)  # parsed as the address
        number = all_text(
            bot.ask(f"personer lägg till {LEAVER} kansli Lena 811218-9876", user=OFFICE_USER)
        )
        assert "Namnet ser ut att innehålla ett personnummer" in number
        assert _roles(engine, LEAVER) == set()
