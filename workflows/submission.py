"""A report form, opened and submitted, as one call each: the rules a form is taken under,
without Slack (the listener parses the payload and renders what comes back).

- Who may report: the intervention's lead, a deputy while covering for the lead, office
  staff (`reporting_target`).
- For what: a period the intervention owes (monthly reports come from individual-support
  interventions only) and that has begun, since the intervention runs and the bot went live
  (`may_report_period`), whatever the form's metadata or the button's value says.
- Not once the office has accepted the report: the form does not open, and a form opened
  before is not taken (`submit_report` refuses it in its transaction).
- The answers are validated against the form before anything is stored; a valid
  submission is stored with what it sets off (`submit_report`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from store.errors import BadArgument, ConflictError, FinsamError, NotFoundError
from store.models import ReportKind, ReportStatus
from workflows.calendar import Period
from workflows.form_context import form_context
from workflows.forms import FormDefinition, FormError, validate
from workflows.interventions import InterventionInfo
from workflows.reports import (
    Reporting,
    Submission,
    delivery_key,
    find_report,
    may_report_period,
    owes,
    reporting_target,
    submit_report,
)


@dataclass(frozen=True)
class FormToFill:
    """The form may open, filled with the last answers when there are some."""

    intervention: InterventionInfo
    period: Period
    prefill: dict[str, Any] | None


@dataclass(frozen=True)
class FormClosed:
    """The office accepted the report (before the form opened, or while it was open)."""

    intervention: InterventionInfo
    period: Period


@dataclass(frozen=True)
class Refused:
    """The form is not for this user or period; `error` says why (a notice)."""

    error: FinsamError


@dataclass(frozen=True)
class FieldErrors:
    """Answers the form does not take, by input id (shown beside their fields)."""

    errors: dict[str, FormError]


@dataclass(frozen=True)
class Stored:
    intervention: InterventionInfo
    period: Period
    submission: Submission


Opened = FormToFill | FormClosed | Refused
Taken = Stored | FieldErrors | FormClosed | Refused


def target(
    engine: Engine, user_id: str, intervention_id: object, label: object, *, today: date
) -> tuple[InterventionInfo, Period]:
    """The intervention and period a user may report for `today`, from what a button's
    value or a form's metadata says; FinsamError otherwise."""
    if not isinstance(intervention_id, int) or not isinstance(label, str):
        raise NotFoundError("unknown_report", report_id=str(intervention_id))
    try:
        period = Period.parse(label)
    except ValueError as err:
        raise NotFoundError("unknown_report", report_id=label) from err
    intervention = reporting_target(engine, user_id, intervention_id, today=today)
    if not owes(intervention.kind, period):
        raise NotFoundError("no_monthly_report", intervention=intervention.label)
    if not may_report_period(intervention, period, today=today):
        raise BadArgument("period_not_owed", intervention=intervention.label, period=period.label)
    return intervention, period


def open_report_form(
    engine: Engine, user_id: str, intervention_id: object, label: object, *, today: date
) -> Opened:
    """Whether the form opens for `user_id`, and with which answers."""
    try:
        intervention, period = target(engine, user_id, intervention_id, label, today=today)
    except FinsamError as err:
        return Refused(err)
    report = find_report(engine, intervention.id, period.label)
    if report is not None and report.status is ReportStatus.accepted:
        return FormClosed(intervention, period)
    return FormToFill(intervention, period, report.answers if report is not None else None)


def take_report(
    engine: Engine,
    reporting: Reporting,
    forms: Mapping[ReportKind, FormDefinition],
    *,
    user_id: str,
    intervention_id: object,
    label: object,
    raw: Mapping[str, str | None],
    view_id: str,
    now: datetime,
    today: date,
    office_channel: str | None,
) -> Taken:
    """A submitted form: refused, answers to correct, closed meanwhile, or stored as the next
    revision with its follow-ups (a duplicated delivery is stored once)."""
    try:
        intervention, period = target(engine, user_id, intervention_id, label, today=today)
    except FinsamError as err:
        return Refused(err)
    form = forms[period.kind]
    asked = form_context(engine, form, intervention.id, period)
    checked = validate(form, list(intervention.goals), raw, asked)
    if not checked.ok:
        return FieldErrors(dict(checked.errors))
    answers = dict(checked.values)
    try:
        submission = submit_report(
            engine,
            reporting,
            intervention_id=intervention.id,
            period=period,
            user_id=user_id,
            answers=answers,
            delivery=delivery_key(view_id, answers),
            now=now,
            office_channel=office_channel,
        )
    except ConflictError as err:
        if err.code != "report_already_accepted":
            raise
        return FormClosed(intervention, period)  # accepted while the form was open
    return Stored(intervention, period, submission)
