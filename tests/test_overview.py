"""The office's overview on SQLite and PostgreSQL: who owes a period, reported or not, how
late; the default period; the weekly summary's periods and key; the <5 rule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from store.models import Role, SupportKind
from tests.overview_data import REPORTING, submit
from tests.reporting_data import add_intervention
from workflows.calendar import Period
from workflows.outbox_keys import missing_summary_key
from workflows.overview import (
    hidden_in_chain,
    latest_due_period,
    mask_count,
    missing_summary,
    past_due_periods,
    period_status,
    status_to_dict,
    weekly_due,
)
from workflows.people import register_person
from workflows.reports import review_report

STOCKHOLM = ZoneInfo("Europe/Stockholm")
APRIL_20 = date(2026, 4, 20)  # a Monday; March was due Friday 10 April, Q1 Wednesday 15 April
MARCH = Period.month(2026, 3)
LEAD = "U0LEAD001"
OTHER = (("per@example.se", None),)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return {
        "on_time": add_intervention(
            engine, "Arbetsnära", "Uppsala", leads=(("anna@uppsala.example", LEAD),)
        ),
        "missing": add_intervention(
            engine, "Växtkraft", "Enköping", leads=(("<b>@enkoping.example", None),)
        ),
        "structural": add_intervention(
            engine, "RegExPro", "Region Uppsala", kind=SupportKind.structural, leads=OTHER
        ),
        "ended": add_intervention(
            engine, "Avslutad", "Tierp", ends_on=date(2026, 2, 28), leads=OTHER
        ),
        "later": add_intervention(
            engine, "Senare", "Knivsta", starts_on=date(2026, 5, 1), leads=OTHER
        ),
        "late": add_intervention(engine, "Sent in", "Heby", leads=OTHER),
    }


def test_who_owes_a_month_and_where_they_stand(engine: Engine, ids: dict[str, int]) -> None:
    submit(engine, ids["on_time"], "2026-03", at=at(date(2026, 4, 8)))
    submit(engine, ids["late"], "2026-03", at=at(date(2026, 4, 14)))
    status = period_status(engine, REPORTING, MARCH, today=APRIL_20)
    assert status.due == date(2026, 4, 10)
    rows = {row.intervention.name: row for row in status.rows}
    # structural ones send no monthly report; the ended and the not yet started owe none
    assert list(rows) == ["Arbetsnära", "Sent in", "Växtkraft"]
    assert (rows["Arbetsnära"].status, rows["Arbetsnära"].late) == ("submitted", False)
    assert (rows["Sent in"].status, rows["Sent in"].late) == ("submitted", True)
    # 13, 14, 15, 16, 17 and 20 April: six working days after Friday the 10th
    assert (rows["Växtkraft"].status, rows["Växtkraft"].days_late) == ("missing", 6)
    assert rows["Växtkraft"].late is True
    assert rows["Arbetsnära"].submitted_at == at(date(2026, 4, 8))


def test_an_intervention_without_leads_is_not_in_the_reporting_cycle(
    engine: Engine, ids: dict[str, int]
) -> None:
    add_intervention(engine, "Bara en budgetrad", "Uppsala")
    names = [
        r.intervention.name for r in period_status(engine, REPORTING, MARCH, today=APRIL_20).rows
    ]
    assert "Bara en budgetrad" not in names


def test_a_quarter_is_owed_by_structural_interventions_too(
    engine: Engine, ids: dict[str, int]
) -> None:
    status = period_status(engine, REPORTING, Period.quarter(2026, 1), today=APRIL_20)
    names = [row.intervention.name for row in status.rows]
    assert names == ["Arbetsnära", "Avslutad", "RegExPro", "Sent in", "Växtkraft"]
    assert status.due == date(2026, 4, 15)
    assert {row.days_late for row in status.rows} == {3}  # 16, 17, 20 April


def test_not_yet_due_is_missing_but_not_late(engine: Engine, ids: dict[str, int]) -> None:
    status = period_status(engine, REPORTING, Period.month(2026, 4), today=APRIL_20)
    assert {(row.status, row.late, row.days_late) for row in status.rows} == {("missing", False, 0)}


def test_review_shows_in_the_status(engine: Engine, ids: dict[str, int]) -> None:
    register_person(engine, "U0OFFICE1", role=Role.office)
    accepted = submit(engine, ids["on_time"], "2026-03", at=at(date(2026, 4, 8)))
    returned = submit(engine, ids["late"], "2026-03", at=at(date(2026, 4, 9)))
    review_report(
        engine,
        report_id=accepted,
        reviewer="U0OFFICE1",
        accept=True,
        comment=None,
        now=at(date(2026, 4, 13)),
    )
    review_report(
        engine,
        report_id=returned,
        reviewer="U0OFFICE1",
        accept=False,
        comment="Fel",
        now=at(date(2026, 4, 13)),
    )
    submit(engine, ids["missing"], "2026-03", at=at(date(2026, 4, 9)))
    submit(engine, ids["missing"], "2026-03", at=at(date(2026, 4, 16)), answers={"x": 1})
    rows = {
        r.intervention.name: r for r in period_status(engine, REPORTING, MARCH, today=APRIL_20).rows
    }
    assert (rows["Arbetsnära"].status, rows["Arbetsnära"].revision) == ("accepted", 1)
    assert (rows["Sent in"].status, rows["Sent in"].days_late) == ("returned", 0)
    # a correction after the due date keeps the first revision's punctuality
    assert (rows["Växtkraft"].revision, rows["Växtkraft"].late) == (2, False)


def test_json_shape(engine: Engine, ids: dict[str, int]) -> None:
    submit(engine, ids["on_time"], "2026-03", at=at(date(2026, 4, 8)))
    data = status_to_dict(period_status(engine, REPORTING, MARCH, today=APRIL_20))
    assert data["period"] == "2026-03"
    assert data["kind"] == "monthly"
    assert data["due"] == "2026-04-10"
    first, _, missing = data["interventions"]
    assert first == {
        "id": ids["on_time"],
        "name": "Arbetsnära",
        "owner": "Uppsala",
        "status": "submitted",
        "late": False,
        "days_late": 0,
        "submitted_at": "2026-04-08T08:00:00+00:00",
        "revision": 1,
        "leads": [{"name": "anna", "email": "anna@uppsala.example", "slack_user_id": LEAD}],
    }
    assert missing["leads"] == [
        {"name": "", "email": "<b>@enkoping.example", "slack_user_id": None}
    ]
    assert (missing["status"], missing["submitted_at"], missing["revision"]) == (
        "missing",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 4, 20), "2026-Q1"),  # Q1 was due 15 April, March on the 10th
        (date(2026, 4, 14), "2026-03"),
        (date(2026, 4, 10), "2026-02"),  # the due day itself has not passed
        (date(2026, 1, 5), "2025-11"),  # December 2025 is due 12 January
    ],
)
def test_the_default_period_is_the_one_due_most_recently(today: date, expected: str) -> None:
    assert latest_due_period(REPORTING, today).label == expected


def test_the_weekly_summary_looks_back_three_months_and_two_quarters() -> None:
    labels = [p.label for p in past_due_periods(REPORTING, APRIL_20)]
    assert labels == ["2025-Q4", "2026-01", "2026-02", "2026-03", "2026-Q1"]


def test_missing_summary_lists_open_reports_only(engine: Engine, ids: dict[str, int]) -> None:
    for name in ("on_time", "late", "missing"):
        for period in ("2026-01", "2026-02", "2026-03", "2025-Q4"):
            submit(engine, ids[name], period, at=at(date(2026, 1, 2)))
    for name in ("on_time", "late", "missing", "structural"):
        submit(engine, ids[name], "2026-Q1", at=at(date(2026, 4, 2)))
    summary = missing_summary(engine, REPORTING, today=APRIL_20)
    # "Avslutad" ended in February: it owes January, February, Q4 and Q1
    assert [(s.period.label, [r.intervention.name for r in s.rows]) for s in summary] == [
        ("2025-Q4", ["Avslutad", "RegExPro"]),
        ("2026-01", ["Avslutad"]),
        ("2026-02", ["Avslutad"]),
        ("2026-Q1", ["Avslutad"]),
    ]
    for name in ("ended", "structural"):
        submit(engine, ids[name], "2025-Q4", at=at(date(2026, 4, 2)))
    submit(engine, ids["ended"], "2026-01", at=at(date(2026, 4, 2)))
    submit(engine, ids["ended"], "2026-02", at=at(date(2026, 4, 2)))
    submit(engine, ids["ended"], "2026-Q1", at=at(date(2026, 4, 2)))
    assert missing_summary(engine, REPORTING, today=APRIL_20) == []


def test_the_summary_key_is_per_iso_week() -> None:
    assert missing_summary_key("C1", date(2026, 4, 20)) == "missing_reports:C1:2026-W17"
    assert missing_summary_key("C1", date(2026, 4, 26)) == "missing_reports:C1:2026-W17"
    assert missing_summary_key("C1", date(2027, 1, 1)) == "missing_reports:C1:2026-W53"


def test_weekly_due_from_the_weeks_scheduled_time() -> None:
    cron = "0 9 * * mon"
    assert not weekly_due(cron, now=datetime(2026, 4, 20, 8, 59, tzinfo=STOCKHOLM), tz=STOCKHOLM)
    assert weekly_due(cron, now=datetime(2026, 4, 20, 9, 0, tzinfo=STOCKHOLM), tz=STOCKHOLM)
    assert weekly_due(cron, now=datetime(2026, 4, 26, 23, 0, tzinfo=STOCKHOLM), tz=STOCKHOLM)
    assert not weekly_due(
        "0 9 * * fri", now=datetime(2026, 4, 22, 12, 0, tzinfo=STOCKHOLM), tz=STOCKHOLM
    )


@pytest.mark.parametrize(
    ("count", "threshold", "shown"),
    [
        (0, 5, "0"),  # nobody: nothing to identify
        (1, 5, "<5"),
        (4, 5, "<5"),
        (5, 5, "5"),
        (196, 5, "196"),
        (9, 10, "<10"),
        (10, 10, "10"),
        (1, 1, "1"),  # 0 or 1: masking off
        (1, 0, "1"),
    ],
)
def test_small_counts_are_masked(count: int, threshold: int, shown: str) -> None:
    assert mask_count(count, threshold) == shown


@pytest.mark.parametrize(
    ("counts", "threshold", "hidden"),
    [
        # the example: 7 ended, 5 of them to work or studies tells the 2 others
        ((18, 7, 5), 5, [False, True, False]),
        ((18, 7, 2), 5, [False, False, True]),  # 2 masked; 7 − "<5" tells nothing exact
        ((18, 10, 5), 5, [False, False, False]),  # 5 others: not small
        ((18, 9, 5), 5, [False, True, False]),  # 4 others
        ((8, 7, 5), 5, [True, True, False]),  # 8 − 5 = 3 too, once the 7 is hidden
        ((30, 12, 10), 5, [False, True, False]),
        ((30, 12, 0), 5, [False, False, False]),  # none: nobody to identify
        ((7, 7, 7), 5, [False, False, False]),  # no remainder
        ((18, 7, 5), 1, [False, False, False]),  # masking off
        ((18, 7, 5), 10, [False, True, True]),
    ],
)
def test_a_total_that_tells_a_small_remainder_is_hidden(
    counts: tuple[int, ...], threshold: int, hidden: list[bool]
) -> None:
    assert hidden_in_chain(counts, threshold) == hidden
