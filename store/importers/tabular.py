"""CSV and XLSX files as rows of text keyed by header name, plus the cell checks both importers
share. Line numbers are the ones the user sees (CSV: the file's line; XLSX: the sheet's row), so
every problem can point at the cell to fix."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from store.errors import ImportRejected, RowProblem
from store.identity_numbers import find_identity_number
from store.importers.limits import MAX_FILE_BYTES, MAX_ROWS, MAX_XLSX_UNCOMPRESSED_BYTES
from store.models import Category
from store.money import NotAnAmount, parse_tkr

MAX_TEXT = 200  # the length of the name/owner columns
MAX_KR = 10**12 - 1  # a billion tkr or more is a typo, not a budget (columns are BIGINT)
_DELIMITERS = (",", ";", "\t")
_YEAR = re.compile(r"^[0-9]{4}$")
_MONTH = re.compile(r"^[0-9]{1,2}$")


class ProblemCode(StrEnum):
    """Every RowProblem code an importer emits; each names a macro in templates/<lang>/import.j2
    taking one argument, `value`."""

    unreadable_file = "unreadable_file"
    empty_file = "empty_file"
    missing_column = "missing_column"
    duplicate_column = "duplicate_column"
    extra_values = "extra_values"
    bad_year = "bad_year"
    other_year = "other_year"
    bad_month = "bad_month"
    unknown_section = "unknown_section"
    unknown_category = "unknown_category"
    category_not_in_section = "category_not_in_section"
    not_a_cost_line = "not_a_cost_line"
    bad_amount = "bad_amount"
    amount_out_of_range = "amount_out_of_range"
    missing_name = "missing_name"
    too_long = "too_long"
    bad_support = "bad_support"
    duplicate_line = "duplicate_line"
    duplicate_spending = "duplicate_spending"
    no_budget_for_year = "no_budget_for_year"
    unknown_budget_line = "unknown_budget_line"
    spending_on_removed_line = "spending_on_removed_line"
    bad_kind = "bad_kind"
    bad_date = "bad_date"
    end_before_start = "end_before_start"
    bad_email = "bad_email"
    missing_email = "missing_email"
    duplicate_intervention = "duplicate_intervention"
    identity_number = "identity_number"
    file_too_large = "file_too_large"
    workbook_too_large = "workbook_too_large"
    too_many_rows = "too_many_rows"
    negative_income = "negative_income"
    cost_sign_mixed = "cost_sign_mixed"


def problem(line: int, column: str, code: ProblemCode, value: str = "") -> RowProblem:
    return RowProblem(line=line, column=column, code=code.value, value=value)


@dataclass(frozen=True)
class SourceRow:
    """One non-empty data row: `values` maps each named column (lower case) to its stripped text."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    header_line: int
    rows: list[SourceRow]
    problems: list[RowProblem] = field(default_factory=list)  # cells outside the named columns
    # Each column as the file wrote it, where that differs from its name here (Swedish
    # "belopp" → "amount_tkr", "Budget 2026" → "budget 2026"): a problem names what the user
    # sees.
    written: dict[str, str] = field(default_factory=dict)

    def as_written(self, problems: Iterable[RowProblem]) -> list[RowProblem]:
        return [
            RowProblem(p.line, self.written.get(p.column, p.column), p.code, p.value)
            for p in problems
        ]


def fold(text: str) -> str:
    """Text compared as a word, not as typed: case, accents and punctuation do not count
    ("Över-/underskott" and "over underskott", "other_collaboration" and "Other collaboration")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.split(r"[^0-9a-z]+", plain)).strip()


def read_table(
    path: Path,
    *,
    required: Sequence[str] | Callable[[tuple[str, ...]], Sequence[str]],
    optional: Sequence[str] = (),
    aliases: Mapping[str, str] | None = None,
) -> Table:
    """Rows of a .csv or .xlsx file. Raises ImportRejected when the file cannot be read, is over
    the limits (store/importers/limits.py), lacks a required column, has no data rows or holds
    a personal identity number anywhere (each cell named); problems in single rows are left to
    the caller. `aliases` renames header cells (keys `fold`ed) to the importer's column names;
    `required` may depend on the (renamed) header."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        _check_size(path)
    if suffix == ".csv":
        raw = _read_csv(path)
    elif suffix == ".xlsx":
        raw = _read_xlsx(path)
    else:
        raise _unreadable(path)
    return _to_table(raw, path=path, required=required, optional=optional, aliases=aliases or {})


def _unreadable(path: Path) -> ImportRejected:
    return ImportRejected([problem(0, "", ProblemCode.unreadable_file, path.name)], file=path.name)


def _too_large(path: Path, code: ProblemCode, size: int) -> ImportRejected:
    """`value` is the size in MB, one decimal ("59.0"); the message names the limit."""
    value = f"{size / 1024 / 1024:.1f}"
    return ImportRejected([problem(0, "", code, value)], file=path.name)


def refuse_if_too_large(name: str, size: int) -> None:
    """The refusal of a file over MAX_FILE_BYTES known only by its name and size (a file in
    Slack, before it is downloaded): the same words as for a file on disk."""
    if size > MAX_FILE_BYTES:
        raise _too_large(Path(name), ProblemCode.file_too_large, size)


def _too_many_rows(path: Path) -> ImportRejected:
    return ImportRejected([problem(0, "", ProblemCode.too_many_rows)], file=path.name)


def _check_size(path: Path) -> None:
    """Refuse a file over MAX_FILE_BYTES before any of it is read."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise _unreadable(path) from err
    if size > MAX_FILE_BYTES:
        raise _too_large(path, ProblemCode.file_too_large, size)


def _read_capped(path: Path) -> bytes:
    """The file's bytes, never more than the limit (a file may grow after stat, or be a pipe)."""
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(path, ProblemCode.file_too_large, len(data))
    return data


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = _read_capped(path).decode("utf-8-sig")
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = max(_DELIMITERS, key=first.count)  # ties go to ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows: list[tuple[int, list[str]]] = []
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):  # empty lines do not count (nor matter)
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows(path)
                rows.append((start, cells))
            start = reader.line_num + 1
        return rows
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise _unreadable(path) from err


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose members unpack to more than the limit, from the zip's directory
    alone: a zip bomb is refused before openpyxl inflates a byte of it. (Python's zip reader
    never returns more than a member's recorded size, so the record cannot lie.)"""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError) as err:
        raise _unreadable(path) from err
    if unpacked > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _too_large(path, ProblemCode.workbook_too_large, unpacked)


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    _check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a file that is not a workbook
        raise _unreadable(path) from err
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise _unreadable(path)
        sheet.reset_dimensions()  # some writers record a wrong size; read what is there
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cell.strip() for cell in cells):  # a formatted empty row is no row
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows(path)
                rows.append((number, cells))
        return rows
    except ImportRejected:
        raise
    except Exception as err:  # a damaged sheet fails while it is read, not when opened
        raise _unreadable(path) from err
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """An XLSX cell as the text a user would have typed: 23490.0 → '23490', 1222.5 → '1222.5'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # the shortest text that gives this float
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _to_table(
    raw: list[tuple[int, list[str]]],
    *,
    path: Path,
    required: Sequence[str] | Callable[[tuple[str, ...]], Sequence[str]],
    optional: Sequence[str],
    aliases: Mapping[str, str],
) -> Table:
    lines = ((number, [_clean(cell) for cell in cells]) for number, cells in raw)
    non_empty = [(number, cells) for number, cells in lines if any(cells)]
    if not non_empty:
        raise ImportRejected([problem(0, "", ProblemCode.empty_file)], file=path.name)
    (header_line, header_cells), data = non_empty[0], non_empty[1:]
    header = tuple(aliases.get(fold(cell), cell.lower()) for cell in header_cells)
    written = {
        name: cell for name, cell in zip(header, header_cells, strict=True) if name and name != cell
    }
    needed = required(header) if callable(required) else required
    _check_header(header, header_line, path=path, required=needed, optional=optional)
    if not data:
        raise ImportRejected([problem(header_line, "", ProblemCode.empty_file)], file=path.name)
    _refuse_identity_numbers(non_empty, header_line, header, path=path)
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    for number, cells in data:
        rows.append(SourceRow(number, _values(header, cells)))
        problems.extend(
            problem(number, "", ProblemCode.extra_values, text)
            for text in _stray_cells(header, cells)
        )
    return Table(
        header=header, header_line=header_line, rows=rows, problems=problems, written=written
    )


def _refuse_identity_numbers(
    lines: list[tuple[int, list[str]]],
    header_line: int,
    header: tuple[str, ...],
    *,
    path: Path,
) -> None:
    """A file holding a personal identity number in any cell is refused whole, every such cell
    named by line and column (the number itself is not repeated: only its kind)."""
    found = [
        problem(
            number, _column(header, index, number != header_line), ProblemCode.identity_number, kind
        )
        for number, cells in lines
        for index, cell in enumerate(cells)
        if (kind := find_identity_number(cell)) is not None
    ]
    if found:
        raise ImportRejected(found, file=path.name)


def _column(header: tuple[str, ...], index: int, named: bool) -> str:
    return header[index] if named and index < len(header) else ""


def _clean(cell: str) -> str:
    # NFC: a name typed on a Mac (decomposed ö) must match the same name typed elsewhere
    return unicodedata.normalize("NFC", cell).strip()


def _check_header(
    header: tuple[str, ...],
    header_line: int,
    *,
    path: Path,
    required: Sequence[str],
    optional: Sequence[str],
) -> None:
    problems = [
        problem(header_line, column, ProblemCode.missing_column, column)
        for column in required
        if column not in header
    ]
    problems += [
        problem(header_line, column, ProblemCode.duplicate_column, column)
        for column in (*required, *optional)
        if header.count(column) > 1
    ]
    if problems:
        raise ImportRejected(problems, file=path.name)


def _values(header: tuple[str, ...], cells: list[str]) -> dict[str, str]:
    padded = [*cells, *[""] * (len(header) - len(cells))]
    values: dict[str, str] = {}
    for name, cell in zip(header, padded, strict=False):
        if name:
            values.setdefault(name, cell)  # of two columns with one name, the first counts
    return values


def _stray_cells(header: tuple[str, ...], cells: list[str]) -> Iterator[str]:
    """Text in no named column: most often a decimal comma that split an amount in two."""
    for index, cell in enumerate(cells):
        if cell and (index >= len(header) or not header[index]):
            yield cell


# -- checks of single cells, shared by the budget and spending importers ---------------------


def read_year(row: SourceRow, problems: list[RowProblem]) -> int | None:
    text = row.get("year")
    if _YEAR.match(text):
        return int(text)
    problems.append(problem(row.line, "year", ProblemCode.bad_year, text))
    return None


def read_month(row: SourceRow, problems: list[RowProblem]) -> int | None:
    text = row.get("month")
    if _MONTH.match(text) and 1 <= int(text) <= 12:
        return int(text)
    problems.append(problem(row.line, "month", ProblemCode.bad_month, text))
    return None


# The words budgets are written in (DOMAIN.md "Money"), beside the codes, compared `fold`ed.
CATEGORY_WORDS: dict[str, Category] = {
    fold(word): category
    for category, words in {
        Category.member_fees: ("medlemsavgifter", "medlemsavgift", "parternas insats"),
        Category.sales: ("försäljning", "försäljning av tjänster", "sålda tjänster"),
        Category.external_funding: (
            "externa medel",
            "extern finansiering",
            "externfinansiering",
            "esf medel",
            "projektmedel",
        ),
        Category.board: ("förtroendevalda", "styrelse", "styrelsen"),
        Category.administration: ("förvaltning", "administration", "kansli"),
        Category.intervention: ("samverkansinsatser", "samverkansinsats", "insatser", "insats"),
        Category.other_collaboration: (
            "övriga samverkansinsatser",
            "övrig samverkan",
            "övriga insatser",
        ),
        Category.reserved: (
            "reserverade medel",
            "reserverat",
            "reserverade medel för ej beslutade insatser",
        ),
        Category.opening_surplus: (
            "över underskott från tidigare år",
            "överskott från tidigare år",
            "eget kapital",
            "ingående eget kapital",
            "balanserat resultat",
        ),
        Category.forecast_previous_year: (
            "prognos föregående år",
            "prognostiserat resultat",
            "prognos",
        ),
        Category.reserve_fund: ("bunden reservfond", "reservfond"),
    }.items()
    for word in (*words, category.value)
}


def read_category(row: SourceRow, problems: list[RowProblem]) -> Category | None:
    text = row.get("category")
    found = CATEGORY_WORDS.get(fold(text)) if text else None
    if found is None:
        problems.append(problem(row.line, "category", ProblemCode.unknown_category, text))
    return found


def read_amount(
    row: SourceRow, problems: list[RowProblem], column: str = "amount_tkr"
) -> int | None:
    text = row.get(column)
    try:
        kr = parse_tkr(text)
    except NotAnAmount:
        problems.append(problem(row.line, column, ProblemCode.bad_amount, text))
        return None
    if abs(kr) > MAX_KR:
        problems.append(problem(row.line, column, ProblemCode.amount_out_of_range, text))
        return None
    return kr


def read_text(
    row: SourceRow, column: str, problems: list[RowProblem], *, required: bool = False
) -> str | None:
    """The stripped text of `column` ('' if empty and optional); None after a problem."""
    text = row.get(column)
    if required and not text:
        problems.append(problem(row.line, column, ProblemCode.missing_name))
        return None
    if len(text) > MAX_TEXT:
        problems.append(problem(row.line, column, ProblemCode.too_long, text[:40] + "…"))
        return None
    return text


def line_label(category: Category, name: str, owner: str) -> str:
    """A budget line as a problem's value: 'intervention: Växtkraft (Enköping)'."""
    return f"{category.value}: {name}" + (f" ({owner})" if owner else "")


def reject_if_any(problems: Iterable[RowProblem], *, path: Path) -> None:
    """All or nothing: any problem refuses the whole file, listing every problem by line."""
    ordered = sorted(problems, key=lambda p: p.line)
    if ordered:
        raise ImportRejected(ordered, file=path.name)
