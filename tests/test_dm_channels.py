"""DMs posted to by user id; their channel ids kept for the calls that need them.

chat.postMessage takes a user id as `channel`, opens the app's DM with that user (the App Home's
Messages tab) when needed and answers with the DM's channel id (D...). So a first fan-out to
people the bot never wrote to makes no conversations.open call: a Tier 3 method, about 50 calls
a minute per app and workspace, which would hold 2 000 first reminders for some 40 minutes.
conversations.history and chat.update need the D id: the sender keeps what the posts' answers
told in the store, where a restarted or second bot process finds it too. conversations.open is
left for a DM no answer told (a post whose answer was lost); its answer is kept as well, and a
429 from it is waited out by the client and costs no reminder."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.composition import compose
from bot.jobs import BotJobs
from bot.slack_client import make_client
from simulator.fake_slack import SlackFake
from store import dm_channels
from store.db import session_scope
from store.models import OutboxStatus, SlackDmChannel
from tests.fanout import (
    APRIL,
    FANOUT_AT,
    add_fanout,
    expected_keys,
    lead_id,
    posted_keys,
    stage_at,
)
from tests.harness import BOT_TOKEN
from tests.harness import test_settings as bot_settings
from workflows.clock import FixedClock
from workflows.dm_channels import known_dm_channel, remember_dm_channel
from workflows.outbox import DispatchReport, backoff, messages

OPEN = "conversations.open"
LEADS = 4
FANOUT = 40


def stored_rows(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(SlackDmChannel)).one()


# --------------------------------------------------------------------------- the store


def test_a_users_dm_channel_is_stored_once(engine: Engine) -> None:
    assert known_dm_channel(engine, "U1") is None
    remember_dm_channel(engine, "U1", "D1", now=FANOUT_AT)
    remember_dm_channel(engine, "U1", "D_OTHER", now=FANOUT_AT)  # a no-op: the first stays
    remember_dm_channel(engine, "U2", "D2", now=FANOUT_AT)
    assert known_dm_channel(engine, "U1") == "D1"
    assert known_dm_channel(engine, "U2") == "D2"
    assert stored_rows(engine) == 2


def test_remembering_is_part_of_the_callers_transaction(engine: Engine) -> None:
    """insert_if_absent, not a savepoint: on SQLite a released savepoint outside a
    transaction would commit, and the rollback below would leave the row behind."""
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        assert dm_channels.remember_dm_channel(session, "U1", "D1", now=FANOUT_AT)
        assert not dm_channels.remember_dm_channel(session, "U1", "D1", now=FANOUT_AT)
        raise RuntimeError("the caller's work failed")
    assert known_dm_channel(engine, "U1") is None
    assert stored_rows(engine) == 0


# --------------------------------------------------------------------------- the fake


def test_a_method_limit_is_one_bucket_for_every_call_of_the_method() -> None:
    now = [100.0]
    with SlackFake(clock=lambda: now[0]) as fake:
        for user in ("U1", "U2", "U3"):
            fake.add_user(user)
        client = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
        fake.enforce_method_rate_limit(OPEN, per_minute=30, burst=2)

        client.conversations_open(users="U1")
        client.conversations_open(users="U2")
        with pytest.raises(SlackApiError) as caught:
            client.conversations_open(users="U3")  # another user, the same bucket
        assert caught.value.response.status_code == 429
        assert caught.value.response.headers["Retry-After"] == "2"  # 30 a minute
        now[0] += 2.0
        assert client.conversations_open(users="U3")["channel"]["id"] == fake.dm_channel("U3")

        statuses = [(c.status, c.injected) for c in fake.calls(OPEN)]
        assert statuses == [(200, None), (200, None), (429, "rate_limit_enforced"), (200, None)]
        fake.assert_clean()


def test_a_method_limit_and_a_channel_limit_both_hold() -> None:
    """chat.postMessage's shape in Slack: 1 a second per channel and a workspace limit. A
    post refused by one bucket takes no token from the other."""
    now = [100.0]
    with SlackFake(clock=lambda: now[0]) as fake:
        for channel in ("C1", "C2", "C3"):
            fake.add_channel(channel, name=channel.lower())
        client = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
        fake.enforce_rate_limit("chat.postMessage", per_channel_per_second=1.0, burst=1)
        fake.enforce_method_rate_limit("chat.postMessage", per_minute=60, burst=2)

        def post(channel: str) -> int:
            try:
                client.chat_postMessage(channel=channel, text="x")
            except SlackApiError as err:
                return int(err.response.status_code)
            return 200

        assert [post("C1"), post("C1"), post("C2"), post("C3")] == [200, 429, 200, 429]
        now[0] += 1.0
        assert [post("C3"), post("C1")] == [200, 429]  # one token back in the method's bucket
        fake.clear_failures()
        assert post("C1") == 200


def test_a_post_to_a_user_id_lands_in_the_dm_conversations_open_gives() -> None:
    """As in Slack: the post's answer names the DM (D...), its history shows the post,
    chat.update wants the D id (a user id is channel_not_found), and the post counts against
    the DM's per-channel limit whichever id it was sent to."""
    with SlackFake() as fake:
        fake.add_user("U1")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
        metadata = {"event_type": "finsam_outbox", "event_payload": {"key": "k1"}}

        posted = client.chat_postMessage(channel="U1", text="first", metadata=metadata)
        dm = posted["channel"]
        assert dm == fake.dm_channel("U1") and dm.startswith("D")
        assert client.conversations_open(users="U1")["channel"]["id"] == dm
        history = client.conversations_history(channel=dm, include_all_metadata=True)
        assert [(m["ts"], m["metadata"]) for m in history["messages"]] == [(posted["ts"], metadata)]

        with pytest.raises(SlackApiError) as caught:
            client.chat_update(channel="U1", ts=posted["ts"], text="done")
        assert caught.value.response["error"] == "channel_not_found"
        client.chat_update(channel=dm, ts=posted["ts"], text="done")
        assert [m["text"] for m in fake.messages(dm)] == ["done"]

        fake.enforce_rate_limit("chat.postMessage", per_channel_per_second=1.0, burst=1)
        client.chat_postMessage(channel="U1", text="second")
        with pytest.raises(SlackApiError) as limited:
            client.chat_postMessage(channel=dm, text="third")  # the same DM, the same bucket
        assert limited.value.response.status_code == 429
        fake.assert_clean(allow_errors=["chat.update:channel_not_found"])


# --------------------------------------------------------------------------- the sender


def dispatcher(
    fake: SlackFake, engine: Engine, database_url: str, at: datetime, *, timeout: int = 5
) -> BotJobs:
    """A bot process's dispatcher: its own client and a fresh SlackSender (nothing cached in
    memory), on a fixed clock (unpaced)."""
    cfg = bot_settings(api_url=fake.api_url, database_url=database_url)
    clock = FixedClock(at)
    client = make_client(token=BOT_TOKEN, base_url=fake.api_url, timeout=timeout)
    return compose(cfg, engine=engine, clock=clock, answering=False, client=client).jobs


def assert_all_sent(report: DispatchReport, engine: Engine, count: int = LEADS) -> None:
    assert len(report.sent) == count
    assert report.retried == report.failed == report.lost == []
    assert {row.status for row in messages(engine)} == {OutboxStatus.sent}


def test_a_fan_out_to_new_users_opens_no_dm_and_a_second_process_none_either(
    engine: Engine, database_url: str
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, FANOUT, fake=fake)
        first = dispatcher(fake, engine, database_url, FANOUT_AT).run_reminders()
        assert_all_sent(first, engine, FANOUT)
        assert fake.calls(OPEN) == []
        posts = fake.calls("chat.postMessage")
        assert sorted(c.args["channel"] for c in posts) == [lead_id(n) for n in range(FANOUT)]
        assert {c.response["channel"] for c in posts} == {
            fake.dm_channel(lead_id(n)) for n in range(FANOUT)
        }
        for number in range(FANOUT):  # what the answers told, for history and updates
            assert known_dm_channel(engine, lead_id(number)) == fake.dm_channel(lead_id(number))
        assert stored_rows(engine) == FANOUT
        assert posted_keys(fake, FANOUT) == Counter(dict.fromkeys(expected_keys(ids), 1))

        # Another process, two working days later: the next stage, to the DMs' ids it finds.
        fake.reset_calls()
        late = dispatcher(fake, engine, database_url, stage_at(APRIL, "late_2")).run_reminders()
        assert_all_sent(late, engine, FANOUT)
        assert fake.calls(OPEN) == []
        assert sorted(c.args["channel"] for c in fake.calls("chat.postMessage")) == [
            fake.dm_channel(lead_id(n)) for n in range(FANOUT)
        ]
        rows = {row.key: row for row in messages(engine)}
        for number in range(FANOUT):  # one DM a day, each naming the report at its stage
            stages = Counter(
                item["stage"]
                for m in fake.messages(fake.dm_channel(lead_id(number)))
                for item in json.loads(rows[m["metadata"]["event_payload"]["key"]].payload)["data"][
                    "items"
                ]
            )
            assert stages == Counter({"due": 1, "late_2": 1})
        assert stored_rows(engine) == FANOUT
        fake.assert_clean()


def test_a_lost_answer_to_a_new_user_is_found_by_opening_the_dm_not_sent_again(
    engine: Engine, database_url: str
) -> None:
    """The rare path: Slack took two first posts but their answers never came, so nothing
    told those DMs' ids. The next attempt opens each DM, finds the post by the key in its
    metadata and sends nothing again; a 429 on the second open releases that row until its
    Retry-After, still in doubt, so its attempt after that opens and looks again."""
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        ids = add_fanout(engine, LEADS, fake=fake)
        fake.enforce_method_rate_limit(OPEN, per_minute=60, burst=1)
        fake.timeout_next("chat.postMessage", delay=2.0, count=2, perform=True)
        first = dispatcher(fake, engine, database_url, FANOUT_AT, timeout=1).run_reminders()
        lost = sorted(first.retried)
        assert len(lost) == 2 and len(first.sent) == LEADS - 2
        assert fake.calls(OPEN) == []
        lost_users = sorted(c.args["channel"] for c in fake.calls("chat.postMessage")[:2])
        for user in lost_users:
            assert known_dm_channel(engine, user) is None  # the answer with its id was lost
        assert stored_rows(engine) == LEADS - 2

        again = dispatcher(fake, engine, database_url, FANOUT_AT + backoff(1)).run_outbox()
        assert len(again.sent) == len(again.retried) == 1 and again.failed == []
        assert again.next_due_in is not None and again.next_due_in <= timedelta(seconds=60)
        later = FANOUT_AT + backoff(1) + again.next_due_in
        time.sleep(again.next_due_in.total_seconds())  # the fake's limit runs in real time
        last = dispatcher(fake, engine, database_url, later).run_outbox()
        assert last.sent == again.retried and sorted(again.sent + last.sent) == lost
        opens = fake.calls(OPEN)
        assert sorted(c.args["users"] for c in opens if c.ok) == lost_users
        assert [c.status for c in opens] == [200, 429, 200]
        assert len(fake.calls("conversations.history")) == 2
        assert len(fake.calls("chat.postMessage")) == LEADS  # found, not sent again
        assert posted_keys(fake, LEADS) == Counter(dict.fromkeys(expected_keys(ids), 1))
        for row in messages(engine):
            [stored] = fake.messages(fake.dm_channel(row.channel))
            assert row.status is OutboxStatus.sent and row.message_ts == stored["ts"]
        for number in range(LEADS):
            assert known_dm_channel(engine, lead_id(number)) == fake.dm_channel(lead_id(number))
        fake.assert_clean()
