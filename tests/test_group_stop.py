"""SIGTERM to the whole process group of a real `finsam-bot serve` (issue #10, §6): what
systemd's default KillMode=control-group sends, every process at once. Each of them stops
once and in order: serve exits 0, its worker and answering child report exit code 0, and
the log holds no traceback (before the fix an answering child closed its server a second
time when serve's own SIGTERM followed the group's, and logged `OSError: [Errno 9] Bad file
descriptor`). A second SIGTERM to the group during the stop changes nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.request import urlopen

import pytest

from simulator.fake_slack import SlackFake
from tests.harness import BOT_TOKEN
from tests.test_reminders_exactly_once import bot_env
from tests.test_worker import Serving, eventually, free_port, is_gone, wait_healthy

STOP_WITHIN = 30.0  # generous on a loaded machine: the children stop in well under STOP_TIMEOUT
SECOND_SIGNAL_AFTER = 0.2

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
    pytest.mark.skipif(
        os.nice(0) + 1 > 19, reason="serve already runs at the lowest priority: no worker to tell"
    ),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@contextmanager
def serving_in_own_group(fake: SlackFake, database_url: str, cwd: Path) -> Iterator[Serving]:
    """serve as the leader of a new session (so of its own process group), logging at INFO
    to a file; whatever is left at the end is killed."""
    port = free_port()
    env = {**bot_env(fake, database_url), "PORT": str(port), "LOG_LEVEL": "INFO"}
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve"],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Serving(process, port, log)
    try:
        wait_healthy(running)
        yield running
    finally:
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid, started in running.seen.items():
            if not is_gone(pid, started):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def stop_group(running: Serving, *, twice: bool) -> str:
    worker = running.wait_worker()
    running.wait_answering(1, worker=worker)
    eventually(  # both children have put their orderly stop in place
        lambda: all(line in running.output() for line in ("worker: running", "answering (pid")),
        60,
        "the worker and the answering child to run",
    )
    # The worker's heartbeat reaches the answering processes (shared memory made by serve).
    with urlopen(f"http://127.0.0.1:{running.port}/healthz", timeout=10) as answer:
        assert answer.status == 200
        assert json.loads(answer.read())["worker"]["last_tick"] is not None
    os.killpg(running.process.pid, signal.SIGTERM)
    if twice:
        time.sleep(SECOND_SIGNAL_AFTER)
        with suppress(ProcessLookupError):
            os.killpg(running.process.pid, signal.SIGTERM)
    try:
        code = running.process.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"serve still runs after SIGTERM:\n{running.output()}") from None
    output = running.log.read_text(errors="replace")
    assert code == 0, output
    eventually(lambda: not running.left_over(), 5, "every child of serve to end")
    return output


@pytest.mark.parametrize("twice", [False, True], ids=["once", "twice"])
def test_sigterm_to_the_process_group_stops_every_process_once_cleanly(
    database_url: str, tmp_path: Path, twice: bool
) -> None:
    with (
        SlackFake(bot_token=BOT_TOKEN) as fake,
        serving_in_own_group(fake, database_url, tmp_path) as running,
    ):
        output = stop_group(running, twice=twice)
    assert "Traceback" not in output, output
    assert "Bad file descriptor" not in output and "Errno 9" not in output, output
    assert "worker stopped (exit code 0)" in output, output
    assert "web-2 stopped (exit code 0)" in output, output
    assert "killed it" not in output, output
