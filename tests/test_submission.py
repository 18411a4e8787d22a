"""The report form's rules as one workflow call each, without Slack
(`workflows/submission.py`): who may report, for which period, not once accepted, and the
answers validated before anything is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from store.models import ReportStatus, Role, SupportKind
from tests.overview_data import REPORTING
from tests.reporting_data import add_intervention
from tests.test_reporting_flow import MONTHLY_OK
from workflows.forms import CONFIRMED, load_forms
from workflows.people import register_person
from workflows.reports import find_report, review_report
from workflows.submission import (
    FieldErrors,
    FormClosed,
    FormToFill,
    Refused,
    Stored,
    Taken,
    open_report_form,
    take_report,
)

LEAD = "U0LEAD001"
OTHER = "U0OTHER01"
OFFICE = "U0OFFICE1"
NOW = datetime(2026, 4, 8, 9, 0, tzinfo=UTC)
TODAY = date(2026, 4, 8)
FORMS = load_forms()


def _take(
    engine: Engine,
    intervention_id: object,
    label: object,
    *,
    user: str = LEAD,
    answers: dict[str, str] = MONTHLY_OK,
) -> Taken:
    return take_report(
        engine,
        REPORTING,
        FORMS,
        user_id=user,
        intervention_id=intervention_id,
        label=label,
        raw=dict(answers),
        view_id="V1",
        now=NOW,
        today=TODAY,
        office_channel=None,
    )


def _intervention(engine: Engine) -> int:
    return add_intervention(
        engine, "Växtkraft", "Enköping", leads=(("anna@enkoping.example", LEAD),)
    )


def test_a_lead_takes_a_valid_report_and_it_is_stored(engine: Engine) -> None:
    iid = _intervention(engine)
    opened = open_report_form(engine, LEAD, iid, "2026-03", today=TODAY)
    assert isinstance(opened, FormToFill) and opened.prefill is None
    taken = _take(engine, iid, "2026-03")
    assert isinstance(taken, Stored) and taken.submission.revision == 1
    again = open_report_form(engine, LEAD, iid, "2026-03", today=TODAY)
    assert isinstance(again, FormToFill) and again.prefill == taken_answers(engine, iid)


def taken_answers(engine: Engine, iid: int) -> dict[str, object]:
    report = find_report(engine, iid, "2026-03")
    assert report is not None
    return report.answers


def test_bad_answers_are_field_errors_and_nothing_is_stored(engine: Engine) -> None:
    iid = _intervention(engine)
    taken = _take(engine, iid, "2026-03", answers={**MONTHLY_OK, "new_women": "många"})
    assert isinstance(taken, FieldErrors) and set(taken.errors) == {"new_women"}
    assert find_report(engine, iid, "2026-03") is None


def test_who_and_which_period_are_refused_with_their_codes(engine: Engine) -> None:
    iid = _intervention(engine)
    structural = add_intervention(
        engine, "Brobygget", "Håbo", kind=SupportKind.structural, leads=(("b@x.example", LEAD),)
    )
    cases = {
        (OTHER, iid, "2026-03"): "not_your_intervention",
        (LEAD, iid, "2026-05"): "period_not_owed",  # not begun
        (LEAD, iid, "mars"): "unknown_report",
        (LEAD, "1", "2026-03"): "unknown_report",
        (LEAD, structural, "2026-03"): "no_monthly_report",
    }
    for (user, intervention_id, label), code in cases.items():
        taken = _take(engine, intervention_id, label, user=user)
        opened = open_report_form(engine, user, intervention_id, label, today=TODAY)
        assert isinstance(taken, Refused) and taken.error.code == code
        assert isinstance(opened, Refused) and opened.error.code == code
    assert find_report(engine, iid, "2026-03") is None


def test_office_staff_may_report_for_a_lead(engine: Engine) -> None:
    iid = _intervention(engine)
    register_person(engine, OFFICE, role=Role.office, name="Eva Ek")
    assert isinstance(_take(engine, iid, "2026-03", user=OFFICE), Stored)


def test_an_accepted_report_is_closed(engine: Engine) -> None:
    iid = _intervention(engine)
    register_person(engine, OFFICE, role=Role.office, name="Eva Ek")
    taken = _take(engine, iid, "2026-03")
    assert isinstance(taken, Stored)
    review_report(
        engine,
        report_id=taken.submission.report_id,
        reviewer=OFFICE,
        accept=True,
        comment=None,
        now=NOW,
        revision=1,
    )
    assert isinstance(open_report_form(engine, LEAD, iid, "2026-03", today=TODAY), FormClosed)
    changed = {**MONTHLY_OK, "new_men": "2", "figures_confirmed": CONFIRMED}  # a correction
    closed = _take(engine, iid, "2026-03", answers=changed)
    assert isinstance(closed, FormClosed) and closed.period.label == "2026-03"
    report = find_report(engine, iid, "2026-03")
    assert report is not None and (report.status, report.revision) == (ReportStatus.accepted, 1)
