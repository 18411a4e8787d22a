"""The Slack fake's HTTP side: a threading server on 127.0.0.1, one request per connection,
bodies read as Slack reads them (JSON, form-encoded, multipart byte-exact, chunked), tokens
redacted from what is recorded, and the answer written."""

from __future__ import annotations

import contextlib
import json
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Arguments that arrive as JSON strings in form-encoded and multipart bodies.
JSON_STRING_ARGS = frozenset(
    {"blocks", "metadata", "attachments", "view", "files", "user_auth_blocks"}
)
REDACTED = "<redacted>"


@dataclass
class Request:
    verb: str
    path: str
    headers: dict[str, str]
    body: bytes
    content_type: str
    args: dict[str, Any]
    parse_error: str | None = None


class Server(ThreadingHTTPServer):
    """Serves on a free port; each request goes to `answer`, a failure of the server itself
    to `internal_error`, and `skew()` is how far Slack's clock is off this machine's."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        answer: Callable[[Handler], None],
        internal_error: Callable[[str], None],
        skew: Callable[[], float],
    ) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.answer = answer
        self.internal_error = internal_error
        self.skew = skew

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, drops) are expected; anything else is a fake bug."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        self.internal_error(traceback.format_exc())


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.0"  # one request per connection: a drop affects exactly one call

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: http.server would print request lines, and tests read their own output."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` of every answer: Slack's clock, `fake.date_skew` seconds off this
        machine's (doctor's clock check)."""
        if timestamp is None:
            timestamp = time.time() + self.server.skew()
        return super().date_time_string(timestamp)

    def _dispatch(self) -> None:
        self.server.answer(self)

    do_GET = _dispatch
    do_POST = _dispatch
    do_PUT = _dispatch
    do_DELETE = _dispatch
    do_PATCH = _dispatch


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def content_type(header: str) -> tuple[str, dict[str, str]]:
    message = Message()
    message["content-type"] = header or "application/x-www-form-urlencoded"
    params = {str(k).lower(): str(v) for k, v in message.get_params(failobj=[])[1:]}
    return message.get_content_type(), params


def multipart_parts(body: bytes, boundary: str) -> list[tuple[str, str | None, bytes]]:
    """(name, filename, content) for each part; byte-exact, unlike the email package."""
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 2:
        raise ValueError("no multipart boundary found")
    parts: list[tuple[str, str | None, bytes]] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if not chunk.startswith(b"\r\n"):
            raise ValueError("malformed multipart delimiter")
        head, separator, content = chunk[2:].partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("multipart part without a header/body separator")
        headers = HeaderParser().parsestr(head.decode("utf-8", errors="replace"))
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_filename()
        parts.append((str(name or ""), filename, content))
    return parts


def decode_json_fields(args: dict[str, Any]) -> None:
    """Form and multipart bodies carry blocks, metadata, view etc. as JSON strings."""
    for key in JSON_STRING_ARGS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)


def parse_request(handler: BaseHTTPRequestHandler) -> Request:
    split = urlsplit(handler.path)
    headers = {k.lower(): v for k, v in handler.headers.items()}
    body = read_body(handler)
    ctype, params = content_type(headers.get("content-type", ""))
    args: dict[str, Any] = dict(parse_qsl(split.query, keep_blank_values=True))
    request = Request(handler.command, split.path, headers, body, ctype, args)
    if not body:
        decode_json_fields(args)
        return request
    try:
        if ctype == "application/json":
            decoded = json.loads(body.decode(params.get("charset", "utf-8")))
            if not isinstance(decoded, dict):
                request.parse_error = "json_not_object"
            else:
                args.update(decoded)
        elif ctype == "multipart/form-data":
            for name, filename, content in multipart_parts(body, params.get("boundary", "")):
                args[name] = content if filename is not None else content.decode("utf-8")
        elif ctype in ("application/x-www-form-urlencoded", "text/plain", ""):
            text = body.decode(params.get("charset", "utf-8"))
            args.update(parse_qsl(text, keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        request.parse_error = "invalid_json" if ctype == "application/json" else "invalid_form_data"
    decode_json_fields(args)
    return request


def redact(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (REDACTED if k == "token" else v) for k, v in args.items()}


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    redacted = dict(headers)
    if "authorization" in redacted:
        scheme = redacted["authorization"].split(" ", 1)[0]
        redacted["authorization"] = f"{scheme} {REDACTED}"
    return redacted


def write_answer(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: dict[str, Any] | str | bytes,
    headers: Mapping[str, str],
) -> None:
    if isinstance(payload, dict):
        data = json.dumps(payload).encode()
        content_type = "application/json; charset=utf-8"
    elif isinstance(payload, bytes):  # a file, its Content-Type in `headers`
        data, content_type = payload, headers.get("Content-Type", "application/octet-stream")
        headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    else:
        data = payload.encode()
        content_type = "text/plain; charset=utf-8"
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)
    except (ConnectionError, TimeoutError):
        pass  # the client gave up (e.g. its timeout was shorter than timeout_next's delay)
