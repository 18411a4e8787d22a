"""Members: users.info and users.lookupByEmail (the e-mail shown only with users:read.email)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from simulator.slack.arguments import as_text
from simulator.slack.records import Method, SlackError, missing
from simulator.slack.workspace import User, Workspace


class UserMethods:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def methods(self) -> dict[str, Method]:
        return {"users.info": self.info, "users.lookupByEmail": self.lookup_by_email}

    def user_object(self, user: User) -> dict[str, Any]:
        ws = self.workspace
        zone = ZoneInfo(user.tz)
        now = datetime.now(UTC).astimezone(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "real_name": user.name,
            "display_name": user.name,
            "real_name_normalized": user.name,
            "display_name_normalized": user.name,
            "team": ws.team_id,
        }
        if user.email and "users:read.email" in ws.scopes:
            profile["email"] = user.email
        if user.is_bot:
            profile["bot_id"] = ws.bot_id if user.id == ws.bot_user_id else None
        return {
            "id": user.id,
            "team_id": ws.team_id,
            "name": user.name,
            "real_name": user.name,
            "deleted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "is_admin": False,
            "tz": user.tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
        }

    def info(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            raise missing("user")
        return {"user": self.user_object(self.workspace.user(args["user"]))}

    def lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = (as_text(args.get("email")) or "").strip().lower()
        if not email:
            raise missing("email")
        for user in self.workspace.users.values():
            if user.email and user.email.lower() == email:
                return {"user": self.user_object(user)}
        raise SlackError("users_not_found")
