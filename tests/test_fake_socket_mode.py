"""The Slack fake's Socket Mode side, on its own: apps.connections.open takes the app token
only (with Slack's error codes for the wrong one), a URL is good for one connection, the
server says hello, records acks with their payloads and what Slack would not expect, and
can ask for a reconnect or cut a connection. tests/test_socket_mode.py drives the bot with
it; these tests keep the fake honest."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from simulator.fake_slack import SlackFake
from simulator.slack_driver import slash_command


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    with SlackFake() as running:
        yield running


def open_url(fake: SlackFake, token: str) -> str:
    client = WebClient(base_url=fake.api_url, retry_handlers=[])
    return str(client.apps_connections_open(app_token=token)["url"])


def refusal(fake: SlackFake, token: str) -> str:
    with pytest.raises(SlackApiError) as refused:
        open_url(fake, token)
    return str(refused.value.response["error"])


def test_apps_connections_open_takes_the_app_token_only(fake: SlackFake) -> None:
    assert open_url(fake, fake.app_token).startswith("ws://127.0.0.1:")
    assert refusal(fake, "xapp-1-A0FINSAM-someone-elses") == "invalid_auth"
    assert refusal(fake, fake.bot_token) == "not_allowed_token_type"
    # …and the bot's methods refuse the app token.
    with pytest.raises(SlackApiError) as refused:
        WebClient(base_url=fake.api_url, token=fake.app_token, retry_handlers=[]).auth_test()
    assert refused.value.response["error"] == "not_allowed_token_type"
    assert [call.ok for call in fake.calls("apps.connections.open")] == [True, False, False]
    assert all(
        fake.app_token not in json.dumps(call.args) + json.dumps(call.headers)
        for call in fake.calls()
    )


def hello(websocket: ClientConnection) -> dict[str, object]:
    message = json.loads(websocket.recv(timeout=5))
    assert message["type"] == "hello", message
    return dict(message)


def test_a_url_is_good_for_one_connection_which_gets_hello(fake: SlackFake) -> None:
    url = open_url(fake, fake.app_token)
    with connect(url) as websocket:
        assert hello(websocket)["connection_info"] == {"app_id": fake.app_id}
        with pytest.raises(InvalidStatus) as refused:
            connect(url)
        assert refused.value.response.status_code == 401
    assert fake.socket_mode.refused_handshakes == 1


def test_envelopes_go_out_and_acks_are_recorded_with_their_payload(fake: SlackFake) -> None:
    sockets = fake.socket_mode
    with connect(open_url(fake, fake.app_token)) as websocket:
        hello(websocket)
        [link] = sockets.wait_for_connections(1)
        envelope_id = sockets.send_slash_command(slash_command("hjälp"))
        envelope = json.loads(websocket.recv(timeout=5))
        assert envelope["envelope_id"] == envelope_id
        assert envelope["type"] == "slash_commands"
        assert envelope["accepts_response_payload"] is True
        assert envelope["payload"]["command"] == "/finsam"
        websocket.send(json.dumps({"envelope_id": envelope_id, "payload": {"text": "hej"}}))
        ack = sockets.wait_for_ack(envelope_id)
        assert (ack.payload, ack.connection) == ({"text": "hej"}, link)
        sockets.assert_clean()

        websocket.send(json.dumps({"envelope_id": envelope_id}))  # a second ack
        websocket.send("not json")
        sockets.wait_for(lambda: len(sockets.problems) == 2)
    with pytest.raises(AssertionError, match="acked twice"):
        sockets.assert_clean()


def test_a_disconnect_message_then_a_close_and_a_drop_without_one(fake: SlackFake) -> None:
    sockets = fake.socket_mode
    with connect(open_url(fake, fake.app_token)) as websocket:
        hello(websocket)
        [link] = sockets.wait_for_connections(1)
        sockets.disconnect(link, reason="warning", close_after=0.2)
        message = json.loads(websocket.recv(timeout=5))
        assert (message["type"], message["reason"]) == ("disconnect", "warning")
        with pytest.raises(ConnectionClosed):
            websocket.recv(timeout=5)
        assert sockets.wait_for_close(link).close_code == 1001
    with connect(open_url(fake, fake.app_token)) as websocket:
        hello(websocket)
        [link] = sockets.wait_for_connections(1, besides=[link])
        sockets.drop(link)
        with pytest.raises(ConnectionClosed) as ended:
            websocket.recv(timeout=5)
        assert ended.value.rcvd is None  # no close frame came
        assert sockets.wait_for_close(link).dropped


def test_a_silenced_connection_answers_no_ping(fake: SlackFake) -> None:
    sockets = fake.socket_mode
    with connect(open_url(fake, fake.app_token), ping_interval=None, close_timeout=1) as websocket:
        hello(websocket)
        [link] = sockets.wait_for_connections(1)
        assert websocket.ping().wait(5)
        sockets.silence(link)
        assert not websocket.ping().wait(0.5)
        assert sockets.open_links() == [link]  # still open: only a keepalive can tell
        assert sockets.wait_for_connections(0) == []
