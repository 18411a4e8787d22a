"""`/finsam styrelse` end to end: signed HTTP into the real Bolt app, the answer through
response_url, the calendar file uploaded to the asker's DM through the Slack fake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sqlalchemy import Engine

from simulator.samples import BOARD_CYCLE_2026, sample_path
from store.board import events_of_year, mark_step_done, steps_of
from store.db import session_scope
from tests.harness import LEAD_USER, STOCKHOLM, RunningBot, running_bot
from workflows.board_cycle import import_cycle

EXAMPLE = sample_path(BOARD_CYCLE_2026)
ANYONE = "U0ANYONE1"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    """The bot on 11 March 2026 with the sample cycle; nobody registered."""
    with running_bot(
        engine, database_url, now=datetime(2026, 3, 11, 10, 0, tzinfo=STOCKHOLM)
    ) as bot:
        bot.fake.add_user(ANYONE, name="Ada Alm")
        bot.fake.add_user(LEAD_USER)
        import_cycle(engine, EXAMPLE)
        yield bot
        bot.fake.assert_clean()


def ask(bot: RunningBot, text: str, *, user: str = ANYONE) -> dict[str, Any]:
    return bot.ask(text, user=user)


def all_text(body: dict[str, Any]) -> str:
    parts = [body.get("text", "")]
    for block in body.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element.get("text", ""))
    return "\n".join(parts).replace("\u00a0", " ")


def test_anyone_sees_the_next_meetings_with_items_and_steps(bot: RunningBot) -> None:
    with session_scope(bot.engine) as session:
        march = next(e for e in events_of_year(session, 2026) if e.uid == "styrelse-mars")
        notice = next(
            s for s in steps_of(session, [march.id or 0])[march.id or 0] if s.step == "notice"
        )
        mark_step_done(
            session, notice.id or 0, by="U0SECRET1", at=datetime(2026, 3, 11, 8, tzinfo=UTC)
        )
    body = ask(bot, "styrelse")
    assert body["response_type"] == "ephemeral"
    text = all_text(body)
    assert "Styrelsens år – det som kommer" in text
    assert "📅 *Styrelsemöte* – torsdag 19 mars 2026, 13:00–16:00" in text
    assert "• Beslut om årsredovisning för 2025" in text
    assert "⚠️ Handlingar klara – försenat, skulle vara klart 2026-03-10 (sekreteraren)" in text
    assert "✅ Kallelse skickad – klart 2026-03-11 av <@U0SECRET1>" in text
    assert "⏳ Protokoll justerat – senast 2026-03-26 (sekreteraren, förbundschefen)" in text
    assert "📌 *Sista dag för ansökningar om medel för 2027* – tisdag 12 maj 2026" in text
    assert "torsdag 17 september 2026" in text  # the third meeting ahead
    assert "22 oktober" not in text  # the fourth meeting is not among the next three
    assert "*Kvar från tidigare*" in text  # February's internal control step is still open
    assert "/finsam styrelse kalender" in text
    assert bot.fake.calls("chat.postMessage") == []


def test_board_in_english_words_too(bot: RunningBot) -> None:
    assert "Styrelsemöte" in all_text(ask(bot, "board", user=LEAD_USER))


def test_the_calendar_goes_to_the_askers_dm(bot: RunningBot) -> None:
    text = all_text(ask(bot, "styrelse kalender"))
    assert "Kalenderfilen för 2026 ligger i vårt direktmeddelande" in text
    (upload,) = bot.fake.files()
    assert upload["channel"] == bot.fake.dm_channel(ANYONE)
    assert upload["filename"] == "styrelsen-2026.ics"
    parsed = icalendar.Calendar.from_ical(upload["content"])
    uids = sorted(str(e["UID"]) for e in parsed.walk("VEVENT"))
    assert len(uids) == 10
    assert "styrelse-mars-2026@finsam-bot" in uids
    ask(bot, "styrelse kalender 2026")
    second = bot.fake.files()[-1]
    again = sorted(
        str(e["UID"]) for e in icalendar.Calendar.from_ical(second["content"]).walk("VEVENT")
    )
    assert again == uids


def test_a_year_without_a_cycle(bot: RunningBot) -> None:
    text = all_text(ask(bot, "styrelse kalender 2031"))
    assert "Det finns inget årshjul för 2031" in text
    assert bot.fake.files() == []


@pytest.mark.parametrize(
    "words", ["styrelse nästa", "styrelse kalender 26", "styrelse kalender 2026 x"]
)
def test_unknown_words_get_the_usage(bot: RunningBot, words: str) -> None:
    assert "Skriv `/finsam styrelse` för de kommande mötena" in all_text(ask(bot, words))


def test_a_failed_upload_is_said_plainly(bot: RunningBot) -> None:
    bot.fake.error_next("files.getUploadURLExternal", "internal_error")
    text = all_text(ask(bot, "styrelse kalender"))
    assert "Kalenderfilen gick inte att skicka just nu" in text
    bot.fake.clear_failures()
    bot.fake.reset_calls()  # the refused call is the point of this test


def test_file_text_reaches_slack_inert(bot: RunningBot, tmp_path: Path) -> None:
    path = tmp_path / "cycle.yml"
    path.write_text(
        "year: 2026\nmeetings:\n  - id: m1\n    title: '<!channel> möte'\n"
        "    date: 2026-03-19\n    items: ['<https://x|y> & mer']\n",
        encoding="utf-8",
    )
    import_cycle(bot.engine, path)
    text = all_text(ask(bot, "styrelse"))
    assert "&lt;!channel&gt; möte" in text
    assert "&lt;https://x|y&gt; &amp; mer" in text
    assert "<!channel>" not in text


def test_help_lists_the_command(bot: RunningBot) -> None:
    assert "/finsam styrelse" in all_text(ask(bot, "hjälp"))


def test_nothing_imported(engine: Engine, database_url: str) -> None:
    with running_bot(engine, database_url) as bot:
        text = all_text(ask(bot, "styrelse"))
        assert "Inga möten eller hållpunkter framöver" in text
        bot.fake.assert_clean()
