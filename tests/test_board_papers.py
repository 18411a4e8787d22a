"""Board papers: at each meeting's "papers due" step the secretary gets a draft pack — budget
status with its rules, reporting since the previous meeting, delegation decisions since then —
as a DM with a short summary and an XLSX file (planned once per meeting and secretary; a
retry never shares the file twice). SQLite and PostgreSQL, through the Slack fake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from store.board import EventInput, StepInput, replace_year
from store.db import session_scope
from store.models import BoardEventKind, Role, SupportKind
from store.outbox import cancel_pending
from tests.budget_data import SAMPLE_2026 as SAMPLE_BUDGET
from tests.harness import OFFICE_CHANNEL, STOCKHOLM, RunningBot, running_bot
from tests.reporting_data import add_intervention
from workflows.board_papers import (
    KIND,
    papers_pack,
    plan_board_papers,
    write_papers_xlsx,
)
from workflows.budget_files import import_budget_file
from workflows.budget_status import BudgetRules
from workflows.calendar import CalendarRules, Period
from workflows.grants import GrantFields, record_grant
from workflows.outbox import messages
from workflows.outbox_keys import papers_key
from workflows.people import register_person
from workflows.reports import (
    RECEIVED,
    REMINDERS_DONE,
    REVIEW,
    Reporting,
    delivery_key,
    review_report,
    submit_report,
)
from workflows.texts import Texts
from workflows.working_days import WorkingDays

REPORTING = Reporting(CalendarRules(), WorkingDays())
RULES = BudgetRules()
SECRETARY = "U0SECRET1"
LEAD = "U0LEAD001"
OFFICE = "U0OFFICE2"
PAPERS_DAY = date(2026, 5, 5)
SEND = datetime(2026, 5, 5, 9, 0, tzinfo=STOCKHOLM)


def meeting(
    uid: str, on: date, papers: date, *, kind: BoardEventKind = BoardEventKind.meeting
) -> EventInput:
    return EventInput(
        uid=uid,
        kind=kind,
        title=f"Styrelsemöte {on:%-d/%-m}" if kind == BoardEventKind.meeting else "Prognos",
        on=on,
        starts_at="13:00",
        ends_at="16:00",
        place="Uppsala",
        items=("Budgetuppföljning",),
        steps=(
            StepInput("papers_due", "Handlingar ut", papers, ("secretary",)),
            StepInput(
                "minutes_checked", "Protokoll justerat", on + timedelta(days=7), ("secretary",)
            ),
        ),
    )


def set_up_year(engine: Engine) -> dict[str, int]:
    """The 2026 budget, three meetings and a milestone, reports and grants around them."""
    import_budget_file(engine, SAMPLE_BUDGET)
    with session_scope(engine) as session:
        replace_year(
            session,
            2026,
            [
                meeting("m-feb", date(2026, 2, 17), date(2026, 2, 10)),
                meeting("m-mar", date(2026, 3, 10), date(2026, 3, 3)),
                meeting("m-may", date(2026, 5, 12), PAPERS_DAY),
                meeting("forecast", date(2026, 4, 30), PAPERS_DAY, kind=BoardEventKind.milestone),
            ],
        )
    register_person(engine, SECRETARY, role=Role.secretary, name="Sara Sekreterare")
    register_person(engine, OFFICE, role=Role.office, name="Olle Kansli")
    individual = add_intervention(engine, "Växtkraft", "Enköping", leads=(("a@e.example", LEAD),))
    structural = add_intervention(
        engine,
        "RegExPro",
        "Region Uppsala",
        kind=SupportKind.structural,
        leads=(("p@r.example", "U0LEAD002"),),
    )
    submit(engine, individual, "2026-02", datetime(2026, 3, 9, 10, tzinfo=STOCKHOLM))
    returned = submit(engine, individual, "2026-03", datetime(2026, 4, 14, 10, tzinfo=STOCKHOLM))
    review_report(
        engine,
        report_id=returned,
        reviewer=OFFICE,
        accept=False,
        comment="Fel i antalet",
        now=datetime(2026, 4, 15, 10, tzinfo=STOCKHOLM),
    )
    submit(engine, structural, "2026-Q1", datetime(2026, 4, 20, 10, tzinfo=STOCKHOLM))
    for decided_on, body, amount in (
        ("2026-03-01", "delegation", "50"),  # before the previous meeting: not in the pack
        ("2026-03-10", "delegation", "120"),  # on the previous meeting's day: in it
        ("2026-04-02", "board", "300"),  # the board's own: in the budget, not in the list
        ("2026-04-22", "delegation", "80,5"),
    ):
        record_grant(
            engine,
            GrantFields(
                decided_on=decided_on,
                intervention="Växtkraft",
                owner="Enköping",
                amount_tkr=amount,
                body=body,
                decided_by="Förbundschefen" if body == "delegation" else "Styrelsen § 9",
            ),
            today=PAPERS_DAY,
            now=SEND,
            recorded_by="cli",
        )
    with session_scope(engine) as session:
        for prefix in (RECEIVED, REMINDERS_DONE, REVIEW, "report_returned"):
            cancel_pending(session, f"{prefix}:")
    return {"individual": individual, "structural": structural}


def submit(engine: Engine, intervention_id: int, period: str, at: datetime) -> int:
    answers = {"note": period}
    return submit_report(
        engine,
        REPORTING,
        intervention_id=intervention_id,
        period=Period.parse(period),
        user_id=LEAD,
        answers=answers,
        delivery=delivery_key(f"{intervention_id}:{period}", answers),
        now=at,
        office_channel=None,
    ).report_id


def event_id(engine: Engine, uid: str) -> int:
    from store.board import events_of_year

    with session_scope(engine) as session:
        found = next(e.id for e in events_of_year(session, 2026) if e.uid == uid)
    assert found is not None
    return found


@pytest.fixture
def year(engine: Engine) -> Engine:
    set_up_year(engine)
    return engine


# --------------------------------------------------------------------------- planning


def papers_rows(engine: Engine) -> list[tuple[str, str]]:
    return [(m.key, m.channel) for m in messages(engine) if m.key.startswith(f"{KIND}:")]


def test_planned_once_per_meeting_and_secretary_from_the_send_time(year: Engine) -> None:
    may = event_id(year, "m-may")
    tz = STOCKHOLM
    assert plan_board_papers(year, now=SEND - timedelta(minutes=1), tz=tz) == []  # 08:59
    assert plan_board_papers(year, now=SEND, tz=tz) == [papers_key(may, SECRETARY)]
    assert plan_board_papers(year, now=SEND + timedelta(hours=3), tz=tz) == []  # once
    # The milestone's "papers_due" step is not a meeting's: nothing for it; earlier meetings
    # are more than 14 days past their step.
    assert papers_rows(year) == [(f"board_papers:{may}:{SECRETARY}", SECRETARY)]


def test_a_bot_that_was_down_catches_up_for_14_days_only(year: Engine) -> None:
    may = event_id(year, "m-may")
    late = SEND + timedelta(days=14)
    assert plan_board_papers(year, now=late, tz=STOCKHOLM) == [papers_key(may, SECRETARY)]
    with session_scope(year) as session:
        cancel_pending(session, f"{KIND}:")
    assert plan_board_papers(year, now=late + timedelta(days=1), tz=STOCKHOLM) == []


def test_a_step_marked_done_gets_no_pack(year: Engine) -> None:
    from store.board import mark_step_done, steps_of

    may = event_id(year, "m-may")
    with session_scope(year) as session:
        step = next(s for s in steps_of(session, [may])[may] if s.step == "papers_due")
        assert step.id is not None
        mark_step_done(session, step.id, by=SECRETARY, at=SEND - timedelta(hours=2))
    assert plan_board_papers(year, now=SEND, tz=STOCKHOLM) == []


def test_without_a_secretary_the_office_channel_gets_it(engine: Engine) -> None:
    import_budget_file(engine, SAMPLE_BUDGET)
    with session_scope(engine) as session:
        replace_year(session, 2026, [meeting("m-may", date(2026, 5, 12), PAPERS_DAY)])
    may = event_id(engine, "m-may")
    assert plan_board_papers(engine, now=SEND, tz=STOCKHOLM) == []
    planned = plan_board_papers(engine, now=SEND, tz=STOCKHOLM, fallback_channel=OFFICE_CHANNEL)
    assert planned == [papers_key(may, OFFICE_CHANNEL)]


# --------------------------------------------------------------------------- the pack


def test_the_pack_covers_the_time_since_the_previous_meeting(year: Engine) -> None:
    pack = papers_pack(
        year, event_id(year, "m-may"), reporting=REPORTING, rules=RULES, today=PAPERS_DAY
    )
    assert pack is not None
    assert (pack.title, pack.meeting_on, pack.since, pack.previous) == (
        "Styrelsemöte 12/5",
        date(2026, 5, 12),
        date(2026, 3, 10),
        "Styrelsemöte 10/3",
    )
    assert pack.status is not None
    assert (pack.status.remaining_decision_room, pack.status.granted) == (1_007_000, 550_500)
    assert pack.status.remaining_after_grants == 456_500
    # February (due 10 March), March (due 10 April, sent back: missing again) and Q1 (due
    # 15 April); April is due 11 May, after the papers' day.
    rows = [(r.period.label, r.due, r.owed, r.reported, r.missing, r.late) for r in pack.reporting]
    assert rows == [
        ("2026-02", date(2026, 3, 10), 1, 1, 0, 0),
        ("2026-03", date(2026, 4, 10), 1, 0, 1, 0),
        ("2026-Q1", date(2026, 4, 15), 2, 1, 1, 1),
    ]
    assert [(g.decided_on, g.amount_kr) for g in pack.delegation] == [
        (date(2026, 3, 10), 120_000),
        (date(2026, 4, 22), 80_500),
    ]
    assert pack.delegated_total == 200_500


def test_the_first_meeting_of_the_year_looks_back_to_new_year(year: Engine) -> None:
    pack = papers_pack(
        year, event_id(year, "m-feb"), reporting=REPORTING, rules=RULES, today=date(2026, 2, 10)
    )
    assert pack is not None
    assert (pack.since, pack.previous) == (date(2026, 1, 1), None)
    # December (due 12 January) and Q4 (due 15 January); January is due on the papers day.
    assert [r.period.label for r in pack.reporting] == ["2025-12", "2025-Q4"]
    assert pack.delegation == ()


def test_a_meeting_that_is_gone_has_no_pack(year: Engine) -> None:
    assert papers_pack(year, 999_999, reporting=REPORTING, rules=RULES, today=PAPERS_DAY) is None


def test_the_workbook_has_the_four_sheets(year: Engine) -> None:
    pack = papers_pack(
        year, event_id(year, "m-may"), reporting=REPORTING, rules=RULES, today=PAPERS_DAY
    )
    assert pack is not None
    book = load_workbook(BytesIO(write_papers_xlsx(pack, Texts("sv"))))
    assert book.sheetnames == ["Budget", "Regler", "Rapportering", "Delegationsbeslut"]
    check_sheets(book)
    english = load_workbook(BytesIO(write_papers_xlsx(pack, Texts("en"))))
    assert english.sheetnames == ["Budget", "Rules", "Reporting", "Delegation decisions"]
    assert pack.status is not None
    booked = replace(pack, status=replace(pack.status, through_month=4))
    titled = load_workbook(BytesIO(write_papers_xlsx(booked, Texts("sv"), association="SF X")))
    assert titled["Regler"]["A1"].value == (
        "SF X – Underlag till handlingarna: Styrelsemöte 12/5 2026-05-12 – bokfört t.o.m. april"
    )


def rows_of(sheet: Any) -> list[list[Any]]:
    """The sheet's rows without the empty cells openpyxl pads them with on the right."""
    found = []
    for row in sheet.iter_rows(values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        found.append(cells)
    return found


def check_sheets(book: Any, association: str = "") -> None:
    """Every sheet under its title row (the association, the meeting, how far the books go),
    its first header bold and frozen, fitted widths; then each sheet's figures."""
    title = "Underlag till handlingarna: Styrelsemöte 12/5 2026-05-12 – inga utgifter bokförda ännu"
    for sheet in book.worksheets:
        assert sheet["A1"].value == (f"{association} – " if association else "") + title
        assert sheet["A1"].font.bold and sheet.freeze_panes == "A3"
        assert all(cell.font.bold for cell in sheet[2] if cell.value is not None)
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[2]]
        assert all(8 < width <= 62 for width in widths), (sheet.title, widths)
    lines_width = book["Budget"].column_dimensions["B"].width
    assert lines_width >= max(len(str(c.value or "")) for c in book["Budget"]["B"][1:])
    budget = rows_of(book["Budget"])[1:]
    assert budget[0] == ["Post", "Belopp (tkr)"]
    assert book["Budget"]["B3"].number_format == "#,##0"
    totals = {row[0]: row[1] for row in budget[1:8]}
    assert totals["Kvarvarande beslutsutrymme"] == 1007
    assert totals["Beviljat under året"] == 550.5
    assert totals["Kvarvarande beslutsutrymme efter beslut"] == 456.5
    header = budget.index(
        [
            "Kategori",
            "Insats",
            "Insatsägare",
            "Typ av stöd",
            "Budget (tkr)",
            "Utfall (tkr)",
            "Förbrukning",
            "Prognos helår (tkr)",
            "Rapporterat ej bokfört (tkr)",
        ]
    )
    lines = budget[header + 1 :]
    assert len(lines) == 17
    assert lines[3][:7] == [
        "Samverkansinsatser",
        "Växtkraft",
        "Enköping",
        "individstödjande",
        2753,
        0,
        0,
    ]

    rules = [list(row) for row in book["Regler"].iter_rows(values_only=True)][1:]
    assert rules[0] == ["Regel", "Uppfylld", "Värde", "Gräns", "Underlag"]
    by_name = {row[0]: row for row in rules[1:]}
    assert by_name["Intäkterna täcker kostnaderna"][1] == "Nej"
    grants = by_name["Andel av årets beslut till individstödjande insatser"]
    assert grants[1:4] == ["–", 1.0, None]  # no minimum: shown, neither met nor missed
    assert by_name["Andel till individstödjande insatser i budgeten"][1] == "–"
    assert grants[4].startswith("Årets beslut till individstödjande insatser: 551")
    equity = by_name["Eget kapital under taket"]
    assert (equity[1], equity[2], equity[3]) == ("Ja", 0.1693, 0.2)

    reporting = [dated(row) for row in book["Rapportering"].iter_rows(values_only=True)][1:]
    assert reporting == [
        [
            "Period",
            "Rapport",
            "Sista dag",
            "Ska rapportera",
            "Inlämnade",
            "Saknas",
            "Inlämnade sent",
        ],
        ["2026-02", "Månadsrapport", date(2026, 3, 10), 1, 1, 0, 0],
        ["2026-03", "Månadsrapport", date(2026, 4, 10), 1, 0, 1, 0],
        ["2026-Q1", "Kvartalsrapport", date(2026, 4, 15), 2, 1, 1, 1],
        ["Summa", None, None, 4, 2, 2, 1],
    ]
    sheet = book["Rapportering"]
    assert (sheet["C3"].number_format, sheet["D3"].number_format) == ("yyyy-mm-dd", "0")
    assert all(cell.font.bold for cell in sheet[sheet.max_row])
    decisions = [dated(row) for row in book["Delegationsbeslut"].iter_rows(values_only=True)][1:]
    assert decisions == [
        ["Beslutsdatum", "Insats", "Insatsägare", "Typ av stöd", "Belopp (tkr)", "Beslutad av"],
        [date(2026, 3, 10), "Växtkraft", "Enköping", "individstödjande", 120, "Förbundschefen"],
        [
            date(2026, 4, 22),
            "Växtkraft",
            "Enköping",
            "individstödjande",
            80.5,
            "Förbundschefen",
        ],
        ["Summa", None, None, None, 200.5, None],
    ]


def dated(row: tuple[Any, ...]) -> list[Any]:
    """A row with its date cells (openpyxl reads them as midnight) as dates."""
    return [cell.date() if isinstance(cell, datetime) else cell for cell in row]


def test_text_that_looks_like_a_formula_stays_text(year: Engine) -> None:
    pack = papers_pack(
        year, event_id(year, "m-may"), reporting=REPORTING, rules=RULES, today=PAPERS_DAY
    )
    assert pack is not None
    evil = replace(pack.delegation[0], decided_by='=HYPERLINK("http://x","y")')
    book = load_workbook(BytesIO(write_papers_xlsx(replace(pack, delegation=(evil,)), Texts("sv"))))
    cell = book["Delegationsbeslut"]["F3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_a_year_without_budget_still_gets_a_pack(engine: Engine) -> None:
    with session_scope(engine) as session:
        replace_year(session, 2027, [meeting("m", date(2027, 3, 9), date(2027, 3, 2))])
    pack = papers_pack(
        engine, event_id_of(engine, 2027), reporting=REPORTING, rules=RULES, today=date(2027, 3, 2)
    )
    assert pack is not None and pack.status is None
    book = load_workbook(BytesIO(write_papers_xlsx(pack, Texts("sv"))))
    assert book["Budget"]["A2"].value == "Ingen budget för 2027 är importerad."


def event_id_of(engine: Engine, year: int) -> int:
    from store.board import events_of_year

    with session_scope(engine) as session:
        found = events_of_year(session, year)[0].id
    assert found is not None
    return found


# --------------------------------------------------------------------------- end to end

ASSOCIATION = "Samordningsförbundet Uppsala län"


@pytest.fixture
def bot(engine: Engine, database_url: str) -> Iterator[RunningBot]:
    with running_bot(
        engine, database_url, now=SEND, finsam_association_name=ASSOCIATION
    ) as running:
        running.fake.add_user(SECRETARY, email="sara@forbundet.example")
        running.fake.add_user(LEAD, email="lead@forbundet.example")  # their App Home refreshes
        set_up_year(engine)
        yield running
        running.fake.assert_clean()


def papers_posts(bot: RunningBot) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.fake.messages(bot.fake.dm_channel(SECRETARY))
        if str((m.get("metadata") or {}).get("event_payload", {}).get("key", "")).startswith(KIND)
    ]


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("text", "")]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts).replace("\u00a0", " ")


def test_the_secretary_gets_the_summary_and_the_file_in_a_dm(bot: RunningBot) -> None:
    bot.jobs.plan_reminders()  # the scheduled tick plans the pack (and the rest of the day's)
    may = event_id(bot.engine, "m-may")
    key = papers_key(may, SECRETARY)
    assert papers_rows(bot.engine) == [(key, SECRETARY)]
    with session_scope(bot.engine) as session:
        for other in ("reminder:", "escalation:", "board_step:"):
            cancel_pending(session, other)
    assert bot.jobs.run_outbox().sent.count(key) == 1
    [post] = papers_posts(bot)
    assert post["metadata"] == {"event_type": "finsam_outbox", "event_payload": {"key": key}}
    text = text_of(post)
    assert "Underlag till handlingarna: Styrelsemöte 12/5 2026-05-12" in text
    assert "förra sammanträdet (Styrelsemöte 10/3, 2026-03-10)" in text
    assert (
        "*Budget 2026:* kvarvarande beslutsutrymme 1 007 tkr, beviljat under året 551 tkr, "
        "kvar efter beslut 457 tkr. Regler: 1 av 2 uppfyllda." in text
    )
    assert "⚠️ Kostnaderna överstiger intäkterna med 2 970 tkr" in text
    assert (
        "*Rapportering sedan 2026-03-10:* 3 perioder, 2 av 4 rapporter inlämnade, *2 saknas*."
        in text
    )
    assert "*Delegationsbeslut sedan 2026-03-10:* 2 st, sammanlagt 201 tkr" in text
    assert "• 2026-04-22 81 tkr till Växtkraft (Enköping) (Förbundschefen)" in text

    [upload] = [f for f in bot.fake.files() if f["filename"].endswith(".xlsx")]
    assert upload["filename"] == "underlag-styrelsen-2026-05-12.xlsx"
    assert upload["channel"] == bot.fake.dm_channel(SECRETARY)
    check_sheets(load_workbook(BytesIO(upload["content"])), association=ASSOCIATION)

    # Later ticks plan nothing new.
    bot.clock.set(SEND + timedelta(hours=2))
    bot.jobs.plan_reminders()
    assert bot.jobs.run_outbox().sent.count(key) == 0
    assert len(papers_posts(bot)) == 1


def test_a_file_share_whose_answer_was_lost_is_not_shared_again(bot: RunningBot) -> None:
    plan_board_papers(bot.engine, now=SEND, tz=STOCKHOLM)
    key = papers_key(event_id(bot.engine, "m-may"), SECRETARY)
    bot.fake.drop_after_accept_next("files.completeUploadExternal")
    assert bot.jobs.run_outbox().retried == [key]
    assert len(bot.fake.files()) == 1  # Slack shared it; the bot does not know yet
    bot.clock.set(SEND + timedelta(minutes=5))
    assert bot.jobs.run_outbox().sent == [key]
    assert len(bot.fake.files()) == 1
    assert len(papers_posts(bot)) == 1


def test_a_post_that_failed_is_retried_and_the_file_follows_once(bot: RunningBot) -> None:
    plan_board_papers(bot.engine, now=SEND, tz=STOCKHOLM)
    key = papers_key(event_id(bot.engine, "m-may"), SECRETARY)
    bot.fake.fail_next("chat.postMessage", status=503)
    assert bot.jobs.run_outbox().retried == [key]
    assert bot.fake.files() == []
    bot.clock.set(SEND + timedelta(minutes=1))
    assert bot.jobs.run_outbox().sent == [key]
    assert len(papers_posts(bot)) == 1
    assert len(bot.fake.files()) == 1


def test_a_meeting_removed_before_sending_cancels_the_pack(bot: RunningBot) -> None:
    plan_board_papers(bot.engine, now=SEND, tz=STOCKHOLM)
    with session_scope(bot.engine) as session:
        replace_year(session, 2026, [meeting("m-mar", date(2026, 3, 10), date(2026, 3, 3))])
    report = bot.jobs.run_outbox()
    assert [k for k in report.cancelled if k.startswith(KIND)] == [
        k for k, _ in papers_rows(bot.engine)
    ]
    assert papers_posts(bot) == []
