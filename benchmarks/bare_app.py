"""The baseline for bench_ack.py: a bare Bolt app whose `/finsam` listener only acks, under the
same waitress server the bot uses (`bot.server.HttpServer`: same options, same thread count),
with Bolt's own signature check. It reads the bot's environment variables:
SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, HOST, PORT, FINSAM_SERVER_THREADS.

    SLACK_SIGNING_SECRET=s SLACK_BOT_TOKEN=xoxb-x PORT=3001 python benchmarks/bare_app.py
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.server import EVENTS_PATH, HttpServer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def build_app(*, signing_secret: str, token: str, api_url: str) -> App:
    """A Bolt app with one listener that acknowledges and does nothing else."""
    app = App(
        signing_secret=signing_secret,
        client=WebClient(token=token, base_url=api_url),
        token_verification_enabled=False,
        # The bot's own mode: ack() on the request thread. Bolt's default would add its
        # 10 ms ack polling to every request and make this baseline slower than the bot.
        process_before_response=True,
    )

    @app.command("/finsam")
    def only_ack(ack: Ack) -> None:
        ack()

    return app


def make_wsgi(app: App) -> WSGIApplication:
    """`/slack/events` to Bolt, `GET /healthz` answers 200 (for the start-up wait)."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"bare": True}).encode()]
        if path == EVENTS_PATH:
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return wsgi


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper())
    app = build_app(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token=os.environ["SLACK_BOT_TOKEN"],
        api_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
    )
    server = HttpServer(
        make_wsgi(app),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "3001")),
        threads=int(os.environ.get("FINSAM_SERVER_THREADS", "8")),
    )

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        server.close()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.serve_forever()


if __name__ == "__main__":
    main()
