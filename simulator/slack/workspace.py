"""The workspace the Slack fake models: who the bot is, its scopes, the users, channels and
DMs, messages, ephemerals, uploads, views and response URLs; and the checks every method group
shares (resolving a channel or a user as Slack does, storing and showing a message).

Not locked itself: the fake holds its lock around every request and every read."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator.slack.arguments import as_text
from simulator.slack.block_kit import message_content
from simulator.slack.records import SlackError


@dataclass
class User:
    id: str
    name: str
    email: str | None
    is_bot: bool
    tz: str


@dataclass
class Channel:
    id: str
    name: str | None
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of a DM
    members: set[str] = field(default_factory=set)
    bot_is_member: bool = True


@dataclass
class Upload:
    id: str
    filename: str
    length: int
    alt_txt: str | None
    snippet_type: str | None
    created: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


class Workspace:
    """One workspace with the bot installed in it."""

    def __init__(
        self,
        *,
        team_id: str,
        team_name: str,
        team_domain: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        scopes: tuple[str, ...],
        strict_blocks: bool,
        ts_base: int,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.scopes = scopes
        self.strict_blocks = strict_blocks
        self.ts_base = ts_base
        self._ids = itertools.count(1)
        self._ts_counter = itertools.count(1)

        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.uploads: dict[str, Upload] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.used_triggers: set[str] = set()
        self.response_urls: dict[str, int] = {}  # id -> uses
        self.responses: list[dict[str, Any]] = []

    def next_id(self) -> int:
        """One counter for every id the fake makes (views, files, response URLs, hashes)."""
        return next(self._ids)

    def next_ts(self) -> str:
        n = next(self._ts_counter)
        return f"{self.ts_base + n}.{n * 100 % 1_000_000:06d}"

    def dm_channel(self, user_id: str) -> str:
        return f"D{user_id}"

    # -- shared checks

    def missing_scope(self, needed: str) -> SlackError:
        return SlackError("missing_scope", needed=needed, provided=",".join(self.scopes))

    def require_scope_any(self, *scopes: str) -> None:
        if not set(scopes) & set(self.scopes):
            raise self.missing_scope(scopes[0])

    def channel(self, channel_arg: object, *, for_posting: bool) -> Channel:
        """Resolve an id, a ``#name`` or (for posting) a user id, with Slack's access errors."""
        key = as_text(channel_arg)
        if not key:
            raise SlackError("channel_not_found")
        channel = self.channels.get(key)
        if channel is None and for_posting and key[0] in "UW" and key in self.users:
            channel = self.open_dm(key)
        if channel is None:
            name = key.removeprefix("#")
            channel = next((c for c in self.channels.values() if c.name == name), None)
        if channel is None:
            raise SlackError("channel_not_found")
        if not channel.is_im and not channel.bot_is_member:
            raise SlackError("channel_not_found" if channel.is_private else "not_in_channel")
        return channel

    def open_dm(self, user_id: str) -> Channel:
        channel_id = self.dm_channel(user_id)
        channel = self.channels.get(channel_id)
        if channel is None:
            channel = Channel(channel_id, None, is_im=True, user=user_id, members={user_id})
            self.channels[channel_id] = channel
            self.messages.setdefault(channel_id, [])
        return channel

    def user(self, user_arg: object) -> User:
        user = self.users.get(as_text(user_arg) or "")
        if user is None:
            raise SlackError("user_not_found")
        return user

    def content(self, args: Mapping[str, Any], *, require: bool = True) -> dict[str, Any]:
        """A message's validated text/blocks/attachments/metadata, only those given."""
        return message_content(args, strict=self.strict_blocks, require=require)

    # -- messages

    def store_message(
        self,
        channel: str,
        *,
        text: str | None,
        blocks: list[dict[str, Any]] | None,
        metadata: dict[str, Any] | None,
        thread_ts: str | None,
        user: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self.next_ts(),
            "channel": channel,
            "user": user or self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": text or "",
            "blocks": copy.deepcopy(blocks),
            "metadata": copy.deepcopy(metadata),
            "thread_ts": thread_ts,
            **extra,
        }
        self.messages.setdefault(channel, []).append(message)
        return message

    def find_message(self, channel: str, ts: object) -> dict[str, Any]:
        for message in self.messages.get(channel, []):
            if message["ts"] == as_text(ts):
                return message
        raise SlackError("message_not_found")

    def render_message(
        self, message: Mapping[str, Any], *, with_metadata: bool = True
    ) -> dict[str, Any]:
        """A message as the API shows it: no None fields, no channel, thread fields computed."""
        shown = {
            k: copy.deepcopy(v)
            for k, v in message.items()
            if v is not None and k not in ("channel", "deleted")
        }
        if not with_metadata:
            shown.pop("metadata", None)
        replies = [
            m
            for m in self.messages.get(str(message["channel"]), [])
            if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]
        ]
        if replies:
            shown["thread_ts"] = message["ts"]
            shown["reply_count"] = len(replies)
            shown["latest_reply"] = replies[-1]["ts"]
        return shown
