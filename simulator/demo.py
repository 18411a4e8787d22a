"""`finsam-bot demo`: the whole bot, unchanged, against the built-in Slack fake on loopback.
It runs the real CLI commands and `finsam-bot serve` as child processes, asks `/finsam`
through signed HTTP requests like Slack would, and prints what each user would see."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from bot.blocks.plain_text import blocks_as_text
from simulator.demo_board import run_board_year
from simulator.demo_board_documents import run_board_documents
from simulator.demo_first_run import run_first_run
from simulator.demo_imports import import_books_in_slack
from simulator.demo_reporting import GO_LIVE, run_reporting_quarter
from simulator.fake_slack import SlackFake
from simulator.sample_books import write_sample_books
from simulator.samples import BUDGET_2026, sample_path
from simulator.slack_driver import SlackDriver
from workflows.texts import Texts

TOKEN = "xoxb-demo-0000-finsam"
SECRET = "demo-signing-secret"
OFFICE_CHANNEL = "C0KANSLI"
OFFICE_USER = "U0KANSLI1"
LEAD_USER = "U0LEAD001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Demo:
    def __init__(self, out: Path, fake: SlackFake, *, language: str) -> None:
        self.texts = Texts(language)
        self.out = out
        self.fake = fake
        self.office_channel = OFFICE_CHANNEL
        self.office_user = OFFICE_USER
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{out / 'demo.db'}",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": fake.api_url,
            "FINSAM_OFFICE_CHANNEL": OFFICE_CHANNEL,
            # The office went live on 1 April: March's reports are owed, February's are not.
            "FINSAM_REPORTS_FROM": GO_LIVE.isoformat(),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "LOG_LEVEL": "WARNING",
        }
        self.driver = SlackDriver(
            f"http://127.0.0.1:{self.port}", SECRET, response_url_factory=fake.new_response_url
        )

    def step(self, macro: str, **values: object) -> None:
        """A headline of the transcript."""
        print(f"\n\033[1m▶ {self.texts.get('demo', macro, **values)}\033[0m", flush=True)

    def cli(self, *args: str) -> None:
        command = [sys.executable, "-m", "bot.cli", *args]
        print("$ finsam-bot " + shlex.join(args), flush=True)
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, check=False)
        for line in (result.stdout + result.stderr).strip().splitlines():
            print("  " + line)
        if result.returncode != 0:
            raise SystemExit(f"demo: `finsam-bot {shlex.join(args)}` failed ({result.returncode})")

    @contextmanager
    def serving(self, *, simulated_start: datetime | None = None) -> Iterator[None]:
        """`finsam-bot serve` for the length of a step. Without `simulated_start` it runs
        without the office channel, so it plans no summary of its own and the demo's
        `summary` step is the one that posts (at the simulated time); with it, the bot's
        clock starts there (the reporting quarter) and reports are reviewed in the channel."""
        env = {**self.env, "FINSAM_OFFICE_CHANNEL": "", "LOG_LEVEL": "ERROR"}
        if simulated_start is not None:
            env |= {
                "FINSAM_OFFICE_CHANNEL": OFFICE_CHANNEL,
                "FINSAM_SIMULATED_START": simulated_start.isoformat(),
            }
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env)
        try:
            self._wait_healthy(process)
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def _wait_healthy(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit("demo: finsam-bot serve stopped at start")
            try:
                with urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("demo: finsam-bot serve did not answer /healthz within 30 s")

    def ask(self, user: str, text: str) -> list[dict[str, Any]]:
        """A slash command as `user`; what they see (the ephemeral answer)."""
        print(self.texts.get("demo", "asks", user=user, text=text), flush=True)
        before = len(self.fake.responses())
        response = self.driver.command(text, user_id=user)
        if response.status != 200:
            raise SystemExit(f"demo: the bot answered {response.status}")
        self.fake.wait_for(lambda: len(self.fake.responses()) > before, timeout=15)
        body: dict[str, Any] = self.fake.responses()[before]["body"]
        print(indent(blocks_as_text(body.get("blocks") or [], fallback=body.get("text", ""))))
        return list(body.get("blocks") or [])


def indent(text: str) -> str:
    return "\n".join("  │ " + line for line in text.splitlines())


def run_demo(out: Path, *, language: str = "sv") -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "demo.db").unlink(missing_ok=True)
    with SlackFake(bot_token=TOKEN) as fake:
        fake.add_user(OFFICE_USER, name="eva.ek", email="eva.ek@example.org")
        fake.add_user(LEAD_USER, name="lars.ledare", email="lars@example.org")
        fake.add_channel(OFFICE_CHANNEL, name="kansliet")
        demo = Demo(out, fake, language=language)
        demo.step("setup")
        demo.cli("people", "add", OFFICE_USER, "--role", "office", "--name", "Eva Ek")
        demo.cli("people", "add", LEAD_USER, "--role", "lead", "--name", "Lars Ledare")
        budget = sample_path(BUDGET_2026)
        demo.cli("budget", "import", str(budget))
        books = write_sample_books(budget, out / "utfall-2026.csv", through_month=9)
        demo.cli("spending", "import", str(books))
        with demo.serving():
            demo.step("serving", url=f"http://127.0.0.1:{demo.port}/slack/events")
            import_books_in_slack(demo, budget, through_month=10)  # October's, through Slack
            demo.step("office_asks")
            demo.ask(OFFICE_USER, "budget 2026")
            demo.step("one_intervention")
            demo.ask(OFFICE_USER, "budget 2026 Lokussamordnare")
            demo.step("lead_refused")
            demo.ask(LEAD_USER, "budget")
            demo.step("unknown_command")
            demo.ask(OFFICE_USER, "budjet")
        demo.step("summary")
        demo.cli("summary", "--now", "2026-11-05T09:00")
        posted = fake.messages(OFFICE_CHANNEL)
        summary = next(m for m in posted if m.get("blocks"))
        print(indent(blocks_as_text(summary["blocks"], fallback=summary.get("text", ""))))
        for shared in fake.files():
            target = out / shared["filename"]
            target.write_bytes(shared["content"])
            print(f"  │ 📎 {shared['title']} → {target}")
        demo.step("summary_again")
        demo.cli("summary", "--now", "2026-11-05T09:30")
        summaries = [m for m in fake.messages(OFFICE_CHANNEL) if m.get("metadata")]
        print("  " + demo.texts.get("demo", "summaries_in_channel", count=len(summaries)))
        run_reporting_quarter(demo)
        run_first_run(demo)
        run_board_year(demo)
        run_board_documents(demo)
    print("\n" + Texts(language).get("demo", "done", out=out))
