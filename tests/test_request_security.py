"""Requests Slack did not sign are refused with 401 and cause no Slack call; secrets and
refused bodies never reach a log line, even at DEBUG."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine

from bot.simulator.slack_driver import sign, slash_command
from tests.harness import BOT_TOKEN, OFFICE_USER, SIGNING_SECRET, RunningBot, running_bot


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    """The running bot with an office user (no budget: `/finsam budget` answers all the same)."""
    with running_bot(engine, database_url) as running:
        running.add_office_user()
        yield running
        running.fake.assert_clean()


def budget_body(marker: str = "budget 2026") -> bytes:
    return urlencode(
        slash_command(marker, user_id=OFFICE_USER, response_url="http://127.0.0.1:9/x")
    ).encode()


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": "v0=" + "0" * 64},
        {"timestamp": int(time.time()) - 600},
        {"timestamp": "not-a-number"},
        {"timestamp": "²"},
        {"timestamp": ""},
        {"signature": ""},
    ],
    ids=[
        "forged-signature",
        "stale-timestamp",
        "non-numeric-timestamp",
        "unicode-digit-timestamp",
        "empty-timestamp",
        "no-signature",
    ],
)
def test_unsigned_requests_get_401_and_no_slack_call(
    bot: RunningBot, forgery: dict[str, object]
) -> None:
    response = bot.driver.send(
        budget_body(), content_type="application/x-www-form-urlencoded", **forgery
    )  # type: ignore[arg-type]
    assert response.status == 401
    assert bot.fake.calls() == []
    assert bot.fake.responses() == []


def test_a_signature_for_another_body_is_refused(bot: RunningBot) -> None:
    now = int(time.time())
    signature = sign(SIGNING_SECRET, budget_body("budget 2025"), now)
    response = bot.driver.send(
        budget_body("budget 2026"),
        content_type="application/x-www-form-urlencoded",
        timestamp=now,
        signature=signature,
    )
    assert response.status == 401
    assert bot.fake.calls() == []


def test_secrets_and_refused_bodies_never_logged(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("slack_bolt", "slack_sdk", "bot", "workflows", "store"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    secret_marker = "budget 2026 hemlig-markör-123"
    bot.driver.send(
        budget_body(secret_marker),
        content_type="application/x-www-form-urlencoded",
        signature="v0=bad",
    )
    before = len(bot.fake.responses())
    assert bot.driver.command("budget 2026", user_id=OFFICE_USER).status == 200
    bot.fake.wait_for(lambda: len(bot.fake.responses()) > before)
    logging.getLogger("test").debug("token in a message: %s", BOT_TOKEN)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert text  # something was logged at DEBUG, so the check below means something
    assert "refused a request" in text
    assert BOT_TOKEN not in text
    assert SIGNING_SECRET not in text
    assert "hemlig" not in text
    assert "xoxb-" not in text


def test_the_database_password_is_a_secret_too() -> None:
    from bot.settings import load_settings

    cfg = load_settings(_env_file=None, database_url="postgresql+psycopg://u:p%40ss-w0rd@h/db")
    assert "p@ss-w0rd" in cfg.secrets()
