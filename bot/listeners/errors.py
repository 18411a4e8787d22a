"""The one error edge between the listeners and Slack, as `bot/cli/common.py` is the CLI's.

Every listener is registered through one of the shapes below, which call it with the
arguments it names (as Bolt would) and turn what it raises into the answer its request
allows, in the user's language:

- `ephemeral`: a command or a message button; the text only the user sees (the command's
  or button's `response_url`, else `chat.postEphemeral` in the channel, else a notice modal);
- `modal`: a button that opens a modal; a notice modal in its place (`views.open`);
- `submission`: a modal's submission, answered in its ack: a problem of one field inline
  beside it (`response_action: errors`), any other one a notice in the modal's place
  (`response_action: update`);
- `quiet`: an event with nobody to answer (App Home opened): logged only.

A user's error (`USER_ERRORS`: not found, not allowed, not understood, a conflict, Slack
busy) is rendered from its code. Anything else, an operator's FinsamError included (a
setting, the schema, the database), is logged with its traceback and the user is told
politely that something went wrong and what to do (`errors.internal_error`). Bolt itself
only logs a failing lazy listener, without a trace, and tells the user nothing; the
`unhandled` handler (`app.error`) covers what fails outside these shapes."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.kwargs_injection import Args

from bot.blocks.common import section, to_dicts
from bot.blocks.notice import notice_view
from bot.context import BotContext
from bot.error_text import error_text
from store.errors import (
    AccessDenied,
    BadArgument,
    ConflictError,
    FinsamError,
    ImportRejected,
    NotFoundError,
    SlackUnavailable,
)
from workflows.texts import Texts

log = logging.getLogger(__name__)

# The errors whose message is for the user who asked; any other is the operator's.
USER_ERRORS: tuple[type[FinsamError], ...] = (
    NotFoundError,
    AccessDenied,
    BadArgument,
    ConflictError,
    ImportRejected,
    SlackUnavailable,
)
FALLBACK = "internal_error"
FALLBACK_TEXT_MAX = 300  # a notification's text beside its blocks

Listener = Callable[..., None]
Guarded = Callable[[Args], None]
# What the user is told: the error, or None for anything unexpected (the polite fallback).
Tell = Callable[[Args, Texts, FinsamError | None], None]
# A submission's problem → the input block it belongs to (None: not one field's).
FieldOf = Callable[[FinsamError], str | None]
# A submission that failed unexpectedly → inline errors that keep the modal and what was
# typed (None: a notice instead), e.g. "not stored, try again" beside the first field.
KeepOpen = Callable[[Texts, dict[str, Any]], dict[str, str] | None]
NoticeView = Callable[[Texts, str], dict[str, Any]]
Usage = Callable[[Texts], str]


def user_of(body: dict[str, Any]) -> str | None:
    """The Slack user a request comes from: a command's `user_id`, an interaction's
    `user.id`, an event's `user`."""
    if isinstance(body.get("user_id"), str):
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict) and isinstance(user.get("id"), str):
        return str(user["id"])
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), str):
        return str(event["user"])
    return None


class ErrorEdge:
    """The shapes, for one app's context."""

    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    # -- the shapes

    def ephemeral(self, func: Listener, *, usage: Usage | None = None) -> Guarded:
        """`usage`: what follows a BadArgument (a command's help)."""

        def tell(args: Args, texts: Texts, err: FinsamError | None) -> None:
            lines = [self.message(texts, err)]
            if usage is not None and isinstance(err, BadArgument):
                lines.append(usage(texts))
            self._say(args, texts, lines)

        return self._guard(func, tell)

    def modal(self, func: Listener) -> Guarded:
        def tell(args: Args, texts: Texts, err: FinsamError | None) -> None:
            text = self.message(texts, err)
            trigger = args.body.get("trigger_id")
            if isinstance(trigger, str) and trigger:
                args.client.views_open(trigger_id=trigger, view=notice_view(texts, text))
            else:
                self._say(args, texts, [text])

        return self._guard(func, tell)

    def submission(
        self,
        func: Listener,
        *,
        field_of: FieldOf | None = None,
        keep_open: KeepOpen | None = None,
        notice: NoticeView = notice_view,
    ) -> Guarded:
        """A modal's submission; runs before the answer to Slack, so it answers in `ack`."""

        def tell(args: Args, texts: Texts, err: FinsamError | None) -> None:
            view = args.view or {}
            if err is None and keep_open is not None and (kept := keep_open(texts, view)):
                args.ack(response_action="errors", errors=kept)
                return
            field = field_of(err) if err is not None and field_of is not None else None
            if field is not None:
                args.ack(response_action="errors", errors={field: self.message(texts, err)})
                return
            args.ack(response_action="update", view=notice(texts, self.message(texts, err)))

        return self._guard(func, tell)

    def quiet(self, func: Listener) -> Guarded:
        def tell(args: Args, texts: Texts, err: FinsamError | None) -> None:
            return None  # nobody asked: the log has it

        return self._guard(func, tell)

    # -- the parts

    def message(self, texts: Texts, err: FinsamError | None) -> str:
        return texts.get("errors", FALLBACK) if err is None else error_text(texts, err)

    def texts(self, body: dict[str, Any]) -> Texts:
        """The user's texts; the association's when the user's language cannot be read
        (the database being what failed, say)."""
        try:
            return self.ctx.texts_for(user_of(body))
        except Exception:
            log.warning("the language of %s could not be read", user_of(body), exc_info=True)
            return Texts(self.ctx.language)

    def unhandled(self, error: Exception, body: dict[str, Any]) -> BoltResponse:
        """`app.error`: whatever failed outside the shapes (a middleware, a listener
        registered without one). Logged with its trace; a modal's submission gets the
        fallback notice in the modal's place, anything else Slack's own failure notice."""
        log.error("a Slack request failed outside the error edge", exc_info=error)
        if body.get("type") == "view_submission":
            texts = self.texts(body)
            view = notice_view(texts, self.message(texts, None))
            return BoltResponse(status=200, body={"response_action": "update", "view": view})
        return BoltResponse(status=500, body="")

    def _guard(self, func: Listener, tell: Tell) -> Guarded:
        names = list(inspect.signature(func).parameters)
        name = getattr(func, "__qualname__", repr(func))

        def guarded(args: Args) -> None:
            try:
                func(**{arg: getattr(args, arg) for arg in names})
            except USER_ERRORS as err:
                log.info("%s: %s", name, err.code)  # its values may be what the user typed
                self._tell(tell, args, err)
            except Exception:
                log.exception("%s failed", name)
                self._tell(tell, args, None)

        # Bolt names a lazy listener by its function (and reads the arguments it wants from
        # the signature): each guarded one keeps its listener's name, and asks for `args`.
        guarded.__name__ = getattr(func, "__name__", "listener")
        guarded.__qualname__ = f"guarded {name}"
        return guarded

    def _tell(self, tell: Tell, args: Args, err: FinsamError | None) -> None:
        try:
            tell(args, self.texts(args.body), err)
        except Exception:
            log.exception("the user could not be told (%s)", err.code if err else FALLBACK)

    def _say(self, args: Args, texts: Texts, lines: list[str]) -> None:
        """The text only the user sees, where the request allows it."""
        blocks = to_dicts([section(line) for line in lines])
        text = lines[0][:FALLBACK_TEXT_MAX]
        body = args.body
        if body.get("response_url") and args.respond is not None:
            args.respond(
                blocks=blocks, text=text, response_type="ephemeral", replace_original=False
            )
            return
        channel = (body.get("channel") or {}).get("id") if isinstance(body, dict) else None
        user = user_of(body)
        if isinstance(channel, str) and channel and user:
            args.client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
            return
        trigger = body.get("trigger_id")
        if isinstance(trigger, str) and trigger:
            args.client.views_open(trigger_id=trigger, view=notice_view(texts, "\n\n".join(lines)))
            return
        log.warning("no way to tell %s: %s", user, text)
