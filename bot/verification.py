"""Slack's request signature, checked twice over HTTP:

- `SlackEvents`, the WSGI layer in front of Bolt, refuses a body over `MAX_BODY_BYTES` with 413
  before reading it, reads at most that much, and refuses anything Slack did not sign with 401
  before Bolt parses a byte (Bolt parses the body as it builds its request, before any
  middleware: `payload=x` unsigned was a 500 and a traceback). A signed body Bolt cannot parse
  gets 400. Each refusal is one log line that says why, never the body. Slack's `ssl_check`,
  which Slack does not sign, gets its 200 here and goes no further.
- `StrictRequestVerification`, Bolt's own check (for an app served another way), answers 401
  for every bad request too, including a timestamp that is not a number (slack_sdk's verifier
  raises ValueError there, which Bolt turns into a 500).

Both judge freshness by the same rule, Slack's: a timestamp more than five minutes from this
server's clock, either way, is refused; in whole seconds, so 300 s is accepted and 301 s is
not."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.middleware.request_verification import RequestVerification
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)
UNIX_TIME = re.compile(r"[0-9]{1,12}")
# Slack's payloads are far below this (a modal's state is a few kB): anything bigger is not
# Slack's, and is refused before it is read.
MAX_BODY_BYTES = 1024 * 1024
MAX_SKEW_SECONDS = 300  # Slack's five minutes, either way


def _is_unix_time(text: str) -> bool:
    """ASCII digits only: str.isdigit() accepts '²', which int() then refuses."""
    return bool(UNIX_TIME.fullmatch(text))


def signature_problem(
    secret: str, body: bytes, timestamp: str, signature: str, *, now: float
) -> str | None:
    """Why the request is not one Slack signed ("" headers count as missing), or None when it
    is. Slack's v0 scheme: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing
    secret, the timestamp within five minutes of this server's clock."""
    if not timestamp and not signature:
        return "no signature headers"
    if not timestamp:
        return "no X-Slack-Request-Timestamp header"
    if not signature:
        return "no X-Slack-Signature header"
    if not _is_unix_time(timestamp):
        return "a request timestamp that is not a number"
    behind = int(now) - int(timestamp)
    if abs(behind) > MAX_SKEW_SECONDS:
        return (
            f"request timestamp {abs(behind)} s {'behind' if behind > 0 else 'ahead of'} "
            f"this server's clock (Slack allows {MAX_SKEW_SECONDS} s): is the clock right?"
        )
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "a bad signature"
    return None


class StrictRequestVerification(RequestVerification):
    def __init__(self, signing_secret: str) -> None:
        super().__init__(signing_secret)
        self._secret = signing_secret

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
        body = req.raw_body.encode()
        problem = signature_problem(self._secret, body, timestamp, signature, now=time.time())
        if problem is None:
            return next()
        log.warning("refused a request (%d bytes): %s", len(body), problem)
        return self._build_error_response()


class SlackEvents:
    """The WSGI application of Slack's requests: size limit, signature, then Bolt."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        max_body: int = MAX_BODY_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._secret = signing_secret
        self._max_body = max_body
        self._clock = clock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, 405, {"error": "method not allowed"})
        declared = _content_length(environ)
        if declared is None:
            log.warning("refused a request with a bad Content-Length")
            return _answer(start_response, 400, {"error": "bad content length"})
        if declared > self._max_body:
            log.warning("refused a request body of %d bytes (limit %d)", declared, self._max_body)
            return _answer(start_response, 413, {"error": "request body too large"})
        body = self._read(environ, declared)
        if len(body) > self._max_body:
            log.warning("refused a request body over %d bytes", self._max_body)
            return _answer(start_response, 413, {"error": "request body too large"})
        if _is_ssl_check(body):
            # Slack's check of the certificate behind a slash command's URL, sent unsigned:
            # answered here, never passed on, so it cannot carry anything past the check.
            return _answer(start_response, 200, {})
        problem = signature_problem(
            self._secret,
            body,
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
            environ.get("HTTP_X_SLACK_SIGNATURE", ""),
            now=self._clock(),
        )
        if problem is not None:
            log.warning("refused a request (%d bytes): %s", len(body), problem)
            return _answer(start_response, 401, {"error": "invalid request"})
        environ["wsgi.input"] = io.BytesIO(body)  # read once, here: whatever reads next gets it
        environ["CONTENT_LENGTH"] = str(len(body))
        wsgi_request = WsgiHttpRequest(environ)
        try:
            request = BoltRequest(
                body=body.decode("utf-8"),
                query=wsgi_request.query_string,
                headers=wsgi_request.get_headers(),
            )
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as err:
            # Signed, so Slack's (or someone holding the secret), yet not a payload Bolt reads.
            log.warning("refused a signed request Bolt cannot parse: %s", type(err).__name__)
            return _answer(start_response, 400, {"error": "malformed payload"})
        answer = self._app.dispatch(request)
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _read(self, environ: WSGIEnvironment, declared: int) -> bytes:
        """The body, never more than the limit plus one byte (to tell that it is over)."""
        stream = environ.get("wsgi.input")
        if stream is None:
            return b""
        if declared > 0:
            return bytes(stream.read(declared))
        if environ.get("wsgi.input_terminated"):  # no length, but the server ends the stream
            return bytes(stream.read(self._max_body + 1))
        return b""


def _is_ssl_check(body: bytes) -> bool:
    """`ssl_check=1` (Slack adds its verification token): exactly that value, as Slack's
    documentation says; nothing else makes a request one."""
    if b"ssl_check=1" not in body:  # most bodies: no parsing
        return False
    try:
        fields = parse_qs(body.decode("ascii"), strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get("ssl_check") == ["1"]


def _content_length(environ: WSGIEnvironment) -> int | None:
    """CONTENT_LENGTH as a number (0 when absent), None when it is not one."""
    text = str(environ.get("CONTENT_LENGTH") or "0").strip()
    return int(text) if text.isascii() and text.isdigit() else None


STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    405: "405 Method Not Allowed",
    413: "413 Request Entity Too Large",
}


def _answer(start_response: StartResponse, status: int, body: dict[str, str]) -> list[bytes]:
    data = json.dumps(body).encode() if body else b""
    start_response(
        STATUS[status],
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]
