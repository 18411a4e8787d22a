"""The Web API client: slack_sdk's WebClient with retries that never post twice.

429 means Slack did not process the call: always retried after Retry-After. A 5xx or a lost
connection leaves the outcome unknown: retried here only for calls that are safe to repeat;
a post or a file share is left to the outbox, which first looks for it in the channel's
history (DESIGN.md "Outgoing messages are data"). slack_sdk's default connection-error retry
is left out for that reason: it re-sends a post whose answer was lost."""

from __future__ import annotations

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


def make_client(*, token: str, base_url: str, timeout: int = DEFAULT_TIMEOUT) -> WebClient:
    client = WebClient(token=token, base_url=base_url, timeout=timeout)
    client.retry_handlers = [
        RateLimitErrorRetryHandler(max_retry_count=5),
        RepeatableServerErrorRetryHandler(
            max_retry_count=4,
            interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=0.5),
        ),
    ]
    return client
