"""The bot as Slack meets it: the real Bolt app under waitress on loopback, its WebClient
pointed at the Slack fake, driven by signed HTTP requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.composition import compose
from bot.context import BotContext
from bot.jobs import BotJobs
from bot.server import HttpServer, make_wsgi_app
from bot.settings import Settings, load_settings
from simulator.fake_slack import SlackFake
from simulator.slack_driver import SlackDriver
from store.models import Role
from tests.budget_data import SAMPLE_2026
from workflows.budget_files import import_budget_file
from workflows.clock import FixedClock
from workflows.people import register_person

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-1234-5678-abcdefghijkl"
OFFICE_CHANNEL = "C_OFFICE"
OFFICE_USER = "U0OFFICE1"
LEAD_USER = "U0LEAD001"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_settings(*, api_url: str, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "database_url": database_url,
        "finsam_office_channel": OFFICE_CHANNEL,
    }
    values.update(overrides)
    return load_settings(**values)


@dataclass
class RunningBot:
    fake: SlackFake
    driver: SlackDriver
    engine: Engine
    settings: Settings
    clock: FixedClock
    server: HttpServer
    jobs: BotJobs
    ctx: BotContext
    ringing: threading.Lock = field(default_factory=threading.Lock, repr=False)
    settled: threading.Event = field(default_factory=threading.Event, repr=False)

    def dispatch_on_ring(self) -> list[str]:
        """Wire the outbox bell as `serve` does, but in this process and at once: a ring
        sends what is due (on the thread that rang); the keys it sent."""
        sent: list[str] = []

        def on_ring() -> None:
            with self.ringing:
                if not self.settled.is_set():
                    sent.extend(self.jobs.run_outbox().sent)

        self.ctx.outbox_bell.connect(on_ring)
        return sent

    def settle(self) -> None:
        """Wait for a ring's sending under way, and send nothing more: a test's database is
        dropped after it, which would wait for ever on a dispatch holding a row (its builder
        reading in a second session queues behind the drop)."""
        with self.ringing:
            self.settled.set()

    def add_office_user(self, user_id: str = OFFICE_USER, *, name: str = "Eva Ek") -> None:
        register_person(self.engine, user_id, role=Role.office, name=name)

    def import_budget(self, path: Path = SAMPLE_2026) -> None:
        import_budget_file(self.engine, path)

    def ask(self, text: str, *, user: str) -> dict[str, Any]:
        """`/finsam <text>` as `user`: the body the bot posted to the command's response_url."""
        before = len(self.fake.responses())
        response = self.driver.command(text, user_id=user)
        assert response.status == 200
        self.fake.wait_for(lambda: len(self.fake.responses()) > before)
        body: dict[str, Any] = self.fake.responses()[before]["body"]
        return body


@contextmanager
def running_bot(
    engine: Engine,
    database_url: str,
    *,
    now: datetime | None = None,
    **overrides: object,
) -> Iterator[RunningBot]:
    """The bot in this process against the fake; scheduled work runs when a test calls
    `jobs` (or, after `dispatch_on_ring`, when the bot rings the outbox)."""
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        fake.add_channel(OFFICE_CHANNEL, name="kansliet")
        cfg = test_settings(api_url=fake.api_url, database_url=database_url, **overrides)
        clock = FixedClock(now or datetime(2026, 4, 20, 10, 0, tzinfo=STOCKHOLM))
        composed = compose(cfg, engine=engine, clock=clock)
        ctx, app, jobs = composed.ctx, composed.app, composed.jobs
        assert app is not None
        server = HttpServer(
            make_wsgi_app(app, engine=engine, signing_secret=SIGNING_SECRET),
            host="127.0.0.1",
            port=0,
            threads=4,
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        bot = RunningBot(
            fake=fake,
            driver=SlackDriver(
                server.url, SIGNING_SECRET, response_url_factory=fake.new_response_url
            ),
            engine=engine,
            settings=cfg,
            clock=clock,
            server=server,
            jobs=jobs,
            ctx=ctx,
        )
        try:
            yield bot
        finally:
            bot.settle()
            server.close()
            thread.join(timeout=5)
