"""`serve`'s lazy process (bot/lazy.py), as real processes: the answering process acks and
hands the work after the ack to the lazy process, which answers on the command's
response_url.

- With the lazy process frozen (SIGSTOP), a signed `/finsam budget` is still acked, and no
  answer comes: the answering process does not run the lazy function itself.
- Killed (SIGKILL) while it holds that command, the lazy process is started again by `serve`,
  and the answering process hands the command on again: it is answered, once.
- The new lazy process frozen, a command waits; thawed, it is answered, once.
- SIGTERM to `serve` ends the lazy process too.

The lazy child is told from `serve`'s other children by its name (/proc/<pid>/comm), so the
tests run on Linux only."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from simulator.fake_slack import SlackFake
from store.models import Role
from tests.budget_data import SAMPLE_2026
from tests.harness import BOT_TOKEN
from tests.test_worker import (
    RESTARTED_WITHIN,
    SIGTERM_WITHIN,
    START_TIMEOUT,
    Serving,
    children,
    driver_for,
    eventually,
    is_gone,
    serving,
)
from workflows.budget_files import import_budget_file
from workflows.people import register_person

OFFICE = "U0OFFICE1"
FROZEN_FOR = 0.5  # watched for answering nothing while frozen

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def lazy_children(running: Serving) -> dict[int, int]:
    """`serve`'s lazy children: pid -> start time."""
    return {pid: stat.started for pid, stat in children(running.process.pid, lazy=True).items()}


def the_lazy_child(running: Serving, *, not_pid: int | None = None) -> int:
    found: list[int] = []

    def one() -> bool:
        found[:] = [pid for pid in lazy_children(running) if pid != not_pid]
        return len(found) == 1

    try:
        eventually(one, START_TIMEOUT, "serve's lazy process")
    except AssertionError as err:
        raise AssertionError(f"{err}\n{running.output()}") from None
    return found[0]


def answers(fake: SlackFake, url: str) -> list[dict[str, Any]]:
    return [posted for posted in fake.responses() if posted["url"] == url]


def test_the_lazy_process_answers_what_serve_acked_and_a_killed_one_is_replaced(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    register_person(engine, OFFICE, role=Role.office)
    import_budget_file(engine, SAMPLE_2026)
    with (
        SlackFake(bot_token=BOT_TOKEN) as fake,
        serving(fake, database_url, tmp_path, web_processes=1) as running,
    ):
        lazy = the_lazy_child(running)
        driver = driver_for(running, fake, timeout=START_TIMEOUT)

        # Frozen, the lazy process answers nothing, yet the command is acked at once: the
        # answering process does not run the answer itself. Killed with the command in hand,
        # the lazy process is replaced, and the command is handed to the new one: answered.
        os.kill(lazy, signal.SIGSTOP)
        first = fake.new_response_url()
        acked = driver.command("budget 2026", user_id=OFFICE, response_url=first)
        assert acked.status == 200, acked.text
        time.sleep(FROZEN_FOR)
        assert answers(fake, first) == []
        started = lazy_children(running)[lazy]
        os.kill(lazy, signal.SIGKILL)
        killed = time.monotonic()
        eventually(lambda: is_gone(lazy, started), 5, "the killed lazy process to end")
        replaced = the_lazy_child(running, not_pid=lazy)
        assert time.monotonic() - killed < RESTARTED_WITHIN + START_TIMEOUT
        fake.wait_for(lambda: bool(answers(fake, first)), timeout=START_TIMEOUT, message="answer")
        [answer] = answers(fake, first)
        assert answer["status"] == 200
        assert "Budgetläge 2026" in str(answer["body"].get("text")), answer

        # The new one frozen, a command waits for it; thawed, it answers.
        os.kill(replaced, signal.SIGSTOP)
        try:
            second = fake.new_response_url()
            acked = driver.command("budget 2026", user_id=OFFICE, response_url=second)
            assert acked.status == 200, acked.text
            time.sleep(FROZEN_FOR)
            assert answers(fake, second) == []
        finally:
            os.kill(replaced, signal.SIGCONT)
        fake.wait_for(lambda: bool(answers(fake, second)), timeout=10, message="the answer")
        assert [posted["status"] for posted in answers(fake, second)] == [200]
        assert len(answers(fake, first)) == 1

        # SIGTERM to serve stops the lazy process with it.
        new_started = lazy_children(running)[replaced]
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=SIGTERM_WITHIN) == 0, running.output()
        eventually(lambda: is_gone(replaced, new_started), 5, "the lazy process to end")
    assert "Traceback" not in running.output(), running.output()
    fake.assert_clean()
