"""Socket Mode: each process of `serve` that answers Slack holds a WebSocket connection of its
own (Slack delivers each envelope to one of an app's connections, up to 10), so a connection
that dies costs nothing while the others answer, and it comes back on its own.

The client is ours, on the `websockets` package's threaded client, rather than slack_sdk's:
its builtin client ignores a connection that ends without a close frame and notices it only
when pongs stop, 53–56 s later, and no slack_sdk client lets a stop finish the envelopes in
flight before the connection goes. Here a connection that ends is seen at once, one that goes
silent within PING_INTERVAL + PING_TIMEOUT, and either is replaced (backing off while Slack
cannot be reached). Slack's `disconnect` message (refresh_requested, warning, …) opens the new
connection first and closes the old one once its envelopes are answered.

Each envelope is answered like an HTTP request: Bolt on a thread of a pool the size of
FINSAM_SERVER_THREADS, the ack (with the listener's payload: a modal's errors, a command's
answer) sent on the connection it came by. SIGTERM drains: no new envelope is taken, the ones
in flight are finished and acked (for at most DRAIN_SECONDS, the time waitress is given over
HTTP), then the connection is closed.

The state of every connection (connected since when, envelopes in flight, stopping) is kept
in shared memory, so `/healthz` on $PORT tells them all."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.socket_mode.request import SocketModeRequest
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

from bot.server import health_response
from store.db import Engine
from store.errors import ConfigError, SlackUnreachable

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.heartbeat import Heartbeat

log = logging.getLogger(__name__)

PING_INTERVAL = 5.0  # seconds between this side's pings
PING_TIMEOUT = 10.0  # a pong later than this: the connection is taken for dead
OPEN_TIMEOUT = 10.0  # the WebSocket handshake
CLOSE_TIMEOUT = 2.0  # Slack may not answer a close frame; don't wait longer for it
DRAIN_SECONDS = 5.0  # a stop waits this long for envelopes in flight (waitress gets 5 s too)
RECONNECT_DELAYS = (0.0, 1.0, 2.0, 5.0, 10.0, 30.0)  # after the 1st, 2nd, … failure in a row
MAX_MESSAGE_BYTES = 8 * 2**20
# apps.connections.open refusing the app token: a setting to fix, not a failure to wait out.
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "not_allowed_token_type", "account_inactive", "token_revoked"}
)
_FIELDS = 5  # per process: pid, connected (0/1), since (epoch s), in flight, stopping (0/1)


# --------------------------------------------------------------------------- shared state


class SocketStates:
    """One row per answering process, in memory shared with the processes `serve` spawns
    (pass a `slot` to a child as an argument of its start)."""

    def __init__(self, count: int) -> None:
        self._values: Any = get_context("spawn").Array("d", count * _FIELDS)
        self.count = count

    def slot(self, index: int) -> SocketSlot:
        return SocketSlot(self._values, index)

    def describe(self) -> tuple[bool, dict[str, object]]:
        """Healthy when a connection is up and serve is not stopping; the state of each."""
        rows = [self.slot(index).read() for index in range(self.count)]
        connected = sum(1 for row in rows if row["connected"])
        stopping = bool(rows and rows[0]["stopping"])
        return connected > 0 and not stopping, {
            "socket_mode": {"connected": connected, "connections": rows}
        }


class SocketSlot:
    """The row of one answering process (index 0: serve itself)."""

    def __init__(self, values: Any, index: int) -> None:
        self._values = values
        self.index = index

    def _set(self, **fields: float) -> None:
        names = ("pid", "connected", "since", "in_flight", "stopping")
        with self._values.get_lock():
            for name, value in fields.items():
                self._values[self.index * _FIELDS + names.index(name)] = value

    def started(self) -> None:
        self._set(pid=os.getpid(), connected=0, since=time.time(), in_flight=0, stopping=0)

    def connected(self, up: bool) -> None:
        self._set(connected=1 if up else 0, since=time.time())

    def in_flight(self, count: int) -> None:
        self._set(in_flight=count)

    def stopping(self) -> None:
        self._set(stopping=1)

    def read(self) -> dict[str, object]:
        with self._values.get_lock():
            pid, up, since, in_flight, stopping = self._values[
                self.index * _FIELDS : (self.index + 1) * _FIELDS
            ]
        alive = pid > 0 and _alive(int(pid))
        return {
            "process": self.index + 1,
            "pid": int(pid) if alive else None,
            "connected": alive and bool(up),
            "since": _iso(since) if alive else None,
            "in_flight": int(in_flight) if alive else 0,
            "stopping": alive and bool(stopping),
        }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def health_app(
    engine: Engine, states: SocketStates, *, heartbeat: Heartbeat | None = None
) -> WSGIApplication:
    """`/healthz` on $PORT in Socket Mode: the HTTP health (database) and every connection's
    state; 503 while no connection is up. Nothing else is served: Slack's requests come by the
    sockets, and without a signing secret /slack/events could not check them."""

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            ok, extra = states.describe()
            return health_response(
                engine, start_response, heartbeat=heartbeat, extra=extra, extra_ok=ok
            )
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


# --------------------------------------------------------------------------- the client


def open_url(client: WebClient, app_token: str) -> str:
    """A WebSocket URL from apps.connections.open. A refused token is a ConfigError (exit 78);
    Slack not answering, or answering 5xx, is SlackUnreachable (exit 75: try again later)."""
    try:
        response = client.apps_connections_open(app_token=app_token)
    except SlackApiError as err:
        error = str(err.response.get("error", "")) if err.response is not None else ""
        if error in TOKEN_ERRORS:
            raise ConfigError("app_token_refused", error=error) from err
        raise SlackUnreachable("slack_unavailable", error=error or "?") from err
    except (SlackClientError, OSError) as err:
        raise SlackUnreachable("slack_unavailable", error=type(err).__name__) from err
    url = response.get("url")
    if not isinstance(url, str) or not url:
        raise SlackUnreachable("slack_unavailable", error="no url")
    return url


class _Link:
    """One WebSocket connection: a thread reads it; envelopes taken from it are counted until
    their ack is sent."""

    def __init__(self, socket: SocketMode, websocket: ClientConnection, number: int) -> None:
        self.socket = socket
        self.websocket = websocket
        self.number = number
        self.in_flight = 0
        self.hello = False
        self._reader = threading.Thread(
            target=self._read, name=f"socket-mode-{number}", daemon=True
        )

    def start(self) -> None:
        self._reader.start()

    def _read(self) -> None:
        try:
            for message in self.websocket:
                self.socket.received(self, message)
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("socket mode: reading connection %d failed", self.number)
        finally:
            self.socket.ended(self)

    def send(self, text: str) -> None:
        self.websocket.send(text)

    def close(self) -> None:
        try:
            self.websocket.close()
        except Exception as err:  # closing what is already gone
            log.debug("socket mode: closing connection %d: %s", self.number, err)

    def join(self, timeout: float) -> None:
        if self._reader.is_alive() and self._reader is not threading.current_thread():
            self._reader.join(timeout)


class SocketMode:
    """The Socket Mode connection of one answering process: `start()` connects (or raises
    ConfigError / SlackUnreachable), `run()` keeps it up until `stop()`, then drains."""

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        client: WebClient,
        threads: int,
        slot: SocketSlot,
    ) -> None:
        self._app = app
        self._token = app_token
        self._client = client
        self._slot = slot
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="finsam-socket")
        self._lock = threading.Condition()
        self._current: _Link | None = None
        self._replace = threading.Event()  # the current link ended or Slack asked for a new one
        self._stop = threading.Event()
        self._draining = False
        self._in_flight = 0
        self._numbers = 0
        self._links: set[_Link] = set()
        self._failures = 0

    # -- lifecycle

    def start(self) -> None:
        """The first connection, in the caller's thread: a bad token or an unreachable Slack
        ends the start here, before anything else runs."""
        self._slot.started()
        self._connect(open_url(self._client, self._token))

    def run(self) -> None:
        """Keep a connection up until stop(); then drain and close. Call from the main thread,
        after start(); signal handlers call stop()."""
        keeper = threading.Thread(target=self._keep_connected, name="socket-mode", daemon=True)
        keeper.start()
        self._stop.wait()
        self._drain()
        keeper.join(CLOSE_TIMEOUT + 1)

    def stop(self) -> None:
        """Safe from a signal handler: the draining happens in run()'s thread."""
        self._stop.set()
        self._replace.set()

    def _drain(self) -> None:
        with self._lock:
            self._draining = True
            waiting = self._in_flight
        self._slot.stopping()
        if waiting:
            log.info("socket mode: stopping; finishing %d envelope(s) in flight", waiting)
        deadline = time.monotonic() + DRAIN_SECONDS
        with self._lock:
            while self._in_flight and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(left)
            unfinished = self._in_flight
            links = list(self._links)
        if unfinished:
            log.warning(
                "socket mode: %d envelope(s) not finished in %.0f s; closing",
                unfinished,
                DRAIN_SECONDS,
            )
        for link in links:
            link.close()
        for link in links:
            link.join(CLOSE_TIMEOUT + 1)
        self._slot.connected(False)
        self._pool.shutdown(wait=False, cancel_futures=True)
        log.info("socket mode: disconnected")

    # -- connecting

    def _connect(self, url: str) -> _Link:
        try:
            websocket = connect(
                url,
                open_timeout=OPEN_TIMEOUT,
                ping_interval=PING_INTERVAL,
                ping_timeout=PING_TIMEOUT,
                close_timeout=CLOSE_TIMEOUT,
                max_size=MAX_MESSAGE_BYTES,
            )
        except (OSError, InvalidHandshake, TimeoutError) as err:
            raise SlackUnreachable("slack_unavailable", error=type(err).__name__) from err
        if self._stop.is_set():  # stopped while this one was being opened
            websocket.close()
            raise SlackUnreachable("slack_unavailable", error="stopping")
        with self._lock:
            self._numbers += 1
            link = _Link(self, websocket, self._numbers)
            self._links.add(link)
            old, self._current = self._current, link
            if not self._stop.is_set():  # a stop() meanwhile must still wake the keeper
                self._replace.clear()
        link.start()
        if old is not None:
            threading.Thread(
                target=self._retire, args=(old,), name="socket-mode-retire", daemon=True
            ).start()
        return link

    def _keep_connected(self) -> None:
        """Replace the connection whenever it ends or Slack asks, backing off while it fails."""
        while not self._stop.is_set():
            self._replace.wait()
            if self._stop.is_set():
                return
            delay = RECONNECT_DELAYS[min(self._failures, len(RECONNECT_DELAYS) - 1)]
            if self._stop.wait(delay):
                return
            try:
                self._connect(open_url(self._client, self._token))
            except (ConfigError, SlackUnreachable) as err:
                self._failures += 1
                log.warning(
                    "socket mode: could not reconnect (%s %s); trying again",
                    err.code,
                    err.params.get("error", ""),
                )

    def _retire(self, link: _Link) -> None:
        """Close a replaced connection once the envelopes it brought are answered."""
        deadline = time.monotonic() + DRAIN_SECONDS
        with self._lock:
            while link.in_flight and (left := deadline - time.monotonic()) > 0:
                self._lock.wait(left)
        link.close()

    # -- messages (on a link's reader thread)

    def received(self, link: _Link, text: str | bytes) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            log.warning("socket mode: a message that is not JSON (%d bytes)", len(text))
            return
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "hello":
            self._hello(link)
        elif kind == "disconnect":
            log.info("socket mode: Slack asks for a new connection (%s)", message.get("reason", ""))
            with self._lock:
                if link is self._current:
                    self._replace.set()
        elif "envelope_id" in message:
            self._take(link, message)

    def _hello(self, link: _Link) -> None:
        with self._lock:
            link.hello = True
            current = link is self._current
            if current:
                self._failures = 0
        if current:
            self._slot.connected(True)
            log.info("socket mode: connected (connection %d)", link.number)

    def ended(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)
            current = link is self._current
            if current:
                self._current = None
            self._lock.notify_all()
        if current and not self._stop.is_set():
            self._slot.connected(False)
            log.warning(
                "socket mode: connection %d ended (code %s); reconnecting",
                link.number,
                link.websocket.close_code,
            )
            self._replace.set()

    def _take(self, link: _Link, message: Mapping[str, Any]) -> None:
        request = SocketModeRequest.from_dict(dict(message))
        if request is None:
            return
        with self._lock:
            if self._draining:
                log.warning(
                    "socket mode: stopping; envelope %s (%s) not taken",
                    request.envelope_id,
                    request.type,
                )
                return
            link.in_flight += 1
            self._in_flight += 1
            count = self._in_flight
        self._slot.in_flight(count)
        try:
            self._pool.submit(self._answer, link, request)
        except RuntimeError:  # the pool is shut: stopping
            self._done(link)

    def _answer(self, link: _Link, request: SocketModeRequest) -> None:
        """Bolt, as for an HTTP request, then the ack with its payload on the connection the
        envelope came by (or the current one, when that one is gone)."""
        try:
            response = self._app.dispatch(_bolt_request(request))
            ack = _ack(request, response)
            if ack is None:
                log.warning(
                    "socket mode: envelope %s (%s) not acked: status %d",
                    request.envelope_id,
                    request.type,
                    response.status,
                )
                return
            self._send_ack(link, ack)
        except Exception:
            log.exception("socket mode: envelope %s (%s) failed", request.envelope_id, request.type)
        finally:
            self._done(link)

    def _send_ack(self, link: _Link, ack: str) -> None:
        for target in (link, self._current):
            if target is None:
                continue
            try:
                target.send(ack)
                return
            except ConnectionClosed:
                continue
        log.warning("socket mode: an ack could not be sent: no connection")

    def _done(self, link: _Link) -> None:
        with self._lock:
            link.in_flight -= 1
            self._in_flight -= 1
            count = self._in_flight
            self._lock.notify_all()
        self._slot.in_flight(count)


def _bolt_request(request: SocketModeRequest) -> BoltRequest:
    """The envelope as Bolt's request; an Events API redelivery carries its retry number as
    Slack's HTTP headers would."""
    headers: dict[str, str | Sequence[str]] = {}
    if request.retry_attempt:
        headers["x-slack-retry-num"] = str(request.retry_attempt)
        headers["x-slack-retry-reason"] = request.retry_reason or ""
    return BoltRequest(mode="socket_mode", body=request.payload, headers=headers or None)


def _ack(request: SocketModeRequest, response: BoltResponse) -> str | None:
    """Slack's ack of an envelope: its id, and the listener's answer as the payload. None when
    Bolt did not answer 200 (no listener, an error): Slack then retries events (as when an
    HTTP request gets a 5xx) and tells the user the app did not respond."""
    if response.status != 200:
        return None
    ack: dict[str, Any] = {"envelope_id": request.envelope_id}
    body = response.body or ""
    if body:
        content_type = (response.headers.get("content-type") or [""])[0]
        ack["payload"] = (
            json.loads(body) if content_type.startswith("application/json") else {"text": body}
        )
    return json.dumps(ack)
