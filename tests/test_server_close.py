"""`HttpServer.close` stops the server even when its loop's trigger is already unusable (a
descriptor closed under it: seen as EBADF at test teardown), instead of raising."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from bot.server import HttpServer


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_close_with_a_dead_trigger_still_closes_the_listening_socket(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = HttpServer(hello, host="127.0.0.1", port=0, threads=1)
    port = server.port
    trigger: Any = server.waitress.trigger  # the state the test breaks
    os.close(trigger.trigger)  # as a stray close of its descriptor's number would
    server.close()
    assert "trigger unusable" in caplog.text
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    server.close()  # a second close does nothing
