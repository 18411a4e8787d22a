"""Slack delivers an Events API event again when it thinks the first delivery went unanswered
(`X-Slack-Retry-Num` 1–3, `X-Slack-Retry-Reason`, the same `event_id`), to whichever of
`serve`'s answering processes takes the connection. Its side effect happens once: the same
`app_home_opened`, four times, alternately into two apps in this process that share only the
database, and into each process of the real `serve`, publishes the Home tab once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.app import build_context, create_app
from bot.server import HttpServer, make_wsgi_app
from simulator.fake_slack import SlackFake
from simulator.slack_driver import SlackDriver, app_home_opened, event_callback
from tests.harness import BOT_TOKEN, SIGNING_SECRET, RunningBot, running_bot
from tests.test_worker import SETTLE, START_TIMEOUT, driver_for, frozen, serving
from workflows.outbox import messages

FIRST = "U0FIRST01"
SECOND = "U0SECOND1"


@contextmanager
def second_app(bot: RunningBot) -> Iterator[SlackDriver]:
    """Another answering "process": its own app, context and caches, the same database; its
    bell sends the outbox as the first's does."""
    ctx = build_context(bot.settings, engine=bot.engine, clock=bot.clock)
    ctx.outbox_bell.connect(lambda: bot.jobs.run_outbox())
    app = create_app(bot.settings, engine=bot.engine, ctx=ctx)
    wsgi = make_wsgi_app(app, engine=bot.engine, signing_secret=SIGNING_SECRET)
    server = HttpServer(wsgi, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SlackDriver(server.url, SIGNING_SECRET)
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    # One work thread per app: its lazy listeners run in the order the events came.
    with running_bot(engine, database_url, finsam_work_threads=1) as running:
        running.dispatch_on_ring()
        for user in (FIRST, SECOND):
            running.fake.add_user(user)
        yield running


def published(bot: RunningBot, user: str) -> int:
    return sum(call.args.get("user_id") == user for call in bot.fake.calls("views.publish"))


def test_a_retried_app_home_opened_publishes_the_home_tab_once(bot: RunningBot) -> None:
    event = event_callback(app_home_opened(FIRST), event_id="Ev0RETRIED")
    with second_app(bot) as other:
        drivers = [bot.driver, other, bot.driver, other]
        for driver, retry_num in zip(drivers, [None, 1, 2, 3], strict=True):
            response = driver.event(event, retry_num=retry_num, retry_reason="http_timeout")
            assert response.status == 200
        # A later event into each app: once both are published, every delivery before them
        # has been handled (each app's work thread takes its events in order).
        bot.driver.event(event_callback(app_home_opened(SECOND), event_id="Ev0LATER01"))
        other.event(event_callback(app_home_opened(SECOND), event_id="Ev0LATER02"))
        bot.fake.wait_for(lambda: published(bot, SECOND) == 2, timeout=30)
    assert published(bot, FIRST) == 1
    rows = [m for m in messages(bot.engine) if m.key.startswith(f"home_refresh:{FIRST}:")]
    assert [(m.key, m.status.value) for m in rows] == [
        (f"home_refresh:{FIRST}:opened:Ev0RETRIED", "sent")
    ]
    assert bot.fake.home_view(FIRST) is not None


def test_each_opening_is_its_own_event(bot: RunningBot) -> None:
    """Opening the tab again is a new event (a new event_id): published again."""
    for number in (1, 2):
        bot.driver.event(event_callback(app_home_opened(FIRST), event_id=f"Ev0OPEN{number}"))
        bot.fake.wait_for(lambda n=number: published(bot, FIRST) == n, timeout=30)  # type: ignore[misc]


def test_retries_answered_by_each_process_of_serve_publish_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """The real `serve` with two answering children: the first delivery answered by `serve`,
    each retry by another process (the others frozen, so only it accepts), which share
    nothing but the database."""
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        for user in (FIRST, SECOND):
            fake.add_user(user)
        with serving(fake, database_url, tmp_path, web_processes=3) as running:
            serve = running.process.pid
            worker = running.wait_worker()
            first_child, second_child = running.wait_answering(2, worker=worker)
            answerers = [serve, first_child, second_child, serve]
            everyone = set(answerers)
            driver = driver_for(running, fake, timeout=START_TIMEOUT)
            event = event_callback(app_home_opened(FIRST), event_id="Ev0SERVED1")
            for number, (answerer, retry_num) in enumerate(
                zip(answerers, [None, 1, 2, 3], strict=True)
            ):
                with frozen(*(everyone - {answerer})):
                    response = driver.event(event, retry_num=retry_num)
                    assert response.status == 200
                    if number == 0:
                        fake.wait_for(lambda: published_by(fake, FIRST) == 1, START_TIMEOUT)
                    time.sleep(SETTLE)  # its lazy listener planned (or not), before it stops
            # A later event into each process, and each published: the retries before them
            # were long handled.
            for number, answerer in enumerate(sorted(everyone)):
                with frozen(*(everyone - {answerer})):
                    later = event_callback(app_home_opened(SECOND), event_id=f"Ev0LATER{number}")
                    assert driver.event(later).status == 200
                    fake.wait_for(
                        lambda n=number: published_by(fake, SECOND) == n + 1,  # type: ignore[misc]
                        START_TIMEOUT,
                    )
            time.sleep(SETTLE)
            assert published_by(fake, FIRST) == 1, running.output()
        keys = [m.key for m in messages(engine) if m.key.startswith(f"home_refresh:{FIRST}:")]
        assert keys == [f"home_refresh:{FIRST}:opened:Ev0SERVED1"]


def published_by(fake: SlackFake, user: str) -> int:
    return sum(call.args.get("user_id") == user for call in fake.calls("views.publish"))
