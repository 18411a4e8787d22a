"""Who the token is: auth.test, and apps.connections.open (the app-level token's Socket Mode
URL, from the fake's Socket Mode server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.slack.records import Method
from simulator.slack.workspace import Workspace


class AuthMethods:
    def __init__(self, workspace: Workspace, socket_url: Callable[[], str]) -> None:
        self.workspace = workspace
        self.socket_url = socket_url

    def methods(self) -> dict[str, Method]:
        return {"auth.test": self.auth_test, "apps.connections.open": self.connections_open}

    def auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        return {
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.users[ws.bot_user_id].name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.socket_url()}
