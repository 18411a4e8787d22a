"""The annual participant table (hand-computed figures) and `finsam-bot reports export` as XLSX
and CSV, on SQLite and PostgreSQL: every report with every figure, exact, nothing masked."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from bot.cli import app
from store.models import ReportKind, SupportKind
from tests.overview_data import monthly_answers, submit
from tests.reporting_data import add_intervention
from workflows.exports import Table, csv_field, csv_line, neutralise_formula, write_csv
from workflows.forms import FieldType, earlier_forms, inputs, load_forms
from workflows.participants import (
    FIELDS_USED,
    Split,
    figures_of_months,
    participant_table,
    total_of,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LEADS = (("kontakt@example.se", None),)

OLD_SHAPE = (
    "month_end", "new", "ended", "to_work", "to_studies", "to_subsidised_job", "with_plan",
    "under_30", "over_3_years", "anonymous",
)  # fmt: skip


def old_shape(**figures: int) -> dict[str, int]:
    """A report of the monthly form before issue #13: the profile of the month-end stock."""
    ids = [f"{field}_{split}" for field in OLD_SHAPE for split in ("women", "men")]
    assert not set(figures) - set(ids)
    return {input_id: figures.get(input_id, 0) for input_id in ids}


# Three months of one intervention in the old shape; each month's stock follows from the one
# before (start + new − ended = end): 5 women and 4 men on 1 January.
JANUARY = old_shape(
    month_end_women=6, month_end_men=4, new_women=2, new_men=1, ended_women=1, ended_men=1,
    to_work_women=1, under_30_women=2, under_30_men=1, over_3_years_women=3, over_3_years_men=2,
)  # fmt: skip
FEBRUARY = old_shape(
    month_end_women=7, month_end_men=5, new_women=2, new_men=2, ended_women=1, ended_men=1,
    to_work_men=1, to_studies_women=1, under_30_women=3, under_30_men=1,
    over_3_years_women=3, over_3_years_men=2,
)  # fmt: skip
MARCH = old_shape(
    month_end_women=5, month_end_men=5, new_men=1, ended_women=2, ended_men=1,
    to_work_women=1, to_studies_men=1, to_subsidised_job_women=1, with_plan_men=1,
    under_30_women=2, under_30_men=2, over_3_years_women=2, over_3_years_men=2,
)  # fmt: skip


def test_the_shipped_monthly_form_has_the_fields_the_table_reads() -> None:
    form = load_forms()[ReportKind.monthly]
    kinds = {f.id: f.type for f in form.fields}
    assert {field: kinds.get(field) for field in FIELDS_USED} == {
        field: FieldType.COUNT_SPLIT for field in FIELDS_USED
    }


def test_a_year_of_one_intervention_by_hand() -> None:
    f = figures_of_months([JANUARY, FEBRUARY, MARCH])
    assert f.months == 3
    # 5 + 4 on 1 January, then 2+2+0 women and 1+2+1 men new
    assert f.participants == Split(9, 8)
    assert f.ended == Split(4, 3)
    assert (f.to_work, f.to_studies) == (Split(2, 1), Split(1, 1))
    assert f.work_or_studies == Split(3, 2)
    shares = f.work_or_studies_share
    assert (shares.total, shares.women, shares.men) == (5 / 7, 3 / 4, 2 / 3)
    assert f.women_share == 9 / 17
    # profile of the participants at month end: 11 of 32 under 30, 14 of 32 over 3 years
    assert f.month_end_sum == Split(18, 14)
    assert (f.under_30_share, f.over_3_years_share) == (11 / 32, 14 / 32)
    assert (f.to_subsidised_job, f.with_plan) == (Split(1, 0), Split(0, 1))


def test_the_start_stock_never_goes_below_zero_and_empty_answers_count_nothing() -> None:
    odd = old_shape(month_end_women=1, new_women=3)
    f = figures_of_months([odd, {"month_end_women": None, "new_men": "x"}])
    assert f.participants == Split(3, 0)  # start max(0, 1 − 3 + 0) = 0, then 3 new
    assert figures_of_months([]).months == 0
    assert figures_of_months([]).women_share is None


def test_the_total_adds_the_interventions_and_recomputes_the_shares() -> None:
    one = figures_of_months([JANUARY, FEBRUARY, MARCH])
    two = figures_of_months([old_shape(month_end_men=3, ended_men=1, to_work_men=1)])
    total = total_of([one, two])
    assert (total.months, total.participants, total.ended) == (4, Split(9, 12), Split(4, 4))
    assert total.work_or_studies_share.total == 6 / 8
    assert total.women_share == 9 / 21


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=STOCKHOLM)


@pytest.fixture
def reported(engine: Engine) -> dict[str, int]:
    ids = {
        "vaxtkraft": add_intervention(
            engine, "Växtkraft", "Enköping", goals=("Fler i arbete",), leads=LEADS
        ),
        "small": add_intervention(engine, "Liten", "Heby", leads=LEADS),
        "structural": add_intervention(
            engine,
            "RegExPro",
            "Region Uppsala",
            kind=SupportKind.structural,
            goals=("A", "B"),
            leads=LEADS,
        ),
    }
    for label, answers in (("2026-01", JANUARY), ("2026-02", FEBRUARY), ("2026-03", MARCH)):
        submit(engine, ids["vaxtkraft"], label, at=at(date(2026, 4, 1)), answers=answers)
    small = monthly_answers(month_end_women=2, new_women=2, ended_men=0)
    submit(engine, ids["small"], "2026-02", at=at(date(2026, 3, 12)), answers=small)
    quarterly = {
        "goal_1": "partly",
        "goal_1_comment": "På väg",
        "costs": 125000,
        "other": '=HYPERLINK("https://x.example","klicka")',
    }
    submit(engine, ids["structural"], "2026-Q1", at=at(date(2026, 4, 14)), answers=quarterly)
    return ids


def test_the_table_for_a_year_from_the_store(engine: Engine, reported: dict[str, int]) -> None:
    table = participant_table(engine, 2026)
    assert [row.intervention.name for row in table.rows] == ["Liten", "Växtkraft"]
    small, vaxtkraft = (row.figures for row in table.rows)
    assert vaxtkraft == figures_of_months([JANUARY, FEBRUARY, MARCH])
    assert (small.months, small.participants) == (1, Split(2, 0))
    assert table.total.participants == Split(11, 8)


def export(
    database_url: str,
    *args: str,
    year: str = "2026",
    on: str = "2026-04-20",
    env: dict[str, str] | None = None,
) -> Result:
    settings = {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "ERROR",
        "FINSAM_ASSOCIATION_NAME": "Samordningsförbundet Uppsala län",
        **(env or {}),
    }
    result = CliRunner().invoke(
        app, ["reports", "export", "--year", year, "--on", on, *args], env=settings
    )
    assert result.exit_code == 0, result.output
    return result


TITLE = (
    "Samordningsförbundet Uppsala län – {what} 2026 – månadsrapporter t.o.m. mars "
    "(uttag 2026-04-20)"
)
COSTS = "Kostnader under kvartalet (kr)"


def sheet_table(sheet: Any) -> tuple[tuple[Any, ...], dict[tuple[Any, Any], dict[str, Any]]]:
    """The header row (row 2, under the title) and the rows below it by (first, third) cell."""
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    return header, {(row[0], row[2]): dict(zip(header, row, strict=True)) for row in rows[2:]}


def column_of(sheet: Any, header: str) -> int:
    return next(cell.column for cell in sheet[2] if cell.value == header)


def test_export_xlsx(
    engine: Engine, database_url: str, reported: dict[str, int], clean_env: Path
) -> None:
    out = clean_env / "finsam-2026.xlsx"
    result = export(database_url, "--format", "xlsx", "--out", str(out))
    assert result.stdout == f"Skrev {out}\n"
    book = load_workbook(out)
    assert book.sheetnames == ["Rapporter", "Deltagare 2026", "Kvartalssammanställning"]
    # the quarterly compilation, up to the last quarter ended: a report in the earlier
    # shape reads as it was given ("partly": "Delvis uppnått")
    compiled = [list(row) for row in book["Kvartalssammanställning"].iter_rows(values_only=True)]
    assert compiled[1] == [
        "Insats", "Insatsägare", "Insatstyp", "Mål nr", "Mål",
        "Kv 1 – status", "Kv 1 – kommentar", "Senaste status", "Uppnått",
    ]  # fmt: skip
    regexpro = [row for row in compiled if row[0] == "RegExPro"]
    assert [row[3:] for row in regexpro] == [
        [1, "A", "Delvis uppnått", "På väg", "Delvis uppnått", "Nej"],
        [2, "B", None, None, None, None],
    ]
    assert compiled[-1][0] == (
        "Strukturstödjande insatser: 0 av 1 mål uppnådda (0,0\u00a0%; styrelsens mål är"
        " 75,0\u00a0% – inte nått); 1 mål utan rapporterad status"
    )
    sheet = book["Rapporter"]
    # a title row: the association, what it is, which months the reports cover
    assert sheet["A1"].value == TITLE.format(what="Rapporter")
    assert sheet["A1"].font.bold
    # the header under it, bold and frozen, in Swedish from the forms: no codes
    assert sheet.freeze_panes == "A3"
    assert sheet.row_dimensions[2].height >= 30  # the long labels wrap onto lines of their own
    assert all(cell.font.bold for cell in sheet[2])
    header, by_key = sheet_table(sheet)
    assert header[:8] == (
        "Period", "Rapport", "Insats", "Insatsägare", "Status", "Version", "Inlämnad", "Sen"
    )  # fmt: skip
    # the monthly form starts with the stock at the start of the month (counted per person)
    assert header[8].endswith("– kvinnor") and header[8] != "Deltagare vid månadens slut – kvinnor"
    assert {"Mål 1", "Mål 1 – Måluppfyllelse", "Mål 1 – Kommentar till målet", "Mål 2"} <= set(
        header
    )
    assert COSTS in header
    # no input ids, but of the answers only the old shape of the form asked (kept, not lost)
    old_ids = {i.id for old in earlier_forms().get(ReportKind.monthly, ()) for i in inputs(old, ())}
    assert not [h for h in header if re.fullmatch(r"[a-z0-9_]+", str(h)) and h not in old_ids]
    march = by_key[("2026-03", "Växtkraft")]
    assert (march["Rapport"], march["Status"], march["Sen"], march["Version"]) == (
        "Månadsrapport", "Inlämnad", "Nej", 1
    )  # fmt: skip
    # local wall-clock time: Excel has no time zones
    local = datetime(2026, 4, 1, 10, 0, tzinfo=STOCKHOLM).replace(tzinfo=None)
    assert march["Inlämnad"] == local
    # exact figures: a 1 stays a 1 in the office's own export
    assert (
        march["Avslutade deltagare under månaden – kvinnor"],
        march["Till arbete – kvinnor"],
        march["Till studier – män"],
    ) == (2, 1, 1)
    # owed and past due without a report: a row saying so; April is not due yet: none
    missing = by_key[("2026-03", "Liten")]
    assert (missing["Status"], missing["Sen"]) == ("Saknas", "Ja")
    assert missing["Deltagare vid månadens slut – kvinnor"] is None
    assert ("2026-04", "Växtkraft") not in by_key
    assert ("2026-03", "RegExPro") not in by_key  # structural: no monthly report
    # a goal column carries the goal's own text, the attainment its label in the form
    q1 = by_key[("2026-Q1", "RegExPro")]
    assert (q1["Mål 1"], q1["Mål 1 – Måluppfyllelse"], q1["Mål 1 – Kommentar till målet"]) == (
        "A", "Delvis uppnått", "På väg"
    )  # fmt: skip
    assert (q1["Mål 2"], q1["Mål 2 – Måluppfyllelse"]) == ("B", None)
    assert q1[COSTS] == 125000
    assert by_key[("2026-Q1", "Växtkraft")]["Mål 1"] == "Fler i arbete"
    assert by_key[("2026-03", "Växtkraft")]["Mål 1"] is None  # a monthly row has no goals
    # free text is text, never a formula
    assert q1["Övriga kommentarer"] == '=HYPERLINK("https://x.example","klicka")'
    [formula_like] = [
        c for row in sheet.iter_rows() for c in row if c.value == q1["Övriga kommentarer"]
    ]
    assert formula_like.data_type == "s"
    assert by_key[("2026-Q1", "Växtkraft")]["Status"] == "Saknas"
    # number formats: kronor with a thousands separator, counts as integers, times as dates
    last = sheet.max_row
    assert sheet.cell(row=3, column=column_of(sheet, COSTS)).number_format == "#,##0"
    ended_women = column_of(sheet, "Avslutade deltagare under månaden – kvinnor")
    assert sheet.cell(row=3, column=ended_women).number_format == "0"
    assert sheet.cell(row=3, column=7).number_format == "yyyy-mm-dd hh:mm"
    # the totals row sums the counts and the amounts, bold; it sums no versions or text
    totals = dict(zip(header, next(sheet.iter_rows(min_row=last, values_only=True)), strict=True))
    assert totals["Period"] == "Summa" and all(cell.font.bold for cell in sheet[last])
    assert totals["Avslutade deltagare under månaden – kvinnor"] == 1 + 1 + 2  # Växtkraft's
    assert totals[COSTS] == 125000
    assert (totals["Version"], totals["Status"], totals["Mål 1"]) == (None, None, None)
    # widths fitted: every column set, as wide as its longest value (up to a limit)
    widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[2]}
    assert widths["Insats"] >= len("Växtkraft") and widths["Inlämnad"] >= 16
    assert widths["Övriga kommentarer"] >= len(q1["Övriga kommentarer"])
    assert widths["Period"] < widths["Övriga kommentarer"]
    assert max(widths.values()) <= 62

    participants = book["Deltagare 2026"]
    assert participants["A1"].value == TITLE.format(what="Deltagartabell")
    columns, named_rows = sheet_table(participants)
    named = {name: row for (name, _), row in named_rows.items()}
    assert list(named) == ["Liten", "Växtkraft", "Totalt"]
    assert columns[:6] == (
        "Insats",
        "Insatsägare",
        "Rapporterade månader",
        "Deltagare under året – kvinnor",
        "Deltagare under året – män",
        "Deltagare under året",
    )
    vaxtkraft = named["Växtkraft"]
    assert (
        vaxtkraft["Deltagare under året – kvinnor"],
        vaxtkraft["Deltagare under året – män"],
    ) == (9, 8)
    assert (vaxtkraft["Avslutade under året"], vaxtkraft["Till arbete eller studier"]) == (7, 5)
    share = "Andel av de avslutade till arbete eller studier"
    assert vaxtkraft[share] == pytest.approx(5 / 7)
    assert vaxtkraft["Andel kvinnor"] == pytest.approx(9 / 17)
    assert named["Totalt"]["Deltagare under året"] == 19
    assert all(cell.font.bold for cell in participants[participants.max_row])
    share_column = column_of(participants, "Andel kvinnor")
    assert participants.cell(row=4, column=share_column).number_format == "0.0%"
    assert participants.cell(row=4, column=6).number_format == "0"


def test_export_xlsx_in_english(
    engine: Engine, database_url: str, reported: dict[str, int], clean_env: Path
) -> None:
    out = clean_env / "finsam-2026.xlsx"
    export(database_url, "--out", str(out), env={"FINSAM_LANGUAGE": "en"})
    header, by_key = sheet_table(load_workbook(out)["Reports"])
    assert header[8] == "Participants at the start of the month – women"
    q1 = by_key[("2026-Q1", "RegExPro")]
    assert (q1["Status"], q1["Late"], q1["Goal 1 – Goal attainment"]) == (
        "Submitted", "No", "Partly reached"
    )  # fmt: skip


def read_swedish_csv(path: Path) -> list[dict[str, str]]:
    """The file as Excel with Swedish settings splits it: `;` between fields, quotes honoured."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8 (å, ä, ö)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert {len(row) for row in rows} == {len(rows[0])}  # every record splits into columns
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def swedish_number(text: str) -> float:
    """A number as Swedish Excel reads it: a decimal comma, no thousands separator."""
    assert re.fullmatch(r"-?[0-9]+(,[0-9]+)?", text), text
    return float(text.replace(",", "."))


def test_export_csv_two_files(
    engine: Engine, database_url: str, reported: dict[str, int], clean_env: Path
) -> None:
    stem = clean_env / "ut" / "finsam"
    stem.parent.mkdir()
    result = export(database_url, "--format", "csv", "--out", str(stem) + ".csv")
    reports_path = stem.with_name("finsam-reports.csv")
    participants_path = stem.with_name("finsam-participants.csv")
    assert result.stdout == f"Skrev {reports_path}\nSkrev {participants_path}\n"
    rows = read_swedish_csv(reports_path)
    assert list(rows[0])[:8] == [
        "Period", "Rapport", "Insats", "Insatsägare", "Status", "Version", "Inlämnad", "Sen"
    ]  # fmt: skip
    by_key = {(r["Period"], r["Insats"]): r for r in rows}
    march = by_key[("2026-03", "Växtkraft")]
    assert march["Inlämnad"] == "2026-04-01 10:00"  # local time, as Excel reads a date
    assert (march["Sen"], march["Status"]) == ("Nej", "Inlämnad")
    assert swedish_number(march["Avslutade deltagare under månaden – kvinnor"]) == 2
    assert swedish_number(march["Till arbete – män"]) == 0
    missing = by_key[("2026-03", "Liten")]
    assert (missing["Status"], missing["Version"], missing["Sen"]) == ("Saknas", "", "Ja")
    assert missing["Deltagare vid månadens slut – kvinnor"] == ""
    q1 = by_key[("2026-Q1", "RegExPro")]
    assert (q1["Mål 1"], q1["Mål 1 – Måluppfyllelse"]) == ("A", "Delvis uppnått")
    assert swedish_number(q1[COSTS]) == 125000  # no thousands separator inside a number
    assert q1["Övriga kommentarer"] == '\'=HYPERLINK("https://x.example","klicka")'
    assert swedish_number(by_key[("Summa", "")][COSTS]) == 125000

    table = {row["Insats"]: row for row in read_swedish_csv(participants_path)}
    share = "Andel av de avslutade till arbete eller studier"
    assert table["Växtkraft"][share] == "0,7143"
    assert swedish_number(table["Växtkraft"][share + " – kvinnor"]) == 0.75
    assert table["Liten"][share] == ""  # nobody ended: no share
    assert swedish_number(table["Totalt"]["Deltagare under året"]) == 19


def test_export_refuses_an_unknown_format(database_url: str, clean_env: Path) -> None:
    env = {"DATABASE_URL": database_url}
    result = CliRunner().invoke(app, ["reports", "export", "--format", "pdf"], env=env)
    assert result.exit_code == 2
    assert "choose xlsx or csv" in result.output


# -- CSV under either separator (issue #10 §3) -------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","klicka")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    'Bra; =HYPERLINK("http://evil.example")',
    "a;=1+1;b",
    'a;"=1+1"',
    "Rad ett\n=1+1",
    "Rad ett\r\n- punkt två",
    "komma, och; semikolon",
    'citat "så här"',
    "vanlig text",
]


def cells_when_split_on(text: str, delimiter: str) -> list[str]:
    """The cells a spreadsheet splitting on `delimiter` sees (quotes honoured only at the start
    of its own fields, as Excel and Python's csv do)."""
    return [
        cell
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for cell in row
    ]


def is_formula(cell: str) -> bool:
    """Whether a spreadsheet would run the cell (a plain number such as -1500 is a number)."""
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell):
        return False
    return cell.lstrip(' "').startswith(("=", "+", "-", "@")) or cell.startswith(("\t", "\r"))


def test_csv_text_is_one_cell_with_commas_and_never_a_formula_with_semicolons(
    tmp_path: Path,
) -> None:
    table = Table(("n", "text", "amount"), tuple((i, v, -1500) for i, v in enumerate(HOSTILE)))
    path = write_csv(tmp_path / "x.csv", table)
    text = path.read_bytes().decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["n", "text", "amount"]
    assert [row[2] for row in rows[1:]] == ["-1500"] * len(HOSTILE)  # numbers stay numbers
    read = [row[1] for row in rows[1:]]
    assert read == [neutralise_formula(v) for v in HOSTILE]
    assert read[0] == "'" + HOSTILE[0]
    assert read[-3:] == HOSTILE[-3:]  # ordinary text is left as it is
    assert not [cell for cell in cells_when_split_on(text, ",") if is_formula(cell)]
    assert not [cell for cell in cells_when_split_on(text, ";") if is_formula(cell)]
    for line in text.splitlines():  # a reader that honours no quotes at all
        assert not [cell for cell in re.split(r"[;,]", line) if is_formula(cell)], line


def test_a_value_with_a_semicolon_or_a_comma_is_quoted(tmp_path: Path) -> None:
    table = Table(("a", "b", "c"), (("x;y", "z", "1,5 timmar"),))
    path = write_csv(tmp_path / "x.csv", table)
    assert path.read_bytes().decode("utf-8-sig") == 'a;b;c\r\n"x;y";z;"1,5 timmar"\r\n'


def test_numbers_are_numbers_with_a_decimal_comma_and_negative_text_is_text() -> None:
    """A figure is written as a number (`-5`, which a spreadsheet reads as minus five, no
    formula; a share with a decimal comma, unquoted, as Swedish Excel reads numbers); text
    that looks like one gets the apostrophe, as OWASP advises."""
    fields = [csv_field(-5), csv_field(-0.25), csv_field("-5"), csv_field(1234567)]
    assert csv_line(fields) == "-5;-0,25;'-5;1234567\r\n"
    assert csv_field(datetime(2026, 4, 1, 10, 5, tzinfo=STOCKHOLM)) == "2026-04-01 10:05"
    assert csv_field(date(2026, 4, 1)) == "2026-04-01"
