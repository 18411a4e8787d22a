"""DM channels opened once per user, not once per user and process.

conversations.open is a Tier 3 method (about 50 calls a minute per app and workspace), so the
sender keeps what it gave in the store: a restarted or second bot process finds a user's DM
there instead of opening it again. The fake can enforce such a per-method limit; a 429 from
it is waited out by the client and costs no reminder."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.app import build_context
from bot.jobs import BotJobs
from bot.sender import SlackSender
from bot.simulator.fake_slack import SlackFake
from bot.slack_client import make_client
from store import dm_channels
from store.db import session_scope
from store.models import OutboxStatus, SlackDmChannel
from tests.fanout import APRIL, FANOUT_AT, add_fanout, lead_id, stage_at
from tests.harness import BOT_TOKEN
from tests.harness import test_settings as bot_settings
from workflows.clock import FixedClock
from workflows.dm_channels import known_dm_channel, remember_dm_channel
from workflows.outbox import DispatchReport, messages

OPEN = "conversations.open"
LEADS = 4


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


# --------------------------------------------------------------------------- the sender


def dispatcher(fake: SlackFake, engine: Engine, database_url: str, at: datetime) -> BotJobs:
    """A bot process's dispatcher: its own client and a fresh SlackSender (nothing cached in
    memory), on a fixed clock (unpaced)."""
    cfg = bot_settings(api_url=fake.api_url, database_url=database_url)
    clock = FixedClock(at)
    client = make_client(token=BOT_TOKEN, base_url=fake.api_url, timeout=5)
    sender = SlackSender(client, build_context(cfg, engine=engine, clock=clock))
    return BotJobs(cfg, engine=engine, sender=sender, clock=clock)


def assert_all_sent(report: DispatchReport, engine: Engine) -> None:
    assert len(report.sent) == LEADS
    assert report.retried == report.failed == report.lost == []
    assert {row.status for row in messages(engine)} == {OutboxStatus.sent}


def test_a_second_process_opens_no_dm_again_and_a_429_loses_nothing(
    engine: Engine, database_url: str
) -> None:
    with SlackFake(bot_token=BOT_TOKEN) as fake:
        add_fanout(engine, LEADS, fake=fake)
        # Tier 3, scaled down: two opens at once, then one a second.
        fake.enforce_method_rate_limit(OPEN, per_minute=60, burst=2)

        first = dispatcher(fake, engine, database_url, FANOUT_AT).run_reminders()
        assert_all_sent(first, engine)
        opens = fake.calls(OPEN)
        assert sorted(c.args["users"] for c in opens if c.ok) == [lead_id(n) for n in range(LEADS)]
        assert 429 in [c.status for c in opens]
        for refused, retried in itertools.pairwise(opens):
            if refused.status == 429:
                assert retried.args["users"] == refused.args["users"]
                assert retried.at - refused.at >= 1.0  # Retry-After honoured
        for number in range(LEADS):
            assert known_dm_channel(engine, lead_id(number)) == fake.dm_channel(lead_id(number))

        # Another process, two working days later: the next stage to the same leads.
        late = dispatcher(fake, engine, database_url, stage_at(APRIL, "late_2")).run_reminders()
        assert_all_sent(late, engine)
        assert fake.calls(OPEN) == opens  # not one DM opened again
        for number in range(LEADS):
            stages = Counter(
                str(m["metadata"]["event_payload"]["key"]).split(":")[3]
                for m in fake.messages(fake.dm_channel(lead_id(number)))
            )
            assert stages == Counter({"due": 1, "late_2": 1})
        assert stored_rows(engine) == LEADS
        fake.assert_clean()
