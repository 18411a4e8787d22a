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

Its parts are in `simulator/slack/`, one module per section (HTTP plumbing, Block Kit
checks, the workspace model, records and failures, the method groups); this module puts them
together and keeps what a test drives: setup, the read side, records, waiting, scripted
failures, and the gate every Web API call passes (token, scope, rate limit).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import secrets
import socket
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

from simulator.slack.arguments import as_text
from simulator.slack.auth import AuthMethods
from simulator.slack.block_kit import validate_blocks
from simulator.slack.chat import ChatMethods
from simulator.slack.conversations import ConversationMethods
from simulator.slack.failures import Limit, Script
from simulator.slack.files import FileMethods
from simulator.slack.http_plumbing import (
    Handler,
    Request,
    Server,
    parse_request,
    redact,
    redact_headers,
    write_answer,
)
from simulator.slack.records import Call, InjectedKind, Method, Outcome, SlackError
from simulator.slack.user_files import FakeFiles
from simulator.slack.users import UserMethods
from simulator.slack.views import ViewMethods
from simulator.slack.workspace import Channel, User, Workspace
from simulator.waiting import wait_until

if TYPE_CHECKING:
    from simulator.fake_socket_mode import SocketModeFake

__all__ = [
    "DEFAULT_SCOPES",
    "Call",
    "InjectedKind",
    "SlackFake",
    "validate_blocks",
]

DEFAULT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "files:read",
    "files:write",
    "im:write",
    "users:read",
    "users:read.email",
    "channels:read",
    "channels:history",
    "groups:history",
    "im:history",
)

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
        self.response_url_max_uses = response_url_max_uses
        self._clock = clock
        self.date_skew = 0.0  # seconds Slack's clock (its `Date` header) is ahead of ours
        self.workspace = Workspace(
            team_id=team_id,
            team_name=team_name,
            team_domain=team_domain,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            scopes=tuple(scopes),
            strict_blocks=strict_blocks,
            ts_base=ts_base,
        )

        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._socket_mode: SocketModeFake | None = None

        self._calls: list[Call] = []
        self._scripts: dict[str, deque[Script]] = {}
        self._held: Counter[str] = Counter()
        self._limits: dict[str, list[Limit]] = {}  # method -> its limits, all enforced

        self.errors: list[tuple[str, str]] = []
        self.unexpected: list[Call] = []
        self.internal_errors: list[str] = []

        # Files users upload (a modal's file_input): simulator/slack/user_files.py.
        self.user_files = FakeFiles(
            base_url=lambda: self.base_url, bot_token=lambda: self.bot_token, team_id=team_id
        )
        self.add_user(bot_user_id, name="finsam", is_bot=True)
        self._chat = ChatMethods(self.workspace, self._clock)
        self._files = FileMethods(self.workspace, lambda: self.base_url, self.user_files)
        self._methods: dict[str, Method] = {
            **AuthMethods(self.workspace, lambda: self.socket_mode.issue_url()).methods(),
            **self._chat.methods(),
            **ConversationMethods(self.workspace).methods(),
            **UserMethods(self.workspace).methods(),
            **ViewMethods(self.workspace).methods(),
            **self._files.methods(),
        }

    # ------------------------------------------------------------------ who the bot is

    @property
    def team_id(self) -> str:
        return self.workspace.team_id

    @property
    def team_name(self) -> str:
        return self.workspace.team_name

    @property
    def team_domain(self) -> str:
        return self.workspace.team_domain

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot_user_id

    @property
    def bot_id(self) -> str:
        return self.workspace.bot_id

    @property
    def app_id(self) -> str:
        return self.workspace.app_id

    @property
    def scopes(self) -> tuple[str, ...]:
        """The bot token's scopes; a method needing another is ``missing_scope``."""
        return self.workspace.scopes

    @scopes.setter
    def scopes(self, scopes: Iterable[str]) -> None:
        with self._cond:
            self.workspace.scopes = tuple(scopes)

    @property
    def strict_blocks(self) -> bool:
        """Whether blocks must render back exactly as sent (see `validate_blocks`)."""
        return self.workspace.strict_blocks

    @strict_blocks.setter
    def strict_blocks(self, strict: bool) -> None:
        with self._cond:
            self.workspace.strict_blocks = strict

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("SlackFake already started")
        self._stopping.clear()
        self._server = Server(self._handle, self._internal_error, lambda: self.date_skew)
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
        from simulator.fake_socket_mode import SocketModeFake

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
            self.workspace.users[user_id] = User(
                user_id, name or user_id.lower(), email, is_bot, tz
            )

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
            self.workspace.channels[channel_id] = Channel(
                channel_id,
                name,
                is_private=is_private,
                members=set(members),
                bot_is_member=bot_is_member,
            )
            self.workspace.messages.setdefault(channel_id, [])

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
            if channel not in self.workspace.channels:
                raise KeyError(f"unknown channel {channel!r}; add_channel() first")
            message = self.workspace.store_message(
                channel, text=text, blocks=blocks, metadata=metadata, thread_ts=thread_ts, user=user
            )
            message.pop("bot_id", None)
            message.pop("app_id", None)
            return str(message["ts"])

    def delete_message(self, channel: str, ts: str) -> None:
        """Somebody else removed a message (an admin, a retention policy); not recorded as a
        call. chat.update of it is then ``message_not_found``, as in Slack."""
        with self._cond:
            messages = self.workspace.messages
            kept = [m for m in messages.get(channel, []) if m["ts"] != ts]
            if len(kept) == len(messages.get(channel, [])):
                raise KeyError(f"no message {ts!r} in {channel!r}")
            messages[channel] = kept

    def dm_channel(self, user_id: str) -> str:
        """The DM channel id of ``user_id`` (it need not exist yet): what conversations.open
        gives, and where (and as what ``channel``) chat.postMessage to the user id posts."""
        return self.workspace.dm_channel(user_id)

    # ------------------------------------------------------------------ state, read side

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel, oldest first, thread replies included (copies).

        Each has at least ``ts``, ``text``, ``blocks``, ``metadata``, ``thread_ts``, ``user``.
        """
        with self._cond:
            return copy.deepcopy(self.workspace.messages.get(channel, []))

    def ephemerals(
        self, channel: str | None = None, *, user: str | None = None
    ) -> list[dict[str, Any]]:
        """chat.postEphemeral messages (Slack keeps them out of history), oldest first."""
        with self._cond:
            return [
                copy.deepcopy(m)
                for m in self.workspace.ephemerals
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
                for u in self.workspace.uploads.values()
                if u.completed
            ]

    def responses(self) -> list[dict[str, Any]]:
        """Bodies posted to response URLs (``url``, ``body``, ``status``, ``at``: the fake's
        clock when it took the post), oldest first."""
        with self._cond:
            return copy.deepcopy(self.workspace.responses)

    def views(self) -> list[dict[str, Any]]:
        """Modals opened (views.open/push), as last updated."""
        with self._cond:
            return copy.deepcopy(list(self.workspace.views.values()))

    def view(self, view_id: str) -> dict[str, Any]:
        """One modal by id; fails the test with the known ids if there is none."""
        with self._cond:
            views = self.workspace.views
            if view_id not in views:
                raise AssertionError(f"no view {view_id!r}; known: {sorted(views)}")
            return copy.deepcopy(views[view_id])

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home a user was last published, if any."""
        with self._cond:
            view = self.workspace.home_views.get(user_id)
            return copy.deepcopy(view) if view is not None else None

    def new_response_url(self) -> str:
        """A fresh response_url served by this fake (what Slack puts in commands and actions)."""
        with self._cond:
            response_id = f"{self.workspace.next_id()}{secrets.token_hex(4)}"
            self.workspace.response_urls[response_id] = 0
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
                wanted = {
                    channel,
                    *(c.id for c in self.workspace.channels.values() if c.name == name),
                }
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
            self.workspace.responses.clear()
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
            lambda: len(self.workspace.responses) >= count,
            timeout,
            message=f"{count} response_url post(s)",
        )
        return self.responses()

    def wait_for_messages(
        self, channel: str, count: int = 1, timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until ``channel`` holds ``count`` messages; returns them."""
        self.wait_for(
            lambda: len(self.workspace.messages.get(channel, [])) >= count,
            timeout,
            message=f"{count} message(s) in {channel}",
        )
        return self.messages(channel)

    # ------------------------------------------------------------------ scripted failures

    def _script(self, method: str, script: Script, count: int) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._cond:
            queue = self._scripts.setdefault(method, deque())
            queue.extend(copy.copy(script) for _ in range(count))

    def rate_limit_next(self, method: str, *, retry_after: int = 1, count: int = 1) -> None:
        """Answer the next ``count`` calls with 429 + Retry-After; nothing is stored."""
        self._script(method, Script("ratelimited", status=429, retry_after=retry_after), count)

    def fail_next(
        self, method: str, *, status: int = 500, count: int = 1, error: str = "fatal_error"
    ) -> None:
        """Answer the next ``count`` calls with HTTP ``status``; nothing is stored."""
        self._script(method, Script("failed", status=status, error=error), count)

    def error_next(self, method: str, error: str, *, count: int = 1) -> None:
        """Answer the next ``count`` calls with HTTP 200 ``{"ok": false, "error": error}``.

        For Slack errors the model cannot produce by itself (is_archived, account_inactive...).
        """
        self._script(method, Script("error", status=200, error=error), count)

    def timeout_next(
        self, method: str, *, delay: float = 2.0, count: int = 1, perform: bool = False
    ) -> None:
        """Hold the next ``count`` calls ``delay`` seconds, so a client with a shorter timeout
        gives up. By default nothing is stored and the late answer is a 504; with ``perform`` the
        call is carried out at once and only its answer is late (the outcome-unknown case)."""
        self._script(method, Script("timeout", status=504, delay=delay, perform=perform), count)

    def slow_next(self, method: str, *, delay: float, count: int = 1) -> None:
        """Take the next ``count`` calls and sit on them ``delay`` seconds before carrying
        them out and answering: a busy Slack, where a post on its way is not in the history
        yet. `held` counts the calls being sat on."""
        self._script(method, Script("slow", delay=delay), count)

    def held(self, method: str) -> int:
        """How many ``method`` calls `slow_next` is sitting on now."""
        with self._cond:
            return self._held[method]

    def drop_after_accept_next(self, method: str, count: int = 1) -> None:
        """Carry out the next ``count`` calls, then close the connection without answering."""
        self._script(method, Script("dropped"), count)

    def enforce_rate_limit(
        self,
        method: str = "chat.postMessage",
        *,
        per_channel_per_second: float = 1.0,
        burst: int = 1,
    ) -> None:
        """A token bucket per channel for ``method``: 429 with Retry-After once it is empty."""
        self._set_limit(method, Limit(per_channel_per_second, burst, per_channel=True))

    def enforce_method_rate_limit(self, method: str, *, per_minute: float, burst: int = 1) -> None:
        """One token bucket for all calls of ``method``, as Slack limits a method's tier per
        app and workspace (Tier 3, e.g. conversations.open: about 50 a minute): 429 with
        Retry-After once it is empty. With a per-channel limit on the same method (a workspace
        limit on chat.postMessage) a call needs a token from both."""
        self._set_limit(method, Limit(per_minute / 60.0, burst, per_channel=False))

    def _set_limit(self, method: str, limit: Limit) -> None:
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

    def _handle(self, handler: Handler) -> None:
        """Answer one request. A scripted failure for the method comes first, before the token
        and the arguments are looked at, as a failing load balancer or gateway would."""
        arrived = self._clock()
        try:
            request = parse_request(handler)
        except (ValueError, OSError):
            write_answer(handler, 400, {"ok": False, "error": "invalid_request"}, {})
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
            outcome = Outcome(
                script.status,
                {"ok": False, "error": error},
                method,
                self._public_args(request),
                headers,
                injected=script.kind,
            )
            self._record(outcome, request, arrived)
            write_answer(handler, outcome.status, outcome.payload, outcome.headers)
            return
        if script is not None and script.kind == "timeout" and not script.perform:
            outcome = Outcome(
                504,
                {"ok": False, "error": "request_timeout"},
                method,
                self._public_args(request),
                injected="timeout",
            )
            self._record(outcome, request, arrived)
            self._stopping.wait(script.delay)
            write_answer(handler, outcome.status, outcome.payload, outcome.headers)
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
            write_answer(handler, 500, {"ok": False, "error": "fake_internal_error"}, {})
            return

        if script is not None and script.kind == "dropped":
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if script is not None and script.kind == "timeout":
            self._stopping.wait(script.delay)
        write_answer(handler, outcome.status, outcome.payload, outcome.headers)

    def _route(self, request: Request) -> tuple[str, Callable[[], Outcome]]:
        """The recorded method name and the work to do for a request path."""
        path = request.path
        if path.startswith("/api/"):
            method = path.removeprefix("/api/")
            return method, functools.partial(self._api, method, request)
        if path.startswith("/upload/v1/"):
            file_id = path.removeprefix("/upload/v1/")
            return "upload", functools.partial(self._files.upload, file_id, request)
        if self.user_files.handles(path):
            return "files.download", functools.partial(self._download, request)
        if path.startswith("/response/"):
            response_id = path.removeprefix("/response/")
            return "response_url", functools.partial(
                self._chat.respond,
                response_id,
                request,
                url=f"{self.base_url}/response/{response_id}",
                max_uses=self.response_url_max_uses,
            )
        method = f"{request.verb} {path}"
        return method, functools.partial(self._unknown, method, request)

    def _download(self, request: Request) -> Outcome:
        """A user's file at its url_private: served only with the bot's token."""
        served = self.user_files.serve(request.verb, request.path, request.headers)
        args = {"path": request.path}
        return Outcome(served.status, served.body, "files.download", args, served.headers)

    def _public_args(self, request: Request) -> dict[str, Any]:
        return redact(request.args)

    def _record(self, outcome: Outcome, request: Request, arrived: float) -> None:
        response = (
            outcome.payload if isinstance(outcome.payload, dict) else {"body": outcome.payload}
        )
        call = Call(
            method=outcome.method,
            args=outcome.args,
            headers=redact_headers(request.headers),
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

    def _unknown(self, method: str, request: Request) -> Outcome:
        return Outcome(
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

    def _api(self, method: str, request: Request) -> Outcome:
        args = self._public_args(request)
        headers = self._api_headers(method)

        def refuse(error: SlackError, *, status: int = 200) -> Outcome:
            return Outcome(status, error.body(), method, args, headers, client_error=error.error)

        handler = self._methods.get(method)
        if handler is None:  # Slack answers 200 here too; slack_sdk raises SlackApiError
            return Outcome(
                200,
                {"ok": False, "error": "unknown_method"},
                method,
                args,
                headers,
                unexpected=True,
            )
        if request.parse_error:
            return refuse(SlackError(request.parse_error))
        token_error = self._check_token(request, method)
        if token_error:
            return refuse(SlackError(token_error))
        needed = _METHOD_SCOPES.get(method)
        if needed and not set(needed) & set(self.scopes):
            return refuse(self.workspace.missing_scope(needed[0]))
        limited = self._take_token(method, request.args)
        if limited is not None:
            return Outcome(
                429,
                {"ok": False, "error": "ratelimited"},
                method,
                args,
                {**headers, "Retry-After": str(limited)},
                injected="rate_limit_enforced",
            )
        try:
            body = handler(request.args)
        except SlackError as error:
            return refuse(error)
        return Outcome(200, {"ok": True, **body}, method, args, headers)

    def _check_token(self, request: Request, method: str) -> str | None:
        """Slack's rules: bearer header, or a ``token`` field in a form body (never in JSON);
        the app-level token for apps.connections.open, the bot token for the rest."""
        authorization = request.headers.get("authorization", "")
        token: str | None = None
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        elif request.content_type != "application/json":
            token = as_text(request.args.get("token"))
        if not token:
            return "not_authed"
        app_method = method in _APP_TOKEN_METHODS
        if token.startswith("xapp-") != app_method:
            return "not_allowed_token_type"
        wanted = self.app_token if app_method else self.bot_token
        if not secrets.compare_digest(token.encode(), wanted.encode()):
            return "invalid_auth"
        return None

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
        if key[:1] in ("U", "W") and key in self.workspace.users:
            return self.workspace.dm_channel(key)
        return key
