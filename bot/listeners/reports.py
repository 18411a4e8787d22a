"""Report forms and their review, as Slack meets them.

- The "Rapportera" button (reminder DM, App Home, a returned report) opens the form for one
  intervention and period, filled with the last answers when there are some.
- The form's submission is validated and stored before the answer goes back to Slack: errors
  return inline (`response_action: errors`), a storage failure keeps the modal open with a
  message, so nothing the user typed is lost. A duplicated delivery is stored once.
- Office staff accept a report or send it back with a comment, from the review post; the
  buttons carry the revision the post showed, and a decision on an older one is refused.
  Only office staff get the send-back form, and only a send-back that was stored rewrites
  the review post (planned with it, sent by the worker).
- Which forms are taken, for whom and when, is the workflow's (`workflows/submission.py`):
  the listeners parse the payload and render the answer. What they raise is answered by the
  error edge (`bot/listeners/errors.py`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.forms import build_report_modal, errors_for_slack, read_view_state
from bot.blocks.notice import notice_view
from bot.blocks.reports import COMMENT_BLOCK, COMMENT_MAX, answers_modal, return_modal
from bot.context import BotContext
from bot.error_text import error_text
from bot.ids import Action, View
from bot.listeners.commands import ack_at_once
from bot.listeners.errors import ErrorEdge
from bot.messages.reports import period_name, review_blocks
from store.errors import AccessDenied, ConflictError, NotFoundError
from workflows.answers import answer_text, input_label
from workflows.calendar import Period
from workflows.form_context import carried_over, form_context
from workflows.forms import earlier_forms, inputs, labelled_answers
from workflows.identity_numbers import find_identity_number
from workflows.interventions import get_intervention
from workflows.reports import (
    may_review,
    may_see_report,
    report_view,
    review_post_revision,
    review_report,
)
from workflows.submission import (
    FieldErrors,
    FormClosed,
    Opened,
    Refused,
    open_report_form,
    take_report,
)
from workflows.texts import Texts


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class ReportListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    def _today(self) -> date:
        return self.ctx.clock.now().astimezone(self.ctx.tz).date()

    # -- the form

    def open_form(self, body: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        value = json.loads(body["actions"][0].get("value") or "{}")
        opened = open_report_form(
            self.ctx.engine,
            user_id,
            value.get("intervention_id"),
            value.get("period"),
            today=self._today(),
        )
        client.views_open(trigger_id=body["trigger_id"], view=self._form_view(texts, opened))

    def _form_view(self, texts: Texts, opened: Opened) -> dict[str, Any]:
        if isinstance(opened, Refused):
            return notice_view(texts, error_text(texts, opened.error))
        name = period_name(texts, opened.period.label)
        if isinstance(opened, FormClosed):
            kind = opened.period.kind.value
            return notice_view(texts, texts.get("reports", "form_closed", kind=kind, period=name))
        form = self.ctx.forms[opened.period.kind]
        asked = form_context(self.ctx.engine, form, opened.intervention.id, opened.period)
        return build_report_modal(
            form,
            list(opened.intervention.goals),
            texts,
            title_params={"intervention": opened.intervention.label, "period": name},
            prefill=opened.prefill,
            form_context=asked,
            carried=carried_over(form, asked),
            private_metadata=json.dumps(
                {"intervention_id": opened.intervention.id, "period": opened.period.label}
            ),
            callback_id=View.report_form.value,
        )

    def submit_form(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Runs before the answer to Slack: validate, store, then close (or show errors). A
        storage failure keeps the form open (the edge, see `register`)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        meta = _metadata(view)
        now = self.ctx.clock.now()
        taken = take_report(
            self.ctx.engine,
            self.ctx.reporting,
            self.ctx.forms,
            user_id=user_id,
            intervention_id=meta.get("intervention_id"),
            label=meta.get("period"),
            raw=read_view_state(view),
            view_id=str(view.get("id", "")),
            now=now,
            today=now.astimezone(self.ctx.tz).date(),
            office_channel=self.ctx.office_channel,
        )
        if isinstance(taken, FieldErrors):
            ack(response_action="errors", errors=errors_for_slack(taken.errors, texts))
            return
        if isinstance(taken, Refused):
            ack(response_action="update", view=notice_view(texts, error_text(texts, taken.error)))
            return
        name = period_name(texts, taken.period.label)
        if isinstance(taken, FormClosed):
            # Accepted by the office while the form was open: not reopened, not overwritten.
            text = texts.get(
                "reports",
                "accepted_meanwhile",
                kind=taken.period.kind.value,
                intervention=taken.intervention.label,
                period=name,
            )
            ack(response_action="update", view=notice_view(texts, text))
            return
        # The confirmation, the reminders turned "done", the office's review post and the
        # App Home were planned with the report: wake the worker, which sends them.
        self.ctx.outbox_bell.ring()
        form = self.ctx.forms[taken.period.kind]
        thanks = texts.get(
            "reports", "submitted_view", intervention=taken.intervention.label, period=name
        )
        view = notice_view(texts, thanks, title=form.title.get(texts.lang))
        ack(response_action="update", view=view)

    # -- review

    def _shown(self, body: dict[str, Any]) -> tuple[int, int]:
        """(report id, revision) of a review button: the revision its post showed. A post
        sent before the buttons carried it is looked up by its ts; NotFoundError if none."""
        value = body["actions"][0].get("value") or ""
        try:
            found = json.loads(value)
        except ValueError:
            found = None
        if isinstance(found, dict):
            report_id, revision = found.get("report_id"), found.get("revision")
            if isinstance(report_id, int) and isinstance(revision, int):
                return report_id, revision
            raise NotFoundError("unknown_report", report_id=str(report_id))
        if not isinstance(found, int) or isinstance(found, bool):
            raise NotFoundError("unknown_report", report_id=value[:40])
        ts = str((body.get("message") or {}).get("ts") or "")
        shown = review_post_revision(self.ctx.engine, found, ts)
        if shown is None:
            raise NotFoundError("unknown_report", report_id=str(found))
        return found, shown

    def accept(self, body: dict[str, Any], respond: Respond) -> None:
        """A refusal (not office staff, an older revision) only the presser sees: the edge."""
        user_id = body["user"]["id"]
        report_id, revision = self._shown(body)
        report = review_report(
            self.ctx.engine,
            report_id=report_id,
            reviewer=user_id,
            accept=True,
            comment=None,
            now=self.ctx.clock.now(),
            revision=revision,
        )
        intervention = get_intervention(self.ctx.engine, report.intervention_id)
        office = self.ctx.texts_for()
        respond(
            replace_original=True,
            text=office.get(
                "reports",
                "review_text",
                intervention=intervention.label,
                period=period_name(office, report.period),
            ),
            blocks=review_blocks(self.ctx, office, report, intervention.label),
        )
        self.ctx.outbox_bell.ring()  # the lead's App Home shows the report accepted

    def open_return_form(self, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """The send-back form, for office staff only and only for the revision that is the
        latest; anyone else is told why in an ephemeral message (the edge; no form opens)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        if not may_review(self.ctx.engine, user_id):
            raise AccessDenied("review_office_only")
        report_id, revision = self._shown(body)
        latest = report_view(self.ctx.engine, report_id).revision
        if latest != revision:
            raise ConflictError("newer_revision", shown=revision, latest=latest)
        view = return_modal(texts, report_id=report_id, revision=revision)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def submit_return(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Validate and store the send-back before answering. What follows it (the lead's
        notice, the review post rewritten, the App Home) was planned with it in the store,
        so a refused one sets nothing off; the worker is rung to send it at once."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        comment = (read_view_state(view).get(COMMENT_BLOCK) or "").strip()
        problem = None
        if not comment:
            problem = texts.get("forms", "required")
        elif (kind := find_identity_number(comment)) is not None:
            problem = texts.get("forms", "identity_number", kind=kind)
        elif len(comment) > COMMENT_MAX:
            problem = texts.get("forms", "too_long", max=COMMENT_MAX, length=len(comment))
        if problem is not None:
            ack(response_action="errors", errors={COMMENT_BLOCK: problem})
            return
        report_id, revision = _return_target(self.ctx, _metadata(view))
        review_report(  # a refusal: a notice in the form's place (the edge)
            self.ctx.engine,
            report_id=report_id,
            reviewer=user_id,
            accept=False,
            comment=comment,
            now=self.ctx.clock.now(),
            revision=revision,
        )
        ack()
        self.ctx.outbox_bell.ring()

    def show_answers(self, body: dict[str, Any], client: WebClient) -> None:
        """The exact answers, in a modal only the asker sees (office staff or the sender);
        anyone else gets a notice modal (the edge)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        report = report_view(self.ctx.engine, int(body["actions"][0]["value"]))
        intervention = get_intervention(self.ctx.engine, report.intervention_id)
        leads = {lead.slack_user_id for lead in intervention.leads if lead.slack_user_id}
        if user_id != report.submitted_by and not may_see_report(self.ctx.engine, user_id, leads):
            raise AccessDenied("office_only")
        period = Period.parse(report.period)
        lines = []
        form, goals = self.ctx.forms[period.kind], list(intervention.goals)
        for item in inputs(form, goals):
            label = input_label(item, texts)
            shown = answer_text(item, report.answers.get(item.id), texts)
            lines.append(f"*{_escape(label)}*: {_escape(shown)}")
        earlier = earlier_forms().get(period.kind, ())
        for old in labelled_answers(form, goals, report.answers, earlier):
            if not old.earlier:
                continue  # shown above, formatted
            label = old.label.get(texts.lang)
            if old.split:
                label = texts.get("forms", "split_label", label=label, split=old.split)
            label = texts.get("forms", "earlier_label", label=label)
            shown = "–" if old.value in (None, "") else str(old.value)
            lines.append(f"*{_escape(label)}*: {_escape(shown)}")
        header = texts.get(
            "forms",
            "modal_header",
            intervention=intervention.label,
            period=period_name(texts, report.period),
        )
        view = answers_modal(texts, header, lines)
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _return_target(ctx: BotContext, meta: dict[str, Any]) -> tuple[int, int]:
    """(report id, revision) of a send-back form; a form opened before the metadata carried
    the revision names its review post, whose revision the store knows."""
    report_id, revision = meta.get("report_id"), meta.get("revision")
    if isinstance(report_id, str) and report_id.isdigit():
        report_id = int(report_id)  # forms opened before: the button's value as it was
    if not isinstance(report_id, int) or isinstance(report_id, bool):
        raise NotFoundError("unknown_report", report_id=str(report_id)[:40])
    if isinstance(revision, int) and not isinstance(revision, bool):
        return report_id, revision
    shown = review_post_revision(ctx.engine, report_id, str(meta.get("ts") or ""))
    if shown is None:
        raise NotFoundError("unknown_report", report_id=str(report_id))
    return report_id, shown


def register(app: App, ctx: BotContext) -> None:
    listeners = ReportListeners(ctx)
    edge = ErrorEdge(ctx)
    app.action(Action.report_open.value)(ack=ack_at_once, lazy=[edge.modal(listeners.open_form)])
    app.view(View.report_form.value)(edge.submission(listeners.submit_form, keep_open=not_stored))
    app.action(Action.report_accept.value)(ack=ack_at_once, lazy=[edge.ephemeral(listeners.accept)])
    app.action(Action.report_return.value)(
        ack=ack_at_once, lazy=[edge.ephemeral(listeners.open_return_form)]
    )
    app.view(View.report_return.value)(edge.submission(listeners.submit_return))
    app.action(Action.report_show.value)(ack=ack_at_once, lazy=[edge.modal(listeners.show_answers)])


def not_stored(texts: Texts, view: dict[str, Any]) -> dict[str, str] | None:
    """A report that failed to be stored keeps its form open: the message goes beside the
    first input, and what was typed stays."""
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return {str(block["block_id"]): texts.get("errors", "not_stored")}
    return None
