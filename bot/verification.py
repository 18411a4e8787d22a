"""Request signature check that answers 401 for every bad request, including a timestamp that
is not a number (slack_sdk's verifier raises ValueError there, which Bolt turns into a 500),
and never logs the refused body."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from slack_bolt.middleware.request_verification import RequestVerification
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)
UNIX_TIME = re.compile(r"[0-9]{1,12}")


def _is_unix_time(text: str) -> bool:
    """ASCII digits only: str.isdigit() accepts '²', which int() then refuses."""
    return bool(UNIX_TIME.fullmatch(text))


class StrictRequestVerification(RequestVerification):
    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        if self._can_skip(req.mode, req.body):
            return next()
        timestamp = req.headers.get("x-slack-request-timestamp", [""])[0]
        signature = req.headers.get("x-slack-signature", [""])[0]
        if _is_unix_time(timestamp) and self.verifier.is_valid(req.raw_body, timestamp, signature):
            return next()
        log.warning("refused a request with a bad or stale signature (%d bytes)", len(req.raw_body))
        return self._build_error_response()
