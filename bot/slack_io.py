"""The Slack primitive of the outbox: everything a message kind may do in Slack, on the
outbox's client (bot/slack_client.py `outbox_client`), so every call is announced to the
lease and no call sleeps on a 429.

Every post carries its key in message metadata, so `find_posted` can tell from the channel's
history whether a post whose answer was lost did go out; a file share is looked for by its
name after that post (`share_once`).

A DM is posted to the user id: chat.postMessage opens the app's DM with the user (its
Messages tab) when needed and answers with the DM's channel id (D...), which is kept for
history and chat.update, the methods that need it. So a first fan-out to people the bot never
wrote to makes no conversations.open call (Tier 3, about 50 a minute); that call is left for
a lookup or an update in a DM whose id no post has told yet (a post whose answer was lost)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.context import BotContext
from bot.ids import MetadataEvent
from bot.slack_client import outbox_client
from store.errors import SendRejected, SlackRateLimited, SlackUnavailable
from workflows.dm_channels import known_dm_channel, remember_dm_channel
from workflows.outbox import Outgoing, Progress

log = logging.getLogger(__name__)
HISTORY_PAGES = 5

# Slack's refusals (HTTP 200, ok false) that the same call would get again: the channel or
# message, the arguments, the token or the app's settings. Only a person changes these (and
# `finsam-bot outbox retry` queues the row again); retrying for hours would only delay the
# failure. From the error tables of chat.postMessage, chat.update and conversations.open
# (docs.slack.dev/reference/methods/...). Not here, as they pass: ratelimited, fatal_error,
# internal_error, service_unavailable, request_timeout, message_limit_exceeded (a free
# workspace's usage limit), team_added_to_org and org_login_required (a migration).
PERMANENT_ERRORS = frozenset(
    {
        # where: the conversation or the person
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "user_not_visible",
        "messages_tab_disabled",  # the App Home's Messages tab is off: DMs are refused
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "ekm_access_denied",
        # the message to update: deleted, not the bot's, or past the workspace's edit window
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        # what: the content and arguments
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_metadata",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_arguments",
        "invalid_arg_name",
        # who: the token and its scopes
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "access_denied",
        "not_allowed_token_type",
        "team_access_not_granted",
    }
)
# Refusals of one update that say nothing about the others: that message is gone or can no
# longer be edited, or its DM is (the user left). Anything else refused (the token, a scope,
# the blocks) holds for every update of the row, which then fails instead of passing as sent.
UPDATE_SKIPPED = frozenset(
    {
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "channel_not_found",
        "is_archived",
        "user_not_found",
        "user_disabled",
        "user_not_visible",
    }
)


@dataclass(frozen=True)
class Rendered:
    """What one message says: the notification text (Slack wants it beside blocks) and
    its blocks."""

    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class FileShare:
    """A file to share once after a post; `content` is made only when it is uploaded."""

    filename: str
    title: str
    comment: str
    content: Callable[[], bytes]


def call(method: Callable[..., Any], **kwargs: Any) -> Any:
    """One Web API call with Slack's failures sorted: refused for good (SendRejected), asked
    to wait (a 429: SlackRateLimited with its Retry-After), or try again later
    (SlackUnavailable: 5xx left after the client's own retries, timeouts, lost
    connections)."""
    try:
        return method(**kwargs)
    except SlackApiError as err:
        error = str(err.response.get("error", "")) if err.response is not None else ""
        status = err.response.status_code if err.response is not None else 0
        if status == 429:
            raise SlackRateLimited(
                "slack_unavailable", retry_after=retry_after(err.response.headers), error=error
            ) from err
        if error in PERMANENT_ERRORS or (400 <= status < 500 and status != 429 and error):
            raise SendRejected("slack_refused", error=error or str(status)) from err
        raise SlackUnavailable("slack_unavailable", error=error or str(status)) from err
    except (SlackClientError, URLError, TimeoutError, OSError) as err:
        raise SlackUnavailable("slack_unavailable", error=type(err).__name__) from err


def retry_after(headers: Any) -> float:
    """Seconds from a 429's Retry-After (1 when missing or not a number, as slack_sdk does)."""
    for name, value in dict(headers or {}).items():
        if str(name).lower() == "retry-after":
            values = value if isinstance(value, list) else [value]
            try:
                return max(float(values[0]), 0.0)
            except (TypeError, ValueError, IndexError):
                return 1.0
    return 1.0


def is_user(channel: str) -> bool:
    """A user id (U..., or W... in Enterprise Grid) stands for the DM with that user."""
    return channel.startswith(("U", "W"))


class SlackIO:
    """One process's Slack calls for the outbox, and the DM ids it has learnt."""

    def __init__(self, client: WebClient, ctx: BotContext) -> None:
        self.client = outbox_client(client)
        self._ctx = ctx
        self._dm_channels: dict[str, str] = {}

    def post(self, message: Outgoing, *, text: str, blocks: list[dict[str, Any]]) -> str:
        """Post with the key in metadata. To a user whose DM id is not known yet the post goes
        to the user id (Slack opens the DM) and its answer's channel is remembered."""
        channel = self.known_conversation(message.channel) or message.channel
        response = call(
            self.client.chat_postMessage,
            channel=channel,
            text=text,
            blocks=blocks,
            metadata={
                "event_type": MetadataEvent.outbox.value,
                "event_payload": {"key": message.key},
            },
            unfurl_links=False,
        )
        ts = str(response["ts"])
        if is_user(channel):
            self._learn_dm(channel, response.get("channel"))
        return ts

    def post_once(
        self, message: Outgoing, *, progress: Progress, render: Callable[[], Rendered | None]
    ) -> str | None:
        """The row's post, unless an earlier attempt made it (step `posted`): its ts; None
        when `render` finds the message no longer wanted."""
        if message.posted_ts is not None and "posted" in message.steps_done:
            return message.posted_ts
        rendered = render()
        if rendered is None:
            return None
        progress.pace(message.channel)
        progress.still_mine()
        ts = self.post(message, text=rendered.text, blocks=rendered.blocks)
        progress.posted(ts)
        return ts

    def share_once(
        self, message: Outgoing, *, progress: Progress, step: str, after: str, file: FileShare
    ) -> None:
        """Share `file` where the row posted (its post's ts is `after`), unless step `step`
        is done. A retry never shares twice: a share whose answer was lost shows in the
        history after the post, by its file name."""
        if step in message.steps_done:
            return
        channel = self.conversation(message.channel)
        progress.still_mine()
        if message.attempts == 1 or not self.file_shared(channel, file.filename, after):
            call(
                self.client.files_upload_v2,
                channel=channel,
                content=file.content(),
                filename=file.filename,
                title=file.title,
                initial_comment=file.comment,
            )
        progress.step_done(step)

    def find_posted(self, message: Outgoing) -> str | None:
        """The ts of the row's post in the channel's recent history (found by the key in its
        metadata), None when it is not there."""
        found = self.history(
            self.conversation(message.channel),
            lambda posted: (
                (posted.get("metadata") or {}).get("event_type") == MetadataEvent.outbox
                and posted["metadata"].get("event_payload", {}).get("key") == message.key
            ),
        )
        return None if found is None else str(found["ts"])

    def file_shared(self, channel: str, filename: str, posted_ts: str) -> bool:
        """A share whose answer was lost shows in the history after the post."""
        return (
            self.history(
                channel,
                lambda posted: any(f.get("name") == filename for f in posted.get("files") or []),
                oldest=posted_ts,
            )
            is not None
        )

    def history(
        self, channel: str, wanted: Callable[[dict[str, Any]], bool], *, oldest: str = "0"
    ) -> dict[str, Any] | None:
        """The newest message in the channel's recent history that is `wanted`."""
        cursor = None
        for _ in range(HISTORY_PAGES):
            response = call(
                self.client.conversations_history,
                channel=channel,
                include_all_metadata=True,
                limit=200,
                oldest=oldest,
                cursor=cursor,
            )
            for posted in response.get("messages", []):
                if wanted(posted):
                    return dict(posted)
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def update(self, channel: str, ts: str, rendered: Rendered) -> bool:
        """chat.update of a message the bot sent (idempotent, so a retry updates again);
        False when that one message cannot be updated any more (UPDATE_SKIPPED: deleted, its
        DM gone), so the others still are. Any other refusal holds for them all: raised."""
        try:
            call(
                self.client.chat_update,
                channel=self.conversation(channel),
                ts=ts,
                text=rendered.text,
                blocks=rendered.blocks,
            )
        except SendRejected as err:
            if err.params.get("error") not in UPDATE_SKIPPED:
                raise
            log.warning("message %s in %s not updated: %s", ts, channel, err.params)
            return False
        return True

    def known_conversation(self, channel: str) -> str | None:
        """The channel id for `channel` without asking Slack: itself unless it is a user id,
        else the user's DM as this process or any other learnt it (None when none did)."""
        if not is_user(channel):
            return channel
        known = self._dm_channels.get(channel) or known_dm_channel(self._ctx.engine, channel)
        if known is not None:
            self._dm_channels[channel] = known
        return known

    def conversation(self, channel: str) -> str:
        """A user id stands for the DM with that user: its channel id is what history, updates
        and file shares need. A post to the user tells it (see `post`); when none did yet,
        conversations.open does. That is a Tier 3 method (about 50 a minute), so every answer
        is kept in this process and in the store, where a restarted or second process finds
        it without asking Slack again."""
        known = self.known_conversation(channel)
        if known is None:
            response = call(self.client.conversations_open, users=channel)
            known = str(response["channel"]["id"])
            self._remember(channel, known)
        return known

    def _remember(self, user_id: str, channel_id: str) -> None:
        self._dm_channels[user_id] = channel_id
        remember_dm_channel(self._ctx.engine, user_id, channel_id, now=self._ctx.clock.now())

    def _learn_dm(self, user_id: str, answered: object) -> None:
        """Keep the DM id a post to `user_id` was answered with. The post is out already, so
        nothing here may fail it: an id not stored now is asked for (conversations.open) by
        the first lookup or update that needs it."""
        if not (isinstance(answered, str) and answered.startswith("D")):
            log.warning("post to %s answered with channel %r, not a DM id", user_id, answered)
            return
        try:
            self._remember(user_id, answered)
        except Exception:
            log.exception("DM channel %s of %s not stored", answered, user_id)
