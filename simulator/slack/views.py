"""Modals and the App Home: views.open, push, update (by id or external id, with the hash)
and publish; each trigger id is good once."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from typing import Any

from simulator.slack.arguments import as_text
from simulator.slack.block_kit import validate_view
from simulator.slack.records import Method, SlackError, missing
from simulator.slack.workspace import Workspace


class ViewMethods:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def methods(self) -> dict[str, Method]:
        return {
            "views.open": self.open,
            "views.push": self.push,
            "views.update": self.update,
            "views.publish": self.publish,
        }

    def _validate(self, view: object, *, allowed: tuple[str, ...]) -> dict[str, Any]:
        return validate_view(
            view, allowed=allowed, strict=self.workspace.strict_blocks, scopes=self.workspace.scopes
        )

    def _new_view(
        self, view: dict[str, Any], *, previous: str | None = None, root: str | None = None
    ) -> dict[str, Any]:
        ws = self.workspace
        view_id = f"VFAKE{ws.next_id():06d}"
        stored = {
            "id": view_id,
            "team_id": ws.team_id,
            "type": view["type"],
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._view_hash(),
            "title": copy.deepcopy(view.get("title")),
            "submit": copy.deepcopy(view.get("submit")),
            "close": copy.deepcopy(view.get("close")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": ws.app_id,
            "bot_id": ws.bot_id,
        }
        return stored

    def _view_hash(self) -> str:
        return f"{self.workspace.next_id()}.{secrets.token_hex(6)}"

    def _use_trigger(self, args: Mapping[str, Any]) -> None:
        trigger_id = as_text(args.get("trigger_id")) or as_text(args.get("interactivity_pointer"))
        if not trigger_id:
            raise missing("trigger_id")
        if trigger_id in self.workspace.used_triggers:
            raise SlackError("exchanged_trigger_id")
        self.workspace.used_triggers.add(trigger_id)

    def open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(args)
        view = self._validate(args.get("view"), allowed=("modal",))
        stored = self._new_view(view)
        self.workspace.views[stored["id"]] = stored
        return {"view": copy.deepcopy(stored)}

    def push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._use_trigger(args)
        view = self._validate(args.get("view"), allowed=("modal",))
        latest = next(reversed(self.workspace.views.values()), None)
        stored = self._new_view(
            view,
            previous=latest["id"] if latest else None,
            root=latest["root_view_id"] if latest else None,
        )
        self.workspace.views[stored["id"]] = stored
        return {"view": copy.deepcopy(stored)}

    def update(self, args: dict[str, Any]) -> dict[str, Any]:
        views = self.workspace.views
        view_id = as_text(args.get("view_id"))
        external_id = as_text(args.get("external_id"))
        if not view_id and not external_id:
            raise missing("view_id")
        current = next(
            (
                v
                for v in views.values()
                if (view_id and v["id"] == view_id)
                or (external_id and v["external_id"] == external_id)
            ),
            None,
        )
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._validate(args.get("view"), allowed=("modal",))
        replacement = self._new_view(
            view, previous=current["previous_view_id"], root=current["root_view_id"]
        )
        replacement["id"] = current["id"]
        if current["root_view_id"] == current["id"]:
            replacement["root_view_id"] = current["id"]
        views[current["id"]] = replacement
        return {"view": copy.deepcopy(replacement)}

    def publish(self, args: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspace
        if not args.get("user_id"):
            raise missing("user_id")
        user = ws.user(args["user_id"])
        current = ws.home_views.get(user.id)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._validate(args.get("view"), allowed=("home",))
        stored = self._new_view(view)
        if current is not None:
            stored["id"] = stored["root_view_id"] = current["id"]
        ws.home_views[user.id] = stored
        return {"view": copy.deepcopy(stored)}
