"""`/finsam status` end to end (signed HTTP into the real Bolt app, the answer through
response_url to the fake) and its CLI twin `finsam-bot reports status`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app
from store.models import SupportKind
from tests.harness import LEAD_USER, STOCKHOLM, RunningBot, running_bot
from tests.overview_data import submit
from tests.reporting_data import add_intervention
from tests.test_bot_budget import all_text, ask

APRIL_20 = datetime(2026, 4, 20, 10, 0, tzinfo=STOCKHOLM)


def add_interventions(engine: Engine) -> dict[str, int]:
    ids = {
        "in": add_intervention(
            engine, "Arbetsnära", "Uppsala", leads=(("a@u.example", LEAD_USER),)
        ),
        "out": add_intervention(
            engine, "Växtkraft <!channel>", "Enköping", leads=(("<okänd>@e.example", None),)
        ),
        "structural": add_intervention(
            engine,
            "RegExPro",
            "Region Uppsala",
            kind=SupportKind.structural,
            leads=(("per@region.example", None),),
        ),
    }
    submit(engine, ids["in"], "2026-03", at=datetime(2026, 4, 8, 10, tzinfo=STOCKHOLM))
    return ids


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=APRIL_20) as running:
        running.add_office_user()
        add_interventions(engine)
        yield running
        running.fake.assert_clean()


def test_office_staff_see_who_has_reported_to_themselves_only(bot: RunningBot) -> None:
    body = ask(bot, "status 2026-03")
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "Rapportläge mars 2026" in text
    assert "Månadsrapport · senast 2026-04-10 · 2 insatser: 1 inlämnad" in text
    lines = [line for line in text.splitlines() if line.startswith(("🔴", "📥"))]
    # the missing report first, with its working days late and its lead, inert
    assert lines == [
        "🔴 *Växtkraft &lt;!channel&gt;* (Enköping) – saknas, 6 arbetsdagar sen"
        " · &lt;okänd&gt;@e.example",
        "📥 *Arbetsnära* (Uppsala) – inlämnad 2026-04-08 · <@U0LEAD001>",
    ]
    assert "<!channel>" not in text
    assert bot.fake.calls("chat.postMessage") == []


def test_the_default_period_is_the_one_due_most_recently(bot: RunningBot) -> None:
    text = all_text(ask(bot, "status"))
    assert "Rapportläge kvartal 1 2026" in text
    assert "RegExPro" in text  # a quarter is owed by structural interventions too


def test_others_are_refused(bot: RunningBot) -> None:
    text = all_text(ask(bot, "status 2026-03", user=LEAD_USER))
    assert "`/finsam status` är till för kansliet" in text
    assert "Arbetsnära" not in text


@pytest.mark.parametrize("words", ["2026-13", "mars", "2026-03 2026-04"])
def test_a_bad_period_gets_an_example(bot: RunningBot, words: str) -> None:
    text = all_text(ask(bot, f"status {words}"))
    assert f"`{words}` är ingen period – skriv t.ex. `/finsam status 2026-03`" in text


def test_help_lists_status(bot: RunningBot) -> None:
    assert "/finsam status [period]" in all_text(ask(bot, "hjälp"))


# --------------------------------------------------------------------------- the CLI twin


def status_cli(database_url: str, *args: str) -> Any:
    env = {"DATABASE_URL": database_url, "LOG_LEVEL": "ERROR"}
    return CliRunner().invoke(app, ["reports", "status", "--on", "2026-04-20", *args], env=env)


def test_cli_status_json(engine: Engine, database_url: str, clean_env: Path) -> None:
    ids = add_interventions(engine)
    result = status_cli(database_url, "--period", "2026-03", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["period"], data["kind"], data["due"]) == ("2026-03", "monthly", "2026-04-10")
    assert [
        (i["id"], i["status"], i["late"], i["days_late"], i["submitted_at"], i["revision"])
        for i in data["interventions"]
    ] == [
        (ids["in"], "submitted", False, 0, "2026-04-08T08:00:00+00:00", 1),
        (ids["out"], "missing", True, 6, None, None),
    ]
    assert data["interventions"][1]["leads"] == [
        {"name": "", "email": "<okänd>@e.example", "slack_user_id": None}
    ]


def test_cli_status_text_is_the_slack_answer_in_plain_text(
    engine: Engine, database_url: str, clean_env: Path
) -> None:
    add_interventions(engine)
    result = status_cli(database_url, "--period", "2026-03")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "Rapportläge mars 2026",
        "",
        "Månadsrapport · senast 2026-04-10 · 2 insatser: 1 inlämnad, 0 godkända,"
        " 0 återskickade, 1 saknas",
    ]
    assert (
        "🔴 Växtkraft <!channel> (Enköping) – saknas, 6 arbetsdagar sen · <okänd>@e.example"
        in result.stdout
    )


def test_cli_status_default_period_and_bad_period(
    engine: Engine, database_url: str, clean_env: Path
) -> None:
    add_interventions(engine)
    result = status_cli(database_url, "--format", "json")
    assert json.loads(result.stdout)["period"] == "2026-Q1"
    bad = status_cli(database_url, "--period", "2026-3")
    assert bad.exit_code == 2
    assert "`2026-3` är ingen period" in bad.output


def test_nothing_owed_says_so(engine: Engine, database_url: str, clean_env: Path) -> None:
    result = status_cli(database_url, "--period", "2026-03")
    assert "Ingen insats ska rapportera för mars 2026." in result.stdout
