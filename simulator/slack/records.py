"""What the Slack fake records and answers: a `Call` per request, a `SlackError` for an
``ok: false`` the caller's arguments caused, and the `Outcome` of handling a request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

InjectedKind = Literal[
    "ratelimited", "failed", "error", "timeout", "dropped", "rate_limit_enforced", "slow"
]
# One Web API method of a method group: the request's arguments in, the answer's body out
# (without ``ok``); raises SlackError for an ``ok: false``.
Method = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One request the fake answered: what was asked, and what it said back.

    ``method`` is the Web API method ("chat.postMessage"), ``"upload"`` for a file upload URL,
    ``"response_url"`` for a response_url post, or ``"<VERB> <path>"`` for anything unknown.
    ``args`` merges the query string and the body, with JSON-string fields decoded and any token
    redacted; ``headers`` have lower-case names and the Authorization value redacted.
    ``at`` is the fake's clock when the request arrived (for asserting retry spacing) and
    ``injected`` names the scripted failure that answered it, if any.
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    status: int
    response: dict[str, Any]
    at: float = 0.0
    injected: InjectedKind | None = None

    @property
    def ok(self) -> bool:
        """Slack's own success flag (False for every HTTP error too)."""
        return self.status == 200 and bool(self.response.get("ok", True))

    @property
    def error(self) -> str | None:
        """Slack's error code, if the answer carried one."""
        error = self.response.get("error")
        return error if isinstance(error, str) else None

    def summary(self) -> str:
        """One line for assertion messages; never includes the token."""
        outcome = "ok" if self.ok else f"error={self.error}"
        extra = f" [{self.injected}]" if self.injected else ""
        return f"{self.method} -> {self.status} {outcome}{extra}"


class SlackError(Exception):
    """An ``ok: false`` answer caused by the caller's arguments (what assert_clean reports)."""

    def __init__(self, error: str, *, messages: Iterable[str] = (), **fields: Any) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)
        self.fields = fields

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.fields}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def missing(name: str, pointer: str = "") -> SlackError:
    """Slack's answer to a required argument left out."""
    return SlackError(
        "invalid_arguments",
        messages=[f"[ERROR] missing required field: {name} [json-pointer:{pointer or '/' + name}]"],
    )


@dataclass
class Outcome:
    """What to answer and what to record."""

    status: int
    payload: dict[str, Any] | str | bytes
    method: str
    args: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    client_error: str | None = None  # recorded in fake.errors
    unexpected: bool = False
    injected: InjectedKind | None = None
