"""The App Home tab end to end: a signed `app_home_opened` event into the real Bolt app, the
view published to the fake (`views.publish`), read back with `fake.home_view`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app_home import publish_home
from bot.composition import compose
from bot.ids import Action
from simulator.slack_driver import app_home_opened, event_callback
from store.models import SupportKind
from tests.harness import LEAD_USER, OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from tests.overview_data import submit
from tests.reporting_data import add_intervention
from workflows.outbox import messages
from workflows.reports import review_report

APRIL_20 = datetime(2026, 4, 20, 10, 0, tzinfo=STOCKHOLM)
STRANGER = "U0STRANGE"


def on(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=STOCKHOLM)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=APRIL_20) as running:
        running.dispatch_on_ring()  # the Home tab is published by the outbox, as in `serve`
        for user in (LEAD_USER, OFFICE_USER, STRANGER):
            running.fake.add_user(user)
        running.add_office_user()
        lead = (("anna@uppsala.example", LEAD_USER),)
        individual = add_intervention(engine, "Arbetsnära", "Uppsala", leads=lead)
        structural = add_intervention(
            engine, "RegExPro", "", kind=SupportKind.structural, leads=lead
        )
        add_intervention(engine, "Någon annans", "Heby", leads=(("x@heby.example", None),))
        submit(engine, individual, "2025-Q4", at=on(1, 12))
        submit(engine, structural, "2025-Q4", at=on(1, 13))
        january = submit(engine, individual, "2026-01", at=on(2, 9))
        february = submit(engine, individual, "2026-02", at=on(3, 9))
        review_report(engine, report_id=january, reviewer=OFFICE_USER, accept=True,
                      comment=None, now=on(2, 10))  # fmt: skip
        review_report(engine, report_id=february, reviewer=OFFICE_USER, accept=False,
                      comment="Summan stämmer inte", now=on(3, 11))  # fmt: skip
        running.ids = {"individual": individual, "structural": structural}  # type: ignore[attr-defined]
        # What the submissions and reviews above planned goes now, not behind a test's ring
        # (a dispatch still running at teardown would hold the database up).
        running.jobs.run_outbox()
        running.fake.reset_calls()
        yield running


def open_home(bot: RunningBot, user: str, *, tab: str = "home") -> dict[str, Any] | None:
    def published() -> int:
        return sum(call.args.get("user_id") == user for call in bot.fake.calls("views.publish"))

    before = published()
    response = bot.driver.event(event_callback(app_home_opened(user, tab=tab)))
    assert response.status == 200
    if tab == "home":
        bot.fake.wait_for(lambda: published() > before)
    return bot.fake.home_view(user)


def lines(view: dict[str, Any]) -> list[str]:
    found = []
    for block in view["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(found).replace("\u00a0", " ").splitlines()


def buttons(view: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (block["accessory"]["action_id"], json.loads(block["accessory"]["value"]))
        for block in view["blocks"]
        if block.get("accessory", {}).get("type") == "button"
    ]


def test_a_lead_sees_what_is_open_next_and_done(bot: RunningBot) -> None:
    view = open_home(bot, LEAD_USER)
    assert view is not None and view["type"] == "home"
    text = lines(view)
    assert text[0] == "Din rapportering"
    assert text[1:9] == [
        "*Arbetsnära* (Uppsala) · månads- och kvartalsrapporter",
        "↩️ *februari 2026* har skickats tillbaka av kansliet – rätta och skicka igen",
        "🔴 *mars 2026* saknas – 6 arbetsdagar sen (sista dag 2026-04-10)",
        "🔴 *kvartal 1 2026* saknas – 3 arbetsdagar sen (sista dag 2026-04-15)",
        "📅 april 2026: senast 2026-05-11",
        "📅 maj 2026: senast 2026-06-10",
        "📅 juni 2026: senast 2026-07-10",
        "*RegExPro* · kvartalsrapporter",
    ]
    assert text[9:13] == [
        "🔴 *kvartal 1 2026* saknas – 3 arbetsdagar sen (sista dag 2026-04-15)",
        "📅 kvartal 2 2026: senast 2026-07-15",
        "📅 kvartal 3 2026: senast 2026-10-15",
        "📅 kvartal 4 2026: senast 2027-01-15",
    ]
    assert "Någon annans" not in "\n".join(text)
    assert text[-5:] == [
        "*Dina senaste rapporter*",
        "• Arbetsnära (Uppsala), februari 2026: inlämnad 2026-03-09 · återskickad",
        "• Arbetsnära (Uppsala), januari 2026: inlämnad 2026-02-09 · godkänd",
        "• RegExPro, kvartal 4 2025: inlämnad 2026-01-13",
        "• Arbetsnära (Uppsala), kvartal 4 2025: inlämnad 2026-01-12",
    ]
    ids = bot.ids  # type: ignore[attr-defined]
    # a button per open period; April has not ended, so it cannot be reported yet
    assert buttons(view) == [
        (Action.report_open.value, {"intervention_id": ids["individual"], "period": "2026-02"}),
        (Action.report_open.value, {"intervention_id": ids["individual"], "period": "2026-03"}),
        (Action.report_open.value, {"intervention_id": ids["individual"], "period": "2026-Q1"}),
        (Action.report_open.value, {"intervention_id": ids["structural"], "period": "2026-Q1"}),
    ]
    bot.fake.assert_clean()


def test_a_period_that_has_ended_can_be_reported_before_it_is_due(bot: RunningBot) -> None:
    bot.clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=STOCKHOLM))
    for period in ("2026-02", "2026-03", "2026-Q1"):
        submit(bot.engine, bot.ids["individual"], period, at=on(5, 4))  # type: ignore[attr-defined]
    submit(bot.engine, bot.ids["structural"], "2026-Q1", at=on(5, 4))  # type: ignore[attr-defined]
    view = open_home(bot, LEAD_USER)
    assert view is not None
    assert "📅 april 2026: senast 2026-05-11" in lines(view)
    assert [value["period"] for _, value in buttons(view)] == ["2026-04"]


def test_someone_who_leads_nothing_gets_an_explanation(bot: RunningBot) -> None:
    view = open_home(bot, STRANGER)
    assert view is not None
    assert lines(view)[1].startswith("Här ser du dina insatser")
    assert buttons(view) == []


def test_the_messages_tab_publishes_nothing(bot: RunningBot) -> None:
    open_home(bot, LEAD_USER, tab="messages")
    assert bot.fake.calls("views.publish") == []
    opened = f"home_refresh:{LEAD_USER}:opened"
    assert not [m.key for m in messages(bot.engine) if m.key.startswith(opened)]


def test_publish_home_after_a_submission_replaces_the_view(bot: RunningBot) -> None:
    first = open_home(bot, LEAD_USER)
    assert first is not None
    submit(bot.engine, bot.ids["individual"], "2026-03", at=on(4, 20))  # type: ignore[attr-defined]
    composed = compose(bot.settings, engine=bot.engine, clock=bot.clock, answering=False)
    publish_home(composed.client, composed.ctx, LEAD_USER)
    again = bot.fake.home_view(LEAD_USER)
    assert again is not None and again["id"] == first["id"]
    assert "🔴 *mars 2026* saknas – 6 arbetsdagar sen (sista dag 2026-04-10)" not in lines(again)
    assert "• Arbetsnära (Uppsala), mars 2026: inlämnad 2026-04-20" in lines(again)
