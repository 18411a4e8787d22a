"""`/finsam budget` end to end: signed HTTP into the real Bolt app, the answer through
response_url to the Slack fake."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import LEAD_USER, OFFICE_USER, RunningBot


@pytest.fixture
def bot(budget_bot: RunningBot) -> RunningBot:
    return budget_bot


def ask(bot: RunningBot, text: str, *, user: str = OFFICE_USER) -> dict[str, Any]:
    return bot.ask(text, user=user)


def all_text(body: dict[str, Any]) -> str:
    parts = [body.get("text", "")]
    for block in body.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element.get("text", ""))
    return "\n".join(parts).replace("\u00a0", " ")


def test_office_staff_get_the_year_in_tkr_to_themselves_only(bot: RunningBot) -> None:
    body = ask(bot, "budget 2026")
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "Budgetläge 2026" in text
    assert "Kvarvarande beslutsutrymme:* 1 007 tkr" in text
    assert "Eget kapital vid årets början:* 3 977 tkr" in text
    assert "16,9 %" in text
    assert bot.fake.calls("chat.postMessage") == []  # nothing posted to a channel


def test_lines_needing_attention_come_first(bot: RunningBot, tmp_path: Any) -> None:
    from tests.budget_data import write_spending
    from workflows.budget_files import import_spending_file

    rows = [(m, "board", "Förtroendevalda", "", "300") for m in (1, 2)]
    import_spending_file(bot.engine, write_spending(tmp_path / "b.csv", 2026, rows))
    sections = [
        b["text"]["text"] for b in ask(bot, "budget 2026")["blocks"] if b["type"] == "section"
    ]
    attention = next(s for s in sections if s.startswith("*Behöver uppmärksamhet"))
    assert attention.splitlines()[1].startswith("🔴 *Förtroendevalda*")
    assert "över budget" in attention.splitlines()[1]


def test_default_year_is_the_clocks(bot: RunningBot) -> None:
    assert "Budgetläge 2026" in all_text(ask(bot, "budget"))


def test_one_intervention(bot: RunningBot) -> None:
    text = all_text(ask(bot, "budget 2026 Växtkraft"))
    assert "Budgetläge 2026: Växtkraft" in text
    assert "Växtkraft* (Enköping): 0 tkr av 2 753 tkr" in text
    assert "Förvaltning" not in text


def test_unknown_year_names_the_years_there_are(bot: RunningBot) -> None:
    assert "Det finns ingen budget för 2031. Importerade år: 2026." in all_text(
        ask(bot, "budget 2031")
    )


def test_bad_year_gets_reason_and_help(bot: RunningBot) -> None:
    text = all_text(ask(bot, "budget 20266"))
    assert "`20266` är inget år" in text
    assert "/finsam budget [år] [insats]" in text


def test_unknown_subcommand_gets_reason_and_help(bot: RunningBot) -> None:
    text = all_text(ask(bot, "budjet"))
    assert "Jag känner inte igen `budjet`" in text
    assert "/finsam hjälp" in text


@pytest.mark.parametrize("word", ["hjälp", "help", ""])
def test_help(bot: RunningBot, word: str) -> None:
    assert "finsam-bot – kommandon" in all_text(ask(bot, word))


def test_others_are_refused_politely(bot: RunningBot) -> None:
    text = all_text(ask(bot, "budget 2026", user=LEAD_USER))
    assert "Det här kommandot är till för kansliet" in text
    assert "1 007" not in text


def test_user_text_reaches_slack_inert(bot: RunningBot) -> None:
    text = all_text(ask(bot, "budget 2026 <!channel> <https://x|y>"))
    assert "&lt;!channel&gt; &lt;https://x|y&gt;" in text
    assert "<!channel>" not in text
    assert "<https://x|y>" not in text


def test_health_check(bot: RunningBot) -> None:
    answer = bot.driver.get("/healthz")
    assert (answer.status, answer.json()) == (
        200,
        {
            "database": True,
            "migrated": True,
            "outbox": {"pending": 0, "sending": 0, "failed": 0, "oldest_due": None},
            "worker": {"last_tick": None, "stale": False},  # no worker in this process
        },
    )


def test_names_from_imported_files_reach_slack_inert(bot: RunningBot, tmp_path: Any) -> None:
    from workflows.budget_files import import_budget_file

    budget = tmp_path / "budget-2025.csv"
    budget.write_text(
        "year,section,category,name,owner,support,amount_tkr\n"
        "2025,income,member_fees,Medlemsavgifter,,,1000\n"
        "2025,cost,intervention,<!channel> Insats,<https://x|y>,individual,500\n",
        encoding="utf-8",
    )
    import_budget_file(bot.engine, budget)
    text = all_text(ask(bot, "budget 2025"))
    assert "*&lt;!channel&gt; Insats* (&lt;https://x|y&gt;)" in text
    assert "<!channel>" not in text


def test_an_import_shows_in_the_next_answer(bot: RunningBot, tmp_path: Any) -> None:
    """Answers are cached per revision of the year; every import bumps it."""
    from tests.budget_data import write_spending
    from workflows.budget_files import import_spending_file

    assert "Växtkraft* (Enköping): 0 tkr av 2 753 tkr" in all_text(ask(bot, "budget 2026"))
    rows = [(1, "intervention", "Växtkraft", "Enköping", "229,4")]
    import_spending_file(bot.engine, write_spending(tmp_path / "b.csv", 2026, rows))
    assert "Växtkraft* (Enköping): 229 tkr av 2 753 tkr" in all_text(ask(bot, "budget 2026"))
    rows = [(1, "intervention", "Växtkraft", "Enköping", "300")]
    import_spending_file(bot.engine, write_spending(tmp_path / "c.csv", 2026, rows))
    assert "Växtkraft* (Enköping): 300 tkr av 2 753 tkr" in all_text(ask(bot, "budget 2026"))


def test_command_text_is_unescaped_once_and_escaped_once(bot: RunningBot) -> None:
    """Slack sends `&`, `<`, `>` in a command's text as entities."""
    text = all_text(ask(bot, "budget 2026 Arbete &amp; Hälsa &lt;x&gt;"))
    assert "Ingen insats i budgeten heter ”Arbete &amp; Hälsa &lt;x&gt;”" in text
    assert "&amp;amp;" not in text
