"""The Web API client: slack_sdk's WebClient with retries that are safe for posts.

429 (Slack did not process the call) is always retried after Retry-After; 5xx is retried with
backoff. slack_sdk's default connection-error retry is left out on purpose: it re-sends a post
whose answer was lost, which can post twice (DESIGN.md "Outgoing messages are data")."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

DEFAULT_TIMEOUT = 10


def make_client(*, token: str, base_url: str, timeout: int = DEFAULT_TIMEOUT) -> WebClient:
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(
            max_retry_count=4,
            interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=0.5),
        ),
    ]
    return client
