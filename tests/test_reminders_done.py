"""Reminders turned "done" when a report is in, whatever became of each reminder in Slack.

chat.update answers `message_not_found` (HTTP 200, ok false) for a message deleted since it was
sent, and `cant_update_message` / `edit_window_closed` for one it may not edit. Trying again
changes nothing, so the sender sorts these as refused for good: the reminders-done row skips
that message, updates the others and is marked sent, rather than retrying for about six hours
and then failing. A refusal that is not about one message (the token, say) fails the row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.slack_io import call
from simulator.fake_slack import SlackFake
from simulator.reading import buttons, message_text, outbox_key
from store.errors import SendRejected, SlackUnavailable
from store.models import OutboxMessage, OutboxStatus
from tests.harness import LEAD_USER, OFFICE_USER, RunningBot, running_bot
from tests.reporting_data import add_intervention
from tests.test_reporting_flow import MARCH, MONTHLY_OK, open_form, stage_at, submit
from workflows.outbox import messages

SECOND_LEAD = "U0LEAD002"
LEADS = (LEAD_USER, SECOND_LEAD)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=stage_at(MARCH, "due")) as running:
        for user in (*LEADS, OFFICE_USER):
            running.fake.add_user(user, email=f"{user.lower()}@example.se")
        running.add_office_user()
        add_intervention(
            engine,
            "Växtkraft",
            "Enköping",
            leads=(("anna@enkoping.example", LEAD_USER), ("bo@enkoping.example", SECOND_LEAD)),
            goals=("Fler i arbete",),
        )
        yield running


def reminders(bot: RunningBot) -> dict[str, list[dict[str, Any]]]:
    """Each lead's reminder DMs that name March (with its button, or turned "done"), oldest
    first (the first day's digest names the quarter too)."""
    return {
        user: [m for m in bot.fake.messages(bot.fake.dm_channel(user)) if _march(m)]
        for user in LEADS
    }


def _march(message: dict[str, Any]) -> bool:
    return outbox_key(message).startswith("reminder_digest:") and "mars 2026" in message_text(
        message
    )


def march_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in buttons(message) if '"2026-03"' in b["value"]]


def done_row(bot: RunningBot) -> OutboxMessage:
    [row] = [r for r in messages(bot.engine) if r.key.startswith("reminders_done:")]
    return row


def send_two_stages_and_report(bot: RunningBot) -> dict[str, list[dict[str, Any]]]:
    """The "due" and the "late_2" reminder to each lead; then the second lead reports."""
    bot.jobs.run_reminders()
    bot.clock.set(stage_at(MARCH, "late_2"))
    bot.jobs.run_reminders()
    sent = reminders(bot)
    assert [len(sent[user]) for user in LEADS] == [2, 2]
    assert all(len(march_buttons(m)) == 1 for found in sent.values() for m in found)
    response = submit(
        bot, open_form(bot, sent[SECOND_LEAD][-1], SECOND_LEAD), MONTHLY_OK, SECOND_LEAD
    )
    assert response.status == 200
    bot.fake.reset_calls()
    return sent


def test_a_deleted_reminder_is_skipped_and_the_others_are_marked_done(bot: RunningBot) -> None:
    sent = send_two_stages_and_report(bot)
    deleted = sent[LEAD_USER][0]
    bot.fake.delete_message(bot.fake.dm_channel(LEAD_USER), deleted["ts"])

    report = bot.jobs.run_outbox()
    row = done_row(bot)
    assert row.key in report.sent and report.retried == report.failed == []
    assert row.status is OutboxStatus.sent and row.attempts == 1
    updates = bot.fake.calls("chat.update")
    assert sorted(c.args["ts"] for c in updates) == sorted(
        m["ts"] for found in sent.values() for m in found
    )
    assert [c.response.get("error") for c in updates if not c.ok] == ["message_not_found"]
    assert {c.args["channel"] for c in updates} == {bot.fake.dm_channel(u) for u in LEADS}
    assert bot.fake.calls("conversations.open") == []  # the posts' answers told the DMs

    now = reminders(bot)
    assert [m["ts"] for m in now[LEAD_USER]] == [sent[LEAD_USER][1]["ts"]]
    assert len(now[SECOND_LEAD]) == 2
    for found in now.values():
        for message in found:
            assert march_buttons(message) == [] and "inlämnad" in message_text(message)
    # The first day's digest (the second lead's: the first lead's is deleted) named the
    # quarter too: its button stays.
    assert any('"2026-Q1"' in b["value"] for b in buttons(now[SECOND_LEAD][0]))
    assert bot.jobs.run_outbox().sent == []  # done once, not again
    bot.fake.assert_clean(allow_errors=["chat.update:message_not_found"])


@pytest.mark.parametrize("error", ["cant_update_message", "edit_window_closed"])
def test_a_reminder_slack_will_not_let_the_bot_edit_is_skipped(bot: RunningBot, error: str) -> None:
    send_two_stages_and_report(bot)
    bot.fake.error_next("chat.update", error)
    report = bot.jobs.run_outbox()
    assert done_row(bot).key in report.sent and report.retried == []
    updates = bot.fake.calls("chat.update")
    assert [c.ok for c in updates] == [False, True, True, True]
    bot.fake.assert_clean()


def test_a_refusal_that_is_not_about_one_message_fails_the_row(bot: RunningBot) -> None:
    """A revoked token refuses every update: the row fails (visible, `finsam-bot outbox
    retry` queues it again) instead of passing as sent with nothing updated."""
    send_two_stages_and_report(bot)
    bot.fake.error_next("chat.update", "token_revoked")
    report = bot.jobs.run_outbox()
    row = done_row(bot)
    assert report.failed == [row.key] and report.retried == []
    assert row.status is OutboxStatus.failed and "token_revoked" in (row.last_error or "")
    assert len(bot.fake.calls("chat.update")) == 1
    bot.fake.assert_clean()


# --------------------------------------------------------------------------- sorting


@pytest.fixture
def client() -> Iterator[tuple[SlackFake, WebClient]]:
    with SlackFake() as fake:
        fake.add_user("U1")
        yield fake, WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])


def test_an_update_of_a_deleted_message_is_refused_for_good(
    client: tuple[SlackFake, WebClient],
) -> None:
    fake, web = client
    posted = web.chat_postMessage(channel="U1", text="reminder")
    fake.delete_message(posted["channel"], posted["ts"])
    with pytest.raises(SendRejected) as caught:
        call(web.chat_update, channel=posted["channel"], ts=posted["ts"], text="done")
    assert caught.value.params["error"] == "message_not_found"


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        ("message_not_found", True),
        ("cant_update_message", True),
        ("edit_window_closed", True),
        ("channel_not_found", True),
        ("is_archived", True),
        ("messages_tab_disabled", True),
        ("user_disabled", True),
        ("invalid_metadata_schema", True),
        ("token_revoked", True),
        ("internal_error", False),
        ("fatal_error", False),
        ("service_unavailable", False),
        ("message_limit_exceeded", False),
        ("team_added_to_org", False),
    ],
)
def test_slacks_answers_are_sorted_into_refused_and_try_later(
    client: tuple[SlackFake, WebClient], error: str, refused: bool
) -> None:
    fake, web = client
    fake.error_next("chat.postMessage", error)
    expected = SendRejected if refused else SlackUnavailable
    with pytest.raises(expected) as caught:
        call(web.chat_postMessage, channel="U1", text="x")
    assert caught.value.params["error"] == error
