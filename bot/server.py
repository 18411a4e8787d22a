"""HTTP serving: Slack's events at /slack/events, a health check at /healthz, under waitress
(a production WSGI server, not Bolt's development one). Socket Mode is bot/socket_mode.py."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from waitress import wasyncore
from waitress.server import create_server

from bot.heartbeat import Heartbeat
from bot.verification import MAX_BODY_BYTES, SlackEvents
from store.db import Engine
from workflows.health import check_health

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
LISTEN_BACKLOG = 1024  # waitress's own default


def make_wsgi_app(
    app: App, *, engine: Engine, signing_secret: str, heartbeat: Heartbeat | None = None
) -> WSGIApplication:
    """Slack's requests go through `SlackEvents` (size limit, signature) before Bolt sees
    them; `signing_secret` is the app's (SLACK_SIGNING_SECRET). `heartbeat` is the worker's
    (in `serve`): /healthz then judges whether it ticks."""
    slack = SlackEvents(app, signing_secret=signing_secret)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return health_response(engine, start_response, heartbeat=heartbeat)
        if path == EVENTS_PATH:
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def health(
    engine: Engine, *, heartbeat: Heartbeat | None = None, now: datetime | None = None
) -> tuple[int, dict[str, Any]]:
    """The HTTP status of /healthz and its JSON: 200 when the database answers and is
    migrated, no outgoing message has failed for good and the worker (when `heartbeat` is
    given) has ticked lately; 503 otherwise (a load balancer's or a monitor's signal)."""
    found = check_health(
        engine,
        now=now or datetime.now(UTC),
        last_tick=heartbeat.last_tick() if heartbeat else None,
        worker_since=heartbeat.started if heartbeat else None,
    )
    outbox = found.outbox
    body: dict[str, Any] = {
        "database": found.database,
        "migrated": found.migrated,
        "outbox": None
        if outbox is None
        else {
            "pending": outbox.pending,
            "sending": outbox.sending,
            "failed": outbox.failed,
            "oldest_due": _iso(outbox.oldest_due),
        },
        "worker": {"last_tick": _iso(found.last_tick), "stale": found.worker_stale},
    }
    return (200 if found.ok else 503), body


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def health_response(
    engine: Engine,
    start_response: StartResponse,
    *,
    heartbeat: Heartbeat | None = None,
    extra: Mapping[str, object] | None = None,
    extra_ok: bool = True,
) -> Iterable[bytes]:
    """`health` as WSGI. A caller adds its own state to the JSON in `extra` (Socket Mode: the
    connections), and `extra_ok` False makes it a 503 too."""
    code, body = health(engine, heartbeat=heartbeat)
    body.update(extra or {})
    if not extra_ok:
        code = 503
    start_response(HTTP_STATUS[code], [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


HTTP_STATUS = {200: "200 OK", 503: "503 Service Unavailable"}


class HttpServer:
    """waitress in a thread of its own or in the foreground, on `host`:`port` (port 0 picks a
    free one: tests) or on listening `sockets` shared by several processes (`serve`)."""

    def __init__(
        self,
        wsgi: WSGIApplication,
        *,
        threads: int,
        host: str | None = None,
        port: int | None = None,
        sockets: list[socket.socket] | None = None,
    ) -> None:
        where: dict[str, Any] = {"sockets": sockets} if sockets else {"host": host, "port": port}
        # The waitress server underneath (its loop, its trigger), for diagnostics and tests.
        self.waitress = create_server(
            wsgi,
            threads=threads,
            ident="finsam-bot",
            clear_untrusted_proxy_headers=True,
            # waitress answers 413 itself, before reading, for a larger declared length, and
            # stops reading a chunked body there (its limit counts the byte that is too many).
            max_request_body_size=MAX_BODY_BYTES + 1,
            **where,
        )
        self._close_once = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.waitress.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://{self.waitress.effective_host}:{self.port}"  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        self.waitress.run()

    def close(self) -> None:
        """Stop from any thread or a signal handler, once: the loop itself closes its sockets
        (closing them under a running poll loop from another thread fails with EBADF), then
        finds nothing to run. A second call (a second signal, SIGTERM to the whole process
        group and then from `serve`) does nothing: the loop's trigger is closed by then."""
        if not self._close_once.acquire(blocking=False):  # never released: one close only
            return
        server: Any = self.waitress

        def shutdown() -> None:
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
            wasyncore.close_all(getattr(server, "_map", None) or server.map)

        try:
            server.trigger.pull_trigger(shutdown)
        except OSError as error:
            # The trigger's descriptor is gone (EBADF: the loop's poll fails on it too, so
            # the loop has stopped or is stopping): nothing can wake it, so shut down here.
            logging.getLogger(__name__).warning("server trigger unusable at close: %s", error)
            shutdown()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port, to share with the processes that answer: each
    accepts from it, and the least busy one is the first to take a new connection."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(LISTEN_BACKLOG)
    return sock
