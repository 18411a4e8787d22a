"""The Web API client: slack_sdk's WebClient with retries that never post twice.

429 means Slack did not process the call: retried after Retry-After, except by the outbox's
client (`outbox_client`), which must not sleep inside a call while its lease runs out and
releases the row until then instead (workflows/outbox.py). A 5xx or a lost
connection leaves the outcome unknown: retried here only for calls that are safe to repeat;
a post or a file share is left to the outbox, which first looks for it in the channel's
history (DESIGN.md "Outgoing messages are data"). slack_sdk's default connection-error retry
is left out for that reason: it re-sends a post whose answer was lost."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

DEFAULT_TIMEOUT = 10
SERVER_ERRORS = frozenset({500, 502, 503, 504})
NOT_REPEATABLE = ("chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal")
SERVER_ERROR_RETRIES = 4
SERVER_ERROR_BACKOFF = 0.5  # seconds, doubled each retry (slack_sdk adds up to 1 s of jitter)
# Told how long the call about to start may last; may raise to stop it (workflows/outbox.py
# `Progress.before_call`: renews the lease, LeaseLost when another process has the row).
_before_call: ContextVar[Callable[[timedelta], None] | None] = ContextVar(
    "finsam_before_call", default=None
)


class RepeatableServerErrorRetryHandler(RetryHandler):
    """Retries 5xx with backoff, except for calls whose repetition would show twice."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code not in SERVER_ERRORS:
            return False
        return not request.url.rstrip("/").endswith(NOT_REPEATABLE)


def _server_error_retries() -> RetryHandler:
    return RepeatableServerErrorRetryHandler(
        max_retry_count=SERVER_ERROR_RETRIES,
        interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=SERVER_ERROR_BACKOFF),
    )


def make_client(*, token: str, base_url: str, timeout: int = DEFAULT_TIMEOUT) -> WebClient:
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=5), _server_error_retries()]
    return client


def call_bound(method: str, timeout: float) -> timedelta:
    """The longest one call can last: its timeout, and for a call the client repeats after a
    5xx, every retry's timeout and wait too."""
    if method.rstrip("/").endswith(NOT_REPEATABLE):
        return timedelta(seconds=timeout)
    waits = sum(SERVER_ERROR_BACKOFF * 2**n + 1 for n in range(SERVER_ERROR_RETRIES))
    return timedelta(seconds=timeout * (1 + SERVER_ERROR_RETRIES) + waits)


class OutboxClient(WebClient):
    """The outbox's client: no sleeping on a 429 (the row is released until Retry-After),
    and every call announced first to the message being sent (`announcing_calls`), so none
    starts on a lease that could run out under it."""

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> Any:
        before = _before_call.get()
        if before is not None:
            before(call_bound(api_method, self.timeout))
        return super().api_call(api_method, *args, **kwargs)


def outbox_client(client: WebClient) -> OutboxClient:
    """`client`'s token, URL and timeout, with the outbox's rules."""
    return OutboxClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[_server_error_retries()],
    )


@contextmanager
def announcing_calls(before: Callable[[timedelta], None]) -> Iterator[None]:
    """While in the block, this thread's OutboxClient calls run `before(bound)` first."""
    token = _before_call.set(before)
    try:
        yield
    finally:
        _before_call.reset(token)
