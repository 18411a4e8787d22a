"""`LOG_FORMAT=json` (issue #10, §6): one JSON object a line — time, level, logger,
message, the exception when there is one — with the same redaction as the text format:
configured tokens and anything shaped like a Slack token, in the message and in the
exception's text, and the body of a request whose signature failed. (conftest's autouse
`restore_logging` puts the root logger and the record factory back after each test.)"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pytest

from bot.logging_setup import REDACTED, configure_logging
from store.errors import ConfigError
from tests.harness import test_settings as settings_for

SECRET = "s3cret-signing-value-42"
TOKEN = "xoxb-2222-3333-abcDEFghiJKL"
APP_TOKEN = "xapp-1-A0-123-abcdef"


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_are_redacted_messages_and_exceptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", [SECRET], "json")
    log = logging.getLogger("finsam.test")
    log.info("posting with %s and %s", TOKEN, SECRET)
    try:
        raise RuntimeError(f"Slack refused token {TOKEN} ({APP_TOKEN})")
    except RuntimeError:
        log.exception("send failed for %s", "C1")
    logging.getLogger("slack_bolt.App").warning(
        "Invalid request signature detected (body: payload=%s)", "personal data"
    )
    err = capsys.readouterr().err
    info, error, refused = json_lines(err)

    assert set(info) == {"time", "level", "logger", "message"}
    assert info["level"] == "INFO" and info["logger"] == "finsam.test"
    assert datetime.fromisoformat(info["time"]).utcoffset() is not None
    assert info["message"] == f"posting with {REDACTED} and {REDACTED}"

    assert error["level"] == "ERROR" and error["message"] == "send failed for C1"
    assert "Traceback" in error["exception"] and "RuntimeError" in error["exception"]
    assert f"Slack refused token {REDACTED} ({REDACTED})" in error["exception"]

    assert refused["message"] == "Invalid request signature detected (details withheld)"
    for secret in (SECRET, TOKEN, APP_TOKEN, "xoxb-", "personal data"):
        assert secret not in err


def test_the_text_format_is_the_default_and_redacts_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", [SECRET])
    logging.getLogger("finsam.test").warning("with %s", TOKEN)
    err = capsys.readouterr().err
    assert f"WARNING finsam.test: with {REDACTED}" in err and TOKEN not in err
    with pytest.raises(json.JSONDecodeError):
        json_lines(err)


@pytest.mark.parametrize(("given", "expected"), [("json", "json"), (" JSON ", "json")])
def test_log_format_setting(given: str, expected: str) -> None:
    cfg = settings_for(
        api_url="http://127.0.0.1:1/api/", database_url="sqlite://", log_format=given
    )
    assert cfg.log_format == expected
    default = settings_for(api_url="http://127.0.0.1:1/api/", database_url="sqlite://")
    assert default.log_format == "text"


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        settings_for(api_url="http://127.0.0.1:1/api/", database_url="sqlite://", log_format="xml")
