"""Exactly once past an expired lease, on PostgreSQL with two real `finsam-bot` processes.

Fencing (the attempt number) keeps a process that lost its row from writing to the
database, but cannot call back a post already on its way to Slack. Three ways a lease ran
out under its holder used to put one reminder in a DM twice; each test here reproduces one,
from the outside, and counts the posts the Slack fake took:

- the holder paused (SIGSTOP, as a frozen VM) after renewing its lease and before Slack took
  the post, longer than the lease; a second process took the row over. Now the holder asks
  for its lease again before the call (`Progress.before_call`) and finds it gone;
- a 429 whose Retry-After is longer than the lease. slack_sdk's handler slept it out inside
  the call, the lease unrenewed; now the row is released until Retry-After;
- a second host whose clock runs 400 s ahead, with the default 300 s lease: it took every
  held row for expired. Now leases follow the database's clock.

The pause is placed exactly: the test locks the table of DM channels, which the holder reads
between renewing its lease and posting (the DM's id), waits until its query waits on that
lock, stops it, and lets the lock go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import libfaketime
import pytest
from sqlalchemy import Engine, text

from simulator.fake_slack import SlackFake
from tests.fanout import FANOUT_AT, REPORTING, add_fanout, expected_keys, posted_keys
from tests.harness import BOT_TOKEN
from tests.test_reminders_exactly_once import (
    DONE_TIMEOUT,
    LEASE_SECONDS,
    bot_env,
    finish,
    ok_posts,
    reminders_run,
    unsent,
)
from workflows.reminders import plan_reminders

POST = "chat.postMessage"
AHEAD = 400  # seconds: the second host's clock
TAKEOVER_WAIT = 1 + 5  # SLACK_TIMEOUT_SECONDS in bot_env + the outbox's CALL_MARGIN

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize(
        "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]


def assert_posted_once(fake: SlackFake, ids: list[int]) -> None:
    keys = expected_keys(ids)
    assert posted_keys(fake, len(ids)) == Counter(dict.fromkeys(keys, 1))
    assert ok_posts(fake) == len(keys)


def run_until_sent(engine: Engine, env: dict[str, str], cwd: Path) -> int:
    """`reminders run` again and again (as cron would) until nothing is left; how many runs."""
    deadline = time.monotonic() + DONE_TIMEOUT
    runs = 0
    while unsent(engine):
        assert time.monotonic() < deadline, f"still unsent: {unsent(engine)}"
        if runs:
            time.sleep(1.0)
        returncode, output = finish(reminders_run(env, cwd))
        assert returncode in (0, 75), output
        runs += 1
    return runs


@contextmanager
def dm_channels_locked(engine: Engine) -> Iterator[None]:
    """The DM channel table locked: a process reading it waits until the block ends."""
    with engine.connect() as connection:
        connection.execute(text("LOCK TABLE slack_dm_channel IN ACCESS EXCLUSIVE MODE"))
        yield
        connection.rollback()


def waiting_on_a_lock(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE '%slack_dm_channel%'"
                )
            ).scalar_one()
        )


def wait_until(condition: object, what: str, timeout: float = DONE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_holder_paused_past_its_lease_does_not_post_after_it_resumes(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 1, fake=fake)
        plan_reminders(engine, REPORTING, now=FANOUT_AT, office_channel=None)
        env = bot_env(fake, database_url)
        with dm_channels_locked(engine):
            holder = reminders_run(env, tmp_path)
            wait_until(lambda: waiting_on_a_lock(engine) >= 1, "the holder to read DM ids")
            holder.send_signal(signal.SIGSTOP)  # lease renewed, the post not sent yet
        try:
            time.sleep(LEASE_SECONDS + 0.5)
            run_until_sent(engine, env, tmp_path)  # takes it over, waits, looks, posts
            assert ok_posts(fake) == 1
        finally:
            holder.send_signal(signal.SIGCONT)
        returncode, output = finish(holder)
        assert returncode in (0, 75), output
        assert "taken over by another process" in output
        assert_posted_once(fake, ids)
        assert fake.calls("conversations.history")  # the taker looked before posting


def test_a_retry_after_longer_than_the_lease_is_waited_out_by_the_row(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 3, fake=fake)
        plan_reminders(engine, REPORTING, now=FANOUT_AT, office_channel=None)
        env = bot_env(fake, database_url)
        retry_after = 3 * LEASE_SECONDS
        fake.rate_limit_next(POST, retry_after=retry_after)
        first = reminders_run(env, tmp_path)
        fake.wait_for(lambda: any(c.status == 429 for c in fake.calls(POST)), DONE_TIMEOUT)
        limited_at = time.monotonic()
        # A second process meanwhile, while the first could be sleeping inside the call.
        run_until_sent(engine, env, tmp_path)
        returncode, output = finish(first)
        assert returncode in (0, 75), output
        assert_posted_once(fake, ids)
        [limited] = [c for c in fake.calls(POST) if c.status == 429]
        again = [
            c for c in fake.calls(POST) if c.ok and c.args["channel"] == limited.args["channel"]
        ]
        assert len(again) == 1 and again[0].at - limited.at >= retry_after
        assert time.monotonic() - limited_at >= retry_after
        # A 429 was not processed: the retry posted without looking in the history first.
        assert fake.calls("conversations.history") == []


def test_a_host_whose_clock_runs_ahead_does_not_take_held_rows(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """The default lease (300 s) and Slack timeout (10 s); the second process's clock is 400 s
    ahead (libfaketime): by its own clock every lease the first holds has run out."""
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 2, fake=fake)
        plan_reminders(engine, REPORTING, now=FANOUT_AT, office_channel=None)
        env = bot_env(fake, database_url)
        env.update(FINSAM_OUTBOX_LEASE_SECONDS="300", SLACK_TIMEOUT_SECONDS="10")
        ahead = {**env, **skewed_clock(AHEAD)}
        assert _clock_of(ahead) - time.time() > AHEAD - 5, "libfaketime did not take"

        fake.slow_next(POST, delay=8.0)  # Slack sits on the first post: not in history yet
        holder = reminders_run(env, tmp_path)
        fake.wait_for(lambda: fake.held(POST) == 1, DONE_TIMEOUT)
        returncode, ahead_output = finish(reminders_run(ahead, tmp_path))
        assert returncode in (0, 75), ahead_output
        returncode, output = finish(holder)
        assert returncode == 0, output
        assert_posted_once(fake, ids)
        assert "clock is 400 s ahead of the database's" in ahead_output
        assert unsent(engine) == []


def skewed_clock(seconds: int) -> dict[str, str]:
    """Environment that runs a process on a clock `seconds` ahead of this machine's."""
    _, env = libfaketime.get_reload_information()
    return {**env, "FAKETIME": f"+{seconds}", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def _clock_of(env: dict[str, str]) -> float:
    output = subprocess.check_output(
        [sys.executable, "-c", "import time; print(time.time())"],
        env={**os.environ, **env},
    )
    return float(output)
