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
- A form is taken only for a period the intervention owes and that has begun, and not once
  the office has accepted the report (whatever the form's metadata says)."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.common import chunked_sections, context, section
from bot.blocks.forms import build_report_modal, errors_for_slack, read_view_state
from bot.context import BotContext
from bot.ids import Action, View
from bot.listeners.commands import ack_at_once
from bot.messages.reports import period_name, review_blocks
from store.errors import AccessDenied, BadArgument, ConflictError, FinsamError, NotFoundError
from store.models import ReportStatus
from workflows.calendar import Period
from workflows.form_context import carried_over, form_context
from workflows.forms import earlier_forms, inputs, labelled_answers, validate
from workflows.identity_numbers import find_identity_number
from workflows.interventions import InterventionInfo, get_intervention
from workflows.reports import (
    delivery_key,
    find_report,
    may_report_period,
    may_review,
    may_see_report,
    owes,
    report_view,
    reporting_target,
    review_post_revision,
    review_report,
    submit_report,
)
from workflows.texts import Texts

log = logging.getLogger(__name__)

COMMENT_BLOCK = "comment"
COMMENT_MAX = 1000
MODAL_TEXT_MAX = 3000


def notice_view(texts: Texts, text: str) -> dict[str, Any]:
    """A modal that only says something (why a form cannot open, a thank-you)."""
    return {
        "type": "modal",
        "callback_id": View.notice.value,
        "title": {"type": "plain_text", "text": texts.get("reports", "problem_title")[:24]},
        "close": {"type": "plain_text", "text": texts.get("reports", "close")[:24]},
        "blocks": [section(text[:MODAL_TEXT_MAX]).to_dict()],
    }


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class ReportListeners:
    def __init__(self, ctx: BotContext) -> None:
        self.ctx = ctx

    # -- the form

    def _target(
        self, user_id: str, intervention_id: object, label: object
    ) -> tuple[InterventionInfo, Period]:
        """The intervention and period a user may report for; FinsamError otherwise."""
        if not isinstance(intervention_id, int) or not isinstance(label, str):
            raise NotFoundError("unknown_report", report_id=str(intervention_id))
        try:
            period = Period.parse(label)
        except ValueError as err:
            raise NotFoundError("unknown_report", report_id=label) from err
        today = self.ctx.clock.now().astimezone(self.ctx.tz).date()
        intervention = reporting_target(self.ctx.engine, user_id, intervention_id, today=today)
        if not owes(intervention.kind, period):
            raise NotFoundError("no_monthly_report", intervention=intervention.label)
        if not may_report_period(intervention, period, today=today):
            raise BadArgument(
                "period_not_owed", intervention=intervention.label, period=period.label
            )
        return intervention, period

    def open_form(self, body: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        try:
            value = json.loads(body["actions"][0].get("value") or "{}")
            intervention, period = self._target(
                user_id, value.get("intervention_id"), value.get("period")
            )
            view = self._form_view(texts, intervention, period)
        except (ValueError, AttributeError):
            view = notice_view(texts, texts.get("errors", "internal_error"))
        except FinsamError as err:
            view = notice_view(texts, texts.get("errors", err.code, **err.params))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def _form_view(
        self, texts: Texts, intervention: InterventionInfo, period: Period
    ) -> dict[str, Any]:
        report = find_report(self.ctx.engine, intervention.id, period.label)
        name = period_name(texts, period.label)
        if report is not None and report.status is ReportStatus.accepted:
            return notice_view(
                texts, texts.get("reports", "form_closed", kind=period.kind.value, period=name)
            )
        form = self.ctx.forms[period.kind]
        asked = form_context(self.ctx.engine, form, intervention.id, period)
        return build_report_modal(
            form,
            list(intervention.goals),
            texts,
            title_params={"intervention": intervention.label, "period": name},
            prefill=report.answers if report is not None else None,
            form_context=asked,
            carried=carried_over(form, asked),
            private_metadata=json.dumps(
                {"intervention_id": intervention.id, "period": period.label}
            ),
            callback_id=View.report_form.value,
        )

    def submit_form(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Runs before the answer to Slack: validate, store, then close (or show errors)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        meta = _metadata(view)
        try:
            intervention, period = self._target(
                user_id, meta.get("intervention_id"), meta.get("period")
            )
        except FinsamError as err:
            ack(response_action="update", view=notice_view(texts, _error_text(texts, err)))
            return
        form = self.ctx.forms[period.kind]
        goals = list(intervention.goals)
        asked = form_context(self.ctx.engine, form, intervention.id, period)
        checked = validate(form, goals, read_view_state(view), asked)
        if not checked.ok:
            ack(response_action="errors", errors=errors_for_slack(checked.errors, texts))
            return
        try:
            submit_report(
                self.ctx.engine,
                self.ctx.reporting,
                intervention_id=intervention.id,
                period=period,
                user_id=user_id,
                answers=dict(checked.values),
                delivery=delivery_key(str(view.get("id", "")), dict(checked.values)),
                now=self.ctx.clock.now(),
                office_channel=self.ctx.office_channel,
            )
        except ConflictError:
            # Accepted by the office while the form was open: not reopened, not overwritten.
            text = texts.get(
                "reports",
                "accepted_meanwhile",
                kind=period.kind.value,
                intervention=intervention.label,
                period=period_name(texts, period.label),
            )
            ack(response_action="update", view=notice_view(texts, text))
            return
        except Exception:
            log.exception("report for %s %s not stored", intervention.id, period.label)
            first = inputs(form, goals)[0].id
            ack(response_action="errors", errors={first: texts.get("errors", "not_stored")})
            return
        # The confirmation, the reminders turned "done", the office's review post and the
        # App Home were planned with the report: wake the worker, which sends them.
        self.ctx.outbox_bell.ring()
        ack(
            response_action="update",
            view={
                **notice_view(
                    texts,
                    texts.get(
                        "reports",
                        "submitted_view",
                        intervention=intervention.label,
                        period=period_name(texts, period.label),
                    ),
                ),
                "title": {"type": "plain_text", "text": form.title.get(texts.lang)[:24]},
            },
        )

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
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        try:
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
        except FinsamError as err:
            respond(text=_error_text(texts, err), response_type="ephemeral", replace_original=False)
            return
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
        latest; anyone else is told why in an ephemeral message (no form opens)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        try:
            if not may_review(self.ctx.engine, user_id):
                raise AccessDenied("review_office_only")
            report_id, revision = self._shown(body)
            latest = report_view(self.ctx.engine, report_id).revision
            if latest != revision:
                raise ConflictError("newer_revision", shown=revision, latest=latest)
        except FinsamError as err:
            text = _error_text(texts, err)
            if body.get("response_url"):
                respond(text=text, response_type="ephemeral", replace_original=False)
            else:
                channel = (body.get("channel") or {}).get("id")
                if channel:
                    client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            return
        meta = {"report_id": report_id, "revision": revision}
        view = {
            "type": "modal",
            "callback_id": View.report_return.value,
            "private_metadata": json.dumps(meta),
            "title": {"type": "plain_text", "text": texts.get("reports", "return_title")[:24]},
            "submit": {"type": "plain_text", "text": texts.get("reports", "return_submit")[:24]},
            "close": {"type": "plain_text", "text": texts.get("reports", "cancel")[:24]},
            "blocks": [
                {
                    "type": "input",
                    "block_id": COMMENT_BLOCK,
                    "label": {"type": "plain_text", "text": texts.get("reports", "return_label")},
                    "element": {
                        "type": "plain_text_input",
                        "action_id": "value",
                        "multiline": True,
                        "max_length": COMMENT_MAX,
                    },
                }
            ],
        }
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
        meta = _metadata(view)
        try:
            report_id, revision = _return_target(self.ctx, meta)
            review_report(
                self.ctx.engine,
                report_id=report_id,
                reviewer=user_id,
                accept=False,
                comment=comment,
                now=self.ctx.clock.now(),
                revision=revision,
            )
        except FinsamError as err:
            ack(response_action="update", view=notice_view(texts, _error_text(texts, err)))
            return
        ack()
        self.ctx.outbox_bell.ring()

    def show_answers(self, body: dict[str, Any], client: WebClient) -> None:
        """The exact answers, in a modal only the asker sees (office staff or the sender)."""
        user_id = body["user"]["id"]
        texts = self.ctx.texts_for(user_id)
        try:
            report = report_view(self.ctx.engine, int(body["actions"][0]["value"]))
            intervention = get_intervention(self.ctx.engine, report.intervention_id)
            leads = {lead.slack_user_id for lead in intervention.leads if lead.slack_user_id}
            if user_id != report.submitted_by and not may_see_report(
                self.ctx.engine, user_id, leads
            ):
                raise AccessDenied("office_only")
            period = Period.parse(report.period)
            lines = []
            for item in labelled_answers(
                self.ctx.forms[period.kind],
                list(intervention.goals),
                report.answers,
                earlier_forms().get(period.kind, ()),
            ):
                label = item.label.get(texts.lang)
                if item.split:
                    label = texts.get("forms", "split_label", label=label, split=item.split)
                if item.earlier:
                    label = texts.get("forms", "earlier_label", label=label)
                value = item.value
                shown = "–" if value in (None, "") else str(value)
                lines.append(f"*{_escape(label)}*: {_escape(shown)}")
            view = {
                "type": "modal",
                "callback_id": View.notice.value,
                "title": {"type": "plain_text", "text": texts.get("reports", "answers_title")[:24]},
                "close": {"type": "plain_text", "text": texts.get("reports", "close")[:24]},
                "blocks": [
                    context(
                        texts.get(
                            "forms",
                            "modal_header",
                            intervention=intervention.label,
                            period=period_name(texts, report.period),
                        )
                    ).to_dict(),
                    *(block.to_dict() for block in chunked_sections(lines)[:90]),
                ],
            }
        except FinsamError as err:
            view = notice_view(texts, _error_text(texts, err))
        except ValueError:
            view = notice_view(texts, texts.get("errors", "internal_error"))
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


def _error_text(texts: Texts, err: FinsamError) -> str:
    return texts.get("errors", err.code, **err.params)


def register(app: App, ctx: BotContext) -> None:
    listeners = ReportListeners(ctx)
    app.action(Action.report_open.value)(ack=ack_at_once, lazy=[listeners.open_form])
    app.view(View.report_form.value)(listeners.submit_form)
    app.action(Action.report_accept.value)(ack=ack_at_once, lazy=[listeners.accept])
    app.action(Action.report_return.value)(ack=ack_at_once, lazy=[listeners.open_return_form])
    app.view(View.report_return.value)(listeners.submit_return)
    app.action(Action.report_show.value)(ack=ack_at_once, lazy=[listeners.show_answers])
