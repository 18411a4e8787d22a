"""One composition root (bot/composition.py): the product's processes and the tests' harness
get their context, client, sender, jobs and app from `compose`, and nowhere else builds them."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.composition import compose
from bot.slack_client import OutboxClient
from tests.harness import STOCKHOLM
from tests.harness import test_settings as bot_settings
from workflows.clock import FixedClock
from workflows.outbox import DispatchReport

NOON = datetime(2026, 4, 20, 12, 0, tzinfo=STOCKHOLM)
ROOT = Path(__file__).resolve().parents[1]
BUILT_ONLY_THERE = ("SlackSender", "BotJobs", "build_context", "create_app")
# Where they are defined, and the root itself.
EXEMPT = {"bot/composition.py", "bot/context.py", "bot/app.py", "bot/sender.py", "bot/jobs.py"}


def constructions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} calls {node.func.id}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in BUILT_ONLY_THERE
    ]


def test_nothing_but_the_root_builds_the_parts() -> None:
    paths = [*sorted((ROOT / "bot").rglob("*.py")), ROOT / "tests" / "harness.py"]
    offences = [
        offence
        for path in paths
        if str(path.relative_to(ROOT)) not in EXEMPT
        for offence in constructions(path)
    ]
    assert offences == []


def test_a_sending_process_gets_no_bolt_app_and_sends_on_the_outbox_client(
    engine: Engine, database_url: str
) -> None:
    cfg = bot_settings(api_url="http://127.0.0.1:9/api/", database_url=database_url)
    bot = compose(cfg, engine=engine, clock=FixedClock(NOON), answering=False)
    assert bot.app is None
    assert isinstance(bot.sender.slack.client, OutboxClient)
    assert bot.sender.slack.client.base_url == bot.client.base_url == cfg.slack_api_url
    assert bot.jobs.run_outbox() == DispatchReport()  # nothing planned: no call made


def test_an_answering_process_shares_its_context_and_client_with_the_jobs(
    engine: Engine, database_url: str
) -> None:
    cfg = bot_settings(api_url="http://127.0.0.1:9/api/", database_url=database_url)
    bot = compose(cfg, engine=engine, clock=FixedClock(NOON))
    assert bot.app is not None and bot.app.client is bot.client
