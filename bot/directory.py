"""The workspace directory: who a lead's e-mail address belongs to (users.lookupByEmail,
scope users:read.email). Implements `workflows.interventions.Directory`."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.slack_io import call
from store.errors import SendRejected, SlackUnavailable
from workflows.interventions import MatchedUser

NOT_FOUND = "users_not_found"


class SlackDirectory:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def user_for_email(self, email: str) -> MatchedUser | None:
        """The active, human Slack user with this e-mail; None when there is none.
        SlackUnavailable when Slack keeps failing (`slack_unavailable`) or refuses the
        lookup for good, e.g. a missing scope (`slack_lookup_refused`)."""
        try:
            response = call(self._client.users_lookupByEmail, email=email)
        except (SendRejected, SlackUnavailable) as err:
            error = str(err.params.get("error", ""))
            if error == NOT_FOUND:
                return None
            if isinstance(err, SendRejected):
                raise SlackUnavailable("slack_lookup_refused", error=error) from err
            raise
        user: dict[str, Any] = response.get("user") or {}
        if not user.get("id") or user.get("deleted") or user.get("is_bot"):
            return None
        return MatchedUser(slack_user_id=str(user["id"]), name=display_name(user))


def display_name(user: dict[str, Any]) -> str:
    profile: dict[str, Any] = user.get("profile") or {}
    for value in (
        profile.get("real_name"),
        user.get("real_name"),
        profile.get("display_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
