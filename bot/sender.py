"""The Slack side of the outbox: turns an Outgoing row into Block Kit and Web API calls.
Every post carries its key in message metadata, so `find_sent` can tell from the channel's
history whether a post whose answer was lost did go out.

A DM is posted to the user id: chat.postMessage opens the app's DM with the user (its
Messages tab) when needed and answers with the DM's channel id (D...), which is kept for
history and chat.update, the methods that need it. So a first fan-out to people the bot never
wrote to makes no conversations.open call (Tier 3, about 50 a minute); that call is left for
a lookup or an update in a DM whose id no post has told yet (a post whose answer was lost)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.budget import build_budget_blocks
from bot.blocks.common import context, to_dicts
from bot.context import BotContext
from bot.ids import MetadataEvent
from bot.listeners.home import publish_home
from bot.messages import BUILDERS
from bot.messages.base import Rendered
from bot.messages.board_done import BOARD_STEP_DONE, update_step_reminders
from bot.messages.papers import BOARD_PAPERS, send_board_papers
from bot.messages.reports import build_reminder_done, update_review_post
from bot.slack_client import announcing_calls, outbox_client
from store.errors import SendRejected, SlackRateLimited, SlackUnavailable
from workflows.budget_status import budget_status_for
from workflows.budget_summary import KIND as BUDGET_SUMMARY
from workflows.chart import render_budget_chart
from workflows.dm_channels import known_dm_channel, remember_dm_channel
from workflows.outbox import Outgoing, Progress, sent_messages
from workflows.reports import (
    HOME_REFRESH,
    REMINDERS_DONE,
    REVIEW_UPDATE,
    find_report,
    reminder_prefix,
)

log = logging.getLogger(__name__)
HISTORY_PAGES = 5
NOT_POSTED = frozenset({REMINDERS_DONE, HOME_REFRESH, BOARD_STEP_DONE, REVIEW_UPDATE})
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


class SlackSender:
    def __init__(self, client: WebClient, ctx: BotContext) -> None:
        self._client = outbox_client(client)
        self._ctx = ctx
        self._dm_channels: dict[str, str] = {}

    def send(self, message: Outgoing, *, progress: Progress) -> str | None:
        with announcing_calls(progress.before_call):
            return self._send(message, progress=progress)

    def _send(self, message: Outgoing, *, progress: Progress) -> str | None:
        if message.kind == BUDGET_SUMMARY:
            return self._send_budget_summary(message, progress=progress)
        if message.kind == REMINDERS_DONE:
            return self._mark_reminders_done(message, progress=progress)
        if message.kind == BOARD_PAPERS:
            return send_board_papers(self, message, progress=progress)
        if message.kind == BOARD_STEP_DONE:
            return update_step_reminders(self, message, progress=progress)
        if message.kind == HOME_REFRESH:
            return self._refresh_home(message, progress=progress)
        if message.kind == REVIEW_UPDATE:
            return update_review_post(self, message, progress=progress)
        build = BUILDERS.get(message.kind)
        if build is None:
            raise SendRejected("unknown_kind", kind=message.kind)
        if message.posted_ts is not None and "posted" in message.steps_done:
            return message.posted_ts
        rendered = build(self._ctx, message)
        if rendered is None:
            return None
        progress.pace(message.channel)
        progress.still_mine()
        ts = self._post(message, text=rendered.text, blocks=rendered.blocks)
        progress.posted(ts)
        return ts

    def find_sent(self, message: Outgoing) -> str | None:
        if message.kind in NOT_POSTED:
            return None  # updates and views: repeating them is harmless, there is no post
        found = self._history(
            self._conversation(message.channel),
            lambda posted: (
                (posted.get("metadata") or {}).get("event_type") == MetadataEvent.outbox
                and posted["metadata"].get("event_payload", {}).get("key") == message.key
            ),
        )
        return None if found is None else str(found["ts"])

    def _history(
        self, channel: str, wanted: Callable[[dict[str, Any]], bool], *, oldest: str = "0"
    ) -> dict[str, Any] | None:
        """The newest message in the channel's recent history that is `wanted`."""
        cursor = None
        for _ in range(HISTORY_PAGES):
            response = _call(
                self._client.conversations_history,
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

    def _send_budget_summary(self, message: Outgoing, *, progress: Progress) -> str:
        texts = self._ctx.texts_for()
        status = budget_status_for(
            self._ctx.engine, year=message.data["year"], rules=self._ctx.rules
        )
        ts = message.posted_ts
        if ts is None or "posted" not in message.steps_done:
            blocks = [
                context(texts.get("budget", "scheduled_intro", year=status.year)),
                *build_budget_blocks(status, texts),
            ]
            progress.pace(message.channel)
            progress.still_mine()
            ts = self._post(
                message,
                text=texts.get(
                    "budget",
                    "summary_text",
                    year=status.year,
                    remaining=status.remaining_decision_room,
                ),
                blocks=to_dicts(blocks),
            )
            progress.posted(ts)
        if "chart" not in message.steps_done:
            filename = f"budget-{message.data['period']}.png"
            progress.still_mine()
            if message.attempts == 1 or not self._chart_shared(message.channel, filename, ts):
                _call(
                    self._client.files_upload_v2,
                    channel=message.channel,
                    content=render_budget_chart(status, texts),
                    filename=filename,
                    title=texts.get("budget", "chart_title", year=status.year),
                    initial_comment=texts.get("budget", "chart_comment", year=status.year),
                )
            progress.step_done("chart")
        return ts

    def _chart_shared(self, channel: str, filename: str, posted_ts: str) -> bool:
        """A share whose answer was lost shows in the history after the summary."""
        return (
            self._history(
                channel,
                lambda posted: any(f.get("name") == filename for f in posted.get("files") or []),
                oldest=posted_ts,
            )
            is not None
        )

    def _refresh_home(self, message: Outgoing, *, progress: Progress) -> str | None:
        """views.publish is idempotent, so a retry publishes again; a user Slack does not
        know (gone from the workspace) has no Home tab to refresh."""
        progress.still_mine()
        try:
            _call(publish_home, client=self._client, ctx=self._ctx, user_id=message.channel)
        except SendRejected as err:
            log.warning("App Home of %s not refreshed: %s", message.channel, err.params)
            return None
        return ""

    def _mark_reminders_done(self, message: Outgoing, *, progress: Progress) -> str | None:
        """Turn the period's reminder DMs into "done" (no button). chat.update is idempotent,
        so a retry simply updates again; a message gone from Slack is skipped."""
        report = find_report(
            self._ctx.engine, message.data["intervention_id"], message.data["period"]
        )
        if report is None:
            return None
        prefix = reminder_prefix(report.intervention_id, report.period)
        for channel, ts in sent_messages(self._ctx.engine, prefix):
            rendered = build_reminder_done(self._ctx, replace(message, channel=channel), report)
            progress.still_mine()
            self.update_sent(channel, ts, rendered)
        return ""

    def update_sent(self, channel: str, ts: str, rendered: Rendered) -> bool:
        """chat.update of a message the bot sent (idempotent, so a retry updates again);
        False when that one message cannot be updated any more (UPDATE_SKIPPED: deleted, its
        DM gone), so the others still are. Any other refusal holds for them all: raised."""
        try:
            _call(
                self._client.chat_update,
                channel=self._conversation(channel),
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

    def _known_conversation(self, channel: str) -> str | None:
        """The channel id for `channel` without asking Slack: itself unless it is a user id,
        else the user's DM as this process or any other learnt it (None when none did)."""
        if not _is_user(channel):
            return channel
        known = self._dm_channels.get(channel) or known_dm_channel(self._ctx.engine, channel)
        if known is not None:
            self._dm_channels[channel] = known
        return known

    def _conversation(self, channel: str) -> str:
        """A user id stands for the DM with that user: its channel id is what history, updates
        and file shares need. A post to the user tells it (see `_post`); when none did yet,
        conversations.open does. That is a Tier 3 method (about 50 a minute), so every answer
        is kept in this process and in the store, where a restarted or second process finds
        it without asking Slack again."""
        known = self._known_conversation(channel)
        if known is None:
            response = _call(self._client.conversations_open, users=channel)
            known = str(response["channel"]["id"])
            self._remember(channel, known)
        return known

    def _remember(self, user_id: str, channel_id: str) -> None:
        self._dm_channels[user_id] = channel_id
        remember_dm_channel(self._ctx.engine, user_id, channel_id, now=self._ctx.clock.now())

    def _post(self, message: Outgoing, *, text: str, blocks: list[dict[str, Any]]) -> str:
        """Post with the key in metadata. To a user whose DM id is not known yet the post goes
        to the user id (Slack opens the DM) and its answer's channel is remembered."""
        channel = self._known_conversation(message.channel) or message.channel
        response = _call(
            self._client.chat_postMessage,
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
        if _is_user(channel):
            self._learn_dm(channel, response.get("channel"))
        return ts

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


def _is_user(channel: str) -> bool:
    """A user id (U..., or W... in Enterprise Grid) stands for the DM with that user."""
    return channel.startswith(("U", "W"))


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


def _call(method: Callable[..., Any], **kwargs: Any) -> Any:
    """One Web API call with Slack's failures sorted: refused for good, or try again later
    (429/5xx left after the client's own retries, timeouts and dropped connections)."""
    try:
        return method(**kwargs)
    except SlackApiError as err:
        error = str(err.response.get("error", "")) if err.response is not None else ""
        status = err.response.status_code if err.response is not None else 0
        if status == 429:
            raise SlackRateLimited(
                "slack_unavailable", retry_after=_retry_after(err.response.headers), error=error
            ) from err
        if error in PERMANENT_ERRORS or (400 <= status < 500 and status != 429 and error):
            raise SendRejected("slack_refused", error=error or str(status)) from err
        raise SlackUnavailable("slack_unavailable", error=error or str(status)) from err
    except (SlackClientError, URLError, TimeoutError, OSError) as err:
        raise SlackUnavailable("slack_unavailable", error=type(err).__name__) from err


def _retry_after(headers: Any) -> float:
    """Seconds from a 429's Retry-After (1 when missing or not a number, as slack_sdk does)."""
    for name, value in dict(headers or {}).items():
        if str(name).lower() == "retry-after":
            values = value if isinstance(value, list) else [value]
            try:
                return max(float(values[0]), 0.0)
            except (TypeError, ValueError, IndexError):
                return 1.0
    return 1.0
