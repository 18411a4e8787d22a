"""/healthz tells a monitor what it needs (issue #10, §6): 503 when the worker has not
ticked for a few minutes or an outgoing message has failed for good, and the outbox's state
(pending, sending, failed, the oldest due) with the worker's last tick in its JSON. Asked
over HTTP of the real WSGI app; the worker's heartbeat is the one `serve` shares with its
children (a float in shared memory)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import create_app
from bot.heartbeat import Heartbeat
from bot.server import HttpServer, make_wsgi_app
from simulator.slack_driver import SlackDriver
from store import outbox as rows
from store.db import session_scope
from tests.harness import SIGNING_SECRET, RunningBot, running_bot
from workflows.health import WORKER_STALE_AFTER


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(engine, database_url) as running:
        yield running


def get_health(bot: RunningBot, heartbeat: Heartbeat | None) -> tuple[int, dict[str, Any]]:
    """GET /healthz of the real app, served with `heartbeat` as serve's processes are."""
    app = create_app(bot.settings, engine=bot.engine, ctx=bot.ctx)
    server = HttpServer(
        make_wsgi_app(app, engine=bot.engine, signing_secret=SIGNING_SECRET, heartbeat=heartbeat),
        host="127.0.0.1",
        port=0,
        threads=1,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        answer = SlackDriver(server.url, SIGNING_SECRET).get("/healthz")
        return answer.status, answer.json()
    finally:
        server.close()
        thread.join(timeout=10)


def heartbeat(*, started_ago: timedelta) -> Heartbeat:
    return Heartbeat(get_context("spawn"), started=time.time() - started_ago.total_seconds())


def plan_row(engine: Engine, key: str, *, created: datetime, failed: bool = False) -> None:
    with session_scope(engine) as session:
        rows.enqueue(session, key=key, channel="C1", payload={"kind": "x", "data": {}}, now=created)
        session.commit()
        if failed:
            row = rows.claim_next(session, now=created, lease_until=created + timedelta(minutes=5))
            assert row is not None and row.key == key
            rows.mark_failed(session, row, error="channel_not_found")


def test_healthy_is_200_with_the_outbox_and_the_last_tick(bot: RunningBot) -> None:
    beat = heartbeat(started_ago=timedelta(hours=1))
    beat.beat()
    an_hour_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    plan_row(bot.engine, "a", created=an_hour_ago)
    plan_row(bot.engine, "b", created=an_hour_ago + timedelta(minutes=10))
    with session_scope(bot.engine) as session:  # held until tomorrow: waiting, not yet due
        rows.enqueue(
            session,
            key="held",
            channel="C1",
            payload={"kind": "x", "data": {}},
            now=datetime.now(UTC),
            not_before=datetime.now(UTC) + timedelta(days=1),
        )
    status, body = get_health(bot, beat)
    assert status == 200, body
    assert body["database"] is True and body["migrated"] is True
    assert body["outbox"] == {
        "pending": 3,
        "sending": 0,
        "failed": 0,
        "oldest_due": an_hour_ago.isoformat(),
    }
    last_tick = datetime.fromisoformat(body["worker"]["last_tick"])
    assert abs(datetime.now(UTC) - last_tick) < timedelta(minutes=1)
    assert body["worker"]["stale"] is False


def test_a_worker_that_has_not_ticked_for_minutes_is_503(bot: RunningBot) -> None:
    beat = heartbeat(started_ago=WORKER_STALE_AFTER + timedelta(minutes=1))  # never ticked
    status, body = get_health(bot, beat)
    assert status == 503, body
    assert body["worker"] == {"last_tick": None, "stale": True}
    beat.beat()  # it ticks again: healthy
    assert get_health(bot, beat)[0] == 200


def test_a_worker_just_started_is_given_time_for_its_first_tick(bot: RunningBot) -> None:
    status, body = get_health(bot, heartbeat(started_ago=timedelta(seconds=5)))
    assert (status, body["worker"]) == (200, {"last_tick": None, "stale": False})


def test_a_message_failed_for_good_is_503_with_the_counts(bot: RunningBot) -> None:
    beat = heartbeat(started_ago=timedelta(minutes=1))
    beat.beat()
    now = datetime.now(UTC)
    plan_row(bot.engine, "broken", created=now - timedelta(hours=7), failed=True)
    plan_row(bot.engine, "waiting", created=now - timedelta(minutes=2))
    status, body = get_health(bot, beat)
    assert status == 503, body
    assert body["outbox"]["failed"] == 1 and body["outbox"]["pending"] == 1
    with session_scope(bot.engine) as session:  # `finsam-bot outbox retry` queues it again
        assert rows.requeue(session, "broken", now=now)
    assert get_health(bot, beat)[0] == 200


def test_without_a_worker_to_judge_only_the_database_and_outbox_count(bot: RunningBot) -> None:
    status, body = get_health(bot, None)
    assert status == 200, body
    assert body["worker"] == {"last_tick": None, "stale": False}
    assert body["outbox"] == {"pending": 0, "sending": 0, "failed": 0, "oldest_due": None}
