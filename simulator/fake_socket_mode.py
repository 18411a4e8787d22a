"""The Socket Mode side of the Slack fake: a WebSocket server like Slack's, for end-to-end tests.

``SlackFake``'s ``apps.connections.open`` (called with the app token) hands out a one-time
``ws://`` URL to this server, as Slack hands out a ``wss://`` one. A client that connects gets
``hello``; the test then pushes envelopes (slash commands, interactivity, Events API) to one of
the open connections, and every ack the client sends back is recorded with its payload (a
modal's ``response_action``/``errors``, a command's immediate answer). The test can also ask a
connection to reconnect (a ``disconnect`` message, as Slack sends before it refreshes a
connection), drop it abruptly (the TCP connection shut, no close frame: a crashed Slack host)
or silence it (nothing more sent, not even pongs: a network that fails without either end
seeing it).

The server is the ``websockets`` package's threaded one: a thread per connection, like the
HTTP fake's thread per request, so tests never need an event loop.

    with SlackFake() as fake:
        url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=fake.app_token)
        ...  # the bot connects
        sockets = fake.socket_mode
        sockets.wait_for_connections(1)
        envelope_id = sockets.send_slash_command(slash_command("budget 2026"))
        ack = sockets.wait_for_ack(envelope_id)
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal, Self

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from simulator.waiting import wait_until

__all__ = ["Ack", "Envelope", "Link", "SocketModeFake"]

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]
DisconnectReason = Literal["warning", "refresh_requested", "link_disabled", "too_many_websockets"]
LINK_PATH = "/link/"


@dataclass(frozen=True)
class Envelope:
    """What the fake pushed: Slack's envelope, and on which connection."""

    envelope_id: str
    type: EnvelopeType
    payload: dict[str, Any]
    connection: int
    at: float


@dataclass(frozen=True)
class Ack:
    """What the client sent back for an envelope: its `payload` is None for a bare ack."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int
    at: float


@dataclass
class Link:
    """One WebSocket connection a client opened, from its handshake to its end."""

    id: int
    ticket: str
    opened: float
    connection: ServerConnection = field(repr=False)
    closed: float | None = None
    close_code: int | None = None
    disconnect_sent: str | None = None  # the reason of a `disconnect` message sent to it
    dropped: bool = False
    silenced: bool = False

    @property
    def open(self) -> bool:
        return self.closed is None


class SocketModeFake:
    """Slack's Socket Mode endpoint on 127.0.0.1, serving from a thread per connection.

    State and records are guarded by one lock; the ``wait_for*`` helpers block on a
    condition notified by every connection, close and ack, so tests never need to sleep.
    Anything a client sends that Slack would not expect (not JSON, an ack of an unknown
    envelope, a second ack) is kept in ``problems``; ``assert_clean`` fails on it.
    """

    def __init__(self, *, app_id: str = "A0FINSAM", clock: Callable[[], float] = time.monotonic):
        self.app_id = app_id
        self._clock = clock
        self._cond = threading.Condition(threading.RLock())
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._tickets: set[str] = set()
        self._links: dict[int, Link] = {}
        self._next_link = 1
        self._next_choice = 0
        self._envelopes: dict[str, Envelope] = {}
        self._acks: list[Ack] = []
        self.problems: list[str] = []
        self.refused_handshakes = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError("SocketModeFake already started")
        self._server = serve(
            self._serve_link,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            ping_interval=None,  # the client pings; Slack's server answers them, as this one does
            close_timeout=2,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"SocketModeFake:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (code 1001) and stop listening."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SocketModeFake is not started")
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A fresh URL to connect to, good for one connection (what apps.connections.open
        returns)."""
        ticket = secrets.token_urlsafe(12)
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}{LINK_PATH}?ticket={ticket}"

    # ------------------------------------------------------------------ connections

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse a handshake without a ticket from apps.connections.open, or with a used one."""
        path, _, query = request.path.partition("?")
        ticket = query.removeprefix("ticket=")
        with self._cond:
            if path == LINK_PATH and ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
            self.refused_handshakes += 1
            self._cond.notify_all()
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _serve_link(self, connection: ServerConnection) -> None:
        """One connection's thread: hello, then every message the client sends until it ends."""
        ticket = connection.request.path.partition("ticket=")[2] if connection.request else ""
        with self._cond:
            link = Link(self._next_link, ticket, self._clock(), connection)
            self._next_link += 1
            self._links[link.id] = link
            count = sum(1 for other in self._links.values() if other.open)
            self._cond.notify_all()
        try:
            connection.send(json.dumps(self._hello(count)))
            for message in connection:
                self._receive(link, message)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                link.closed = self._clock()
                link.close_code = connection.close_code
                self._cond.notify_all()

    def _hello(self, num_connections: int) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": num_connections,
            "debug_info": {
                "host": "applink-fake",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    def _receive(self, link: Link, message: str | bytes) -> None:
        """An ack (``{"envelope_id": ..., "payload": {...}}``); anything else is a problem."""
        at = self._clock()
        try:
            data = json.loads(message)
        except (ValueError, UnicodeDecodeError):
            self._problem(f"connection {link.id} sent something that is not JSON: {message!r}")
            return
        envelope_id = data.get("envelope_id") if isinstance(data, dict) else None
        payload = data.get("payload") if isinstance(data, dict) else None
        with self._cond:
            if not isinstance(envelope_id, str) or envelope_id not in self._envelopes:
                self._problem(f"connection {link.id} acked an unknown envelope: {data!r}")
                return
            if payload is not None and not isinstance(payload, dict):
                self._problem(f"ack of {envelope_id} has a payload that is not an object")
                return
            if any(ack.envelope_id == envelope_id for ack in self._acks):
                self._problem(f"envelope {envelope_id} acked twice")
                return
            self._acks.append(Ack(envelope_id, payload, link.id, at))
            self._cond.notify_all()

    def _problem(self, text: str) -> None:
        with self._cond:
            self.problems.append(text)
            self._cond.notify_all()

    def links(self) -> list[Link]:
        """Every connection so far, oldest first."""
        with self._cond:
            return sorted(self._links.values(), key=lambda link: link.id)

    def open_links(self) -> list[int]:
        """The ids of the connections open now."""
        return [link.id for link in self.links() if link.open]

    def link(self, link_id: int) -> Link:
        with self._cond:
            return self._links[link_id]

    # ------------------------------------------------------------------ pushing

    def send(
        self,
        type: EnvelopeType,
        payload: Mapping[str, Any],
        *,
        connection: int | None = None,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Push an envelope to `connection` (by default the open ones in turn, as Slack spreads
        its deliveries); returns its envelope_id. Fails when there is no open connection."""
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or payload.get("type") in (
                "view_submission",
                "block_suggestion",
            )
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": dict(payload),
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            message.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        with self._cond:
            link = self._choose(connection)
            self._envelopes[envelope_id] = Envelope(
                envelope_id, type, dict(payload), link.id, self._clock()
            )
        link.connection.send(json.dumps(message))
        return envelope_id

    def _choose(self, connection: int | None) -> Link:
        if connection is not None:
            link = self._links.get(connection)
            if link is None or not link.open:
                raise AssertionError(f"connection {connection} is not open")
            return link
        candidates = [
            link
            for link in self.links()
            if link.open and not link.disconnect_sent and not link.silenced
        ]
        if not candidates:
            raise AssertionError("no open Socket Mode connection to deliver to")
        self._next_choice += 1
        return candidates[self._next_choice % len(candidates)]

    def send_slash_command(self, fields: Mapping[str, str], **options: Any) -> str:
        """A slash command: the same fields Slack posts over HTTP, as a JSON object."""
        return self.send("slash_commands", fields, **options)

    def send_interactive(self, payload: Mapping[str, Any], **options: Any) -> str:
        """block_actions, view_submission, shortcut...: the payload Slack posts over HTTP."""
        return self.send("interactive", payload, **options)

    def send_event(self, event_callback: Mapping[str, Any], **options: Any) -> str:
        """An Events API delivery: the event_callback body."""
        return self.send("events_api", event_callback, **options)

    def disconnect(
        self,
        connection: int,
        *,
        reason: DisconnectReason = "refresh_requested",
        close_after: float | None = None,
    ) -> None:
        """Send Slack's ``disconnect`` message: the client should open a new connection. Slack
        sends ``warning`` about 10 s before it refreshes a connection and ``refresh_requested``
        when it does; with `close_after`, this side closes the connection that many seconds
        later if the client has not (as Slack does)."""
        link = self.link(connection)
        with self._cond:
            link.disconnect_sent = reason
        link.connection.send(
            json.dumps(
                {
                    "type": "disconnect",
                    "reason": reason,
                    "debug_info": {"host": "applink-fake"},
                }
            )
        )
        if close_after is not None:
            timer = threading.Timer(close_after, link.connection.close, kwargs={"code": 1001})
            timer.daemon = True
            timer.start()

    def drop(self, connection: int) -> None:
        """End a connection abruptly: the TCP connection is shut with no close frame."""
        link = self.link(connection)
        with self._cond:
            link.dropped = True
        with contextlib.suppress(OSError):  # the connection's own thread then sees the end
            link.connection.socket.shutdown(socket.SHUT_RDWR)

    def silence(self, connection: int) -> None:
        """The connection goes quiet without ending: nothing more is sent on it, not even
        the pongs to the client's pings (a network that fails with neither end told). Only
        the client's keepalive can notice."""
        link = self.link(connection)
        with self._cond:
            link.silenced = True
        websocket = link.connection

        def discard() -> None:  # in place of ServerConnection.send_data
            websocket.protocol.data_to_send()

        websocket.send_data = discard  # type: ignore[method-assign]

    # ------------------------------------------------------------------ records

    def envelopes(self) -> list[Envelope]:
        with self._cond:
            return sorted(self._envelopes.values(), key=lambda envelope: envelope.at)

    def acks(self) -> list[Ack]:
        with self._cond:
            return list(self._acks)

    def ack_for(self, envelope_id: str) -> Ack | None:
        with self._cond:
            return next((ack for ack in self._acks if ack.envelope_id == envelope_id), None)

    def assert_clean(self) -> None:
        with self._cond:
            if self.problems:
                raise AssertionError("Socket Mode fake saw problems:\n" + "\n".join(self.problems))

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, message: str = ""
    ) -> None:
        """Block until ``predicate()`` holds, re-checking on every connection, close and ack."""
        wait_until(
            self._cond,
            predicate,
            timeout=timeout,
            message=message,
            describe=self.describe,
            poll=0.5,
        )

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        self.wait_for(
            lambda: self.ack_for(envelope_id) is not None,
            timeout,
            message=f"the ack of envelope {envelope_id}",
        )
        ack = self.ack_for(envelope_id)
        assert ack is not None
        return ack

    def wait_for_connections(
        self, count: int, timeout: float = 10.0, *, besides: Iterable[int] = ()
    ) -> list[int]:
        """Wait until `count` connections are open, none of them in `besides`; their ids."""
        excluded = set(besides)

        def fresh() -> list[int]:
            return [
                link.id
                for link in self.links()
                if link.open
                and not (link.disconnect_sent or link.silenced)
                and link.id not in excluded
            ]

        self.wait_for(lambda: len(fresh()) >= count, timeout, message=f"{count} open connection(s)")
        return fresh()

    def wait_for_close(self, connection: int, timeout: float = 10.0) -> Link:
        self.wait_for(
            lambda: not self.link(connection).open,
            timeout,
            message=f"connection {connection} to close",
        )
        return self.link(connection)

    def describe(self) -> str:
        with self._cond:
            lines = [
                f"  link {link.id}: {'open' if link.open else f'closed ({link.close_code})'}"
                f"{' dropped' if link.dropped else ''}{' silenced' if link.silenced else ''}"
                f"{f' disconnect:{link.disconnect_sent}' if link.disconnect_sent else ''}"
                for link in sorted(self._links.values(), key=lambda link: link.id)
            ]
            acked = {ack.envelope_id for ack in self._acks}
            lines += [
                f"  envelope {envelope.envelope_id} {envelope.type} on {envelope.connection}: "
                f"{'acked' if envelope.envelope_id in acked else 'not acked'}"
                for envelope in self._envelopes.values()
            ]
            lines += [f"  problem: {problem}" for problem in self.problems]
            return "Socket Mode fake:\n" + "\n".join(lines)
