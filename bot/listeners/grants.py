"""`/finsam beslut`: office staff and the director record money granted during the year
(board or delegation decisions) in a modal. The form's submission is checked before the
answer goes back to Slack: problems return inline beside their fields
(`response_action: errors`); a good one pushes a confirmation over the form
(`response_action: push`) saying how the grant moves the share of new grants to individual
support and what is left to decide on. "Tillbaka" closes it and leaves the form as typed;
"Bekräfta" stores the grant (checked again, and refused for a fresh preview if the year's
figures moved meanwhile) and shows what was recorded; closing that closes the form too.
A storage failure keeps the form open with what was typed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks.grants import (
    build_grant_confirm,
    build_grant_done,
    build_grant_modal,
    read_confirm_metadata,
    read_grant_state,
    recorded_text,
    remaining_text,
)
from bot.context import BotContext
from bot.error_text import error_text
from bot.ids import View
from bot.listeners.errors import ErrorEdge
from store.errors import AccessDenied, ConflictError, FinsamError
from workflows.budget_status import budget_status_for
from workflows.grants import (
    AMOUNT,
    BODY,
    DECIDED_BY,
    DECIDED_ON,
    FIGURES_MOVED,
    INTERVENTION,
    OWNER,
    SUPPORT,
    GrantFields,
    RecordedGrant,
    check_grant,
    field_of,
    may_record_grants,
    preview_grant,
    record_grant,
)
from workflows.texts import Texts

# A submission delivered twice (or sent twice in a hurry) is stored once.
RESEND_WINDOW = timedelta(minutes=10)


def open_grant_form(
    ctx: BotContext, texts: Texts, command: dict[str, Any], client: WebClient
) -> list[dict[str, Any]] | None:
    """The `/finsam beslut` subcommand: opens the form (None: nothing to answer), or says
    why not to anyone who is not office staff or the director."""
    if not may_record_grants(ctx.engine, command["user_id"]):
        raise AccessDenied("grant_office_only")  # told by the command's edge
    today = ctx.clock.now().astimezone(ctx.tz).date()
    client.views_open(trigger_id=command["trigger_id"], view=build_grant_modal(texts, today=today))
    return None


def fields_from(raw: dict[str, str | None]) -> GrantFields:
    return GrantFields(
        decided_on=raw.get(DECIDED_ON) or "",
        intervention=raw.get(INTERVENTION) or "",
        owner=raw.get(OWNER) or "",
        amount_tkr=raw.get(AMOUNT),
        body=raw.get(BODY) or "",
        decided_by=raw.get(DECIDED_BY) or "",
        support=raw.get(SUPPORT),
    )


class GrantListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    def submit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Runs before the answer to Slack: check, then push the confirmation with the
        preview (what `preview_grant` raises is answered by the edge, see `register`)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        today = self.ctx.clock.now().astimezone(self.ctx.tz).date()
        if not may_record_grants(self.ctx.engine, user_id):
            raise AccessDenied("grant_office_only")  # in the form's place
        raw = read_grant_state(view)
        fields = fields_from(raw)
        _, problems = check_grant(fields, today=today)
        if problems:
            ack(response_action="errors", errors=self._inline(texts, problems))
            return
        preview = preview_grant(self.ctx.engine, fields, today=today, rules=self.ctx.rules)
        ack(response_action="push", view=build_grant_confirm(texts, preview, raw))

    def confirm(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """ "Bekräfta": store the grant the confirmation carries, checked again in full; when
        the year's figures moved since the preview, show the fresh preview instead."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        now = self.ctx.clock.now()
        today = now.astimezone(self.ctx.tz).date()
        if not may_record_grants(self.ctx.engine, user_id):
            raise AccessDenied("grant_office_only")
        carried = read_confirm_metadata(view)
        if carried is None:
            raise ValueError("a grant confirmation without its fields")  # the edge's fallback
        raw, revision = carried
        fields = fields_from(raw)
        try:
            recorded = record_grant(
                self.ctx.engine,
                fields,
                today=today,
                now=now,
                recorded_by=user_id,
                office_user=user_id,
                resend_window=RESEND_WINDOW,
                expected_revision=revision,
            )
        except ConflictError as err:
            if err.code != FIGURES_MOVED:
                raise
            preview = preview_grant(self.ctx.engine, fields, today=today, rules=self.ctx.rules)
            ack(response_action="update", view=build_grant_confirm(texts, preview, raw, moved=True))
            return
        done = build_grant_done(texts, self._done(texts, recorded), clear=True)
        ack(response_action="update", view=done)

    def _inline(self, texts: Texts, problems: Sequence[FinsamError]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for problem in problems:
            errors.setdefault(field_of(problem) or INTERVENTION, error_text(texts, problem))
        return errors

    def _done(self, texts: Texts, recorded: RecordedGrant) -> list[str]:
        lines = [recorded_text(texts, recorded)]
        try:
            status = budget_status_for(
                self.ctx.engine, year=recorded.grant.year, rules=self.ctx.rules
            )
        except FinsamError:
            return lines  # stored all the same: the figures are a courtesy
        return [*lines, remaining_text(texts, status)]


def register(app: App, ctx: BotContext) -> None:
    """The form's submission; the form opens from `/finsam beslut` (listeners/commands.py).
    What `record_grant` refuses goes beside its field (a refusal of the user: in the form's
    place); a storage failure keeps the form open with what was typed."""
    listeners = GrantListeners(ctx)
    edge = ErrorEdge(ctx)
    app.view(View.grant_form.value)(
        edge.submission(
            listeners.submit, field_of=grant_field, keep_open=not_stored, notice=grant_notice
        )
    )
    # The confirmation has no inputs: whatever it refuses takes its place, and closing that
    # notice goes back to the form as typed.
    app.view(View.grant_confirm.value)(edge.submission(listeners.confirm, notice=grant_notice))


def grant_field(err: FinsamError) -> str | None:
    return None if isinstance(err, AccessDenied) else field_of(err) or INTERVENTION


def not_stored(texts: Texts, view: dict[str, Any]) -> dict[str, str]:
    return {INTERVENTION: texts.get("grants", "not_stored")}


def grant_notice(texts: Texts, text: str) -> dict[str, Any]:
    return build_grant_done(texts, [text])
