"""Drive the bot the way Slack does: signed HTTP requests with Slack-shaped payloads.

``sign`` computes Slack's v0 request signature; the payload factories build slash commands,
block actions, view submissions and Events API envelopes with the fields Slack really sends, so
the bot's parsing is tested against the real shapes; ``SlackDriver`` posts them to the bot's
``/slack/events`` (signed by default, and forgeable for the signature tests).

Only the standard library is used, so the driver cannot mask a dependency problem of the bot.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = [
    "API_APP_ID",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "USER_ID",
    "VERIFICATION_TOKEN",
    "Response",
    "SlackDriver",
    "app_home_opened",
    "block_action",
    "checkboxes",
    "datepicker",
    "event_callback",
    "message_event",
    "sign",
    "slash_command",
    "static_select",
    "text_input",
    "url_verification",
    "users_select",
    "view_submission",
]

TEAM_ID = "T0FINSAM"
TEAM_DOMAIN = "finsam"
API_APP_ID = "A0FINSAM"
BOT_USER_ID = "UBOTFINSAM"
USER_ID = "U_OFFICE"
USER_NAME = "office"
CHANNEL_ID = "C_OFFICE"
CHANNEL_NAME = "office"
VERIFICATION_TOKEN = "fake-verification-token"  # deprecated by Slack, still sent in payloads
# A URL that refuses connections at once, so a bot answering a payload that was built without
# a real response_url fails loudly instead of reaching hooks.slack.com.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response-url-not-set"

_sequence = itertools.count(1)


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    """Slack's v0 signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def _trigger_id() -> str:
    """Shaped like Slack's (``<number>.<number>.<hex>``) and unique, since views.open spends it."""
    return f"{next(_sequence)}{secrets.randbelow(10**6)}.{int(time.time())}.{secrets.token_hex(16)}"


def _action_ts() -> str:
    return f"{time.time():.6f}"


def _event_id() -> str:
    return f"Ev{secrets.token_hex(5).upper()}"


def _user(user_id: str, user_name: str | None = None) -> dict[str, Any]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


# --------------------------------------------------------------------------- payloads


def slash_command(
    text: str = "",
    *,
    user_id: str = USER_ID,
    command: str = "/finsam",
    response_url: str = UNSET_RESPONSE_URL,
    channel_id: str = CHANNEL_ID,
    user_name: str = USER_NAME,
    trigger_id: str | None = None,
    channel_name: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command, exactly as Slack posts them (all strings)."""
    if channel_name is None:
        channel_name = "directmessage" if channel_id.startswith("D") else CHANNEL_NAME
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or _trigger_id(),
    }


def block_action(
    action_id: str,
    *,
    value: str | None = None,
    user_id: str = USER_ID,
    block_id: str | None = None,
    view: Mapping[str, Any] | None = None,
    message: Mapping[str, Any] | None = None,
    channel_id: str | None = None,
    response_url: str | None = None,
    action_type: str = "button",
    action_extra: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload from a message (default) or, with ``view``, from a view.

    ``message`` may be one from ``SlackFake.messages()``; ``action_extra`` adds fields such as
    ``selected_option`` for selects.
    """
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id or f"b-{action_id}",
        "type": action_type,
        "action_ts": _action_ts(),
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    action.update(action_extra or {})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "trigger_id": trigger_id or _trigger_id(),
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = dict(view)
        return payload
    channel = channel_id or str((message or {}).get("channel") or CHANNEL_ID)
    shown = dict(message) if message is not None else {"type": "message", "text": "", "blocks": []}
    shown.setdefault("ts", f"{time.time():.6f}")
    shown.pop("channel", None)
    payload.update(
        {
            "container": {
                "type": "message",
                "message_ts": shown["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "channel": {"id": channel, "name": CHANNEL_NAME},
            "message": shown,
            "state": {"values": {}},
            "response_url": response_url or UNSET_RESPONSE_URL,
        }
    )
    return payload


def view_submission(
    callback_id: str,
    *,
    values: Mapping[str, Mapping[str, Mapping[str, Any]]],
    user_id: str = USER_ID,
    private_metadata: str = "",
    view_id: str | None = None,
    view: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A ``view_submission`` payload; ``values`` is ``state.values`` (block -> action -> value).

    Pass ``view`` (e.g. ``fake.view(view_id)``) to submit the modal the bot actually opened.
    """
    base = dict(view or {})
    submitted_id = view_id or str(base.get("id") or f"VSUB{next(_sequence):06d}")
    submitted: dict[str, Any] = {
        "id": submitted_id,
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": "Finsam"},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": {"type": "plain_text", "text": "Submit"},
        "previous_view_id": None,
        "root_view_id": submitted_id,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": TEAM_ID,
        "bot_id": "BFINSAM",
    }
    submitted.update(base)
    submitted.update(
        {
            "id": submitted_id,
            "callback_id": callback_id,
            "private_metadata": private_metadata or base.get("private_metadata", ""),
            "state": {"values": json.loads(json.dumps(values))},
        }
    )
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": _user(user_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or _trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def text_input(value: str | None, *, action_type: str = "plain_text_input") -> dict[str, Any]:
    """A state value of a text-like input (plain_text_input, email_text_input, number_input...)."""
    return {"type": action_type, "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    """A state value of a static_select (``None`` for nothing chosen)."""
    selected = None
    if value is not None:
        selected = {"text": {"type": "plain_text", "text": text or value}, "value": value}
    return {"type": "static_select", "selected_option": selected}


def checkboxes(*values: str) -> dict[str, Any]:
    """A state value of checkboxes with ``values`` ticked."""
    return {
        "type": "checkboxes",
        "selected_options": [
            {"text": {"type": "plain_text", "text": v}, "value": v} for v in values
        ],
    }


def datepicker(date: str | None) -> dict[str, Any]:
    """A state value of a datepicker (``YYYY-MM-DD``)."""
    return {"type": "datepicker", "selected_date": date}


def file_input(*files: Mapping[str, Any]) -> dict[str, Any]:
    """A state value of a file_input: the files chosen, as Slack's file objects (each with
    its `id`; e.g. `fake.user_files.file_object(fake.user_files.upload(...))`)."""
    return {"type": "file_input", "files": [dict(f) for f in files]}


def users_select(user_id: str | None) -> dict[str, Any]:
    """A state value of a users_select."""
    return {"type": "users_select", "selected_user": user_id}


def event_callback(
    event: Mapping[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """The Events API envelope around ``event``."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or _event_id(),
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(12)}",
    }


def app_home_opened(
    user_id: str = USER_ID, *, tab: str = "home", view: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An ``app_home_opened`` event (wrap it in ``event_callback``)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{user_id}",
        "tab": tab,
        "event_ts": _action_ts(),
    }
    if view is not None:
        event["view"] = dict(view)
    return event


def message_event(
    text: str,
    *,
    user_id: str = USER_ID,
    channel_id: str = CHANNEL_ID,
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event from a person (wrap it in ``event_callback``)."""
    ts = ts or _action_ts()
    event: dict[str, Any] = {
        "type": "message",
        "user": user_id,
        "text": text,
        "ts": ts,
        "channel": channel_id,
        "channel_type": channel_type,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def url_verification(challenge: str = "challenge-token") -> dict[str, Any]:
    """The handshake Slack sends when the Request URL is configured."""
    return {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}


# --------------------------------------------------------------------------- the driver


@dataclass(frozen=True)
class Response:
    """What the bot answered; header names are lower-case."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class SlackDriver:
    """Sends signed requests to the bot at ``base_url`` (``http://127.0.0.1:PORT``).

    ``response_url_factory`` (e.g. ``fake.new_response_url``) fills in the response_url of
    commands and message actions, so the bot's ``respond()`` lands in the fake.
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        path: str = "/slack/events",
        timeout: float = 10.0,
        response_url_factory: Callable[[], str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        split = urlsplit(base_url)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.path = path
        self.timeout = timeout
        self.response_url_factory = response_url_factory
        self._clock = clock
        self._split = split

    # -- high level

    def command(
        self,
        text: str = "",
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> Response:
        """A slash command; ``fields`` go to ``slash_command`` (user_id, command, ...) and
        ``timestamp``/``signature``/``headers`` to ``send`` (for forged requests)."""
        if "response_url" not in fields and self.response_url_factory is not None:
            fields["response_url"] = self.response_url_factory()
        body = urlencode(slash_command(text, **fields)).encode()
        return self.send(
            body,
            content_type="application/x-www-form-urlencoded",
            timestamp=timestamp,
            signature=signature,
            headers=headers,
        )

    def action(self, payload: Mapping[str, Any], **send_options: Any) -> Response:
        """An interactivity payload (block_actions), form-encoded as ``payload=<json>``."""
        payload = dict(payload)
        if (
            self.response_url_factory is not None
            and payload.get("response_url") == UNSET_RESPONSE_URL
        ):
            payload["response_url"] = self.response_url_factory()
        return self._interactive(payload, **send_options)

    def submit(self, payload: Mapping[str, Any], **send_options: Any) -> Response:
        """A view_submission (or view_closed) payload, form-encoded as ``payload=<json>``."""
        return self._interactive(dict(payload), **send_options)

    def submit_view(
        self,
        view: Mapping[str, Any],
        values: Mapping[str, Mapping[str, Mapping[str, Any]]],
        *,
        user_id: str = USER_ID,
    ) -> Response:
        """Submit the modal the bot opened (`fake.view(id)`) with `values` as its state, e.g.
        `{"import_files": {"value": file_input(obj)}}`."""
        payload = view_submission(
            str(view.get("callback_id", "")), values=values, user_id=user_id, view=view
        )
        return self.submit(payload)

    def event(
        self,
        payload: Mapping[str, Any],
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **send_options: Any,
    ) -> Response:
        """An Events API request (JSON body); ``retry_num`` marks it as Slack's redelivery."""
        body = json.dumps(payload).encode()
        return self.send(
            body,
            content_type="application/json",
            retry_num=retry_num,
            retry_reason=retry_reason,
            **send_options,
        )

    def get(self, path: str) -> Response:
        """An unsigned GET, e.g. ``/healthz``."""
        return self._request("GET", path, b"", {})

    # -- low level

    def send(
        self,
        body: bytes,
        *,
        content_type: str,
        timestamp: int | str | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        unsigned: bool = False,
        path: str | None = None,
    ) -> Response:
        """POST ``body`` signed like Slack does, unless the test forges it.

        ``timestamp`` (e.g. ``now - 600``, ``"soon"`` or ``""``) is signed as given, so only
        the freshness check can fail; ``signature`` (even ``""``) replaces the computed one;
        ``unsigned`` sends neither header; ``headers`` are added last and win.
        """
        if timestamp is None:
            timestamp = int(self._clock())
        request_headers = {"Content-Type": content_type}
        if not unsigned:
            request_headers["X-Slack-Request-Timestamp"] = str(timestamp)
            if signature is None:
                signature = sign(self.signing_secret, body, timestamp)
            request_headers["X-Slack-Signature"] = signature  # "" is sent as an empty header
        if retry_num is not None:
            request_headers["X-Slack-Retry-Num"] = str(retry_num)
            request_headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        elif retry_reason is not None:
            request_headers["X-Slack-Retry-Reason"] = retry_reason
        request_headers.update(headers or {})
        return self._request("POST", path or self.path, body, request_headers)

    def _interactive(self, payload: dict[str, Any], **send_options: Any) -> Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.send(body, content_type="application/x-www-form-urlencoded", **send_options)

    def _request(self, verb: str, path: str, body: bytes, headers: Mapping[str, str]) -> Response:
        connection_class = (
            http.client.HTTPSConnection
            if self._split.scheme == "https"
            else http.client.HTTPConnection
        )
        connection = connection_class(
            self._split.hostname or "127.0.0.1", self._split.port, timeout=self.timeout
        )
        prefix = self._split.path.rstrip("/")
        try:
            connection.request(
                verb,
                prefix + path,
                body=body if verb != "GET" else None,
                headers={"User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)", **headers},
            )
            answer = connection.getresponse()
            return Response(
                status=answer.status,
                headers={k.lower(): v for k, v in answer.getheaders()},
                body=answer.read(),
            )
        finally:
            connection.close()
