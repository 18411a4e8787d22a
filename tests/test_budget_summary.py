"""The scheduled budget summary: posted once per month to the office channel with its chart
(files upload v2), through 429s, 5xx and a dropped connection, and caught up after downtime."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from store.models import OutboxStatus
from tests.harness import OFFICE_CHANNEL, STOCKHOLM, RunningBot, running_bot
from workflows.outbox import messages
from workflows.schedule import build_scheduler

MAY_5 = datetime(2026, 5, 5, 9, 0, tzinfo=STOCKHOLM)
KEY = "budget_summary:C_OFFICE:2026-05"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url, now=MAY_5) as running:
        running.import_budget()
        yield running


def summary_posts(bot: RunningBot) -> list[dict[str, object]]:
    return [
        m
        for m in bot.fake.messages(OFFICE_CHANNEL)
        if str((m.get("metadata") or {}).get("event_payload", {}).get("key", "")).startswith(
            "budget_summary:"
        )
    ]


def test_summary_posts_blocks_with_key_and_a_png_chart(bot: RunningBot) -> None:
    report = bot.jobs.run_budget_summary()
    assert report.sent == [KEY]
    post = bot.fake.unique_post(OFFICE_CHANNEL)
    assert post.args["metadata"] == {"event_type": "finsam_outbox", "event_payload": {"key": KEY}}
    assert "kvarvarande beslutsutrymme 1\u00a0007\u00a0tkr" in post.args["text"]
    [chart] = bot.fake.files()
    assert chart["channel"] == OFFICE_CHANNEL
    assert chart["filename"] == "budget-2026-05.png"
    assert chart["content"].startswith(b"\x89PNG\r\n\x1a\n")
    bot.fake.assert_clean()


def test_a_second_tick_in_the_same_month_posts_nothing(bot: RunningBot) -> None:
    bot.jobs.run_budget_summary()
    bot.clock.set(MAY_5 + timedelta(days=3))
    assert bot.jobs.run_budget_summary().sent == []
    assert len(bot.fake.calls("chat.postMessage")) == 1
    bot.clock.set(datetime(2026, 6, 5, 9, 0, tzinfo=STOCKHOLM))
    assert bot.jobs.run_budget_summary().sent == ["budget_summary:C_OFFICE:2026-06"]


def test_a_429_is_waited_out_by_the_row_then_retried(bot: RunningBot) -> None:
    bot.fake.rate_limit_next("chat.postMessage", retry_after=1)
    report = bot.jobs.run_budget_summary()
    assert report.retried == [KEY] and report.next_due_in == timedelta(seconds=1)
    bot.clock.set(MAY_5 + timedelta(seconds=1))
    assert bot.jobs.run_outbox().sent == [KEY]
    attempts = bot.fake.calls("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert len(summary_posts(bot)) == 1


def test_a_server_error_on_a_post_is_reconciled_not_repeated_blindly(bot: RunningBot) -> None:
    """A 5xx leaves the outcome unknown: the next attempt looks in the history first."""
    bot.fake.fail_next("chat.postMessage", status=503)
    assert bot.jobs.run_budget_summary().retried == [KEY]
    assert bot.jobs.run_outbox().sent == []  # backing off: not due yet
    bot.clock.set(MAY_5 + timedelta(seconds=31))
    assert bot.jobs.run_outbox().sent == [KEY]
    assert [a.status for a in bot.fake.calls("chat.postMessage")] == [503, 200]
    methods = [c.method for c in bot.fake.calls() if c.method != "auth.test"]
    # the retry looks for the post first, and for the chart before sharing it
    assert methods[1:4] == ["conversations.history", "chat.postMessage", "conversations.history"]
    assert len(summary_posts(bot)) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_on_repeatable_calls_are_retried_at_once(
    bot: RunningBot, status: int
) -> None:
    bot.fake.fail_next("files.getUploadURLExternal", status=status, count=2)
    assert bot.jobs.run_budget_summary().sent == [KEY]
    statuses = [a.status for a in bot.fake.calls("files.getUploadURLExternal")]
    assert statuses == [status, status, 200]
    assert len(bot.fake.files()) == 1


def test_a_post_whose_answer_was_lost_is_found_not_repeated(bot: RunningBot) -> None:
    bot.fake.drop_after_accept_next("chat.postMessage")
    first = bot.jobs.run_budget_summary()
    assert (first.sent, first.retried) == ([], [KEY])
    assert len(summary_posts(bot)) == 1  # Slack took it; we do not know yet
    bot.clock.set(MAY_5 + timedelta(minutes=5))
    assert bot.jobs.run_outbox().sent == [KEY]
    assert len(summary_posts(bot)) == 1
    assert len(bot.fake.calls("chat.postMessage")) == 1
    assert len(bot.fake.files()) == 1
    [row] = messages(bot.engine)
    assert (row.status, row.message_ts) == (OutboxStatus.sent, summary_posts(bot)[0]["ts"])


def test_a_refused_post_is_marked_failed_not_retried_forever(bot: RunningBot) -> None:
    bot.fake.error_next("chat.postMessage", "channel_not_found")
    report = bot.jobs.run_budget_summary()
    assert report.failed == [KEY]
    [row] = messages(bot.engine)
    assert row.status == OutboxStatus.failed
    assert "channel_not_found" in (row.last_error or "")


def test_catch_up_after_downtime_posts_the_month_once(bot: RunningBot) -> None:
    bot.clock.set(datetime(2026, 5, 4, 12, 0, tzinfo=STOCKHOLM))
    assert KEY not in bot.jobs.catch_up().sent  # not due before the 5th
    bot.clock.set(datetime(2026, 5, 20, 8, 0, tzinfo=STOCKHOLM))
    assert KEY in bot.jobs.catch_up().sent
    assert KEY not in bot.jobs.catch_up().sent
    assert len(summary_posts(bot)) == 1


def test_no_budget_for_the_year_posts_nothing(engine: Engine, database_url: str) -> None:
    with running_bot(engine, database_url, now=MAY_5) as running:
        assert running.jobs.run_budget_summary().sent == []
        assert running.fake.calls("chat.postMessage") == []


def test_scheduler_wiring(bot: RunningBot) -> None:
    scheduler = build_scheduler(bot.jobs.jobs(), tz=STOCKHOLM)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"outbox", "reminders", "budget_summary", "missing_reports"}
    summary = jobs["budget_summary"].trigger
    assert isinstance(summary, CronTrigger)
    assert str(summary) == str(CronTrigger.from_crontab("0 9 5 * *", timezone=STOCKHOLM))
    assert str(summary.timezone) == "Europe/Stockholm"
    assert isinstance(jobs["outbox"].trigger, IntervalTrigger)
    assert isinstance(jobs["reminders"].trigger, IntervalTrigger)


def test_a_post_that_timed_out_after_slack_took_it_is_not_repeated(
    engine: Engine, database_url: str
) -> None:
    with running_bot(engine, database_url, now=MAY_5, slack_timeout_seconds=1) as bot:
        bot.import_budget()
        bot.fake.timeout_next("chat.postMessage", delay=2.0, perform=True)
        assert bot.jobs.run_budget_summary().retried == [KEY]
        bot.clock.set(MAY_5 + timedelta(minutes=5))
        assert bot.jobs.run_outbox().sent == [KEY]
        assert len(summary_posts(bot)) == 1
        assert len(bot.fake.calls("chat.postMessage")) == 1
        assert len(bot.fake.files()) == 1


def test_a_chart_share_whose_answer_was_lost_is_not_shared_again(bot: RunningBot) -> None:
    bot.fake.drop_after_accept_next("files.completeUploadExternal")
    assert bot.jobs.run_budget_summary().retried == [KEY]
    assert len(bot.fake.files()) == 1  # Slack shared it; we do not know yet
    bot.clock.set(MAY_5 + timedelta(minutes=5))
    assert bot.jobs.run_outbox().sent == [KEY]
    assert len(bot.fake.files()) == 1
    assert len(bot.fake.calls("chat.postMessage")) == 1


def test_a_bug_in_the_bot_backs_off_instead_of_wedging_the_row(bot: RunningBot) -> None:
    from store.db import session_scope
    from workflows.outbox import plan
    from workflows.outbox_kinds import BudgetSummaryPayload

    with session_scope(bot.engine) as session:  # a row whose year has no budget: load fails
        plan(
            session,
            key="k",
            channel=OFFICE_CHANNEL,
            payload=BudgetSummaryPayload(year=2031, period="2031-05"),
            now=bot.clock.now(),
        )
    report = bot.jobs.run_outbox()
    assert report.retried == ["k"]
    [row] = [m for m in messages(bot.engine) if m.key == "k"]
    assert (row.status, "no_budget_for_year" in (row.last_error or "")) == (
        OutboxStatus.pending,
        True,
    )


def test_a_failed_summary_can_be_retried_and_goes_out_once(bot: RunningBot) -> None:
    from store.errors import NotFoundError
    from workflows.outbox import retry_failed

    bot.fake.error_next("chat.postMessage", "not_in_channel")
    assert bot.jobs.run_budget_summary().failed == [KEY]
    with pytest.raises(NotFoundError):
        retry_failed(bot.engine, "no-such-key", clock=bot.clock)
    retry_failed(bot.engine, KEY, clock=bot.clock)  # the bot was invited meanwhile
    assert bot.jobs.run_outbox().sent == [KEY]
    assert bot.jobs.run_budget_summary().sent == []  # the key still stands: once a month
    assert len(summary_posts(bot)) == 1
    with pytest.raises(NotFoundError):
        retry_failed(bot.engine, KEY, clock=bot.clock)  # sent rows are not failed rows
