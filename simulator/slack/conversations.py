"""Channels and DMs: conversations.history and replies (paged by cursor, metadata only when
asked for), conversations.info, and conversations.open for one-person DMs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.slack.arguments import (
    as_bool,
    as_text,
    decode_cursor,
    encode_cursor,
    ts_bound,
    ts_key,
)
from simulator.slack.records import Method, SlackError, missing
from simulator.slack.workspace import Channel, Workspace

HISTORY_MAX_LIMIT = 999


class ConversationMethods:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def methods(self) -> dict[str, Method]:
        return {
            "conversations.history": self.history,
            "conversations.replies": self.replies,
            "conversations.info": self.info,
            "conversations.open": self.open,
        }

    def _history_channel(self, args: Mapping[str, Any]) -> Channel:
        ws = self.workspace
        channel = ws.channel(args.get("channel"), for_posting=False)
        if channel.is_im:
            ws.require_scope_any("im:history")
        elif channel.is_private:
            ws.require_scope_any("groups:history")
        else:
            ws.require_scope_any("channels:history")
        return channel

    def _limit(self, args: Mapping[str, Any], default: int) -> int:
        raw = args.get("limit")
        if raw in (None, ""):
            return default
        try:
            limit = int(str(raw))
        except ValueError as exc:
            raise SlackError("invalid_limit") from exc
        return max(1, min(limit, HISTORY_MAX_LIMIT))

    def history(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        channel = self._history_channel(args)
        limit = self._limit(args, 100)
        inclusive = as_bool(args.get("inclusive"))
        oldest = ts_bound(args.get("oldest"), (0, 0), "invalid_ts_oldest")
        latest = ts_bound(args.get("latest"), (2**62, 0), "invalid_ts_latest")
        cursor = as_text(args.get("cursor"))
        before = decode_cursor(cursor) if cursor else None

        def wanted(message: Mapping[str, Any]) -> bool:
            key = ts_key(str(message["ts"]))
            thread_ts = message.get("thread_ts")
            if thread_ts and thread_ts != message["ts"] and not message.get("reply_broadcast"):
                return False
            if before is not None and key >= before:
                return False
            if inclusive:
                return oldest <= key <= latest
            return oldest < key < latest

        found = [m for m in reversed(ws.messages.get(channel.id, [])) if wanted(m)]
        page, more = found[:limit], len(found) > limit
        with_metadata = as_bool(args.get("include_all_metadata"))
        return {
            "messages": [ws.render_message(m, with_metadata=with_metadata) for m in page],
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": encode_cursor(page[-1]["ts"]) if more else ""},
        }

    def replies(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        channel = self._history_channel(args)
        if not args.get("ts"):
            raise missing("ts")
        parent = ws.find_message(channel.id, args["ts"])
        if parent.get("thread_ts") not in (None, parent["ts"]):
            parent = ws.find_message(channel.id, parent["thread_ts"])
        limit = self._limit(args, 1000)
        cursor = as_text(args.get("cursor"))
        after = decode_cursor(cursor) if cursor else None
        thread = [parent] + [
            m
            for m in ws.messages[channel.id]
            if m.get("thread_ts") == parent["ts"] and m["ts"] != parent["ts"]
        ]
        if after is not None:
            thread = [m for m in thread if ts_key(str(m["ts"])) > after]
        page, more = thread[:limit], len(thread) > limit
        with_metadata = as_bool(args.get("include_all_metadata"))
        return {
            "messages": [ws.render_message(m, with_metadata=with_metadata) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": encode_cursor(page[-1]["ts"]) if more else ""},
        }

    def channel_object(self, channel: Channel) -> dict[str, Any]:
        created = self.workspace.ts_base
        if channel.is_im:
            return {
                "id": channel.id,
                "is_im": True,
                "is_channel": False,
                "is_group": False,
                "is_private": True,
                "user": channel.user,
                "is_user_deleted": False,
                "created": created,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_im": False,
            "is_private": channel.is_private,
            "is_member": channel.bot_is_member,
            "is_archived": False,
            "created": created,
        }

    def info(self, args: dict[str, Any]) -> dict[str, Any]:
        key = as_text(args.get("channel")) or ""
        channel = self.workspace.channels.get(key)
        if channel is None or (channel.is_private and not channel.bot_is_member):
            raise SlackError("channel_not_found")
        return {"channel": self.channel_object(channel)}

    def open(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        if args.get("channel"):
            channel = ws.channels.get(as_text(args["channel"]) or "")
            if channel is None or not channel.is_im:
                raise SlackError("channel_not_found")
            return {"channel": {"id": channel.id}, "no_op": True, "already_open": True}
        users = [u.strip() for u in (as_text(args.get("users")) or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackError(
                "invalid_arguments",
                messages=[
                    "[ERROR] the Slack fake models one-person DMs only [json-pointer:/users]"
                ],
            )
        user = ws.user(users[0])
        existed = ws.dm_channel(user.id) in ws.channels
        channel = ws.open_dm(user.id)
        body: dict[str, Any] = {"channel": {"id": channel.id}}
        if existed:
            body.update(no_op=True, already_open=True)
        if as_bool(args.get("return_im")):
            body["channel"] = self.channel_object(channel)
        return body
