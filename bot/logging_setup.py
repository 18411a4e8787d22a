"""Logging, configured once by the CLI. Secrets never reach a log line: every log record is
redacted as it is created (a record factory, so it holds for every handler, including ones
added later), replacing the configured tokens and anything shaped like a Slack token, and
dropping the body Bolt logs for a request whose signature failed (it may be anyone's data).
`LOG_FORMAT=json` writes one JSON object a line (for a log collector), redacted the same."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["text", "json"]

TOKEN_SHAPE = re.compile(r"\b(xox[abposer]|xapp)-[A-Za-z0-9-]+")
REFUSED_BODY = re.compile(r"(Invalid request signature detected).*", re.DOTALL)
REDACTED = "[redacted]"

_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = TOKEN_SHAPE.sub(REDACTED, text)
    return REFUSED_BODY.sub(r"\1 (details withheld)", text)


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    record.msg, record.args = redact(message), None
    if record.exc_info:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    return record


MIN_SECRET_LENGTH = 6


def install_redaction(secrets: list[str]) -> None:
    """Redact these values (and token-shaped text) from every log record from now on.
    Values too short to be real secrets are skipped: redacting "s" would shred every line."""
    _secrets.update(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
    logging.setLogRecordFactory(_redacting_factory)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO, UTC), level, logger, message, and the exception
    and stack when there are any, each redacted again here (a record made before redaction
    was installed, or text a handler added, is covered too)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        exception = record.exc_text or (
            self.formatException(record.exc_info) if record.exc_info else None
        )
        if exception:
            entry["exception"] = redact(exception)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, secrets: list[str], fmt: LogFormat = "text") -> None:
    """Root logging with redaction, as text or (`fmt="json"`) one JSON object a line.
    slack_sdk logs whole response bodies (user text) at DEBUG: its loggers stay at INFO
    whatever the level asked for."""
    install_redaction(secrets)
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    if fmt == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    for name in ("slack_sdk", "urllib3"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    # waitress warns once per queued request under load ("Task queue depth is N").
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
