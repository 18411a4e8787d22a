"""The annual and interim report's workbook (issue #13) and `/finsam export` (issue #12), on
SQLite and PostgreSQL: a year of monthly reports in the per-person shape, stored through the
real submission workflow, gives the 2017 annual report's figures by its own method; budgets
and books of two years give the consumption per category, per intervention for the year and
over its life, the member-fee shares and the share over 85 %; the interim report counts the
months so far; the CLI writes the file; in Slack the file arrives in the asker's DM through
the real Bolt app and the fake, and anyone but the office and the director is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine

from store.models import Role
from tests.budget_data import write_spending
from tests.cli_runner import Cli
from tests.harness import LEAD_USER, OFFICE_USER, STOCKHOLM, RunningBot, running_bot
from tests.overview_data import submit
from tests.participant_year import people, year_answers
from tests.reporting_data import add_intervention
from workflows.annual_report import annual_report
from workflows.annual_workbook import SHEET_BUILDERS, annual_workbook
from workflows.budget_files import import_budget_file, import_spending_file
from workflows.comparisons import Comparison, YearShares
from workflows.people import register_person

YEAR = 2026
ASSOCIATION = "Samordningsförbundet Test"
NATIONAL = "2016:0.33;2022:0.30"
TARGET = "2024:0.35"
DIRECTOR = "U0DIRECT1"
SHEETS = [
    "Deltagare",
    "Förbrukning per kategori",
    "Per insats",
    "Andel av medlemsavgifter",
    "Över 85 % av budgeten",
    "Kvartalssammanställning",
]

# Budgets (tkr) of two years: (category, name, owner, support, budget).
BUDGETS: dict[int, list[tuple[str, str, str, str, int]]] = {
    2025: [
        ("intervention", "Alfa", "Enköping", "individual", 1000),
        ("intervention", "Beta", "Heby", "individual", 2000),
        ("intervention", "Gamma", "Region Uppsala", "structural", 500),
        ("other_collaboration", "Ekonom projektstöd", "", "structural", 400),
        ("board", "Förtroendevalda", "", "", 500),
        ("administration", "Förvaltning", "", "", 3000),
    ],
    2026: [
        ("intervention", "Alfa", "Enköping", "individual", 1200),
        ("intervention", "Beta", "Heby", "individual", 2000),
        ("intervention", "Delta", "Tierp", "individual", 800),
        ("other_collaboration", "Ekonom projektstöd", "", "structural", 400),
        ("reserved", "Reserverade medel", "", "", 1000),
        ("board", "Förtroendevalda", "", "", 500),
        ("administration", "Förvaltning", "", "", 3100),
    ],
}
MEMBER_FEES = {2025: 20000, 2026: 21000}
# The books (tkr): (month, category, name, owner, amount).
BOOKS: dict[int, list[tuple[int, str, str, str, int]]] = {
    2025: [
        (6, "intervention", "Alfa", "Enköping", 400),
        (12, "intervention", "Alfa", "Enköping", 500),
        (12, "intervention", "Beta", "Heby", 1500),
        (12, "intervention", "Gamma", "Region Uppsala", 500),
        (12, "other_collaboration", "Ekonom projektstöd", "", 300),
        (12, "board", "Förtroendevalda", "", 450),
        (12, "administration", "Förvaltning", "", 2800),
    ],
    2026: [
        (3, "intervention", "Alfa", "Enköping", 300),
        (6, "intervention", "Alfa", "Enköping", 300),
        (9, "intervention", "Alfa", "Enköping", 400),
        (6, "intervention", "Beta", "Heby", 1000),
        (9, "intervention", "Beta", "Heby", 800),
        (8, "intervention", "Delta", "Tierp", 500),
        (9, "intervention", "Delta", "Tierp", 300),
        (6, "other_collaboration", "Ekonom projektstöd", "", 200),
        (9, "reserved", "Reserverade medel", "", 100),
        (6, "board", "Förtroendevalda", "", 250),
        (6, "administration", "Förvaltning", "", 1500),
        (9, "administration", "Förvaltning", "", 700),
    ],
}


def spent(year: int, name: str, *, until: int = 12) -> int:
    """kr booked on a line from BOOKS."""
    return 1000 * sum(a for m, _, n, _, a in BOOKS[year] if n == name and m <= until)


def budget(year: int, name: str) -> int:
    return 1000 * sum(b for _, n, _, _, b in BUDGETS[year] if n == name)


def spent_in(year: int, categories: set[str], *, until: int = 12) -> int:
    return 1000 * sum(a for m, c, _, _, a in BOOKS[year] if c in categories and m <= until)


def comparison(year: int) -> Comparison:
    return Comparison.of(year, YearShares.parse(NATIONAL), YearShares.parse(TARGET))


def store_books(engine: Engine, files: Path) -> None:
    for year, lines in BUDGETS.items():
        path = files / f"budget-{year}.csv"
        rows = [f"{year},income,member_fees,Medlemsavgifter,,,{MEMBER_FEES[year]}"]
        rows += [
            f"{year},cost,{category},{name},{owner},{support},{amount}"
            for category, name, owner, support, amount in lines
        ]
        path.write_text(
            "year,section,category,name,owner,support,amount_tkr\n" + "\n".join(rows) + "\n",
            encoding="utf-8",
        )
        import_budget_file(engine, path)
        import_spending_file(engine, write_spending(files / f"books-{year}.csv", year, BOOKS[year]))


def store_reports(engine: Engine) -> int:
    """The simulated 196 people (tests/participant_year.py) reported month by month in the
    per-person shape, each report through the submission workflow."""
    alfa = add_intervention(
        engine, "Alfa", "Enköping", starts_on=date(2025, 1, 1), leads=(("alfa@example.se", None),)
    )
    for month, answers in enumerate(year_answers("new"), start=1):
        submit(
            engine,
            alfa,
            f"{YEAR}-{month:02d}",
            at=datetime(YEAR, month, 28, 10, tzinfo=STOCKHOLM),
            answers=answers,
        )
    return alfa


@pytest.fixture
def stored(engine: Engine, tmp_path: Path) -> Engine:
    store_books(engine, tmp_path)
    store_reports(engine)
    return engine


def sheet_rows(sheet: Worksheet) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table_of(sheet: Worksheet) -> dict[str, dict[str, Any]]:
    """The table under the title row: first cell → {header: value}."""
    rows = sheet_rows(sheet)
    header = rows[1]
    return {
        str(row[0]): dict(zip(header, row, strict=False))
        for row in rows[2:]
        if row[0] is not None and any(v is not None for v in row[1:])
    }


def notes_of(sheet: Worksheet) -> list[str]:
    """The paragraphs under the table: a text cell alone on its row, after a blank row."""
    rows = sheet_rows(sheet)
    blank = next(i for i, row in enumerate(rows) if i > 1 and all(v is None for v in row))
    return [str(row[0]) for row in rows[blank + 1 :] if row[0] is not None]


def workbook(content: bytes) -> Any:
    return load_workbook(BytesIO(content))


# --------------------------------------------------------------------------- figures


def test_a_year_of_per_person_reports_gives_the_annual_reports_counts_and_shares(
    stored: Engine,
) -> None:
    report = annual_report(stored, YEAR, comparison=comparison)
    f = report.total
    persons = people()
    registered = [p for p in persons if not p.anonymous]
    assert (f.participants.total, f.registered.total, f.anonymous.total) == (
        len(persons),
        len(registered),
        len(persons) - len(registered),
    )
    ended = [p for p in persons if p.ends is not None]
    went = [p for p in ended if p.to_work or p.to_studies]
    assert (f.ended.total, f.work_or_studies.total) == (len(ended), len(went))
    assert f.work_or_studies_share.total == pytest.approx(len(went) / len(ended))
    # each person once: the shares of the registered, not of the month-end stocks
    for attribute, share in (
        ("under_30", f.under_30_share),
        ("over_3_years", f.over_3_years_share),
        ("education_compulsory", f.education_compulsory_share),
        ("education_post_secondary", f.education_post_secondary_share),
    ):
        true = sum(1 for p in registered if p.has(attribute)) / len(registered)
        assert share == pytest.approx(true), attribute
    assert report.reports_through == 12 and report.books_through == 9
    assert report.comparison == Comparison(national=(2022, 0.30), target=(2024, 0.35))

    content = annual_workbook(
        stored, YEAR, made=date(2027, 2, 1), association=ASSOCIATION, comparison=comparison
    )
    sheet = workbook(content)["Deltagare"]
    table = table_of(sheet)
    assert table["Deltagare under året (personer)"]["Antal"] == len(persons)
    assert table["Registrerade i det nationella uppföljningssystemet"]["Antal"] == len(registered)
    to_work = table["Till arbete eller studier"]
    assert to_work["Antal"] == len(went)
    assert to_work["Andel"] == pytest.approx(len(went) / len(ended))
    assert to_work["Andel av"] == "av de avslutade"
    assert (to_work["Riksgenomsnitt"], to_work["Riksgenomsnittets år"]) == (0.30, 2022)
    assert (to_work["Styrelsens mål"], to_work["Målets år"]) == (0.35, 2024)
    over = table["Offentlig försörjning i mer än 3 år"]
    assert over["Andel"] == pytest.approx(f.over_3_years_share)
    assert over["Andel av"] == "av de registrerade"
    notes = notes_of(sheet)
    assert notes[0].startswith(
        f"Under året har {len(persons)} personer deltagit i av förbundet finansierade insatser."
    )
    assert notes[1].startswith(f"Av de {len(registered)} registrerade deltagarna är")
    assert notes[2].startswith("Räknat per person, som årsredovisningen räknar")
    assert "inte en gång per månad" in notes[2] and "Från 12 månadsrapporter." in notes[2]


def test_consumption_per_category_and_intervention_over_two_years(stored: Engine) -> None:
    report = annual_report(stored, YEAR)
    content = annual_workbook(stored, YEAR, made=date(2027, 2, 1), association=ASSOCIATION)
    book = workbook(content)
    assert book.sheetnames == SHEETS

    categories = table_of(book["Förbrukning per kategori"])
    individual = categories["Samordnade insatser för individer (individstödjande)"]
    names = ("Alfa", "Beta", "Delta")
    assert individual["Budget 2026 (tkr)"] == sum(budget(YEAR, n) for n in names) / 1000
    assert individual["Förbrukning 2026 (tkr)"] == sum(spent(YEAR, n) for n in names) / 1000
    assert individual["Förbrukad andel av budget 2026"] == pytest.approx(
        sum(spent(YEAR, n) for n in names) / sum(budget(YEAR, n) for n in names)
    )
    assert "Strukturstödjande samverkansinsatser" not in categories  # none in 2026
    collaboration = categories["Summa samverkansinsatser"]
    collab = {"intervention", "other_collaboration", "reserved"}
    assert collaboration["Förbrukning 2026 (tkr)"] == spent_in(YEAR, collab) / 1000
    total = categories["Summa kostnader"]
    every = {"intervention", "other_collaboration", "reserved", "board", "administration"}
    assert total["Förbrukning 2026 (tkr)"] == spent_in(YEAR, every) / 1000

    listed = [row[1] for row in sheet_rows(book["Per insats"])[2:] if row[1]]
    # this year's in the budget's order, then last year's only, then other collaboration
    assert listed == ["Alfa", "Beta", "Delta", "Gamma", "Ekonom projektstöd"]
    by_name = {
        row[1]: dict(zip(sheet_rows(book["Per insats"])[1], row, strict=False))
        for row in sheet_rows(book["Per insats"])[2:]
        if row[1]
    }
    life_budget = budget(2025, "Alfa") + budget(YEAR, "Alfa")
    life_spent = spent(2025, "Alfa") + spent(YEAR, "Alfa")
    row = by_name["Alfa"]
    assert row["Förbrukning 2026 (tkr)"] == spent(YEAR, "Alfa") / 1000
    assert row["Förbrukning 2025 (tkr)"] == spent(2025, "Alfa") / 1000
    assert row["Budget hela tiden t.o.m. 2026 (tkr)"] == life_budget / 1000
    assert row["Förbrukning hela tiden t.o.m. 2026 (tkr)"] == life_spent / 1000
    assert row["Förbrukningskvot hela tiden"] == pytest.approx(life_spent / life_budget)
    assert row["År i budgeten"] == "2025–2026"
    # an intervention of last year only is listed with nothing this year, as the report does
    gamma = by_name["Gamma"]
    assert (gamma["Förbrukning 2026 (tkr)"], gamma["Förbrukning 2025 (tkr)"]) == (
        0,
        spent(2025, "Gamma") / 1000,
    )
    assert gamma["År i budgeten"] == "2025"
    assert by_name["Delta"]["Förbrukning 2025 (tkr)"] is None  # no line in 2025
    assert by_name["Ekonom projektstöd"]["Kategori"] == "Övriga samverkansinsatser"
    totals = table_of(book["Per insats"])["Samverkansinsatser totalt"]
    assert totals["Förbrukning 2026 (tkr)"] == sum(r.spent for r in report.interventions) / 1000

    fees = {row[0]: row for row in sheet_rows(book["Andel av medlemsavgifter"])[2:] if row[0]}
    header = sheet_rows(book["Andel av medlemsavgifter"])[1]
    for year in (2025, YEAR):
        row = dict(zip(header, fees[year], strict=False))
        assert row["Samverkansinsatser i %"] == pytest.approx(
            spent_in(year, collab) / (1000 * MEMBER_FEES[year])
        )
        assert row["Kostnad förtroendevalda i %"] == pytest.approx(
            spent_in(year, {"board"}) / (1000 * MEMBER_FEES[year])
        )
        assert row["Tilldelning, medlemsavgifter (tkr)"] == MEMBER_FEES[year]

    used = {row[0]: row for row in sheet_rows(book["Över 85 % av budgeten"])[2:] if row[0]}
    for year in (2025, YEAR):
        lines = [n for c, n, _, _, _ in BUDGETS[year] if c == "intervention"]
        over = [n for n in lines if spent(year, n) > 0.85 * budget(year, n)]
        assert used[year][1:4] == [len(lines), len(over), pytest.approx(len(over) / len(lines))]


def test_the_sheets_have_swedish_headers_titles_widths_and_totals(stored: Engine) -> None:
    content = annual_workbook(stored, YEAR, made=date(2027, 2, 1), association=ASSOCIATION)
    book = workbook(content)
    for name in SHEETS:
        sheet = book[name]
        title = str(sheet["A1"].value)
        assert title.startswith(f"{ASSOCIATION} – Årsrapport 2026 – {name}"), title
        assert "(bokfört t.o.m. september; uttag 2027-02-01)" in title
        assert sheet["A1"].font.bold and sheet["A2"].font.bold
        assert sheet.freeze_panes == "A3"
        for cell in [c for c in sheet[2] if c.value is not None]:  # each column fitted
            assert sheet.column_dimensions[cell.column_letter].customWidth, (name, cell.value)
    categories = book["Förbrukning per kategori"]
    assert [c.value for c in categories[2] if c.value is not None] == [
        "Kategori",
        "Budget 2026 (tkr)",
        "Förbrukning 2026 (tkr)",
        "Förbrukad andel av budget 2026",
    ]
    assert (categories.column_dimensions["A"].width or 0) > 40  # the longest category name
    last = categories.max_row
    total_row = next(
        row for row in range(3, last + 1) if categories.cell(row, 1).value == "Summa kostnader"
    )
    assert categories.cell(total_row, 1).font.bold
    assert categories.cell(total_row, 2).number_format == "#,##0"
    assert categories.cell(total_row, 4).number_format == "0.0%"
    subtotal = next(
        row
        for row in range(3, last + 1)
        if categories.cell(row, 1).value == "Summa samverkansinsatser"
    )
    assert categories.cell(subtotal, 1).font.bold
    assert categories.cell(3, 1).font.bold is False
    # the note under the table is one wrapped paragraph across the columns
    note_row = last
    assert categories.cell(note_row, 1).alignment.wrap_text
    assert any(str(r) == f"A{note_row}:F{note_row}" for r in categories.merged_cells.ranges)
    # a place for the quarterly compilation to be appended at merge
    assert len(SHEET_BUILDERS) == len(SHEETS)


def test_the_interim_report_counts_the_months_so_far(stored: Engine) -> None:
    report = annual_report(stored, YEAR, through_month=8, comparison=comparison)
    assert report.interim and report.books_through == 8 and report.reports_through == 8
    assert report.total.months == 8
    ended = [p for p in people() if p.ends is not None and p.ends <= 8]
    assert report.total.ended.total == len(ended) < annual_report(stored, YEAR).total.ended.total
    content = annual_workbook(stored, YEAR, through_month=8, made=date(2026, 9, 10))
    book = workbook(content)
    title = str(book["Per insats"]["A1"].value)
    assert title.startswith("Delårsrapport 2026 t.o.m. augusti – Per insats (bokfört t.o.m. aug")
    header = sheet_rows(book["Per insats"])[1]
    rows = {
        row[1]: dict(zip(header, row, strict=False))
        for row in sheet_rows(book["Per insats"])[2:]
        if row[1]
    }
    alfa = rows["Alfa"]
    assert alfa["Förbrukning 2026 t.o.m. augusti (tkr)"] == spent(YEAR, "Alfa", until=8) / 1000
    assert alfa["Förbrukning 2025 (tkr)"] == spent(2025, "Alfa") / 1000  # last year whole
    assert (
        alfa["Förbrukning hela tiden t.o.m. 2026 (tkr)"]
        == (spent(2025, "Alfa") + spent(YEAR, "Alfa", until=8)) / 1000
    )
    used = {row[0]: row for row in sheet_rows(book["Över 85 % av budgeten"])[2:] if row[0]}
    lines = [n for c, n, _, _, _ in BUDGETS[YEAR] if c == "intervention"]
    over = [n for n in lines if spent(YEAR, n, until=8) > 0.85 * budget(YEAR, n)]
    assert used[YEAR][1:3] == [len(lines), len(over)]
    deltagare = table_of(book["Deltagare"])
    assert deltagare["Avslutade"]["Antal"] == len(ended)
    assert "Från 8 månadsrapporter." in notes_of(book["Deltagare"])[-1]


# --------------------------------------------------------------------------- CLI


def test_the_cli_writes_the_annual_and_the_interim_report(
    stored: Engine, database_url: str, clean_env: Path
) -> None:
    cli = Cli(
        database_url,
        clean_env,
        FINSAM_ASSOCIATION_NAME=ASSOCIATION,
        FINSAM_NATIONAL_TO_WORK_SHARE=NATIONAL,
        FINSAM_TARGET_TO_WORK_SHARE=TARGET,
    )
    result = cli.ok("reports", "annual", "--year", str(YEAR), "--on", "2027-02-01")
    path = Path.cwd() / "arsrapport-2026.xlsx"  # the working directory
    assert f"Skrev {path.name}" in result.stdout
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    assert str(book["Deltagare"]["A1"].value).startswith(f"{ASSOCIATION} – Årsrapport 2026")
    to_work = table_of(book["Deltagare"])["Till arbete eller studier"]
    assert (to_work["Riksgenomsnitt"], to_work["Styrelsens mål"]) == (0.30, 0.35)

    out = clean_env / "delår"
    cli.ok("reports", "annual", "--year", str(YEAR), "--until", "8", "--out", str(out))
    interim = load_workbook(out.with_name("delår.xlsx"))
    assert "Delårsrapport 2026 t.o.m. augusti" in str(interim["Per insats"]["A1"].value)
    refused = cli("reports", "annual", "--year", str(YEAR), "--until", "13")
    assert refused.exit_code != 0 and "--until" in refused.output


# --------------------------------------------------------------------------- Slack


@pytest.fixture
def bot(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    now = datetime(YEAR + 1, 2, 1, 10, tzinfo=STOCKHOLM)
    with running_bot(
        engine,
        database_url,
        now=now,
        finsam_association_name=ASSOCIATION,
        finsam_national_to_work_share=NATIONAL,
    ) as running:
        running.fake.add_user(OFFICE_USER, name="Eva Ek")
        running.fake.add_user(LEAD_USER)
        running.fake.add_user(DIRECTOR)
        running.add_office_user()
        register_person(engine, DIRECTOR, role=Role.director, name="Dana Chef")
        store_books(engine, tmp_path)
        store_reports(engine)
        running.dispatch_on_ring()
        yield running


def text_of(body: dict[str, Any]) -> str:
    parts = [body.get("text", "")]
    parts += [b["text"]["text"] for b in body.get("blocks", []) if isinstance(b.get("text"), dict)]
    return "\n".join(parts)


def test_export_sends_the_workbook_to_the_askers_dm(bot: RunningBot) -> None:
    answer = bot.ask(f"export {YEAR}", user=OFFICE_USER)
    assert answer["response_type"] == "ephemeral"
    assert "Arbetsboken för 2026 kommer som fil i ditt DM." in text_of(answer)
    bot.fake.wait_for(lambda: len(bot.fake.files()) == 1, message="the workbook")
    (upload,) = bot.fake.files()
    assert upload["channel"] == bot.fake.dm_channel(OFFICE_USER)
    assert upload["filename"] == "finsam-2026.xlsx"
    book = workbook(upload["content"])
    assert book.sheetnames == ["Rapporter", "Deltagare 2026", "Kvartalssammanställning"]
    participants = book["Deltagare 2026"]
    header = [c.value for c in participants[2]]
    basis = header.index("Räknat per")
    assert {row[basis] for row in participants.iter_rows(min_row=3, values_only=True)} == {
        "personer"
    }  # in words, not its code
    post, *shared = bot.fake.messages(bot.fake.dm_channel(OFFICE_USER))
    assert post["text"].startswith("Här är arbetsboken för 2026")  # then the file after it
    assert [m.get("files", [{}])[0].get("name") for m in shared] == ["finsam-2026.xlsx"]


def test_export_of_the_annual_and_interim_report(bot: RunningBot) -> None:
    answer = bot.ask("export årsrapport", user=DIRECTOR)  # last year, now in February
    assert "Årsrapportens tabeller för 2026 kommer som fil i ditt DM." in text_of(answer)
    bot.fake.wait_for(lambda: len(bot.fake.files()) == 1, message="the annual report")
    upload = bot.fake.files()[0]
    assert upload["channel"] == bot.fake.dm_channel(DIRECTOR)
    assert upload["filename"] == "arsrapport-2026.xlsx"
    book = workbook(upload["content"])
    assert book.sheetnames == SHEETS
    assert str(book["Deltagare"]["A1"].value).startswith(f"{ASSOCIATION} – Årsrapport 2026")

    answer = bot.ask(f"export delårsrapport {YEAR} augusti", user=OFFICE_USER)
    assert "Delårsrapportens tabeller för 2026 t.o.m. augusti" in text_of(answer)
    bot.fake.wait_for(lambda: len(bot.fake.files()) == 2, message="the interim report")
    interim = bot.fake.files()[1]
    assert interim["filename"] == "delarsrapport-2026-08.xlsx"
    title = str(workbook(interim["content"])["Per insats"]["A1"].value)
    assert "Delårsrapport 2026 t.o.m. augusti" in title


def test_export_refuses_others_and_explains_bad_years(bot: RunningBot) -> None:
    refused = text_of(bot.ask("export", user=LEAD_USER))
    assert "`/finsam export` är till för kansliet och förbundschefen" in refused
    assert "`20x6` är inget år jag kan ta ut" in text_of(bot.ask("export 20x6", user=OFFICE_USER))
    assert "`1999` är inget år" in text_of(bot.ask("export årsrapport 1999", user=OFFICE_USER))
    month = text_of(bot.ask(f"export delårsrapport {YEAR} 13", user=OFFICE_USER))
    assert "`13` är ingen månad" in month
    nothing = text_of(bot.ask("export 2031", user=OFFICE_USER))
    assert "Det finns varken budget eller rapporter för 2031" in nothing
    assert bot.fake.files() == []
    assert bot.fake.messages(bot.fake.dm_channel(LEAD_USER)) == []


def test_a_file_whose_answer_was_lost_is_not_shared_again(bot: RunningBot) -> None:
    """The upload went through but its answer was lost: the next attempt finds the file in
    the DM's history after the post and shares nothing more."""
    bot.fake.drop_after_accept_next("files.completeUploadExternal")
    assert "kommer som fil i ditt DM" in text_of(bot.ask(f"export {YEAR}", user=OFFICE_USER))
    assert len(bot.fake.files()) == 1  # Slack shared it; the bot does not know yet
    bot.clock.set(datetime(YEAR + 1, 2, 1, 10, 10, tzinfo=STOCKHOLM))
    sent = bot.jobs.run_outbox().sent
    assert [key.split(":")[:2] for key in sent] == [["export_file", OFFICE_USER]]
    assert len(bot.fake.files()) == 1
    posts = [m for m in bot.fake.messages(bot.fake.dm_channel(OFFICE_USER)) if not m.get("files")]
    assert len(posts) == 1
