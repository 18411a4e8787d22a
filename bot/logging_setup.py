"""Logging, configured once by the CLI. Secrets never reach a log line: every log record is
redacted as it is created (a record factory, so it holds for every handler, including ones
added later), replacing the configured tokens and anything shaped like a Slack token, and
dropping the body Bolt logs for a request whose signature failed (it may be anyone's data)."""

from __future__ import annotations

import logging
import re
from typing import Any

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


def configure_logging(level: str, secrets: list[str]) -> None:
    """Root logging with redaction. slack_sdk logs whole response bodies (user text) at
    DEBUG: its loggers stay at INFO whatever the level asked for."""
    install_redaction(secrets)
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    for name in ("slack_sdk", "urllib3"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    # waitress warns once per queued request under load ("Task queue depth is N").
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
