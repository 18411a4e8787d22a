"""A local fake of Slack's Web API for end-to-end tests.

The bot talks to it through the real ``slack_sdk.WebClient`` (``base_url=fake.api_url``), so the
tests cover the same HTTP, retry and parsing paths as production. The fake keeps a small model of
a workspace (users, channels, DMs, messages, views, files), answers with Slack's own error codes
where the bot could get an argument wrong, records every request, and can be scripted to fail the
ways Slack fails (429s, 5xx, slow answers, connections dropped after the work was done).

Where Slack's behaviour is not modelled the fake says so loudly (``unknown_method``, recorded in
``fake.unexpected``) rather than answering ``ok`` and letting a test pass for the wrong reason.

    with SlackFake() as fake:
        fake.add_channel("C1", name="general")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        fake.rate_limit_next("chat.postMessage", retry_after=1)
        ...  # exercise the bot
        fake.wait_for_calls("chat.postMessage", count=2)
        fake.assert_clean()
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import functools
import itertools
import json
import math
import mimetypes
import secrets
import socket
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.simulator.waiting import wait_until

if TYPE_CHECKING:
    from bot.simulator.fake_socket_mode import SocketModeFake

__all__ = [
    "DEFAULT_SCOPES",
    "Call",
    "SlackFake",
    "validate_blocks",
]

DEFAULT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "files:write",
    "im:write",
    "users:read",
    "users:read.email",
    "channels:read",
    "channels:history",
    "groups:history",
    "im:history",
)

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_MAX_TEXT = 40_000
MAX_ATTACHMENTS = 100
HISTORY_MAX_LIMIT = 999

# Arguments that arrive as JSON strings in form-encoded and multipart bodies.
_JSON_STRING_ARGS = frozenset(
    {"blocks", "metadata", "attachments", "view", "files", "user_auth_blocks"}
)
_REDACTED = "<redacted>"
# Methods called with the app-level token (xapp-…), not the bot token.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})

# Scopes a method needs (any one of them), as Slack's x-accepted-oauth-scopes header lists them.
_METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "conversations.open": ("im:write", "mpim:write", "channels:manage", "groups:write"),
    "users.info": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "files.info": ("files:read",),
}

InjectedKind = Literal[
    "ratelimited", "failed", "error", "timeout", "dropped", "rate_limit_enforced", "slow"
]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Call:
    """One request the fake answered: what was asked, and what it said back.

    ``method`` is the Web API method ("chat.postMessage"), ``"upload"`` for a file upload URL,
    ``"response_url"`` for a response_url post, or ``"<VERB> <path>"`` for anything unknown.
    ``args`` merges the query string and the body, with JSON-string fields decoded and any token
    redacted; ``headers`` have lower-case names and the Authorization value redacted.
    ``at`` is the fake's clock when the request arrived (for asserting retry spacing) and
    ``injected`` names the scripted failure that answered it, if any.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    status: int
    response: dict[str, Any]
    at: float = 0.0
    injected: InjectedKind | None = None

    @property
    def ok(self) -> bool:
        """Slack's own success flag (False for every HTTP error too)."""
        return self.status == 200 and bool(self.response.get("ok", True))

    @property
    def error(self) -> str | None:
        """Slack's error code, if the answer carried one."""
        error = self.response.get("error")
        return error if isinstance(error, str) else None

    def summary(self) -> str:
        """One line for assertion messages; never includes the token."""
        outcome = "ok" if self.ok else f"error={self.error}"
        extra = f" [{self.injected}]" if self.injected else ""
        return f"{self.method} -> {self.status} {outcome}{extra}"


class _SlackError(Exception):
    """An ``ok: false`` answer caused by the caller's arguments (what assert_clean reports)."""

    def __init__(self, error: str, *, messages: Iterable[str] = (), **fields: Any) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)
        self.fields = fields

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.fields}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def _missing(name: str, pointer: str = "") -> _SlackError:
    return _SlackError(
        "invalid_arguments",
        messages=[f"[ERROR] missing required field: {name} [json-pointer:{pointer or '/' + name}]"],
    )


# --------------------------------------------------------------------------- Block Kit


def validate_blocks(
    blocks: object,
    *,
    pointer: str = "/blocks",
    max_blocks: int = MESSAGE_MAX_BLOCKS,
    strict: bool = True,
) -> list[str]:
    """Slack-style ``[ERROR] ... [json-pointer:...]`` messages for blocks Slack would refuse.

    slack_sdk's models run their validators in ``to_dict()``. With ``strict`` the rendered block
    must also equal what was sent: the models silently drop unknown properties, empty texts and
    unknown elements, and coerce a bare string into a text object; Slack refuses all of those.
    """
    if not isinstance(blocks, list):
        return [f"[ERROR] must provide an array [json-pointer:{pointer}]"]
    if len(blocks) > max_blocks:
        return [f"[ERROR] no more than {max_blocks} items allowed [json-pointer:{pointer}]"]
    messages: list[str] = []
    block_ids: dict[str, int] = {}
    for index, raw in enumerate(blocks):
        here = f"{pointer}/{index}"
        if not isinstance(raw, dict):
            messages.append(f"[ERROR] must provide an object [json-pointer:{here}]")
            continue
        try:
            parsed = Block.parse(copy.deepcopy(raw))
            if parsed is None or type(parsed) is Block:
                messages.append(
                    f"[ERROR] unsupported block type {raw.get('type')!r} [json-pointer:{here}/type]"
                )
                continue
            rendered = parsed.to_dict()
        except Exception as exc:  # any failure in the models means Slack would refuse it too
            messages.append(f"[ERROR] {exc} [json-pointer:{here}]")
            continue
        if strict:
            difference = _first_difference(raw, rendered, here)
            if difference:
                messages.append(difference)
                continue
        text = raw.get("text")
        if (
            raw.get("type") == "header"
            and isinstance(text, dict)
            and text.get("type") != "plain_text"
        ):
            messages.append(f"[ERROR] must be plain_text [json-pointer:{here}/text/type]")
        block_id = raw.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                messages.append(
                    f"[ERROR] duplicate block_id {block_id!r}, first at "
                    f"{pointer}/{block_ids[block_id]} [json-pointer:{here}/block_id]"
                )
            block_ids.setdefault(block_id, index)
    return messages


def _first_difference(sent: object, understood: object, pointer: str) -> str | None:
    """Where slack_sdk's rendering of a block departs from what was sent, as a Slack message."""
    if isinstance(sent, dict) and isinstance(understood, dict):
        for key, value in sent.items():
            if key not in understood:
                if value in ("", [], {}, None):
                    reason = "must not be empty"
                else:
                    reason = f"unsupported property {key!r}"
                return f"[ERROR] {reason} [json-pointer:{pointer}/{key}]"
            found = _first_difference(value, understood[key], f"{pointer}/{key}")
            if found:
                return found
        for key in understood:
            if key not in sent:
                return f"[ERROR] malformed object, {key!r} was inferred [json-pointer:{pointer}]"
        return None
    if isinstance(sent, list) and isinstance(understood, list):
        for index, (left, right) in enumerate(zip(sent, understood, strict=False)):
            found = _first_difference(left, right, f"{pointer}/{index}")
            if found:
                return found
        if len(sent) != len(understood):
            return f"[ERROR] malformed array [json-pointer:{pointer}]"
        return None
    if understood is None and sent is not None:
        return f"[ERROR] unsupported element [json-pointer:{pointer}]"
    if isinstance(understood, dict):
        return f"[ERROR] must provide an object [json-pointer:{pointer}]"
    if sent != understood:
        return f"[ERROR] invalid value {sent!r} [json-pointer:{pointer}]"
    return None


# --------------------------------------------------------------------------- workspace model


@dataclass
class _User:
    id: str
    name: str
    email: str | None
    is_bot: bool
    tz: str


@dataclass
class _Channel:
    id: str
    name: str | None
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of a DM
    members: set[str] = field(default_factory=set)
    bot_is_member: bool = True


@dataclass
class _Upload:
    id: str
    filename: str
    length: int
    alt_txt: str | None
    snippet_type: str | None
    created: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class _Script:
    kind: InjectedKind
    status: int = 200
    error: str = ""
    retry_after: int = 1
    delay: float = 0.0
    perform: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class _Limit:
    """A token bucket per channel (chat.postMessage's 1 a second), or one for the whole
    method (Slack's tiers: per method, app and workspace)."""

    rate: float  # tokens a second
    burst: int
    per_channel: bool = True
    buckets: dict[str, _Bucket] = field(default_factory=dict)

    def refilled(self, channel: str, now: float) -> _Bucket:
        """The bucket of a call to `channel` (its resolved id), topped up for the time since
        it was last used."""
        key = channel if self.per_channel else ""
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def wait(self, bucket: _Bucket) -> int:
        """Retry-After for an empty bucket: whole seconds until a token, at least 1."""
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))


@dataclass
class _Request:
    verb: str
    path: str
    headers: dict[str, str]
    body: bytes
    content_type: str
    args: dict[str, Any]
    parse_error: str | None = None


@dataclass
class _Outcome:
    """What to answer and what to record."""

    status: int
    payload: dict[str, Any] | str
    method: str
    args: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    client_error: str | None = None  # recorded in fake.errors
    unexpected: bool = False
    injected: InjectedKind | None = None


# --------------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: SlackFake) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, drops) are expected; anything else is a fake bug."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        self.fake._internal_error(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: a drop affects exactly one call

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: http.server would print request lines, and tests read their own output."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` of every answer: Slack's clock, `fake.date_skew` seconds off this
        machine's (doctor's clock check)."""
        if timestamp is None:
            timestamp = time.time() + self.server.fake.date_skew
        return super().date_time_string(timestamp)

    def _dispatch(self) -> None:
        self.server.fake._handle(self)

    do_GET = _dispatch
    do_POST = _dispatch
    do_PUT = _dispatch
    do_DELETE = _dispatch
    do_PATCH = _dispatch


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
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


def _content_type(header: str) -> tuple[str, dict[str, str]]:
    message = Message()
    message["content-type"] = header or "application/x-www-form-urlencoded"
    params = {str(k).lower(): str(v) for k, v in message.get_params(failobj=[])[1:]}
    return message.get_content_type(), params


def _multipart_parts(body: bytes, boundary: str) -> list[tuple[str, str | None, bytes]]:
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


def _decode_json_fields(args: dict[str, Any]) -> None:
    """Form and multipart bodies carry blocks, metadata, view etc. as JSON strings."""
    for key in _JSON_STRING_ARGS & args.keys():
        value = args[key]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)


def _parse_request(handler: BaseHTTPRequestHandler) -> _Request:
    split = urlsplit(handler.path)
    headers = {k.lower(): v for k, v in handler.headers.items()}
    body = _read_body(handler)
    ctype, params = _content_type(headers.get("content-type", ""))
    args: dict[str, Any] = dict(parse_qsl(split.query, keep_blank_values=True))
    request = _Request(handler.command, split.path, headers, body, ctype, args)
    if not body:
        _decode_json_fields(args)
        return request
    try:
        if ctype == "application/json":
            decoded = json.loads(body.decode(params.get("charset", "utf-8")))
            if not isinstance(decoded, dict):
                request.parse_error = "json_not_object"
            else:
                args.update(decoded)
        elif ctype == "multipart/form-data":
            for name, filename, content in _multipart_parts(body, params.get("boundary", "")):
                args[name] = content if filename is not None else content.decode("utf-8")
        elif ctype in ("application/x-www-form-urlencoded", "text/plain", ""):
            text = body.decode(params.get("charset", "utf-8"))
            args.update(parse_qsl(text, keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        request.parse_error = "invalid_json" if ctype == "application/json" else "invalid_form_data"
    _decode_json_fields(args)
    return request


def _redact(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (_REDACTED if k == "token" else v) for k, v in args.items()}


def _redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    redacted = dict(headers)
    if "authorization" in redacted:
        scheme = redacted["authorization"].split(" ", 1)[0]
        redacted["authorization"] = f"{scheme} {_REDACTED}"
    return redacted


def _as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return False


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _ts_key(ts: str) -> tuple[int, int]:
    """Order Slack timestamps exactly (a float would round the microseconds)."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros.ljust(6, "0")[:6] or 0)


def _ts_bound(value: object, default: tuple[int, int], error: str) -> tuple[int, int]:
    text = _as_text(value)
    if not text:
        return default
    try:
        return _ts_key(text)
    except ValueError as exc:
        raise _SlackError(error) from exc


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, ts = text.partition(":")
        if prefix != "next_ts":
            raise ValueError(cursor)
        return _ts_key(ts)
    except (ValueError, binascii.Error) as exc:
        raise _SlackError("invalid_cursor") from exc


# --------------------------------------------------------------------------- the fake


class SlackFake:
    """An HTTP fake of Slack's Web API on 127.0.0.1, serving from a daemon thread.

    Use ``with SlackFake() as fake:`` or ``start()``/``stop()``. Point ``slack_sdk.WebClient`` at
    ``fake.api_url``. State and records are guarded by one lock; the ``wait_for*`` helpers block
    on a condition notified by every request, so tests never need to sleep.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-token",
        app_token: str = "xapp-1-A0FINSAM-fake-token",
        team_id: str = "T0FINSAM",
        bot_user_id: str = "UBOTFINSAM",
        bot_id: str = "BFINSAM",
        scopes: Iterable[str] = DEFAULT_SCOPES,
        app_id: str = "A0FINSAM",
        team_name: str = "Finsam",
        team_domain: str = "finsam",
        strict_blocks: bool = True,
        response_url_max_uses: int | None = 5,
        ts_base: int = 1_700_000_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.scopes: tuple[str, ...] = tuple(scopes)
        self.strict_blocks = strict_blocks
        self.response_url_max_uses = response_url_max_uses
        self._clock = clock
        self._ts_base = ts_base
        self.date_skew = 0.0  # seconds Slack's clock (its `Date` header) is ahead of ours

        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket_mode: SocketModeFake | None = None
        self._ids = itertools.count(1)
        self._ts_counter = itertools.count(1)

        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._uploads: dict[str, _Upload] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, int] = {}  # id -> uses
        self._responses: list[dict[str, Any]] = []
        self._calls: list[Call] = []
        self._scripts: dict[str, deque[_Script]] = {}
        self._held: Counter[str] = Counter()
        self._limits: dict[str, list[_Limit]] = {}  # method -> its limits, all enforced

        self.errors: list[tuple[str, str]] = []
        self.unexpected: list[Call] = []
        self.internal_errors: list[str] = []

        self.add_user(bot_user_id, name="finsam", is_bot=True)
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.info": self._files_info,
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("SlackFake already started")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"SlackFake:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes any request the fake is deliberately holding (timeout_next)."""
        self._stopping.set()
        server, thread = self._server, self._thread
        self._server = self._thread = None
        sockets, self._socket_mode = self._socket_mode, None
        if sockets is not None:
            sockets.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SlackFake is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The WebClient ``base_url``; ends in ``/`` because WebClient joins it with the method."""
        return f"{self.base_url}/api/"

    @property
    def socket_mode(self) -> SocketModeFake:
        """The Socket Mode server apps.connections.open points at (started when first used)."""
        from bot.simulator.fake_socket_mode import SocketModeFake

        with self._cond:
            if self._socket_mode is None:
                self._socket_mode = SocketModeFake(app_id=self.app_id, clock=self._clock).start()
            return self._socket_mode

    def __repr__(self) -> str:
        where = self.base_url if self._server is not None else "stopped"
        return f"<SlackFake {where} calls={len(self._calls)}>"

    # ------------------------------------------------------------------ workspace setup

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        name: str | None = None,
        is_bot: bool = False,
        tz: str = "Europe/Stockholm",
    ) -> None:
        """A workspace member (users.info, users.lookupByEmail, DMs, views.publish)."""
        ZoneInfo(tz)  # fail here, not inside a request
        with self._cond:
            self._users[user_id] = _User(user_id, name or user_id.lower(), email, is_bot, tz)

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
    ) -> None:
        """A channel; empty ``members`` leaves membership unmodelled (ephemerals reach anyone)."""
        with self._cond:
            self._channels[channel_id] = _Channel(
                channel_id,
                name,
                is_private=is_private,
                members=set(members),
                bot_is_member=bot_is_member,
            )
            self._messages.setdefault(channel_id, [])

    def add_message(
        self,
        channel: str,
        text: str = "",
        *,
        user: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Seed a message somebody else wrote (not recorded as a call); returns its ts."""
        with self._cond:
            if channel not in self._channels:
                raise KeyError(f"unknown channel {channel!r}; add_channel() first")
            message = self._store_message(
                channel, text=text, blocks=blocks, metadata=metadata, thread_ts=thread_ts, user=user
            )
            message.pop("bot_id", None)
            message.pop("app_id", None)
            return str(message["ts"])

    def delete_message(self, channel: str, ts: str) -> None:
        """Somebody else removed a message (an admin, a retention policy); not recorded as a
        call. chat.update of it is then ``message_not_found``, as in Slack."""
        with self._cond:
            kept = [m for m in self._messages.get(channel, []) if m["ts"] != ts]
            if len(kept) == len(self._messages.get(channel, [])):
                raise KeyError(f"no message {ts!r} in {channel!r}")
            self._messages[channel] = kept

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id of ``user_id`` (it need not exist yet): what conversations.open
        gives, and where (and as what ``channel``) chat.postMessage to the user id posts."""
        return f"D{user_id}"

    # ------------------------------------------------------------------ state, read side

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel, oldest first, thread replies included (copies).

        Each has at least ``ts``, ``text``, ``blocks``, ``metadata``, ``thread_ts``, ``user``.
        """
        with self._cond:
            return copy.deepcopy(self._messages.get(channel, []))

    def ephemerals(
        self, channel: str | None = None, *, user: str | None = None
    ) -> list[dict[str, Any]]:
        """chat.postEphemeral messages (Slack keeps them out of history), oldest first."""
        with self._cond:
            return [
                copy.deepcopy(m)
                for m in self._ephemerals
                if (channel is None or m["channel"] == channel)
                and (user is None or m["to"] == user)
            ]

    def files(self) -> list[dict[str, Any]]:
        """Files whose upload was completed: id, filename, title, content (bytes), channel, ..."""
        with self._cond:
            return [
                {
                    "id": u.id,
                    "filename": u.filename,
                    "title": u.title,
                    "content": u.content,
                    "size": len(u.content or b""),
                    "channel": u.channel,
                    "initial_comment": u.initial_comment,
                    "thread_ts": u.thread_ts,
                    "alt_txt": u.alt_txt,
                }
                for u in self._uploads.values()
                if u.completed
            ]

    def responses(self) -> list[dict[str, Any]]:
        """Bodies posted to response URLs (``url``, ``body``, ``status``, ``at``: the fake's
        clock when it took the post), oldest first."""
        with self._cond:
            return copy.deepcopy(self._responses)

    def views(self) -> list[dict[str, Any]]:
        """Modals opened (views.open/push), as last updated."""
        with self._cond:
            return copy.deepcopy(list(self._views.values()))

    def view(self, view_id: str) -> dict[str, Any]:
        """One modal by id; fails the test with the known ids if there is none."""
        with self._cond:
            if view_id not in self._views:
                raise AssertionError(f"no view {view_id!r}; known: {sorted(self._views)}")
            return copy.deepcopy(self._views[view_id])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home a user was last published, if any."""
        with self._cond:
            view = self._home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    def new_response_url(self) -> str:
        """A fresh response_url served by this fake (what Slack puts in commands and actions)."""
        with self._cond:
            response_id = f"{next(self._ids)}{secrets.token_hex(4)}"
            self._response_urls[response_id] = 0
        return f"{self.base_url}/response/{response_id}"

    # ------------------------------------------------------------------ records

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request answered (in the order answered), or those of one method."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def unique_post(self, channel: str | None = None) -> Call:
        """The one successful chat.postMessage (to ``channel``, id or name), asserting it is one.

        Rate-limited or failed attempts do not count: they stored nothing.
        """
        with self._cond:
            wanted: set[object] = set()
            if channel is not None:
                name = channel.removeprefix("#")
                wanted = {channel, *(c.id for c in self._channels.values() if c.name == name)}
            posts = [
                c
                for c in self._calls
                if c.method == "chat.postMessage"
                and c.ok
                and (channel is None or {c.args.get("channel"), c.response.get("channel")} & wanted)
            ]
            if len(posts) != 1:
                where = f" to {channel}" if channel else ""
                raise AssertionError(
                    f"expected exactly one chat.postMessage{where}, got {len(posts)}\n"
                    + self.describe()
                )
            return posts[0]

    def reset_calls(self) -> None:
        """Forget recorded traffic (calls, responses, errors, unexpected); keep workspace state."""
        with self._cond:
            self._calls.clear()
            self._responses.clear()
            self.errors.clear()
            self.unexpected.clear()

    def describe(self, last: int = 30) -> str:
        """The recent calls, one a line, for assertion messages."""
        with self._cond:
            lines = [f"  {c.summary()}" for c in self._calls[-last:]]
            skipped = len(self._calls) - len(lines)
        head = f"calls ({skipped} earlier not shown):" if skipped else "calls:"
        return "\n".join([head, *lines]) if lines else "calls: none"

    def assert_clean(self, allow_errors: Iterable[str] = ()) -> None:
        """Fail on unexpected calls, fake bugs, or argument errors the test did not allow.

        An ``allow_errors`` entry is an error code ("invalid_blocks") or "method:error".
        """
        allowed = set(allow_errors)
        with self._cond:
            errors = [
                (method, error)
                for method, error in self.errors
                if error not in allowed and f"{method}:{error}" not in allowed
            ]
            problems = [
                f"  unexpected: {c.summary()} args={sorted(c.args)}" for c in self.unexpected
            ]
            problems += [f"  {method}: {error}" for method, error in errors]
            problems += [f"  fake internal error:\n{e}" for e in self.internal_errors]
        if problems:
            raise AssertionError("Slack fake saw problems:\n" + "\n".join(problems))

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, message: str = ""
    ) -> None:
        """Block until ``predicate()`` holds, re-checking after every request the fake answers."""
        wait_until(
            self._cond,
            predicate,
            timeout=timeout,
            message=message,
            describe=self.describe,
        )

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times; returns those calls."""
        self.wait_for(
            lambda: len(self.calls(method)) >= count,
            timeout,
            message=f"{count} call(s) to {method}",
        )
        return self.calls(method)

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until ``count`` bodies have been posted to response URLs; returns them."""
        self.wait_for(
            lambda: len(self._responses) >= count, timeout, message=f"{count} response_url post(s)"
        )
        return self.responses()

    def wait_for_messages(
        self, channel: str, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until ``channel`` holds ``count`` messages; returns them."""
        self.wait_for(
            lambda: len(self._messages.get(channel, [])) >= count,
            timeout,
            message=f"{count} message(s) in {channel}",
        )
        return self.messages(channel)

    # ------------------------------------------------------------------ scripted failures

    def _script(self, method: str, script: _Script, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._cond:
            queue = self._scripts.setdefault(method, deque())
            queue.extend(copy.copy(script) for _ in range(count))

    def rate_limit_next(self, method: str, *, retry_after: int = 1, count: int = 1) -> None:
        """Answer the next ``count`` calls with 429 + Retry-After; nothing is stored."""
        self._script(method, _Script("ratelimited", status=429, retry_after=retry_after), count)

    def fail_next(
        self, method: str, *, status: int = 500, count: int = 1, error: str = "fatal_error"
    ) -> None:
        """Answer the next ``count`` calls with HTTP ``status``; nothing is stored."""
        self._script(method, _Script("failed", status=status, error=error), count)

    def error_next(self, method: str, error: str, *, count: int = 1) -> None:
        """Answer the next ``count`` calls with HTTP 200 ``{"ok": false, "error": error}``.

        For Slack errors the model cannot produce by itself (is_archived, account_inactive...).
        """
        self._script(method, _Script("error", status=200, error=error), count)

    def timeout_next(
        self, method: str, *, delay: float = 2.0, count: int = 1, perform: bool = False
    ) -> None:
        """Hold the next ``count`` calls ``delay`` seconds, so a client with a shorter timeout
        gives up. By default nothing is stored and the late answer is a 504; with ``perform`` the
        call is carried out at once and only its answer is late (the outcome-unknown case)."""
        self._script(method, _Script("timeout", status=504, delay=delay, perform=perform), count)

    def slow_next(self, method: str, *, delay: float, count: int = 1) -> None:
        """Take the next ``count`` calls and sit on them ``delay`` seconds before carrying
        them out and answering: a busy Slack, where a post on its way is not in the history
        yet. `held` counts the calls being sat on."""
        self._script(method, _Script("slow", delay=delay), count)

    def held(self, method: str) -> int:
        """How many ``method`` calls `slow_next` is sitting on now."""
        with self._cond:
            return self._held[method]

    def drop_after_accept_next(self, method: str, count: int = 1) -> None:
        """Carry out the next ``count`` calls, then close the connection without answering."""
        self._script(method, _Script("dropped"), count)

    def enforce_rate_limit(
        self,
        method: str = "chat.postMessage",
        *,
        per_channel_per_second: float = 1.0,
        burst: int = 1,
    ) -> None:
        """A token bucket per channel for ``method``: 429 with Retry-After once it is empty."""
        self._set_limit(method, _Limit(per_channel_per_second, burst, per_channel=True))

    def enforce_method_rate_limit(self, method: str, *, per_minute: float, burst: int = 1) -> None:
        """One token bucket for all calls of ``method``, as Slack limits a method's tier per
        app and workspace (Tier 3, e.g. conversations.open: about 50 a minute): 429 with
        Retry-After once it is empty. With a per-channel limit on the same method (a workspace
        limit on chat.postMessage) a call needs a token from both."""
        self._set_limit(method, _Limit(per_minute / 60.0, burst, per_channel=False))

    def _set_limit(self, method: str, limit: _Limit) -> None:
        """Add `limit` to the method's, replacing one of the same kind."""
        if limit.rate <= 0 or limit.burst < 1:
            raise ValueError("need a positive rate and a burst of at least 1")
        with self._cond:
            kept = [x for x in self._limits.get(method, []) if x.per_channel != limit.per_channel]
            self._limits[method] = [*kept, limit]

    def clear_failures(self) -> None:
        """Drop pending scripted failures and rate-limit enforcement."""
        with self._cond:
            self._scripts.clear()
            self._limits.clear()

    # ------------------------------------------------------------------ request handling

    def _handle(self, handler: _Handler) -> None:
        """Answer one request. A scripted failure for the method comes first, before the token
        and the arguments are looked at, as a failing load balancer or gateway would."""
        arrived = self._clock()
        try:
            request = _parse_request(handler)
        except (ValueError, OSError):
            self._write(handler, 400, {"ok": False, "error": "invalid_request"}, {})
            return
        method, perform = self._route(request)

        with self._cond:
            queue = self._scripts.get(method)
            script = queue.popleft() if queue else None

        if script is not None and script.kind in ("ratelimited", "failed", "error"):
            headers = (
                {"Retry-After": str(script.retry_after)} if script.kind == "ratelimited" else {}
            )
            error = "ratelimited" if script.kind == "ratelimited" else script.error
            outcome = _Outcome(
                script.status,
                {"ok": False, "error": error},
                method,
                self._public_args(request),
                headers,
                injected=script.kind,
            )
            self._record(outcome, request, arrived)
            self._write(handler, outcome.status, outcome.payload, outcome.headers)
            return
        if script is not None and script.kind == "timeout" and not script.perform:
            outcome = _Outcome(
                504,
                {"ok": False, "error": "request_timeout"},
                method,
                self._public_args(request),
                injected="timeout",
            )
            self._record(outcome, request, arrived)
            self._stopping.wait(script.delay)
            self._write(handler, outcome.status, outcome.payload, outcome.headers)
            return

        if script is not None and script.kind == "slow":
            with self._cond:
                self._held[method] += 1
                self._cond.notify_all()
            self._stopping.wait(script.delay)
            with self._cond:
                self._held[method] -= 1

        try:
            with self._cond:
                outcome = perform()
                if script is not None:
                    outcome.injected = script.kind
                self._record(outcome, request, arrived)
        except Exception:
            self._internal_error(traceback.format_exc())
            self._write(handler, 500, {"ok": False, "error": "fake_internal_error"}, {})
            return

        if script is not None and script.kind == "dropped":
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if script is not None and script.kind == "timeout":
            self._stopping.wait(script.delay)
        self._write(handler, outcome.status, outcome.payload, outcome.headers)

    def _route(self, request: _Request) -> tuple[str, Callable[[], _Outcome]]:
        """The recorded method name and the work to do for a request path."""
        path = request.path
        if path.startswith("/api/"):
            method = path.removeprefix("/api/")
            return method, functools.partial(self._api, method, request)
        if path.startswith("/upload/v1/"):
            file_id = path.removeprefix("/upload/v1/")
            return "upload", functools.partial(self._upload, file_id, request)
        if path.startswith("/response/"):
            response_id = path.removeprefix("/response/")
            return "response_url", functools.partial(self._response_url, response_id, request)
        method = f"{request.verb} {path}"
        return method, functools.partial(self._unknown, method, request)

    def _write(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any] | str,
        headers: Mapping[str, str],
    ) -> None:
        if isinstance(payload, dict):
            data = json.dumps(payload).encode()
            content_type = "application/json; charset=utf-8"
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

    def _public_args(self, request: _Request) -> dict[str, Any]:
        return _redact(request.args)

    def _record(self, outcome: _Outcome, request: _Request, arrived: float) -> None:
        response = (
            outcome.payload if isinstance(outcome.payload, dict) else {"body": outcome.payload}
        )
        call = Call(
            method=outcome.method,
            args=outcome.args,
            headers=_redact_headers(request.headers),
            status=outcome.status,
            response=copy.deepcopy(response),
            at=arrived,
            injected=outcome.injected,
        )
        with self._cond:
            self._calls.append(call)
            if outcome.client_error is not None:
                self.errors.append((outcome.method, outcome.client_error))
            if outcome.unexpected:
                self.unexpected.append(call)
            self._cond.notify_all()

    def _internal_error(self, text: str) -> None:
        with self._cond:
            self.internal_errors.append(text)
            self._cond.notify_all()

    def _unknown(self, method: str, request: _Request) -> _Outcome:
        return _Outcome(
            404,
            {"ok": False, "error": "unknown_method"},
            method,
            self._public_args(request),
            unexpected=True,
        )

    # ------------------------------------------------------------------ Web API

    def _api_headers(self, method: str) -> dict[str, str]:
        headers = {"x-oauth-scopes": ",".join(self.scopes)}
        if method in _METHOD_SCOPES:
            headers["x-accepted-oauth-scopes"] = ",".join(_METHOD_SCOPES[method])
        return headers

    def _api(self, method: str, request: _Request) -> _Outcome:
        args = self._public_args(request)
        headers = self._api_headers(method)

        def refuse(error: _SlackError, *, status: int = 200) -> _Outcome:
            return _Outcome(status, error.body(), method, args, headers, client_error=error.error)

        handler = self._methods.get(method)
        if handler is None:  # Slack answers 200 here too; slack_sdk raises SlackApiError
            return _Outcome(
                200,
                {"ok": False, "error": "unknown_method"},
                method,
                args,
                headers,
                unexpected=True,
            )
        if request.parse_error:
            return refuse(_SlackError(request.parse_error))
        token_error = self._check_token(request, method)
        if token_error:
            return refuse(_SlackError(token_error))
        needed = _METHOD_SCOPES.get(method)
        if needed and not set(needed) & set(self.scopes):
            return refuse(self._missing_scope(needed[0]))
        limited = self._take_token(method, request.args)
        if limited is not None:
            return _Outcome(
                429,
                {"ok": False, "error": "ratelimited"},
                method,
                args,
                {**headers, "Retry-After": str(limited)},
                injected="rate_limit_enforced",
            )
        try:
            body = handler(request.args)
        except _SlackError as error:
            return refuse(error)
        return _Outcome(200, {"ok": True, **body}, method, args, headers)

    def _check_token(self, request: _Request, method: str) -> str | None:
        """Slack's rules: bearer header, or a ``token`` field in a form body (never in JSON);
        the app-level token for apps.connections.open, the bot token for the rest."""
        authorization = request.headers.get("authorization", "")
        token: str | None = None
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif request.content_type != "application/json":
            token = _as_text(request.args.get("token"))
        if not token:
            return "not_authed"
        app_method = method in _APP_TOKEN_METHODS
        if token.startswith("xapp-") != app_method:
            return "not_allowed_token_type"
        wanted = self.app_token if app_method else self.bot_token
        if not secrets.compare_digest(token.encode(), wanted.encode()):
            return "invalid_auth"
        return None

    def _missing_scope(self, needed: str) -> _SlackError:
        return _SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))

    def _take_token(self, method: str, args: Mapping[str, Any]) -> int | None:
        """None when the call may proceed, else the Retry-After seconds. A call takes a token
        from each of the method's buckets, or from none when one is empty."""
        limits = self._limits.get(method)
        if not limits:
            return None
        now = self._clock()
        channel = self._limited_channel(args)
        buckets = [(limit, limit.refilled(channel, now)) for limit in limits]
        waits = [limit.wait(bucket) for limit, bucket in buckets if bucket.tokens < 1.0]
        if waits:
            return max(waits)
        for _, bucket in buckets:
            bucket.tokens -= 1.0
        return None

    def _limited_channel(self, args: Mapping[str, Any]) -> str:
        """The channel a call's per-channel limit counts against: a post to a user id goes to
        that user's DM, so it shares the DM's bucket, as in Slack."""
        key = str(args.get("channel") or args.get("channel_id") or "")
        if key[:1] in ("U", "W") and key in self._users:
            return self.dm_channel(key)
        return key

    # -- shared checks

    def _next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{self._ts_base + n}.{n * 100 % 1_000_000:06d}"

    def _require_scope_any(self, *scopes: str) -> None:
        if not set(scopes) & set(self.scopes):
            raise self._missing_scope(scopes[0])

    def _channel(self, channel_arg: object, *, for_posting: bool) -> _Channel:
        """Resolve an id, a ``#name`` or (for posting) a user id, with Slack's access errors."""
        key = _as_text(channel_arg)
        if not key:
            raise _SlackError("channel_not_found")
        channel = self._channels.get(key)
        if channel is None and for_posting and key[0] in "UW" and key in self._users:
            channel = self._open_dm(key)
        if channel is None:
            name = key.removeprefix("#")
            channel = next((c for c in self._channels.values() if c.name == name), None)
        if channel is None:
            raise _SlackError("channel_not_found")
        if not channel.is_im and not channel.bot_is_member:
            raise _SlackError("channel_not_found" if channel.is_private else "not_in_channel")
        return channel

    def _open_dm(self, user_id: str) -> _Channel:
        channel_id = self.dm_channel(user_id)
        channel = self._channels.get(channel_id)
        if channel is None:
            channel = _Channel(channel_id, None, is_im=True, user=user_id, members={user_id})
            self._channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
        return channel

    def _user(self, user_arg: object) -> _User:
        user = self._users.get(_as_text(user_arg) or "")
        if user is None:
            raise _SlackError("user_not_found")
        return user

    def _content(self, args: Mapping[str, Any], *, require: bool = True) -> dict[str, Any]:
        """Validated text/blocks/attachments/metadata of a message, only those given."""
        content: dict[str, Any] = {}
        if "text" in args and args["text"] is not None:
            text = _as_text(args["text"]) or ""
            if len(text) > MESSAGE_MAX_TEXT:
                raise _SlackError("msg_too_long")
            content["text"] = text
        if "blocks" in args and args["blocks"] is not None:
            blocks = args["blocks"]
            if isinstance(blocks, str) or not isinstance(blocks, list):
                raise _SlackError("invalid_blocks_format")
            problems = validate_blocks(blocks, strict=self.strict_blocks)
            if problems:
                raise _SlackError("invalid_blocks", messages=problems)
            content["blocks"] = blocks
        if "attachments" in args and args["attachments"] is not None:
            attachments = args["attachments"]
            if not isinstance(attachments, list) or not all(
                isinstance(a, dict) for a in attachments
            ):
                raise _SlackError("invalid_attachments")
            if len(attachments) > MAX_ATTACHMENTS:
                raise _SlackError("too_many_attachments")
            for index, attachment in enumerate(attachments):
                if "blocks" in attachment:
                    problems = validate_blocks(
                        attachment["blocks"],
                        pointer=f"/attachments/{index}/blocks",
                        strict=self.strict_blocks,
                    )
                    if problems:
                        raise _SlackError("invalid_blocks", messages=problems)
            content["attachments"] = attachments
        if "metadata" in args and args["metadata"] is not None:
            metadata = args["metadata"]
            if not isinstance(metadata, dict):
                raise _SlackError("invalid_metadata_format")
            event_type = metadata.get("event_type")
            if (
                not isinstance(event_type, str)
                or not event_type
                or not isinstance(metadata.get("event_payload"), dict)
                or set(metadata) - {"event_type", "event_payload"}
            ):
                raise _SlackError(
                    "invalid_metadata_schema",
                    messages=[
                        "[ERROR] metadata must be {event_type: non-empty string, "
                        "event_payload: object} [json-pointer:/metadata]"
                    ],
                )
            content["metadata"] = metadata
        if require and not (
            content.get("text") or content.get("blocks") or content.get("attachments")
        ):
            raise _SlackError("no_text")
        return content

    def _store_message(
        self,
        channel: str,
        *,
        text: str | None,
        blocks: list[dict[str, Any]] | None,
        metadata: dict[str, Any] | None,
        thread_ts: str | None,
        user: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "channel": channel,
            "user": user or self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": text or "",
            "blocks": copy.deepcopy(blocks),
            "metadata": copy.deepcopy(metadata),
            "thread_ts": thread_ts,
            **extra,
        }
        self._messages.setdefault(channel, []).append(message)
        return message

    def _find_message(self, channel: str, ts: object) -> dict[str, Any]:
        for message in self._messages.get(channel, []):
            if message["ts"] == _as_text(ts):
                return message
        raise _SlackError("message_not_found")

    def _render_message(
        self, message: Mapping[str, Any], *, with_metadata: bool = True
    ) -> dict[str, Any]:
        """A message as the API shows it: no None fields, no channel, thread fields computed."""
        shown = {
            k: copy.deepcopy(v)
            for k, v in message.items()
            if v is not None and k not in ("channel", "deleted")
        }
        if not with_metadata:
            shown.pop("metadata", None)
        replies = [
            m
            for m in self._messages.get(str(message["channel"]), [])
            if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]
        ]
        if replies:
            shown["thread_ts"] = message["ts"]
            shown["reply_count"] = len(replies)
            shown["latest_reply"] = replies[-1]["ts"]
        return shown

    # -- methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self._users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_mode.issue_url()}

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), for_posting=True)
        content = self._content(args)
        thread_ts = _as_text(args.get("thread_ts")) or None
        message = self._store_message(
            channel.id,
            text=content.get("text"),
            blocks=content.get("blocks"),
            metadata=content.get("metadata"),
            thread_ts=thread_ts,
            attachments=content.get("attachments"),
            reply_broadcast=True if thread_ts and _as_bool(args.get("reply_broadcast")) else None,
        )
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "message": self._render_message(message),
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), for_posting=True)
        if not args.get("user"):
            raise _missing("user")
        user = self._user(args["user"])
        if channel.members and user.id not in channel.members:
            raise _SlackError("user_not_in_channel")
        content = self._content(args)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "ts": ts,
                "channel": channel.id,
                "to": user.id,
                "user": self.bot_user_id,
                "text": content.get("text", ""),
                "blocks": content.get("blocks"),
                "attachments": content.get("attachments"),
                "thread_ts": _as_text(args.get("thread_ts")) or None,
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        # Not for_posting: Slack wants a DM's channel id (D...) here; a user id is
        # channel_not_found, though chat.postMessage takes one.
        channel = self._channel(args.get("channel"), for_posting=False)
        if not args.get("ts"):
            raise _SlackError("message_not_found")
        message = self._find_message(channel.id, args["ts"])
        if message.get("bot_id") != self.bot_id:
            raise _SlackError("cant_update_message")
        content = self._content(args, require=False)
        merged = {**message, **content}
        if not (merged.get("text") or merged.get("blocks") or merged.get("attachments")):
            raise _SlackError("no_text")
        message.update(content)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": self._render_message(message),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"), for_posting=True)
        message = self._find_message(channel.id, args.get("ts"))
        if message.get("bot_id") != self.bot_id:
            raise _SlackError("cant_delete_message")
        self._messages[channel.id].remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def _history_channel(self, args: Mapping[str, Any]) -> _Channel:
        channel = self._channel(args.get("channel"), for_posting=False)
        if channel.is_im:
            self._require_scope_any("im:history")
        elif channel.is_private:
            self._require_scope_any("groups:history")
        else:
            self._require_scope_any("channels:history")
        return channel

    def _limit(self, args: Mapping[str, Any], default: int) -> int:
        raw = args.get("limit")
        if raw in (None, ""):
            return default
        try:
            limit = int(str(raw))
        except ValueError as exc:
            raise _SlackError("invalid_limit") from exc
        return max(1, min(limit, HISTORY_MAX_LIMIT))

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._history_channel(args)
        limit = self._limit(args, 100)
        inclusive = _as_bool(args.get("inclusive"))
        oldest = _ts_bound(args.get("oldest"), (0, 0), "invalid_ts_oldest")
        latest = _ts_bound(args.get("latest"), (2**62, 0), "invalid_ts_latest")
        cursor = _as_text(args.get("cursor"))
        before = _decode_cursor(cursor) if cursor else None

        def wanted(message: Mapping[str, Any]) -> bool:
            key = _ts_key(str(message["ts"]))
            thread_ts = message.get("thread_ts")
            if thread_ts and thread_ts != message["ts"] and not message.get("reply_broadcast"):
                return False
            if before is not None and key >= before:
                return False
            if inclusive:
                return oldest <= key <= latest
            return oldest < key < latest

        found = [m for m in reversed(self._messages.get(channel.id, [])) if wanted(m)]
        page, more = found[:limit], len(found) > limit
        with_metadata = _as_bool(args.get("include_all_metadata"))
        return {
            "messages": [self._render_message(m, with_metadata=with_metadata) for m in page],
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": _encode_cursor(page[-1]["ts"]) if more else ""},
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._history_channel(args)
        if not args.get("ts"):
            raise _missing("ts")
        parent = self._find_message(channel.id, args["ts"])
        if parent.get("thread_ts") not in (None, parent["ts"]):
            parent = self._find_message(channel.id, parent["thread_ts"])
        limit = self._limit(args, 1000)
        cursor = _as_text(args.get("cursor"))
        after = _decode_cursor(cursor) if cursor else None
        thread = [parent] + [
            m
            for m in self._messages[channel.id]
            if m.get("thread_ts") == parent["ts"] and m["ts"] != parent["ts"]
        ]
        if after is not None:
            thread = [m for m in thread if _ts_key(str(m["ts"])) > after]
        page, more = thread[:limit], len(thread) > limit
        with_metadata = _as_bool(args.get("include_all_metadata"))
        return {
            "messages": [self._render_message(m, with_metadata=with_metadata) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": _encode_cursor(page[-1]["ts"]) if more else ""},
        }

    def _channel_object(self, channel: _Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "is_im": True,
                "is_channel": False,
                "is_group": False,
                "is_private": True,
                "user": channel.user,
                "is_user_deleted": False,
                "created": self._ts_base,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_im": False,
            "is_private": channel.is_private,
            "is_member": channel.bot_is_member,
            "is_archived": False,
            "created": self._ts_base,
        }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        key = _as_text(args.get("channel")) or ""
        channel = self._channels.get(key)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise _SlackError("channel_not_found")
        return {"channel": self._channel_object(channel)}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._channels.get(_as_text(args["channel"]) or "")
            if channel is None or not channel.is_im:
                raise _SlackError("channel_not_found")
            return {"channel": {"id": channel.id}, "no_op": True, "already_open": True}
        users = [u.strip() for u in (_as_text(args.get("users")) or "").split(",") if u.strip()]
        if not users:
            raise _SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise _SlackError(
                "invalid_arguments",
                messages=[
                    "[ERROR] the Slack fake models one-person DMs only [json-pointer:/users]"
                ],
            )
        user = self._user(users[0])
        existed = self.dm_channel(user.id) in self._channels
        channel = self._open_dm(user.id)
        body: dict[str, Any] = {"channel": {"id": channel.id}}
        if existed:
            body.update(no_op=True, already_open=True)
        if _as_bool(args.get("return_im")):
            body["channel"] = self._channel_object(channel)
        return body

    def _user_object(self, user: _User) -> dict[str, Any]:
        zone = ZoneInfo(user.tz)
        now = datetime.now(UTC).astimezone(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "real_name": user.name,
            "display_name": user.name,
            "real_name_normalized": user.name,
            "display_name_normalized": user.name,
            "team": self.team_id,
        }
        if user.email and "users:read.email" in self.scopes:
            profile["email"] = user.email
        if user.is_bot:
            profile["bot_id"] = self.bot_id if user.id == self.bot_user_id else None
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.name,
            "deleted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "is_admin": False,
            "tz": user.tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            raise _missing("user")
        return {"user": self._user_object(self._user(args["user"]))}

    def _users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = (_as_text(args.get("email")) or "").strip().lower()
        if not email:
            raise _missing("email")
        for user in self._users.values():
            if user.email and user.email.lower() == email:
                return {"user": self._user_object(user)}
        raise _SlackError("users_not_found")

    # -- views

    def _validate_view(self, view: object, *, allowed: tuple[str, ...]) -> dict[str, Any]:
        """Slack answers ``invalid_arguments`` (not invalid_blocks) for any flaw in a view."""
        if not isinstance(view, dict):
            raise _SlackError(
                "invalid_arguments",
                messages=["[ERROR] must provide an object [json-pointer:/view]"],
            )
        messages: list[str] = []
        if view.get("type") not in allowed:
            messages.append(
                f"[ERROR] type must be one of {', '.join(allowed)} [json-pointer:/view/type]"
            )
        for key in ("title", "submit", "close"):
            value = view.get(key)
            if value is not None and not (
                isinstance(value, dict) and value.get("type") == "plain_text"
            ):
                messages.append(f"[ERROR] must be a plain_text object [json-pointer:/view/{key}]")
        blocks = view.get("blocks")
        if view.get("type") == "modal" and view.get("title") is None:
            messages.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        if blocks is None:
            messages.append("[ERROR] missing required field: blocks [json-pointer:/view/blocks]")
        else:
            messages += validate_blocks(
                blocks,
                pointer="/view/blocks",
                max_blocks=VIEW_MAX_BLOCKS,
                strict=self.strict_blocks,
            )
        if (
            view.get("type") == "modal"
            and isinstance(blocks, list)
            and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
            and view.get("submit") is None
        ):
            messages.append("[ERROR] input blocks need a submit button [json-pointer:/view/submit]")
        if not messages:
            try:
                View(**copy.deepcopy(view)).to_dict()
            except Exception as exc:  # slack_sdk's validators: lengths of title, metadata...
                messages.append(f"[ERROR] {exc} [json-pointer:/view]")
        if messages:
            raise _SlackError("invalid_arguments", messages=messages)
        return view

    def _new_view(
        self, view: dict[str, Any], *, previous: str | None = None, root: str | None = None
    ) -> dict[str, Any]:
        view_id = f"VFAKE{next(self._ids):06d}"
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._view_hash(),
            "title": copy.deepcopy(view.get("title")),
            "submit": copy.deepcopy(view.get("submit")),
            "close": copy.deepcopy(view.get("close")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
        }
        return stored

    def _view_hash(self) -> str:
        return f"{next(self._ids)}.{secrets.token_hex(6)}"

    def _use_trigger(self, args: Mapping[str, Any]) -> None:
        trigger_id = _as_text(args.get("trigger_id")) or _as_text(args.get("interactivity_pointer"))
        if not trigger_id:
            raise _missing("trigger_id")
        if trigger_id in self._used_triggers:
            raise _SlackError("exchanged_trigger_id")
        self._used_triggers.add(trigger_id)

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(args)
        view = self._validate_view(args.get("view"), allowed=("modal",))
        stored = self._new_view(view)
        self._views[stored["id"]] = stored
        return {"view": copy.deepcopy(stored)}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(args)
        view = self._validate_view(args.get("view"), allowed=("modal",))
        latest = next(reversed(self._views.values()), None)
        stored = self._new_view(
            view,
            previous=latest["id"] if latest else None,
            root=latest["root_view_id"] if latest else None,
        )
        self._views[stored["id"]] = stored
        return {"view": copy.deepcopy(stored)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = _as_text(args.get("view_id"))
        external_id = _as_text(args.get("external_id"))
        if not view_id and not external_id:
            raise _missing("view_id")
        current = next(
            (
                v
                for v in self._views.values()
                if (view_id and v["id"] == view_id)
                or (external_id and v["external_id"] == external_id)
            ),
            None,
        )
        if current is None:
            raise _SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        view = self._validate_view(args.get("view"), allowed=("modal",))
        replacement = self._new_view(
            view, previous=current["previous_view_id"], root=current["root_view_id"]
        )
        replacement["id"] = current["id"]
        if current["root_view_id"] == current["id"]:
            replacement["root_view_id"] = current["id"]
        self._views[current["id"]] = replacement
        return {"view": copy.deepcopy(replacement)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            raise _missing("user_id")
        user = self._user(args["user_id"])
        current = self._home_views.get(user.id)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        view = self._validate_view(args.get("view"), allowed=("home",))
        stored = self._new_view(view)
        if current is not None:
            stored["id"] = stored["root_view_id"] = current["id"]
        self._home_views[user.id] = stored
        return {"view": copy.deepcopy(stored)}

    # -- files

    def _file_object(self, upload: _Upload) -> dict[str, Any]:
        mimetype = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        shown = {
            "id": upload.id,
            "created": upload.created,
            "timestamp": upload.created,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "mimetype": mimetype,
            "filetype": upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "binary",
            "user": self.bot_user_id,
            "size": len(upload.content or b""),
            "is_external": False,
            "alt_txt": upload.alt_txt,
            "url_private": f"{self.base_url}/files/{upload.id}/{upload.filename}",
            "channels": [upload.channel] if upload.channel else [],
        }
        return {key: value for key, value in shown.items() if value is not None}

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = _as_text(args.get("filename"))
        if not filename:
            raise _missing("filename")
        try:
            length = int(str(args.get("length")))
        except ValueError as exc:
            raise _missing("length") from exc
        if length < 1:
            raise _SlackError(
                "invalid_arguments",
                messages=["[ERROR] must be greater than 0 [json-pointer:/length]"],
            )
        file_id = f"FFAKE{next(self._ids):06d}"
        self._uploads[file_id] = _Upload(
            file_id,
            filename,
            length,
            _as_text(args.get("alt_txt")),
            _as_text(args.get("snippet_type")),
            created=self._ts_base + len(self._uploads),
        )
        return {"upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            raise _missing("files")
        uploads: list[tuple[_Upload, str | None]] = []
        for index, entry in enumerate(files):
            if not isinstance(entry, dict) or not entry.get("id"):
                raise _missing("id", f"/files/{index}/id")
            upload = self._uploads.get(str(entry["id"]))
            if upload is None or upload.completed or upload.content is None:
                raise _SlackError("file_not_found")
            if len(upload.content) != upload.length:
                raise _SlackError(
                    "invalid_arguments",
                    messages=[
                        f"[ERROR] uploaded {len(upload.content)} bytes but declared "
                        f"length {upload.length} [json-pointer:/files/{index}]"
                    ],
                )
            uploads.append((upload, _as_text(entry.get("title"))))
        channel: _Channel | None = None
        channel_arg = args.get("channel_id") or args.get("channels")
        if channel_arg:
            if "," in str(channel_arg):
                raise _SlackError(
                    "invalid_arguments",
                    messages=[
                        "[ERROR] the Slack fake shares to one channel [json-pointer:/channels]"
                    ],
                )
            channel = self._channel(channel_arg, for_posting=True)
        thread_ts = _as_text(args.get("thread_ts")) or None
        if thread_ts and channel is None:
            raise _missing("channel_id")
        comment = _as_text(args.get("initial_comment"))
        if comment and len(comment) > MESSAGE_MAX_TEXT:
            raise _SlackError("msg_too_long")
        blocks = args.get("blocks")
        if blocks is not None:
            problems = validate_blocks(blocks, strict=self.strict_blocks)
            if problems:
                raise _SlackError("invalid_blocks", messages=problems)
        for upload, title in uploads:
            upload.title = title or upload.filename
            upload.completed = True
            upload.channel = channel.id if channel else None
            upload.initial_comment = comment
            upload.thread_ts = thread_ts
        if channel is not None:
            self._store_message(
                channel.id,
                text=comment or "",
                blocks=blocks,
                metadata=None,
                thread_ts=thread_ts,
                files=[self._file_object(u) for u, _ in uploads],
                upload=True,
            )
        return {"files": [self._file_object(u) for u, _ in uploads]}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        upload = self._uploads.get(_as_text(args.get("file")) or "")
        if upload is None or not upload.completed:
            raise _SlackError("file_not_found")
        return {"file": self._file_object(upload)}

    # ------------------------------------------------------------------ other endpoints

    def _upload(self, file_id: str, request: _Request) -> _Outcome:
        """The upload URL: slack_sdk POSTs the raw bytes; multipart with a file part works too."""
        upload = self._uploads.get(file_id)
        data = request.body
        if request.content_type == "multipart/form-data":
            _, params = _content_type(request.headers.get("content-type", ""))
            try:
                parts = _multipart_parts(data, params.get("boundary", ""))
            except ValueError:
                parts = []
            chosen = next((p for p in parts if p[1] is not None), parts[0] if parts else None)
            data = chosen[2] if chosen else b""
        args = {"file_id": file_id, "size": len(data), "content_type": request.content_type}
        if upload is None or upload.completed:
            return _Outcome(404, "Not Found", "upload", args, client_error="upload_url_not_found")
        if request.verb != "POST":
            return _Outcome(
                405, "Method Not Allowed", "upload", args, client_error="upload_not_post"
            )
        upload.content = data
        return _Outcome(200, f"OK - {len(data)}", "upload", args)

    def _response_url(self, response_id: str, request: _Request) -> _Outcome:
        """A response_url: Bolt's respond() posts JSON here; checked like a message."""
        url = f"{self.base_url}/response/{response_id}"
        args = dict(request.args)

        def refuse(status: int, error: _SlackError) -> _Outcome:
            self._responses.append(
                {"url": url, "body": args, "status": status, "at": self._clock()}
            )
            return _Outcome(status, error.body(), "response_url", args, client_error=error.error)

        if response_id not in self._response_urls:
            return refuse(404, _SlackError("expired_url"))
        uses = self._response_urls[response_id]
        if self.response_url_max_uses is not None and uses >= self.response_url_max_uses:
            return refuse(404, _SlackError("used_url"))
        if request.verb != "POST":
            return refuse(405, _SlackError("invalid_method"))
        if request.parse_error:
            return refuse(400, _SlackError(request.parse_error))
        try:
            if not _as_bool(args.get("delete_original")):
                self._content(args)
            response_type = args.get("response_type")
            if response_type not in (None, "ephemeral", "in_channel"):
                raise _SlackError("invalid_response_type")
        except _SlackError as error:
            return refuse(400, error)
        self._response_urls[response_id] = uses + 1
        self._responses.append({"url": url, "body": args, "status": 200, "at": self._clock()})
        return _Outcome(200, {"ok": True}, "response_url", args)
