"""Exactly once across processes, on PostgreSQL: real `finsam-bot` processes share one
database while the Slack fake runs in the test.

- A `reminders run` killed with SIGKILL at random points of a fan-out (and once while Slack
  holds the answer to a post it has taken), then run again until done: every reminder is in
  its DM exactly once. The killed process's rows come back when their lease runs out, and
  the process that takes one over first looks for it in the DM's history.
- Two `serve` processes on the pending fan-out, and two `reminders run` started at once:
  each reminder is sent once, and both processes did send (each reaches the fake under
  another host name, so the fake's records tell them apart).

The seed of the kill points is printed; FINSAM_TEST_SEED repeats a run."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.settings import Settings
from simulator.fake_slack import SlackFake
from store.models import OutboxStatus
from tests.fanout import FANOUT_AT, REPORTING, add_fanout, expected_keys, posted_keys
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from workflows.outbox import messages
from workflows.reminders import plan_reminders

ROOT = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 2
DONE_TIMEOUT = 60.0

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize(
        "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
    ),
]


def bot_env(
    fake: SlackFake, database_url: str, *, host: str = "127.0.0.1", pace: int = 200
) -> dict[str, str]:
    """A bot process's settings: the test's database (its schema in the URL), the fake
    (reached as `host`), a short lease and timeout, `pace` posts a second; nothing from the
    shell. A fan-out of 80 at 30 a second lasts long enough for two processes to meet."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=f"http://{host}:{fake.port}/api/",
        SLACK_TIMEOUT_SECONDS="1",
        FINSAM_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
        FINSAM_SLACK_POSTS_PER_SECOND=str(pace),
        FINSAM_OFFICE_CHANNEL="",
        HOST="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    return env


def reminders_run(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "reminders", "run", "--now", FANOUT_AT.isoformat()],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=DONE_TIMEOUT)
    return process.returncode, output.decode(errors="replace")


def ok_posts(fake: SlackFake) -> int:
    return sum(1 for call in fake.calls("chat.postMessage") if call.ok)


def unsent(engine: Engine) -> list[str]:
    return [row.key for row in messages(engine) if row.status is not OutboxStatus.sent]


def assert_each_reminder_once(fake: SlackFake, engine: Engine, ids: list[int]) -> None:
    keys = expected_keys(ids)
    assert posted_keys(fake, len(ids)) == Counter(dict.fromkeys(keys, 1))
    assert ok_posts(fake) == len(keys)  # not one post more than there are reminders
    rows = messages(engine)
    assert {row.key for row in rows} == keys
    assert {row.status for row in rows} == {OutboxStatus.sent}
    fake.assert_clean()


def hosts_that_posted(fake: SlackFake) -> set[str]:
    return {
        call.headers.get("host", "").split(":")[0]
        for call in fake.calls("chat.postMessage")
        if call.ok
    }


def test_a_fan_out_killed_at_random_points_sends_every_reminder_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("FINSAM_TEST_SEED", time.time_ns() % 1_000_000))
    print(f"FINSAM_TEST_SEED={seed}")
    rng = random.Random(seed)
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 60, fake=fake)
        env = bot_env(fake, database_url)

        # Slack takes the first post and sits on the answer: killed while it waits.
        fake.timeout_next("chat.postMessage", delay=30.0, perform=True)
        process = reminders_run(env, tmp_path)
        fake.wait_for(lambda: ok_posts(fake) >= 1, timeout=DONE_TIMEOUT)
        process.kill()
        process.wait()

        # Killed after a random number of further posts, a random moment after the last.
        for _ in range(2):
            target = ok_posts(fake) + rng.randint(1, 15)
            process = reminders_run(env, tmp_path)
            fake.wait_for(
                lambda: ok_posts(fake) >= target or process.poll() is not None,  # noqa: B023
                timeout=DONE_TIMEOUT,
            )
            time.sleep(rng.uniform(0, 0.03))
            process.send_signal(signal.SIGKILL)
            process.wait()

        # Then run again until everything is sent. A process takes longer to start than the
        # lease lasts, so the dead holders' rows are free again by the time it looks.
        deadline = time.monotonic() + DONE_TIMEOUT
        runs = 0
        while unsent(engine):
            assert time.monotonic() < deadline, f"still unsent: {unsent(engine)[:5]}"
            if runs:
                time.sleep(LEASE_SECONDS)
            returncode, output = finish(reminders_run(env, tmp_path))
            runs += 1
            assert returncode in (0, 75), output  # 75: some left to retry later
        assert_each_reminder_once(fake, engine, ids)
        # The post Slack took before the first kill was found in history, not re-sent.
        assert fake.calls("conversations.history")


def test_two_serve_processes_on_one_database_send_each_reminder_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 80, fake=fake)
        planned = plan_reminders(engine, REPORTING, now=FANOUT_AT, office_channel=None)
        assert set(planned.planned) == expected_keys(ids)
        with (
            serving(fake, database_url, tmp_path, host="127.0.0.1"),
            serving(fake, database_url, tmp_path, host="localhost"),
        ):
            deadline = time.monotonic() + DONE_TIMEOUT
            while unsent(engine):
                assert time.monotonic() < deadline, f"still unsent: {unsent(engine)[:5]}"
                time.sleep(0.2)
        assert_each_reminder_once(fake, engine, ids)
        assert hosts_that_posted(fake) == {"127.0.0.1", "localhost"}


def test_two_runs_started_at_once_plan_and_send_each_reminder_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, 80, fake=fake)
        processes = [
            reminders_run(bot_env(fake, database_url, host=host, pace=30), tmp_path)
            for host in ("127.0.0.1", "localhost")
        ]
        for process in processes:
            returncode, output = finish(process)
            assert returncode == 0, output
        assert_each_reminder_once(fake, engine, ids)
        assert hosts_that_posted(fake) == {"127.0.0.1", "localhost"}


@contextmanager
def serving(fake: SlackFake, database_url: str, cwd: Path, *, host: str) -> Iterator[None]:
    """`finsam-bot serve` on a free port; it catches up at start (sending what is pending)
    and gets SIGTERM at the end."""
    env = bot_env(fake, database_url, host=host, pace=30)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        env["PORT"] = str(probe.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        assert process.returncode in (0, -signal.SIGTERM), output.decode(errors="replace")
