"""Tests of the test harness itself: the Slack fake (driven by the real slack_sdk clients) and
the driver (checked against slack_sdk's verifier and a real Bolt app).

If these fail, every end-to-end test built on the harness is suspect, so they pin down the
behaviour the e2e tests rely on: Slack's error codes, retries, lost answers, uploads, waiting.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from simulator.fake_slack import Call, SlackFake, validate_blocks
from simulator.slack_driver import (
    SlackDriver,
    app_home_opened,
    block_action,
    event_callback,
    sign,
    slash_command,
    text_input,
    view_submission,
)

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Budget* is fine"}}
BUTTON = {
    "type": "actions",
    "block_id": "choices",
    "elements": [
        {
            "type": "button",
            "action_id": "approve",
            "text": {"type": "plain_text", "text": "Approve"},
            "value": "42",
            "style": "primary",
        }
    ],
}
MODAL = {
    "type": "modal",
    "callback_id": "report",
    "title": {"type": "plain_text", "text": "Report"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "note",
            "label": {"type": "plain_text", "text": "Note"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
FAST_RETRY = FixedValueRetryIntervalCalculator(fixed_internal=0.01)


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    with SlackFake() as fake:
        fake.add_user("U_OFFICE", email="Office@Finsam.example", name="office")
        fake.add_user("U_OTHER", name="other")
        fake.add_channel("C1", name="general", members=("U_OFFICE",))
        yield fake


@pytest.fixture
def client(fake: SlackFake) -> WebClient:
    """No retry handlers: each test states the retries it means."""
    return WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])


def _error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])


# --------------------------------------------------------------------------- basics


def test_auth_test_answers_with_identity_and_scopes_header(
    fake: SlackFake, client: WebClient
) -> None:
    response = client.auth_test()

    assert response["user_id"] == "UBOTFINSAM"
    assert response["bot_id"] == "BFINSAM"
    assert response["team_id"] == "T0FINSAM"
    assert response["url"].startswith("https://")
    scopes = response.headers["x-oauth-scopes"].split(",")
    assert "chat:write" in scopes and "users:read.email" in scopes
    assert fake.api_url.endswith("/api/")


def test_token_is_checked_bearer_or_form_field(fake: SlackFake) -> None:
    wrong = WebClient(base_url=fake.api_url, token="xoxb-wrong", retry_handlers=[])
    missing = WebClient(base_url=fake.api_url, retry_handlers=[])
    assert _error_of(wrong.auth_test) == "invalid_auth"
    assert _error_of(missing.auth_test) == "not_authed"

    form = urlencode({"token": fake.bot_token}).encode()
    with urllib.request.urlopen(fake.api_url + "auth.test", data=form, timeout=5) as answer:
        assert json.loads(answer.read())["ok"] is True
    # Slack ignores a token inside a JSON body; it must come as a bearer header.
    request = urllib.request.Request(
        fake.api_url + "auth.test",
        data=json.dumps({"token": fake.bot_token}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert json.loads(answer.read())["error"] == "not_authed"


def test_the_token_is_never_recorded_in_calls(fake: SlackFake, client: WebClient) -> None:
    client.auth_test()
    form = urlencode({"token": fake.bot_token}).encode()
    urllib.request.urlopen(fake.api_url + "auth.test", data=form, timeout=5).close()

    recorded = repr(fake.calls()) + fake.describe()
    assert fake.bot_token not in recorded
    assert fake.calls()[0].headers["authorization"] == "Bearer <redacted>"
    assert fake.calls()[1].args["token"] == "<redacted>"


def test_missing_scope_is_reported_like_slack() -> None:
    with SlackFake(scopes=("chat:write",)) as fake:
        fake.add_user("U1", email="a@b.example")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
        with pytest.raises(SlackApiError) as caught:
            client.users_lookupByEmail(email="a@b.example")
        assert caught.value.response["error"] == "missing_scope"
        assert caught.value.response["needed"] == "users:read.email"


# --------------------------------------------------------------------------- messages


def test_post_with_valid_blocks_is_stored(fake: SlackFake, client: WebClient) -> None:
    response = client.chat_postMessage(
        channel="C1",
        text="Budget is fine",
        blocks=[SECTION, BUTTON],
        metadata={"event_type": "finsam_outbox", "event_payload": {"id": 7}},
    )

    assert response["ok"] and response["channel"] == "C1"
    [message] = fake.messages("C1")
    assert message["ts"] == response["ts"]
    assert message["blocks"] == [SECTION, BUTTON]
    assert message["metadata"] == {"event_type": "finsam_outbox", "event_payload": {"id": 7}}
    assert message["user"] == "UBOTFINSAM" and message["thread_ts"] is None
    post = fake.unique_post("C1")
    assert post.args["blocks"] == [SECTION, BUTTON]
    fake.assert_clean()


BROKEN_BLOCKS: list[tuple[str, list[Any], str]] = [
    ("empty text", [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "/0/text/text"),
    ("unknown block type", [{"type": "fancy"}], "/0/type"),
    ("unknown property", [{**SECTION, "colour": "red"}], "/0/colour"),
    ("string text", [{"type": "section", "text": "plain"}], "/0/text"),
    ("bad button style", [{**BUTTON, "elements": [{**BUTTON["elements"][0], "style": "x"}]}], "/0"),
    ("unknown element", [{"type": "actions", "elements": [{"type": "magic"}]}], "/0/elements/0"),
    ("mrkdwn header", [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], "/0/text"),
    ("duplicate block_id", [BUTTON, BUTTON], "/1/block_id"),
    ("not an object", ["section"], "/0"),
    ("51 blocks", [SECTION] * 51, "/blocks"),
]


@pytest.mark.parametrize(
    ("blocks", "pointer"), [case[1:] for case in BROKEN_BLOCKS], ids=[c[0] for c in BROKEN_BLOCKS]
)
def test_broken_blocks_are_refused_with_a_pointer(
    fake: SlackFake, client: WebClient, blocks: list[Any], pointer: str
) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)

    assert caught.value.response["error"] == "invalid_blocks"
    [hint] = caught.value.response["response_metadata"]["messages"][:1]
    assert f"[json-pointer:/blocks{pointer.removeprefix('/blocks')}" in hint
    assert fake.messages("C1") == []
    assert fake.errors == [("chat.postMessage", "invalid_blocks")]
    with pytest.raises(AssertionError, match="invalid_blocks"):
        fake.assert_clean()
    fake.assert_clean(allow_errors=("chat.postMessage:invalid_blocks",))


def test_validate_blocks_accepts_the_common_shapes() -> None:
    modal_blocks = MODAL["blocks"]
    assert isinstance(modal_blocks, list)
    assert validate_blocks([SECTION, BUTTON, {"type": "divider"}, *modal_blocks]) == []
    assert validate_blocks([SECTION] * 100, max_blocks=100) == []


def test_message_argument_errors_use_slack_codes(fake: SlackFake, client: WebClient) -> None:
    fake.add_channel("C_PUBLIC", name="public", bot_is_member=False)
    fake.add_channel("G_SECRET", name="secret", bot_is_member=False, is_private=True)
    post = client.chat_postMessage

    assert _error_of(lambda: post(channel="C_NOPE", text="x")) == "channel_not_found"
    assert _error_of(lambda: post(channel="C_PUBLIC", text="x")) == "not_in_channel"
    assert _error_of(lambda: post(channel="G_SECRET", text="x")) == "channel_not_found"
    with pytest.warns(UserWarning, match="text"):  # slack_sdk warns too
        assert _error_of(lambda: post(channel="C1", text="")) == "no_text"
    assert _error_of(lambda: post(channel="C1", text="x" * 40_001)) == "msg_too_long"
    bad_metadata = {"event_type": "", "event_payload": {}}
    assert _error_of(lambda: post(channel="C1", text="x", metadata=bad_metadata)) == (
        "invalid_metadata_schema"
    )
    form_metadata = {"channel": "C1", "text": "x", "metadata": "not json"}
    assert _error_of(lambda: client.api_call("chat.postMessage", params=form_metadata)) == (
        "invalid_metadata_format"
    )
    assert fake.messages("C1") == []
    assert [error for _, error in fake.errors] == [
        "channel_not_found",
        "not_in_channel",
        "channel_not_found",
        "no_text",
        "msg_too_long",
        "invalid_metadata_schema",
        "invalid_metadata_format",
    ]


def test_form_and_multipart_bodies_decode_json_fields(fake: SlackFake, client: WebClient) -> None:
    metadata = {"event_type": "finsam_outbox", "event_payload": {"n": 1}}
    form = {"channel": "C1", "text": "form", "blocks": json.dumps([SECTION])}
    client.api_call("chat.postMessage", params={**form, "metadata": json.dumps(metadata)})
    client.api_call(
        "chat.postMessage",
        data={"channel": "C1", "text": "multipart", "blocks": json.dumps([SECTION])},
        files={"attachment": b"\x00\x01binary"},
    )

    first, second = fake.messages("C1")
    assert first["blocks"] == [SECTION] and first["metadata"] == metadata
    assert second["text"] == "multipart" and second["blocks"] == [SECTION]
    assert fake.calls("chat.postMessage")[1].args["attachment"] == b"\x00\x01binary"
    assert fake.calls("chat.postMessage")[1].headers["content-type"].startswith("multipart/")


def test_update_delete_and_ephemeral(fake: SlackFake, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="draft", blocks=[SECTION])
    someone = fake.add_message("C1", "mine", user="U_OFFICE")

    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final")
    assert updated["message"]["blocks"] == [SECTION]  # blocks left out are kept, like Slack
    assert fake.messages("C1")[0]["text"] == "final"
    assert fake.messages("C1")[0]["edited"]["user"] == "UBOTFINSAM"
    assert _error_of(lambda: client.chat_update(channel="C1", ts="1.2", text="x")) == (
        "message_not_found"
    )
    assert _error_of(lambda: client.chat_update(channel="C1", ts=someone, text="x")) == (
        "cant_update_message"
    )

    ephemeral = client.chat_postEphemeral(channel="C1", user="U_OFFICE", text="only you")
    assert fake.ephemerals("C1", user="U_OFFICE")[0]["ts"] == ephemeral["message_ts"]
    assert _error_of(lambda: client.chat_postEphemeral(channel="C1", user="U_OTHER", text="x")) == (
        "user_not_in_channel"
    )
    assert [m["text"] for m in fake.messages("C1")] == ["final", "mine"]  # ephemerals not here

    client.chat_delete(channel="C1", ts=posted["ts"])
    assert [m["text"] for m in fake.messages("C1")] == ["mine"]


def test_ts_values_increase_strictly(fake: SlackFake, client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(12)]

    as_pairs = [tuple(int(part) for part in ts.split(".")) for ts in stamps]
    assert as_pairs == sorted(as_pairs) and len(set(stamps)) == len(stamps)
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


# --------------------------------------------------------------------------- reading


def test_history_is_newest_first_with_metadata_only_on_request(
    fake: SlackFake, client: WebClient
) -> None:
    metadata = {"event_type": "finsam_outbox", "event_payload": {"id": 1}}
    stamps = [
        client.chat_postMessage(channel="C1", text=f"m{i}", metadata=metadata)["ts"]
        for i in range(3)
    ]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=stamps[0])

    plain = client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["m2", "m1", "m0"]  # replies stay in threads
    assert all("metadata" not in m for m in plain["messages"])
    assert plain["messages"][2]["reply_count"] == 1

    full = client.conversations_history(channel="C1", include_all_metadata=True, limit=2)
    assert [m["metadata"] for m in full["messages"]] == [metadata, metadata]
    assert full["has_more"] is True
    rest = client.conversations_history(
        channel="C1", include_all_metadata=True, cursor=full["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["m0"] and rest["has_more"] is False

    window = client.conversations_history(channel="C1", oldest=stamps[0], latest=stamps[2])
    assert [m["text"] for m in window["messages"]] == ["m1"]
    thread = client.conversations_replies(channel="C1", ts=stamps[0])
    assert [m["text"] for m in thread["messages"]] == ["m0", "reply"]


def test_users_info_and_lookup_by_email(fake: SlackFake, client: WebClient) -> None:
    user = client.users_info(user="U_OFFICE")["user"]
    assert user["id"] == "U_OFFICE" and user["tz"] == "Europe/Stockholm"
    assert user["profile"]["email"] == "Office@Finsam.example"
    assert isinstance(user["tz_offset"], int)

    found = client.users_lookupByEmail(email="office@finsam.example")  # case-insensitive
    assert found["user"]["id"] == "U_OFFICE"
    assert _error_of(lambda: client.users_lookupByEmail(email="nobody@x.example")) == (
        "users_not_found"
    )
    assert _error_of(lambda: client.users_info(user="U_NOPE")) == "user_not_found"


def test_conversations_open_gives_a_stable_dm(fake: SlackFake, client: WebClient) -> None:
    first = client.conversations_open(users="U_OFFICE")["channel"]["id"]
    again = client.conversations_open(users="U_OFFICE")

    assert first == again["channel"]["id"] == fake.dm_channel("U_OFFICE") == "DU_OFFICE"
    assert again["already_open"] is True
    info = client.conversations_info(channel=first)["channel"]
    assert info["is_im"] is True and info["user"] == "U_OFFICE"
    client.chat_postMessage(channel="U_OFFICE", text="to the user id")  # Slack routes to the DM
    assert fake.messages(first)[0]["text"] == "to the user id"
    general = client.conversations_info(channel="C1")["channel"]
    assert general["name"] == "general" and general["is_channel"] and general["is_member"]
    assert _error_of(lambda: client.conversations_open(users="U_NOPE")) == "user_not_found"


# --------------------------------------------------------------------------- views


def test_views_open_update_and_publish(fake: SlackFake, client: WebClient) -> None:
    opened = client.views_open(trigger_id="123.456.abc", view=MODAL)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "report"
    assert fake.view(opened["id"])["blocks"] == MODAL["blocks"]
    assert _error_of(lambda: client.views_open(trigger_id="123.456.abc", view=MODAL)) == (
        "exchanged_trigger_id"
    )

    changed = {**MODAL, "title": {"type": "plain_text", "text": "Report (2)"}}
    updated = client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])
    assert updated["view"]["title"]["text"] == "Report (2)"

    def stale() -> Any:
        return client.views_update(view_id=opened["id"], view=changed, hash=opened["hash"])

    assert _error_of(stale) == "hash_conflict"

    home = {"type": "home", "blocks": [SECTION]}
    client.views_publish(user_id="U_OFFICE", view=home)
    home_view = fake.home_view("U_OFFICE")
    assert home_view is not None and home_view["blocks"] == [SECTION]


def test_broken_views_are_invalid_arguments(fake: SlackFake, client: WebClient) -> None:
    no_submit = {key: value for key, value in MODAL.items() if key != "submit"}
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
    bad_block = {**MODAL, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]}

    for number, view in enumerate([no_submit, long_title, bad_block]):
        with pytest.raises(SlackApiError) as caught:
            client.views_open(trigger_id=f"t{number}", view=view)
        assert caught.value.response["error"] == "invalid_arguments"
        assert "json-pointer:/view" in caught.value.response["response_metadata"]["messages"][0]
    assert fake.views() == []


# --------------------------------------------------------------------------- failures


def test_rate_limited_call_is_retried_after_retry_after(fake: SlackFake) -> None:
    client = WebClient(
        base_url=fake.api_url,
        token=fake.bot_token,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.rate_limit_next("chat.postMessage", retry_after=1)

    client.chat_postMessage(channel="C1", text="after the wait")

    limited, accepted = fake.calls("chat.postMessage")
    assert (limited.status, limited.error, limited.injected) == (429, "ratelimited", "ratelimited")
    assert accepted.ok
    assert accepted.at - limited.at >= 1.0  # slack_sdk honoured Retry-After
    assert len(fake.messages("C1")) == 1
    fake.assert_clean()  # scripted failures are not argument errors


def test_server_error_is_retried(fake: SlackFake) -> None:
    client = WebClient(
        base_url=fake.api_url,
        token=fake.bot_token,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FAST_RETRY)],
    )
    fake.fail_next("chat.postMessage", status=503)

    client.chat_postMessage(channel="C1", text="second time lucky")

    assert [c.status for c in fake.calls("chat.postMessage")] == [503, 200]
    assert [m["text"] for m in fake.messages("C1")] == ["second time lucky"]


def test_error_next_scripts_any_slack_error(fake: SlackFake, client: WebClient) -> None:
    fake.error_next("chat.postMessage", "is_archived")

    assert _error_of(lambda: client.chat_postMessage(channel="C1", text="x")) == "is_archived"
    client.chat_postMessage(channel="C1", text="x")  # consumed: the next call works
    assert len(fake.messages("C1")) == 1


def test_drop_after_accept_stores_the_message_but_loses_the_answer(
    fake: SlackFake, client: WebClient
) -> None:
    fake.drop_after_accept_next("chat.postMessage")

    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        client.chat_postMessage(channel="C1", text="did it arrive?")

    assert [m["text"] for m in fake.messages("C1")] == ["did it arrive?"]
    [call] = fake.calls("chat.postMessage")
    assert call.ok and call.injected == "dropped"
    fake.assert_clean()


def test_connection_retry_after_a_drop_posts_twice(fake: SlackFake) -> None:
    """Why the bot leaves out slack_sdk's default connection-error retry for posts."""
    client = WebClient(
        base_url=fake.api_url,
        token=fake.bot_token,
        retry_handlers=[ConnectionErrorRetryHandler(interval_calculator=FAST_RETRY)],
    )
    fake.drop_after_accept_next("chat.postMessage")

    client.chat_postMessage(channel="C1", text="once")

    assert [m["text"] for m in fake.messages("C1")] == ["once", "once"]


def test_timeout_next_makes_the_client_give_up(fake: SlackFake) -> None:
    impatient = WebClient(
        base_url=fake.api_url,
        token=fake.bot_token,
        timeout=0.3,  # type: ignore[arg-type]  # urllib takes float seconds
        retry_handlers=[],
    )
    fake.timeout_next("chat.postMessage", delay=3.0)
    fake.timeout_next("chat.postMessage", delay=3.0, perform=True)

    with pytest.raises((TimeoutError, urllib.error.URLError)):
        impatient.chat_postMessage(channel="C1", text="lost")
    assert fake.messages("C1") == []  # nothing stored
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        impatient.chat_postMessage(channel="C1", text="slow but done")
    assert [m["text"] for m in fake.messages("C1")] == ["slow but done"]
    assert [c.injected for c in fake.calls("chat.postMessage")] == ["timeout", "timeout"]


def test_enforced_rate_limit_is_a_token_bucket_per_channel() -> None:
    now = [100.0]
    with SlackFake(clock=lambda: now[0]) as fake:
        fake.add_channel("C1", name="one")
        fake.add_channel("C2", name="two")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
        fake.enforce_rate_limit("chat.postMessage", per_channel_per_second=0.5, burst=2)

        client.chat_postMessage(channel="C1", text="1")
        client.chat_postMessage(channel="C1", text="2")
        with pytest.raises(SlackApiError) as caught:
            client.chat_postMessage(channel="C1", text="3")
        assert caught.value.response.status_code == 429
        assert caught.value.response.headers["Retry-After"] == "2"
        client.chat_postMessage(channel="C2", text="other channel")
        now[0] += 2.0
        client.chat_postMessage(channel="C1", text="3 again")

        assert [m["text"] for m in fake.messages("C1")] == ["1", "2", "3 again"]
        assert [c.injected for c in fake.calls() if c.status == 429] == ["rate_limit_enforced"]


# --------------------------------------------------------------------------- files


def test_files_upload_v2_round_trip_keeps_the_bytes(fake: SlackFake, client: WebClient) -> None:
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\r\n--not-a-boundary--\r\n"

    response = client.files_upload_v2(
        channel="C1", content=content, filename="chart.png", title="x", initial_comment="hi"
    )

    [stored] = fake.files()
    assert stored["content"] == content
    assert (stored["filename"], stored["title"], stored["channel"]) == ("chart.png", "x", "C1")
    assert stored["initial_comment"] == "hi"
    assert response["file"]["id"] == stored["id"]
    [message] = fake.messages("C1")
    assert message["text"] == "hi" and message["files"][0]["id"] == stored["id"]
    assert [c.method for c in fake.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    fake.assert_clean()


def test_a_failed_upload_shares_nothing(fake: SlackFake, client: WebClient) -> None:
    fake.fail_next("upload", status=500)

    with pytest.raises(Exception, match="500"):
        client.files_upload_v2(channel="C1", content=b"png", filename="chart.png")

    assert fake.files() == [] and fake.messages("C1") == []
    assert [c.method for c in fake.calls()] == ["files.getUploadURLExternal", "upload"]


def test_upload_into_a_thread(fake: SlackFake, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="report")["ts"]

    client.files_upload_v2(channel="C1", content="a,b\n1,2\n", filename="r.csv", thread_ts=parent)

    assert fake.files()[0]["thread_ts"] == parent
    assert fake.messages("C1")[1]["thread_ts"] == parent


# --------------------------------------------------------------------------- response_url


def test_response_url_posts_are_recorded_and_checked(fake: SlackFake) -> None:
    url = fake.new_response_url()

    ok = WebhookClient(url).send(text="done", blocks=[SECTION], response_type="ephemeral")
    bad = WebhookClient(url).send(blocks=[{"type": "section", "text": {"type": "mrkdwn"}}])
    gone = WebhookClient(url.rsplit("/", 1)[0] + "/nope").send(text="x")

    assert ok.status_code == 200
    assert bad.status_code == 400 and "invalid_blocks" in bad.body
    assert gone.status_code == 404
    [first, second, third] = fake.wait_for_responses(3)
    # `at`: the fake's clock when it took each post, in order (bench_ack times answers by it)
    assert first["at"] <= second["at"] <= third["at"]
    assert {k: v for k, v in first.items() if k != "at"} == {
        "url": url,
        "body": {"text": "done", "blocks": [SECTION], "response_type": "ephemeral"},
        "status": 200,
    }
    assert (second["status"], third["status"]) == (400, 404)
    assert ("response_url", "invalid_blocks") in fake.errors


# --------------------------------------------------------------------------- records, waiting


def test_assert_clean_catches_an_unexpected_method(fake: SlackFake, client: WebClient) -> None:
    assert _error_of(lambda: client.api_call("chat.scheduleMessage", json={"channel": "C1"})) == (
        "unknown_method"
    )

    assert [c.method for c in fake.unexpected] == ["chat.scheduleMessage"]
    with pytest.raises(AssertionError, match=r"unexpected: chat\.scheduleMessage"):
        fake.assert_clean()


def test_unique_post_insists_on_exactly_one(fake: SlackFake, client: WebClient) -> None:
    with pytest.raises(AssertionError, match="got 0"):
        fake.unique_post()
    client.chat_postMessage(channel="C1", text="one")
    assert isinstance(fake.unique_post("C1"), Call)
    assert fake.unique_post("#general").response["channel"] == "C1"
    client.chat_postMessage(channel="C1", text="two")
    with pytest.raises(AssertionError, match="got 2"):
        fake.unique_post("C1")
    fake.reset_calls()
    assert fake.calls() == [] and len(fake.messages("C1")) == 2  # state survives a reset


def test_wait_for_wakes_on_calls_and_explains_timeouts(fake: SlackFake, client: WebClient) -> None:
    poster = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later"))
    poster.start()
    try:
        [call] = fake.wait_for_calls("chat.postMessage", timeout=5)
    finally:
        poster.join()
    assert call.ok
    assert fake.wait_for_messages("C1")[0]["text"] == "later"

    with pytest.raises(AssertionError, match=r"2 call\(s\) to chat.postMessage(.|\n)*200 ok"):
        fake.wait_for_calls("chat.postMessage", count=2, timeout=0.05)


# --------------------------------------------------------------------------- driver


def test_signature_matches_slack_sdk_verifier() -> None:
    body = urlencode(slash_command("budget", response_url="http://127.0.0.1:9/x")).encode()
    now = int(time.time())
    verifier = SignatureVerifier("s3cret")

    assert verifier.is_valid(body, now, sign("s3cret", body, now))
    assert not verifier.is_valid(body, now, sign("other", body, now))
    assert not verifier.is_valid(body, now - 600, sign("s3cret", body, now - 600))
    assert sign("s3cret", b"", 1) == sign("s3cret", b"", "1")


def test_payload_factories_have_slack_shapes() -> None:
    command = slash_command("status", user_id="U9")
    assert set(command) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert all(isinstance(value, str) for value in command.values())
    assert slash_command()["trigger_id"] != slash_command()["trigger_id"]

    action = block_action("approve", value="42", channel_id="C1")
    assert action["actions"][0]["value"] == "42" and action["container"]["type"] == "message"
    in_view = block_action("pick", view={"id": "V1", "callback_id": "report"})
    assert in_view["container"] == {"type": "view", "view_id": "V1"}
    assert "response_url" not in in_view

    submitted = view_submission("report", values={"note": {"value": text_input("hej")}})
    assert submitted["view"]["state"]["values"]["note"]["value"]["value"] == "hej"
    envelope = event_callback(app_home_opened("U9"))
    assert envelope["type"] == "event_callback" and envelope["event"]["user"] == "U9"
    assert envelope["event_id"].startswith("Ev")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def bolt_app(fake: SlackFake) -> Iterator[tuple[SlackDriver, dict[str, Any]]]:
    """A real Bolt app served over HTTP, its Web API client pointed at the fake."""
    seen: dict[str, Any] = {}
    app = App(
        signing_secret="s3cret",
        client=WebClient(base_url=fake.api_url, token=fake.bot_token),
    )

    @app.command("/finsam")
    def finsam(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        ack()
        respond(text=f"you said {command['text']}")

    @app.action("approve")
    def approve(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
        ack()
        respond(replace_original=True, text=f"approved {body['actions'][0]['value']}")

    @app.view("report")
    def report(ack: Ack, view: dict[str, Any]) -> None:
        note = view["state"]["values"]["note"]["value"]["value"]
        ack(response_action="errors", errors={"note": f"no: {note}"})

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        seen["retry_num"] = request.headers.get("x-slack-retry-num", [None])[0]
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [SECTION]})

    slack = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return slack(environ, start_response)

    server: WSGIServer = make_server("127.0.0.1", 0, wsgi, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        yield SlackDriver(base, "s3cret", response_url_factory=fake.new_response_url), seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_driver_speaks_to_a_real_bolt_app(
    fake: SlackFake, bolt_app: tuple[SlackDriver, dict[str, Any]]
) -> None:
    driver, seen = bolt_app

    assert driver.command("budget").status == 200
    assert fake.wait_for_responses()[0]["body"]["text"] == "you said budget"

    message = {"ts": "1700000001.000100", "channel": "C1", "text": "", "blocks": [BUTTON]}
    assert driver.action(block_action("approve", value="42", message=message)).status == 200
    assert fake.wait_for_responses(2)[1]["body"]["text"] == "approved 42"

    submitted = driver.submit(
        view_submission("report", values={"note": {"value": text_input("hej")}})
    )
    assert submitted.status == 200
    assert submitted.json() == {"response_action": "errors", "errors": {"note": "no: hej"}}

    redelivered = driver.event(event_callback(app_home_opened("U_OFFICE")), retry_num=1)
    assert redelivered.status == 200
    fake.wait_for_calls("views.publish")
    assert seen["retry_num"] == "1"
    assert driver.get("/healthz").text == "ok"
    fake.assert_clean()


def test_driver_can_forge_bad_requests(
    fake: SlackFake, bolt_app: tuple[SlackDriver, dict[str, Any]]
) -> None:
    driver, _ = bolt_app

    assert driver.command("x", signature="v0=" + "0" * 64).status == 401
    assert driver.command("x", signature="").status == 401
    assert driver.command("x", timestamp=int(time.time()) - 600).status == 401
    assert driver.send(b"payload=%7B%7D", content_type="x", unsigned=True).status == 401
    assert driver.command("x", timestamp="not-a-number").status >= 400
    assert fake.responses() == []  # no listener ran
