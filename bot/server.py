"""HTTP serving: Slack's events at /slack/events, a health check at /healthz, under waitress
(a production WSGI server, not Bolt's development one). Socket Mode when an app token is set."""

from __future__ import annotations

import json
import logging
import signal
import socket
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from waitress import wasyncore
from waitress.server import create_server

from bot.verification import MAX_BODY_BYTES, SlackEvents
from store.db import Engine, current_revision, head_revision, ping

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
LISTEN_BACKLOG = 1024  # waitress's own default


def make_wsgi_app(app: App, *, engine: Engine, signing_secret: str) -> WSGIApplication:
    """Slack's requests go through `SlackEvents` (size limit, signature) before Bolt sees
    them; `signing_secret` is the app's (SLACK_SIGNING_SECRET)."""
    slack = SlackEvents(app, signing_secret=signing_secret)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _health(engine, start_response)
        if path == EVENTS_PATH:
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    """200 when the database answers and is migrated; 503 otherwise (a load balancer's signal)."""
    reachable = ping(engine)
    migrated = reachable and current_revision(engine) == head_revision()
    status = "200 OK" if migrated else "503 Service Unavailable"
    body = json.dumps({"database": reachable, "migrated": migrated}).encode()
    start_response(status, [("Content-Type", "application/json")])
    return [body]


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
        self._server = create_server(
            wsgi,
            threads=threads,
            ident="finsam-bot",
            clear_untrusted_proxy_headers=True,
            # waitress answers 413 itself, before reading, for a larger declared length, and
            # stops reading a chunked body there (its limit counts the byte that is too many).
            max_request_body_size=MAX_BODY_BYTES + 1,
            **where,
        )

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://{self._server.effective_host}:{self.port}"  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        self._server.run()

    def close(self) -> None:
        """Stop from any thread: the loop itself closes its sockets (closing them under a
        running poll loop from another thread fails with EBADF), then finds nothing to run."""
        server: Any = self._server

        def shutdown() -> None:
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
            wasyncore.close_all(getattr(server, "_map", None) or server.map)

        server.trigger.pull_trigger(shutdown)


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


def run_socket_mode(app: App, app_token: str, *, on_stop: Callable[[], None]) -> None:
    """Socket Mode until SIGTERM/SIGINT, then the same orderly stop as over HTTP."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        handler.close()  # type: ignore[no-untyped-call]
        on_stop()
