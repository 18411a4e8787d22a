"""The office's export of a year (`finsam-bot reports export`): every report with every
figure, and the annual participant table (workflows/participants.py). Exact figures, no
masking: the export is the office's own.

Two tables: `reports` (one row per intervention and period: the periods with a report, and
the owed periods past due without one, as "Saknas") and `participants`. Both are for people
to read as they open: headers and values in the user's language, from the form files (an
input's label, a choice's option text, a goal's own text) and templates/export.j2, never
codes. Each table knows the kind of each column (count, money, share, date and time), which
gives the XLSX its number formats and the totals row its sums.

An XLSX file holds them as two sheets: a title row (the association, what, the months the
reports cover), the header bold and frozen, widths fitted, a bold totals row. CSV gives two
files, `<stem>-reports.csv` and `<stem>-participants.csv`, as Excel in Swedish reads them
with a double-click: UTF-8 with a byte-order mark (å, ä, ö), `;` between fields, a decimal
comma, dates as YYYY-MM-DD, numbers without a thousands separator (so they stay numbers).
Free text from the reports is never taken for a formula: an XLSX cell keeps it as text; in a
CSV a text field is quoted when it holds `,` or `;` and an apostrophe goes before = + - @
wherever a spreadsheet splitting on `,` or on `;` would begin a cell (`neutralise_formula`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from workflows.answers import choice_label, input_label
from workflows.calendar import Period, ReportKind, periods_of_year
from workflows.comparisons import Comparison
from workflows.forms import (
    GOALS_MAX,
    FieldType,
    FormDefinition,
    FormField,
    Input,
    InputType,
    goal_list,
    inputs,
    load_forms,
)
from workflows.interventions import InterventionInfo, all_interventions
from workflows.overview import MISSING, owing
from workflows.participants import PEOPLE, ParticipantFigures, ParticipantTable
from workflows.reports import Reporting, reports_in
from workflows.texts import Texts
from workflows.xlsx import Book, Sheet, Style

Cell = str | int | float | bool | datetime | date | None


class Kind(StrEnum):
    """What a column holds: its number format in the XLSX, and whether the totals sum it."""

    TEXT = "text"
    COUNT = "count"  # people, months: summed
    MONEY = "money"  # whole kronor: summed
    NUMBER = "number"  # a whole number that is no quantity (a revision): not summed
    SHARE = "share"  # a fraction, shown as a percentage
    DATETIME = "datetime"


SUMMED = frozenset({Kind.COUNT, Kind.MONEY})
# Excel stores formats in its own (US) notation and shows them in the reader's: "#,##0" is
# "250 000" in Swedish Excel, with the space at every thousand however large the amount.
NUMBER_FORMATS = {
    Kind.COUNT: "0",
    Kind.NUMBER: "0",
    Kind.MONEY: "#,##0",
    Kind.SHARE: "0.0%",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}

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
REPORT_KINDS = (
    Kind.TEXT,
    Kind.TEXT,
    Kind.TEXT,
    Kind.TEXT,
    Kind.TEXT,
    Kind.NUMBER,
    Kind.DATETIME,
    Kind.TEXT,
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
    """Headers as the reader reads them, rows of typed cells, each column's kind (TEXT when
    not given), the XLSX's title row and a last row of totals (both files write it)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kinds: tuple[Kind, ...] = ()
    title: str = ""
    total: tuple[Cell, ...] | None = None

    def kind(self, index: int) -> Kind:
        return self.kinds[index] if index < len(self.kinds) else Kind.TEXT


def export_title(
    texts: Texts, table: str, *, year: int, through: int, made: date, association: str | None
) -> str:
    """ "Samordningsförbundet X – Rapporter 2026 – månadsrapporter t.o.m. mars (uttag …)"."""
    return texts.get(
        "export",
        "title",
        association=association or "",
        what=texts.get("export", "what", table=table),
        year=year,
        through=through,
        made=made.isoformat(),
    )


def reported_through(engine: Engine, year: int) -> int:
    """The last month of `year` with a monthly report (0: none yet): what the figures cover."""
    reports = reports_in(engine, [Period.month(year, month).label for month in range(1, 13)])
    return max((Period.parse(label).number for _, label in reports), default=0)


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class AnswerColumn:
    """A column of answers: `key` is the answer's id; a column with a `goal_number` carries
    the text of that goal of the row's intervention (the goals differ between interventions,
    so "Mål 1" is named in each row and its attainment and comment follow it)."""

    key: str
    header: str
    kind: Kind = Kind.TEXT
    item: Input | None = None
    goal_number: int = 0


def answer_columns(
    forms: dict[ReportKind, FormDefinition],
    interventions: Sequence[InterventionInfo],
    answered: Sequence[Mapping[str, object]],
    texts: Texts,
) -> list[AnswerColumn]:
    """Every input of the monthly form, then of the quarterly form (its goal inputs for every
    number of goals the interventions have, in the form's order), then any answer no longer
    in a form, sorted, headed by its id."""
    found: dict[str, Input] = {item.id: item for item in inputs(forms[ReportKind.monthly], ())}
    quarterly = forms[ReportKind.quarterly]
    counts = sorted({len(goal_list(info.goals)) for info in interventions} or {0})
    variants = [inputs(quarterly, ["."] * count) for count in counts]
    for form_field in quarterly.fields:
        for variant in variants:
            for item in variant:
                if item.field_id == form_field.id:
                    found.setdefault(item.id, item)
    goal_fields = {
        f.id: f for form in forms.values() for f in form.fields if f.type is FieldType.GOALS
    }
    columns: list[AnswerColumn] = []
    for key, item in found.items():
        goals = goal_fields.get(item.field_id)
        if goals is None:
            kind = {InputType.COUNT: Kind.COUNT, InputType.MONEY: Kind.MONEY}.get(item.type)
            columns.append(AnswerColumn(key, input_label(item, texts), kind or Kind.TEXT, item))
        else:
            columns += _goal_columns(goals, key, item, texts)
    extra = sorted({key for answers in answered for key in answers} - set(found))
    return [*columns, *(AnswerColumn(key, key) for key in extra)]


def _goal_columns(f: FormField, key: str, item: Input, texts: Texts) -> list[AnswerColumn]:
    lang = texts.lang
    which = key.removeprefix(f"{f.id}_").removesuffix("_comment")
    if which.isdigit():
        goal = texts.get("export", "goal", number=int(which))
    else:  # the goals as a whole, or the rest of them: the input's label says which
        named = (f.overall_label if which == "all" else f.rest_label) or f.label
        goal = named.get(lang) if item.type is InputType.TEXT else item.label.get(lang)
    if item.type is InputType.TEXT:
        label = (f.comment_label or f.label).get(lang)
        return [AnswerColumn(key, texts.get("export", "goal_column", goal=goal, label=label))]
    attainment = AnswerColumn(
        key, texts.get("export", "goal_column", goal=goal, label=f.label.get(lang)), item=item
    )
    if not which.isdigit():
        return [attainment]
    return [AnswerColumn(f.id, goal, goal_number=int(which)), attainment]


def report_table(
    engine: Engine,
    reporting: Reporting,
    year: int,
    *,
    today: date,
    tz: ZoneInfo,
    texts: Texts | None = None,
    forms: dict[ReportKind, FormDefinition] | None = None,
    title: str = "",
) -> Table:
    """One row per intervention and period of `year`: every report, and every owed period
    past due without one; a last row sums the counts and amounts. In `texts`' language
    (default Swedish)."""
    texts = texts or Texts()
    forms = forms or load_forms()
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
    answers = answer_columns(
        forms, interventions, [report.answers for report in reports.values()], texts
    )
    rows: list[tuple[Cell, ...]] = []
    for period, info in found:
        report = reports.get((info.id, period.label))
        head: tuple[Cell, ...] = (
            period.label,
            forms[period.kind].title.get(texts.lang),
            info.name,
            info.owner,
        )
        if report is None:
            status: tuple[Cell, ...] = (_status(texts, MISSING), None, None, _yes_no(texts, True))
            given: Mapping[str, object] = {}
        else:
            status = (
                _status(texts, report.status.value),
                report.revision,
                report.submitted_at.astimezone(tz),
                _yes_no(texts, report.late),
            )
            given = report.answers
        cells = (_answer(column, info, period, given, texts) for column in answers)
        rows.append((*head, *status, *cells))
    kinds = (*REPORT_KINDS, *(column.kind for column in answers))
    return Table(
        tuple(texts.get("export", "column", name=name) for name in REPORT_COLUMNS)
        + tuple(column.header for column in answers),
        tuple(rows),
        kinds,
        title,
        summed_row(texts.get("export", "total"), kinds, rows),
    )


def _status(texts: Texts, status: str) -> str:
    return texts.get("export", "status", status=status)


def _yes_no(texts: Texts, value: bool) -> str:
    return texts.get("export", "yes_no", value=value)


def _answer(
    column: AnswerColumn,
    info: InterventionInfo,
    period: Period,
    answers: Mapping[str, object],
    texts: Texts,
) -> Cell:
    if column.goal_number:
        if period.kind is not ReportKind.quarterly:
            return None
        goals = goal_list(info.goals)
        named = len(goals) if len(goals) <= GOALS_MAX else GOALS_MAX - 1
        return goals[column.goal_number - 1] if column.goal_number <= named else None
    value = answers.get(column.key)
    if column.item is not None and column.item.type is InputType.CHOICE:
        return choice_label(column.item, value, texts.lang) or _cell(value, texts)
    return _cell(value, texts)


def _cell(value: object, texts: Texts) -> Cell:
    if isinstance(value, bool):
        return _yes_no(texts, value)
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def summed_row(
    label: str, kinds: Sequence[Kind], rows: Sequence[Sequence[Cell]]
) -> tuple[Cell, ...]:
    """`label`, then the sum of each count and amount column (other columns empty)."""
    cells: list[Cell] = [label]
    for index, kind in enumerate(kinds[1:], start=1):
        if kind not in SUMMED:
            cells.append(None)
            continue
        total = 0
        for row in rows:
            value = row[index]
            if isinstance(value, int) and not isinstance(value, bool):
                total += value
        cells.append(total)
    return tuple(cells)


# --------------------------------------------------------------------------- participants


def participant_table_rows(
    table: ParticipantTable,
    texts: Texts,
    *,
    title: str = "",
    comparison: Comparison | None = None,
) -> Table:
    """The participant table with the reader's headers; its total recomputes the shares.
    People, not person-months (`profile_basis` says so in words: "deltagarmånader (äldre
    form)" for a year reported in the old shape only); the national average and the board's
    target stand beside the share to work or studies on every row."""
    compared = comparison or Comparison()
    rows = tuple(
        _participant_row(
            row.intervention.name, row.intervention.owner, row.figures, compared, texts
        )
        for row in table.rows
    )
    kinds = tuple(
        Kind.TEXT
        if column in ("intervention", "owner", "profile_basis")
        else Kind.NUMBER
        if column in ("national_year", "target_year")
        else Kind.SHARE
        if column in SHARE_COLUMNS
        else Kind.COUNT
        for column in PARTICIPANT_COLUMNS
    )
    total = _participant_row(texts.get("status", "export_total"), "", table.total, compared, texts)
    headers = tuple(_participant_header(column, texts) for column in PARTICIPANT_COLUMNS)
    return Table(headers, rows, kinds, title, total)


def _participant_header(column: str, texts: Texts) -> str:
    base, _, split = column.rpartition("_")
    if split in ("women", "men"):
        return texts.get("export", "split", label=_participant_header(base, texts), split=split)
    return texts.get("export", "column", name=column)


def _participant_row(
    name: str, owner: str, f: ParticipantFigures, compared: Comparison, texts: Texts
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
        texts.get("participants", "basis", value=f.profile_basis) or None,
        national[1] if national else None,
        national[0] if national else None,
        target[1] if target else None,
        target[0] if target else None,
    )


# --------------------------------------------------------------------------- XLSX

TITLE_FONT = Style(bold=True, size=13)
BOLD = Style(bold=True)
HEADER_STYLE = Style(bold=True, wrap=True)  # wrapped, top-aligned
WIDTH_MIN = 8
WIDTH_MAX = 60  # longer text is cut off by the next cell; the cell keeps it whole
HEADER_WIDTH = 30  # a longer header wraps rather than widening its column
NUMBER_HEADER_WIDTH = 14  # a column of small numbers under a long label: the label wraps
LINE_HEIGHT = 15  # points per line of the header row


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Table]]) -> Path:
    """One sheet per table (names made valid for Excel: 31 characters, unique)."""
    book = Book()
    for title, table in sheets:
        fill_sheet(book.add_sheet(title), table)
    book.save(path)
    return path


def fill_sheet(sheet: Sheet, table: Table, *, bold_rows: Collection[int] = ()) -> None:
    """The title row, the header bold, wrapped and frozen, the rows with each column's number
    format, the totals bold (and the rows of `bold_rows`, indices into `table.rows`), and
    each column as wide as what it shows. Text is text, never a formula (workflows/xlsx.py)."""
    if table.title:
        sheet.add_row((table.title,), (sheet.style(TITLE_FONT),))
    width = len(table.columns)
    header = sheet.add_row(table.columns, (sheet.style(HEADER_STYLE),) * width)
    body = [*table.rows, *([table.total] if table.total is not None else [])]
    formats = [NUMBER_FORMATS.get(table.kind(index)) for index in range(width)]
    # Each cell of a number column has its format (its empty cells too); an empty cell of a
    # text column is not written at all: a report row is mostly the other kind's answers.
    plain = [sheet.style(Style(number_format=number_format)) for number_format in formats]
    bold = [sheet.style(Style(bold=True, number_format=number_format)) for number_format in formats]
    bolded = set(bold_rows)
    for index, row in enumerate(table.rows):
        if index in bolded:  # bold across the table, its empty cells too
            sheet.add_row((*row, *(None,) * (width - len(row))), bold)
        else:
            sheet.add_row(row, plain)
    if table.total is not None:
        sheet.add_row((*table.total, *(None,) * (width - len(table.total))), bold)
    sheet.freeze(header + 1, 1)
    lines = 1  # of the wrapped header row, which Excel does not grow by itself
    for index, column in enumerate(table.columns, start=1):
        kind = table.kind(index - 1)
        # each value once (a column repeats its owners, statuses and empty answers)
        values = {(type(row[index - 1]), row[index - 1]) for row in body if index <= len(row)}
        shown = [_shown_length(value, kind) for _, value in values]
        header_width = HEADER_WIDTH if kind is Kind.TEXT else NUMBER_HEADER_WIDTH
        column_width = min(max(WIDTH_MIN, min(len(column), header_width), *shown), WIDTH_MAX)
        sheet.set_width(index, column_width + 2)
        lines = max(lines, -(-len(column) // column_width))
    sheet.set_height(header, LINE_HEIGHT * min(lines, 6))


def _shown_length(value: Cell, kind: Kind) -> int:
    """About how many characters the cell shows in Swedish Excel."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, float) and kind is Kind.SHARE:
        return 7  # "100,0 %"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{value:,.0f}") if kind is Kind.MONEY else len(str(value))
    return max((len(line) for line in str(value).splitlines()), default=0)


# --------------------------------------------------------------------------- CSV

SEPARATOR = ";"  # what Excel with Swedish settings splits on (the comma is the decimal sign)


def csv_paths(stem: Path) -> tuple[Path, Path]:
    """`<stem>-reports.csv` and `<stem>-participants.csv` (a `.csv` on the stem is dropped)."""
    if stem.suffix.lower() == ".csv":
        stem = stem.with_suffix("")
    return (
        stem.with_name(f"{stem.name}-reports.csv"),
        stem.with_name(f"{stem.name}-participants.csv"),
    )


def write_csv(path: Path, table: Table) -> Path:
    """The header, the rows, the totals; one record per line (CRLF), no title row (the first
    line names the columns, for programs as for people)."""
    body = [*table.rows, *([table.total] if table.total is not None else [])]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(csv_line(csv_field(column) for column in table.columns))
        for row in body:
            out.write(csv_line(csv_field(value) for value in row))
    return path


def csv_line(fields: Iterable[str]) -> str:
    """Fields as `csv_field` writes them, separated by `;`."""
    return SEPARATOR.join(fields) + "\r\n"


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


def csv_field(value: Cell) -> str:
    """One field as written. Text is neutralised (`neutralise_formula`: `=HYPERLINK(…)` in a
    comment is never run) and quoted when it holds `,`, `;`, a quote, a tab, a line break or
    spaces at its ends, so it stays one cell whichever separator a program uses. Numbers are
    numbers as Swedish Excel reads them: a decimal comma (0,7143), no thousands separator, a
    minus that is a minus (`-5` is minus five, not a formula; only text "-5" becomes "'-5").
    Times as YYYY-MM-DD HH:MM (local), dates as YYYY-MM-DD."""
    if isinstance(value, str):
        return _quoted(neutralise_formula(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
        return text.replace(".", ",")
    return str(value)
