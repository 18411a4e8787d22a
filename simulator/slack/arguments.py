"""Arguments as Slack reads them: loose booleans and texts, timestamps ordered exactly, and
the history's pagination cursors."""

from __future__ import annotations

import base64
import binascii

from simulator.slack.records import SlackError


def as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return False


def as_text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def ts_key(ts: str) -> tuple[int, int]:
    """Order Slack timestamps exactly (a float would round the microseconds)."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros.ljust(6, "0")[:6] or 0)


def ts_bound(value: object, default: tuple[int, int], error: str) -> tuple[int, int]:
    text = as_text(value)
    if not text:
        return default
    try:
        return ts_key(text)
    except ValueError as exc:
        raise SlackError(error) from exc


def encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, ts = text.partition(":")
        if prefix != "next_ts":
            raise ValueError(cursor)
        return ts_key(ts)
    except (ValueError, binascii.Error) as exc:
        raise SlackError("invalid_cursor") from exc
