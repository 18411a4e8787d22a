"""The office's export of a year (`finsam-bot reports export`): every report with every
figure, and the annual participant table (workflows/participants.py). Exact figures, no
masking: the export is the office's own.

Two tables: `reports` (one row per intervention and period: the periods with a report, and
the owed periods past due without one, as `missing`) and `participants`. An XLSX file holds
them as two sheets; CSV gives two files, `<stem>-reports.csv` and `<stem>-participants.csv`
(UTF-8 with a byte-order mark so that Excel reads å, ä, ö; comma-separated, a field quoted
when it holds `,` or `;`; shares as fractions with a decimal point, e.g. 0.189). Free text
from the reports is never taken for a formula: an XLSX cell keeps it as text; in a CSV an
apostrophe goes before = + - @ wherever a spreadsheet splitting on `,` or on `;` would begin
a cell (`neutralise_formula`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine

from workflows.calendar import Period, ReportKind, periods_of_year
from workflows.comparisons import Comparison
from workflows.forms import FormDefinition, inputs, load_forms
from workflows.interventions import InterventionInfo, all_interventions
from workflows.overview import MISSING, as_utc, owing
from workflows.participants import PEOPLE, ParticipantFigures, ParticipantTable
from workflows.reports import Reporting, reports_in

Cell = str | int | float | bool | datetime | None
REPORT_COLUMNS = (
    "period",
    "kind",
    "intervention",
    "owner",
    "status",
    "revision",
    "submitted_at",
    "late",
)
PARTICIPANT_COLUMNS = (
    "intervention",
    "owner",
    "months_reported",
    "participants_women",
    "participants_men",
    "participants",
    "registered",
    "anonymous",
    "ended_women",
    "ended_men",
    "ended",
    "to_work_women",
    "to_work_men",
    "to_studies_women",
    "to_studies_men",
    "work_or_studies_women",
    "work_or_studies_men",
    "work_or_studies",
    "work_or_studies_share",
    "work_or_studies_share_women",
    "work_or_studies_share_men",
    "to_subsidised_job",
    "with_plan",
    "women_share",
    "under_30_share",
    "over_3_years_share",
    "education_compulsory_share",
    "education_upper_secondary_share",
    "education_post_secondary_share",
    "profile_basis",
    "national_work_or_studies_share",
    "national_year",
    "target_work_or_studies_share",
    "target_year",
)
SHARE_COLUMNS = frozenset(
    c for c in PARTICIPANT_COLUMNS if c.endswith(("_share", "_share_women", "_share_men"))
)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def answer_columns(
    forms: dict[ReportKind, FormDefinition],
    interventions: Sequence[InterventionInfo],
    answered: Sequence[dict[str, object]],
) -> tuple[str, ...]:
    """Every input id of the monthly form, then of the quarterly form (its goal inputs for
    every intervention's goals), then any answer no longer in a form, sorted."""
    ids: dict[str, None] = {i.id: None for i in inputs(forms[ReportKind.monthly], ())}
    for info in interventions:
        ids |= {i.id: None for i in inputs(forms[ReportKind.quarterly], info.goals)}
    extra = sorted({key for answers in answered for key in answers} - set(ids))
    return (*ids, *extra)


def report_table(
    engine: Engine,
    reporting: Reporting,
    year: int,
    *,
    today: date,
    tz: ZoneInfo,
    forms: dict[ReportKind, FormDefinition] | None = None,
) -> Table:
    """One row per intervention and period of `year`: every report, and every owed period
    past due without one."""
    interventions = all_interventions(engine)
    periods = periods_of_year(year)
    reports = reports_in(engine, [period.label for period in periods])
    found: list[tuple[Period, InterventionInfo]] = []
    for period in periods:
        past_due = reporting.deadline(period).due < today
        due = reporting.deadline(period).due
        owed = {info.id for info in owing(interventions, period, due=due)} if past_due else set()
        found += [
            (period, info)
            for info in interventions
            if info.id in owed or (info.id, period.label) in reports
        ]
    answer_ids = answer_columns(
        forms or load_forms(), interventions, [report.answers for report in reports.values()]
    )
    rows = []
    for period, info in found:
        report = reports.get((info.id, period.label))
        head: tuple[Cell, ...] = (period.label, period.kind.value, info.name, info.owner)
        if report is None:
            rows.append((*head, MISSING, None, None, True, *(None for _ in answer_ids)))
            continue
        rows.append(
            (
                *head,
                report.status.value,
                report.revision,
                as_utc(report.submitted_at).astimezone(tz),
                report.late,
                *(_cell(report.answers.get(key)) for key in answer_ids),
            )
        )
    return Table((*REPORT_COLUMNS, *answer_ids), tuple(rows))


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def participant_table_rows(
    table: ParticipantTable, *, total_label: str, comparison: Comparison | None = None
) -> Table:
    """A row per intervention and the total; people, not person-months (`profile_basis`
    says "person_months" for a year reported in the old shape only). The national average
    and the board's target stand beside the share to work or studies on every row."""
    compared = comparison or Comparison()
    rows = [
        _participant_row(row.intervention.name, row.intervention.owner, row.figures, compared)
        for row in table.rows
    ]
    rows.append(_participant_row(total_label, "", table.total, compared))
    return Table(PARTICIPANT_COLUMNS, tuple(rows))


def _participant_row(
    name: str, owner: str, f: ParticipantFigures, compared: Comparison
) -> tuple[Cell, ...]:
    went, shares = f.work_or_studies, f.work_or_studies_share
    by_people = f.profile_basis == PEOPLE
    national, target = compared.national, compared.target
    return (
        name,
        owner,
        f.months,
        f.participants.women,
        f.participants.men,
        f.participants.total,
        f.registered.total if by_people else None,
        f.anonymous.total if by_people else None,
        f.ended.women,
        f.ended.men,
        f.ended.total,
        f.to_work.women,
        f.to_work.men,
        f.to_studies.women,
        f.to_studies.men,
        went.women,
        went.men,
        went.total,
        shares.total,
        shares.women,
        shares.men,
        f.to_subsidised_job.total,
        f.with_plan.total,
        f.women_share,
        f.under_30_share,
        f.over_3_years_share,
        f.education_compulsory_share,
        f.education_upper_secondary_share,
        f.education_post_secondary_share,
        f.profile_basis,
        national[1] if national else None,
        national[0] if national else None,
        target[1] if target else None,
        target[0] if target else None,
    )


# --------------------------------------------------------------------------- files


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Table]]) -> Path:
    """One sheet per table (titles cut to Excel's 31 characters), the header row frozen,
    shares as percentages."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, table in sheets:
        _fill(book.create_sheet(title[:31]), table)
    book.save(path)
    return path


def _fill(sheet: Worksheet, table: Table) -> None:
    sheet.append(list(table.columns))
    for row in table.rows:
        sheet.append([_xlsx_value(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":  # text that starts with "=" is text, never a formula
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        if column in SHARE_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
        elif column == "submitted_at":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd hh:mm"


def _xlsx_value(value: Cell) -> Cell:
    # Excel has no time zones: local wall-clock time, as the office reads it.
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def csv_paths(stem: Path) -> tuple[Path, Path]:
    """`<stem>-reports.csv` and `<stem>-participants.csv` (a `.csv` on the stem is dropped)."""
    if stem.suffix.lower() == ".csv":
        stem = stem.with_suffix("")
    return (
        stem.with_name(f"{stem.name}-reports.csv"),
        stem.with_name(f"{stem.name}-participants.csv"),
    )


def write_csv(path: Path, table: Table) -> Path:
    """Comma-separated, one record per line (CRLF, as csv's default). A field is quoted when it
    holds the separator of either convention (`,` or the Swedish Excel `;`), a quote, a tab, a
    line break or spaces at its ends, so it stays one cell whichever separator is used."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(csv_line(table.columns))
        for row in table.rows:
            out.write(csv_line(_csv_value(value) for value in row))
    return path


def csv_line(fields: Iterable[str]) -> str:
    return ",".join(_quoted(field) for field in fields) + "\r\n"


_NEEDS_QUOTES = re.compile(r'[,;"\t\r\n]|^\s|\s$')


def _quoted(field: str) -> str:
    if _NEEDS_QUOTES.search(field):
        return '"' + field.replace('"', '""') + '"'
    return field


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may begin a cell inside a text value: after a `;` (a program splitting on
# `;` honours quotes only at the start of its own fields, so a comma file's quoted field is
# split there too) and after a line break (likewise a new row); spaces before the sign too.
_CELL_START_INSIDE = re.compile(r'(?<=[;\r\n])([ \t"]*)(?=[=+\-@])')


def neutralise_formula(text: str) -> str:
    """Text that no spreadsheet runs as a formula, whatever its separator: an apostrophe (the
    OWASP guard, shown by no spreadsheet) before `=`, `+`, `-`, `@`, tab or CR at the value's
    start, and before `=`, `+`, `-`, `@` wherever a `;` or a line break could begin a cell."""
    if text.startswith(FORMULA_START) or text.lstrip(" ").startswith(FORMULA_START[:4]):
        text = "'" + text
    return _CELL_START_INSIDE.sub(r"\1'", text)


def _csv_value(value: Cell) -> str:
    """Text a spreadsheet would run as a formula (`=HYPERLINK(…)` in a comment) is neutralised
    (`neutralise_formula`). Numbers are written as they are: a negative figure is a number,
    `-5`, not a formula, and only text is ever prefixed (text "-5" becomes "'-5")."""
    if isinstance(value, str):
        return neutralise_formula(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)
