"""Messages: chat.postMessage, postEphemeral, update and delete, and the response URLs of
commands and actions (Bolt's respond()), checked like a message."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from simulator.slack.arguments import as_bool, as_text
from simulator.slack.http_plumbing import Request
from simulator.slack.records import Method, Outcome, SlackError, missing
from simulator.slack.workspace import Workspace


class ChatMethods:
    def __init__(self, workspace: Workspace, clock: Callable[[], float] = time.monotonic) -> None:
        self.workspace = workspace
        self.clock = clock  # when a response URL took a post (``at``)

    def methods(self) -> dict[str, Method]:
        return {
            "chat.postMessage": self.post_message,
            "chat.postEphemeral": self.post_ephemeral,
            "chat.update": self.update,
            "chat.delete": self.delete,
        }

    def post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        channel = ws.channel(args.get("channel"), for_posting=True)
        content = ws.content(args)
        thread_ts = as_text(args.get("thread_ts")) or None
        message = ws.store_message(
            channel.id,
            text=content.get("text"),
            blocks=content.get("blocks"),
            metadata=content.get("metadata"),
            thread_ts=thread_ts,
            attachments=content.get("attachments"),
            reply_broadcast=True if thread_ts and as_bool(args.get("reply_broadcast")) else None,
        )
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "message": ws.render_message(message),
        }

    def post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        channel = ws.channel(args.get("channel"), for_posting=True)
        if not args.get("user"):
            raise missing("user")
        user = ws.user(args["user"])
        if channel.members and user.id not in channel.members:
            raise SlackError("user_not_in_channel")
        content = ws.content(args)
        ts = ws.next_ts()
        ws.ephemerals.append(
            {
                "ts": ts,
                "channel": channel.id,
                "to": user.id,
                "user": ws.bot_user_id,
                "text": content.get("text", ""),
                "blocks": content.get("blocks"),
                "attachments": content.get("attachments"),
                "thread_ts": as_text(args.get("thread_ts")) or None,
            }
        )
        return {"message_ts": ts}

    def update(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        # Not for_posting: Slack wants a DM's channel id (D...) here; a user id is
        # channel_not_found, though chat.postMessage takes one.
        channel = ws.channel(args.get("channel"), for_posting=False)
        if not args.get("ts"):
            raise SlackError("message_not_found")
        message = ws.find_message(channel.id, args["ts"])
        if message.get("bot_id") != ws.bot_id:
            raise SlackError("cant_update_message")
        content = ws.content(args, require=False)
        merged = {**message, **content}
        if not (merged.get("text") or merged.get("blocks") or merged.get("attachments")):
            raise SlackError("no_text")
        message.update(content)
        message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": ws.render_message(message),
        }

    def delete(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        channel = ws.channel(args.get("channel"), for_posting=True)
        message = ws.find_message(channel.id, args.get("ts"))
        if message.get("bot_id") != ws.bot_id:
            raise SlackError("cant_delete_message")
        ws.messages[channel.id].remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def respond(
        self, response_id: str, request: Request, *, url: str, max_uses: int | None
    ) -> Outcome:
        """A response_url: Bolt's respond() posts JSON here; checked like a message."""
        ws = self.workspace
        args = dict(request.args)

        def refuse(status: int, error: SlackError) -> Outcome:
            ws.responses.append({"url": url, "body": args, "status": status, "at": self.clock()})
            return Outcome(status, error.body(), "response_url", args, client_error=error.error)

        if response_id not in ws.response_urls:
            return refuse(404, SlackError("expired_url"))
        uses = ws.response_urls[response_id]
        if max_uses is not None and uses >= max_uses:
            return refuse(404, SlackError("used_url"))
        if request.verb != "POST":
            return refuse(405, SlackError("invalid_method"))
        if request.parse_error:
            return refuse(400, SlackError(request.parse_error))
        try:
            if not as_bool(args.get("delete_original")):
                ws.content(args)
            response_type = args.get("response_type")
            if response_type not in (None, "ephemeral", "in_channel"):
                raise SlackError("invalid_response_type")
        except SlackError as error:
            return refuse(400, error)
        ws.response_urls[response_id] = uses + 1
        ws.responses.append({"url": url, "body": args, "status": 200, "at": self.clock()})
        return Outcome(200, {"ok": True}, "response_url", args)
