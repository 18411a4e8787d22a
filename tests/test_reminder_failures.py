"""Reminders through Slack's failures, on both databases, as the bot meets them: the real
client against the fake. Whatever fails, each reminder ends up in its DM exactly once.

A post whose outcome is unknown (the connection dropped after Slack took it, a timeout, a
5xx) is not repeated by the client: the row backs off (workflows/outbox.backoff) and the next
attempt looks in the DM's history (message metadata carries the key) before posting. Calls
that are safe to repeat are retried by the client with backoff, 429s after Retry-After, and
the dispatcher paces posts so a channel's limit is not hit at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.composition import compose
from bot.slack_client import make_client
from simulator.reading import buttons, message_text
from store.models import OutboxStatus
from tests.fanout import APRIL, FANOUT_AT, add_fanout, expected_keys, posted_keys, stage_at
from tests.harness import OFFICE_CHANNEL, RunningBot, running_bot
from workflows.outbox import backoff, messages
from workflows.pacing import Pacer

LEADS = 4


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=FANOUT_AT) as running:
        running.ids = add_fanout(engine, LEADS, fake=running.fake)  # type: ignore[attr-defined]
        yield running


@pytest.fixture
def impatient_bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    """A bot that gives up on an answer after 1 s."""
    with running_bot(engine, database_url, now=FANOUT_AT, slack_timeout_seconds=1) as running:
        running.ids = add_fanout(engine, LEADS, fake=running.fake)  # type: ignore[attr-defined]
        yield running


def first_key(bot: RunningBot) -> str:
    return sorted(expected_keys(bot.ids))[0]  # type: ignore[attr-defined]


def assert_each_reminder_once(bot: RunningBot) -> None:
    keys = expected_keys(bot.ids)  # type: ignore[attr-defined]
    assert posted_keys(bot.fake, LEADS) == Counter(dict.fromkeys(keys, 1))
    rows = {row.key: row for row in messages(bot.engine)}
    assert set(rows) == keys
    assert {row.status for row in rows.values()} == {OutboxStatus.sent}
    ok_posts = [c for c in bot.fake.calls("chat.postMessage") if c.ok]
    assert len(ok_posts) == len(keys)
    bot.fake.assert_clean()


def post_statuses(bot: RunningBot) -> list[int]:
    return [call.status for call in bot.fake.calls("chat.postMessage")]


def after_backoff(bot: RunningBot, attempts: int = 1) -> None:
    bot.clock.set(FANOUT_AT + backoff(attempts))


def test_a_fan_out_sends_each_reminder_once(bot: RunningBot) -> None:
    report = bot.jobs.run_reminders()
    assert sorted(report.sent) == sorted(expected_keys(bot.ids))  # type: ignore[attr-defined]
    assert bot.jobs.run_reminders().sent == []
    assert bot.fake.calls("conversations.history") == []  # nothing unknown, nothing to look up
    assert_each_reminder_once(bot)


def test_a_post_taken_before_the_connection_dropped_is_found_not_repeated(
    bot: RunningBot,
) -> None:
    bot.fake.drop_after_accept_next("chat.postMessage")
    report = bot.jobs.run_reminders()
    assert report.retried == [first_key(bot)]
    assert len(report.sent) == LEADS - 1
    assert posted_keys(bot.fake, LEADS)[first_key(bot)] == 1  # Slack has it; we do not know

    after_backoff(bot)
    assert bot.jobs.run_outbox().sent == [first_key(bot)]
    assert len(bot.fake.calls("chat.postMessage")) == LEADS  # found in history, not re-posted
    [history] = bot.fake.calls("conversations.history")
    assert history.args["include_all_metadata"] in (True, "true", "1")
    row = next(r for r in messages(bot.engine) if r.key == first_key(bot))
    [stored] = bot.fake.messages(bot.fake.dm_channel(row.channel))
    assert row.message_ts == stored["ts"]
    assert_each_reminder_once(bot)


def test_server_errors_on_posts_back_off_then_look_before_posting(bot: RunningBot) -> None:
    """500, 502, 503, 504: each post's outcome is unknown, so nothing is re-posted at once."""
    statuses = [500, 502, 503, 504]
    for status in statuses:
        bot.fake.fail_next("chat.postMessage", status=status)
    report = bot.jobs.run_reminders()
    keys = sorted(expected_keys(bot.ids))  # type: ignore[attr-defined]
    assert sorted(report.retried) == keys and report.sent == []
    rows = messages(bot.engine)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.pending, 1)}
    assert all("fatal_error" in (row.last_error or "") for row in rows)

    bot.clock.set(FANOUT_AT + backoff(1) - timedelta(seconds=1))
    assert bot.jobs.run_outbox().sent == []  # still backing off
    after_backoff(bot)
    assert sorted(bot.jobs.run_outbox().sent) == keys
    methods = [c.method for c in bot.fake.calls() if c.method != "auth.test"]
    # No answer told the DMs' ids, so each is opened (the rare path) before its history is read.
    looked_then_posted = ["conversations.open", "conversations.history", "chat.postMessage"]
    assert methods[-3 * LEADS :] == looked_then_posted * LEADS
    assert post_statuses(bot) == statuses + [200] * LEADS
    assert_each_reminder_once(bot)


def test_backoff_grows_while_slack_keeps_failing(bot: RunningBot) -> None:
    now = FANOUT_AT
    for attempt in (1, 2, 3):
        bot.fake.fail_next("chat.postMessage", status=503)
        report = bot.jobs.run_reminders() if attempt == 1 else bot.jobs.run_outbox()
        assert report.retried == [first_key(bot)]
        now += backoff(attempt)
        bot.clock.set(now - timedelta(seconds=1))
        assert bot.jobs.run_outbox().retried == []
        bot.clock.set(now)
    assert backoff(1) < backoff(2) < backoff(3)
    assert bot.jobs.run_outbox().sent == [first_key(bot)]
    assert len(bot.fake.calls("conversations.history")) == 3  # looked before each re-post
    assert_each_reminder_once(bot)


def test_server_errors_on_calls_safe_to_repeat_are_retried_at_once_with_backoff(
    bot: RunningBot,
) -> None:
    bot.fake.drop_after_accept_next("chat.postMessage")
    report = bot.jobs.run_reminders()
    assert report.retried == [first_key(bot)]
    assert bot.fake.calls("conversations.open") == []  # posted to the user ids

    # The lost answer did not tell the DM's id: the look-up opens the DM first.
    bot.fake.fail_next("conversations.open", status=502)
    bot.fake.fail_next("conversations.history", status=503)
    after_backoff(bot)
    assert bot.jobs.run_outbox().sent == [first_key(bot)]
    opens = bot.fake.calls("conversations.open")
    assert [c.status for c in opens] == [502, 200]
    assert opens[1].at - opens[0].at >= 0.5  # slack_sdk's backoff, not a blind loop
    history = bot.fake.calls("conversations.history")
    assert [c.status for c in history] == [503, 200]
    assert history[1].at - history[0].at >= 0.5
    assert_each_reminder_once(bot)


def test_a_post_whose_answer_timed_out_after_slack_took_it_is_not_repeated(
    impatient_bot: RunningBot,
) -> None:
    bot = impatient_bot
    bot.fake.timeout_next("chat.postMessage", delay=2.0, perform=True)
    assert bot.jobs.run_reminders().retried == [first_key(bot)]
    after_backoff(bot)
    assert bot.jobs.run_outbox().sent == [first_key(bot)]
    assert len(bot.fake.calls("chat.postMessage")) == LEADS
    assert_each_reminder_once(bot)


def test_a_post_that_timed_out_before_slack_took_it_is_sent_after_looking(
    impatient_bot: RunningBot,
) -> None:
    bot = impatient_bot
    bot.fake.timeout_next("chat.postMessage", delay=2.0)
    assert bot.jobs.run_reminders().retried == [first_key(bot)]
    assert posted_keys(bot.fake, LEADS)[first_key(bot)] == 0
    after_backoff(bot)
    assert bot.jobs.run_outbox().sent == [first_key(bot)]
    assert post_statuses(bot) == [504] + [200] * LEADS  # the fake's record of the held call
    assert len(bot.fake.calls("conversations.history")) == 1
    assert_each_reminder_once(bot)


def test_a_429_releases_the_row_until_retry_after_and_it_goes_without_looking(
    bot: RunningBot,
) -> None:
    """A 429 is Slack saying "not processed, wait": the row goes back until Retry-After (no
    sleeping inside the call while the lease runs out), the rest of the fan-out goes on,
    and the retry posts without looking in the history (the outcome was known)."""
    bot.fake.rate_limit_next("chat.postMessage", retry_after=7)
    report = bot.jobs.run_reminders()
    assert len(report.sent) == LEADS - 1 and report.retried == [first_key(bot)]
    assert report.next_due_in == timedelta(seconds=7)
    [row] = [r for r in messages(bot.engine) if r.key == first_key(bot)]
    assert row.status is OutboxStatus.pending and row.last_error.startswith("not_processed")
    bot.clock.set(FANOUT_AT + timedelta(seconds=6))
    assert bot.jobs.run_outbox().sent == []  # Retry-After not over yet
    bot.clock.set(FANOUT_AT + timedelta(seconds=7))
    assert bot.jobs.run_outbox().sent == [first_key(bot)]
    assert post_statuses(bot) == [429] + [200] * LEADS
    assert bot.fake.calls("conversations.history") == []  # a 429 was not processed: no doubt
    assert_each_reminder_once(bot)


def test_escalations_to_one_channel_are_one_post_under_its_limit(bot: RunningBot) -> None:
    """Seven working days late every intervention's lead gets a DM, and the office channel
    one post about them all (its daily digest), not a burst of one post per intervention
    that Slack limits to about 1 a second. (The harness's bot runs on a fixed clock, so
    unpaced: this one gets the pacer a bot on the real clock has.)"""
    bot.fake.enforce_rate_limit("chat.postMessage", per_channel_per_second=1.0, burst=1)
    bot.clock.set(stage_at(APRIL, "late_7"))
    cfg = bot.settings
    client = make_client(
        token=bot.fake.bot_token, base_url=cfg.slack_api_url, timeout=cfg.slack_timeout_seconds
    )
    jobs = compose(
        cfg, engine=bot.engine, clock=bot.clock, answering=False, client=client, pacer=Pacer()
    ).jobs
    report = jobs.run_reminders()
    assert len(report.sent) == LEADS + 1
    posts = bot.fake.calls("chat.postMessage")
    assert [c.status for c in posts] == [200] * (LEADS + 1)  # no 429 at all
    assert len([c for c in posts if c.args["channel"] == OFFICE_CHANNEL]) == 1
    [digest] = [m for m in bot.fake.messages(OFFICE_CHANNEL) if m.get("metadata")]
    assert len(buttons(digest)) == LEADS
    assert all(f"Insats {number:05d}" in message_text(digest) for number in range(LEADS))
    bot.fake.assert_clean()
