"""Socket Mode end to end: the real `serve`, in real processes, against the Slack fake's Socket
Mode side, reached as Slack is, through apps.connections.open with the app token (no signing
secret is set: Socket Mode needs none).

- a slash command by a socket is acked on that socket and answered at its response_url; an
  Events API delivery is acked and does its work (the App Home);
- a form opened and submitted by a socket with bad figures gets the errors in the ack's
  payload, and nothing is stored;
- Slack's `disconnect` message: a new connection is opened, the old one closed, and the new
  one answers; a connection dropped without a close frame is replaced at once (not after the
  53–56 s of slack_sdk's builtin client) and the new one answers; so is one that goes silent
  (pongs stop), once the keepalive gives up on it;
- with FINSAM_WEB_PROCESSES=2, each answering process holds a connection of its own: one
  dropped, the other answers meanwhile, and the dropped one comes back; the child killed,
  the same, and the child started again brings its own; `/healthz` on $PORT shows both with
  their state;
- SIGTERM while a form's envelope is being stored: the form is stored, its ack goes out on
  the connection, then the connection closes and serve ends cleanly;
- a refused app token ends `serve` with 78 and one line naming SLACK_APP_TOKEN, Slack
  unreachable at start with 75, neither with a traceback.

The process helpers are tests/test_worker.py's (Linux only: they read /proc)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from sqlalchemy import Engine

from simulator.fake_slack import SlackFake
from simulator.fake_socket_mode import SocketModeFake
from simulator.slack_driver import (
    app_home_opened,
    block_action,
    event_callback,
    slash_command,
    view_submission,
)
from tests.fanout import APRIL, add_fanout, lead_id
from tests.harness import BOT_TOKEN
from tests.test_reminders_exactly_once import bot_env
from tests.test_reporting_flow import MONTHLY_OK, state
from tests.test_worker import (
    SIGTERM_WITHIN,
    START_TIMEOUT,
    Serving,
    eventually,
    free_port,
    serving,
)
from workflows.reports import find_report

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

ACKED_WITHIN = 15.0  # generous on a loaded machine; Slack itself waits 3 s
RECONNECTED_WITHIN = 15.0  # the builtin client took 53–56 s; this one reconnects at once
SILENCE_NOTICED_WITHIN = 45.0  # bot/socket_mode.py: 5 s ping interval, 10 s pong timeout


def socket_env(fake: SlackFake) -> dict[str, str]:
    return {"SLACK_APP_TOKEN": fake.app_token, "SLACK_SIGNING_SECRET": "", "LOG_LEVEL": "INFO"}


@contextmanager
def socket_serving(
    fake: SlackFake, database_url: str, cwd: Path, *, web_processes: int
) -> Iterator[tuple[Serving, SocketModeFake]]:
    """`serve` in Socket Mode, given once /healthz says it is connected, with the fake's
    Socket Mode side once it sees the `web_processes` connections."""
    with serving(
        fake, database_url, cwd, web_processes=web_processes, extra_env=socket_env(fake)
    ) as running:
        sockets = fake.socket_mode
        sockets.wait_for_connections(web_processes, timeout=START_TIMEOUT)
        eventually(
            lambda: health(running)[1]["socket_mode"]["connected"] == web_processes,
            START_TIMEOUT,
            f"{web_processes} connection(s) in /healthz",
        )
        yield running, sockets


def health(running: Serving) -> tuple[int, dict[str, Any]]:
    """GET /healthz: the status and the JSON, a 503's too."""
    try:
        with urlopen(f"http://127.0.0.1:{running.port}/healthz", timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except HTTPError as err:
        return err.code, json.loads(err.read())


def answered(fake: SlackFake, sockets: SocketModeFake, connection: int) -> None:
    """A slash command pushed to `connection` is acked on it, and answered."""
    before = len(fake.responses())
    command = slash_command("hjälp", response_url=fake.new_response_url())
    envelope = sockets.send_slash_command(command, connection=connection)
    assert sockets.wait_for_ack(envelope, timeout=ACKED_WITHIN).connection == connection
    fake.wait_for_responses(before + 1, timeout=ACKED_WITHIN)


def open_form_by_socket(
    fake: SlackFake, sockets: SocketModeFake, intervention_id: int, user: str
) -> dict[str, Any]:
    """Press the lead's "report" button for April by the socket; the modal the bot opened."""
    value = json.dumps({"intervention_id": intervention_id, "period": APRIL.label})
    envelope = sockets.send_interactive(block_action("report_open", value=value, user_id=user))
    assert sockets.wait_for_ack(envelope, timeout=ACKED_WITHIN).payload is None
    fake.wait_for(lambda: bool(fake.views()), timeout=ACKED_WITHIN, message="the report form")
    return fake.views()[-1]


def test_a_command_by_socket_is_acked_and_answered(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with (
        SlackFake(bot_token=BOT_TOKEN) as fake,
        socket_serving(fake, database_url, tmp_path, web_processes=1) as (running, sockets),
    ):
        [connection] = sockets.open_links()
        envelope = sockets.send_slash_command(
            slash_command("hjälp", response_url=fake.new_response_url())
        )
        ack = sockets.wait_for_ack(envelope, timeout=ACKED_WITHIN)
        assert ack.connection == connection
        assert ack.payload is None  # acked at once; the answer goes to the response_url
        [response] = fake.wait_for_responses(1, timeout=ACKED_WITHIN)
        assert response["status"] == 200
        assert "/finsam" in json.dumps(response["body"], ensure_ascii=False)

        # An Events API delivery: acked, and the App Home it asks for is published.
        fake.add_user("U0SOCKET1", name="sockets")
        envelope = sockets.send_event(event_callback(app_home_opened("U0SOCKET1")))
        assert sockets.wait_for_ack(envelope, timeout=ACKED_WITHIN).payload is None
        fake.wait_for(
            lambda: fake.home_view("U0SOCKET1") is not None,
            timeout=ACKED_WITHIN,
            message="the App Home",
        )

        opened = fake.calls("apps.connections.open")
        assert opened and all(call.ok for call in opened)
        # Nothing but /healthz on $PORT: Slack's requests come by the socket.
        events = Request(f"http://127.0.0.1:{running.port}/slack/events", data=b"{}")
        with pytest.raises(HTTPError) as refused:
            urlopen(events, timeout=5)
        assert refused.value.code == 404
        sockets.assert_clean()
        fake.assert_clean()


def test_a_form_with_bad_figures_gets_its_errors_in_the_ack(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        [intervention] = add_fanout(engine, 1, fake=fake)
        with socket_serving(fake, database_url, tmp_path, web_processes=1) as (_, sockets):
            view = open_form_by_socket(fake, sockets, intervention, lead_id(0))
            bad = {**MONTHLY_OK, "to_work_women": "3", "to_studies_women": "2", "new_men": "-1"}
            envelope = sockets.send_interactive(
                view_submission(
                    view["callback_id"], values=state(bad), user_id=lead_id(0), view=view
                )
            )
            ack = sockets.wait_for_ack(envelope, timeout=ACKED_WITHIN)
            assert ack.payload is not None
            assert ack.payload["response_action"] == "errors"
            assert "new_men" in ack.payload["errors"]
            assert find_report(engine, intervention, APRIL.label) is None
            sockets.assert_clean()
        fake.assert_clean()


def test_a_disconnect_message_and_a_dropped_socket_are_followed_by_a_new_connection(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with (
        SlackFake(bot_token=BOT_TOKEN) as fake,
        socket_serving(fake, database_url, tmp_path, web_processes=1) as (running, sockets),
    ):
        [first] = sockets.open_links()
        answered(fake, sockets, first)

        # Slack refreshes the connection: a new one is opened, then the old one closed.
        sockets.disconnect(first, reason="refresh_requested")
        [second] = sockets.wait_for_connections(1, timeout=RECONNECTED_WITHIN, besides=[first])
        sockets.wait_for_close(first, timeout=RECONNECTED_WITHIN)
        answered(fake, sockets, second)

        # The connection is cut without a close frame: it is replaced at once.
        sockets.drop(second)
        [third] = sockets.wait_for_connections(
            1, timeout=RECONNECTED_WITHIN, besides=[first, second]
        )
        answered(fake, sockets, third)
        sockets.wait_for_close(second)
        assert sockets.open_links() == [third]

        # The connection goes silent (no pong comes back): the keepalive notices, within
        # PING_INTERVAL + PING_TIMEOUT + CLOSE_TIMEOUT (17 s), and replaces it.
        sockets.silence(third)
        [fourth] = sockets.wait_for_connections(
            1, timeout=SILENCE_NOTICED_WITHIN, besides=[first, second, third]
        )
        answered(fake, sockets, fourth)
        assert len(fake.calls("apps.connections.open")) == 4
        status, body = health(running)
        assert status == 200 and body["socket_mode"]["connected"] == 1
        sockets.assert_clean()
        fake.assert_clean()


def test_each_answering_process_has_its_own_connection_and_one_dropped_costs_nothing(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with (
        SlackFake(bot_token=BOT_TOKEN) as fake,
        socket_serving(fake, database_url, tmp_path, web_processes=2) as (running, sockets),
    ):
        status, body = health(running)
        assert status == 200
        assert body["database"] is True and body["migrated"] is True
        rows = body["socket_mode"]["connections"]
        assert [row["process"] for row in rows] == [1, 2]
        assert all(row["connected"] and row["since"] and row["in_flight"] == 0 for row in rows)
        pids = {row["pid"] for row in rows}
        assert running.process.pid in pids and len(pids) == 2  # serve and one child

        first, second = sockets.open_links()
        answered(fake, sockets, first)
        answered(fake, sockets, second)

        # One connection is cut: the other answers meanwhile, and the cut one comes back.
        sockets.drop(first)
        answered(fake, sockets, second)
        [back] = sockets.wait_for_connections(
            1, timeout=RECONNECTED_WITHIN, besides=[first, second]
        )
        answered(fake, sockets, back)
        eventually(
            lambda: health(running)[1]["socket_mode"]["connected"] == 2,
            RECONNECTED_WITHIN,
            "both connections up in /healthz",
        )
        assert {row["pid"] for row in health(running)[1]["socket_mode"]["connections"]} == pids

        # The child is killed: serve's connection answers meanwhile, /healthz shows the child
        # down, and the child started again brings its own connection.
        [child] = pids - {running.process.pid}
        before = set(sockets.open_links())
        os.kill(child, signal.SIGKILL)
        sockets.wait_for(lambda: len(sockets.open_links()) == 1, message="the child's end")
        [survivor] = sockets.open_links()
        answered(fake, sockets, survivor)
        eventually(
            lambda: health(running)[1]["socket_mode"]["connections"][1]["pid"] != child,
            RECONNECTED_WITHIN,
            "the killed child gone from /healthz",
        )
        [restarted] = sockets.wait_for_connections(1, timeout=START_TIMEOUT, besides=before)
        answered(fake, sockets, restarted)
        eventually(
            lambda: health(running)[1]["socket_mode"]["connected"] == 2,
            RECONNECTED_WITHIN,
            "the restarted child's connection in /healthz",
        )
        sockets.assert_clean()
        fake.assert_clean()


@contextmanager
def write_locked(database_url: str) -> Iterator[sqlite3.Connection]:
    """The SQLite database's write lock held (readers go on, writers wait) until released."""
    path = database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield connection
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.close()


def test_sigterm_with_a_form_in_flight_stores_it_and_acks_it_before_disconnecting(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        [intervention] = add_fanout(engine, 1, fake=fake)
        with socket_serving(fake, database_url, tmp_path, web_processes=1) as (running, sockets):
            [connection] = sockets.open_links()
            view = open_form_by_socket(fake, sockets, intervention, lead_id(0))
            with write_locked(database_url):
                # The form is taken and waits for the database when SIGTERM arrives.
                envelope = sockets.send_interactive(
                    view_submission(
                        view["callback_id"], values=state(MONTHLY_OK), user_id=lead_id(0), view=view
                    )
                )
                eventually(
                    lambda: health(running)[1]["socket_mode"]["connections"][0]["in_flight"] == 1,
                    ACKED_WITHIN,
                    "the form in flight",
                )
                running.process.send_signal(signal.SIGTERM)
                eventually(
                    lambda: health(running)[1]["socket_mode"]["connections"][0]["stopping"],
                    ACKED_WITHIN,
                    "serve to be stopping",
                )
                assert sockets.ack_for(envelope) is None
                assert sockets.link(connection).open
            ack = sockets.wait_for_ack(envelope, timeout=ACKED_WITHIN)
            assert ack.connection == connection
            assert ack.payload is not None and ack.payload["response_action"] == "update", ack
            closed = sockets.wait_for_close(connection, timeout=SIGTERM_WITHIN)
            assert closed.closed is not None and closed.closed >= ack.at
            assert running.process.wait(timeout=SIGTERM_WITHIN) == 0, running.output()
        stored = find_report(engine, intervention, APRIL.label)
        assert stored is not None
        assert "Traceback" not in running.output()
        sockets.assert_clean()


def serve_until_it_ends(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT + 30,
    )


@pytest.mark.parametrize(
    ("token", "error"),
    [("xapp-1-A0FINSAM-not-the-one", "invalid_auth"), (BOT_TOKEN, "not_allowed_token_type")],
)
def test_a_refused_app_token_ends_serve_with_78_and_one_line(
    database_url: str, tmp_path: Path, token: str, error: str
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        env = {**bot_env(fake, database_url), "PORT": str(free_port()), **socket_env(fake)}
        env["SLACK_APP_TOKEN"] = token
        ended = serve_until_it_ends(env, tmp_path)
        assert ended.returncode == 78, ended.stderr
        assert "Traceback" not in ended.stderr + ended.stdout
        [line] = ended.stderr.strip().splitlines()
        assert "SLACK_APP_TOKEN" in line and error in line
        assert token not in ended.stderr
        assert fake.calls("apps.connections.open")[-1].error == error
        assert not fake.socket_mode.links()


def test_slack_unreachable_at_start_ends_serve_with_75(database_url: str, tmp_path: Path) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        env = {**bot_env(fake, database_url), "PORT": str(free_port()), **socket_env(fake)}
    env["SLACK_API_URL"] = f"http://127.0.0.1:{free_port()}/api/"  # the fake is gone: refused
    ended = serve_until_it_ends(env, tmp_path)
    assert ended.returncode == 75, ended.stderr
    assert "Traceback" not in ended.stderr + ended.stdout
    # slack_sdk logs the failed request; the last line says what it means.
    assert "Slack" in ended.stderr.strip().splitlines()[-1]
