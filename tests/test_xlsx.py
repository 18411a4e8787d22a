"""The XLSX writer (workflows/xlsx.py), read back with openpyxl as the office's files are:
values keep their types, styles and formats hold, text is escaped and cleaned so every part
is well-formed XML, sheet names and sizes stay within Excel's limits, and `fill_sheet`
writes a `Table` as the exports need it."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, time, timedelta, timezone
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.workbook import Workbook as ReadBook
from openpyxl.worksheet.worksheet import Worksheet

from workflows.exports import Kind, Table, fill_sheet, write_xlsx
from workflows.xlsx import (
    MAX_COLUMNS,
    MAX_HEIGHT,
    MAX_ROWS,
    MAX_SHEET_NAME,
    MAX_TEXT,
    MAX_WIDTH,
    Book,
    Style,
    Value,
    column_letter,
    excel_serial,
    sheet_name,
)


def wall(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    """A wall-clock time without a zone, as Excel holds times and openpyxl reads them."""
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC).replace(tzinfo=None)


def read(book: Book) -> ReadBook:
    return load_workbook(BytesIO(book.to_bytes()))


def one_row(values: list[Value], styles: list[Style] | None = None) -> Worksheet:
    """`values` written as row 1 of a sheet and read back."""
    book = Book()
    sheet = book.add_sheet("Blad")
    sheet.add_row(values, [sheet.style(style) for style in styles or []])
    return read(book)["Blad"]


def test_values_keep_their_types() -> None:
    stockholm = timezone(timedelta(hours=1))
    values: list[Value] = [
        "text",
        42,
        -7,
        0.125,
        True,
        False,
        date(2026, 3, 31),
        wall(2026, 3, 31, 14, 5, 9),
        datetime(2026, 3, 31, 14, 5, tzinfo=stockholm),  # the wall clock, as the office reads
        None,
        "",  # an empty text is an empty cell, as openpyxl wrote it
        2**60,  # past a double's integers: Excel keeps 15 digits
        10**400,  # past a double altogether
        float("nan"),
        float("inf"),
        date(1850, 6, 1),  # before Excel's calendar: ISO text
        "-5",  # text that looks like a number stays text
    ]
    sheet = one_row(values)
    cells = [sheet.cell(1, column) for column in range(1, len(values) + 1)]
    assert [cell.value for cell in cells] == [
        "text",
        42,
        -7,
        0.125,
        True,
        False,
        wall(2026, 3, 31),
        wall(2026, 3, 31, 14, 5, 9),
        wall(2026, 3, 31, 14, 5),
        None,
        None,
        float(2**60),
        "#NUM!",
        "#NUM!",
        "#NUM!",
        "1850-06-01",
        "-5",
    ]
    assert [cell.data_type for cell in cells] == [
        *("s", "n", "n", "n", "b", "b", "d", "d", "d", "n", "n", "n", "e", "e", "e", "s", "s")
    ]
    # a date without a format of its own gets one: a bare serial would read as 46112
    assert cells[6].number_format == "yyyy-mm-dd"
    assert cells[7].number_format == "yyyy-mm-dd h:mm:ss"


@pytest.mark.parametrize(
    "day",
    [
        date(1900, 1, 1),
        date(1900, 2, 28),
        date(1900, 3, 1),  # after Excel's 29 February 1900
        date(2026, 12, 4),
        wall(2026, 12, 4, 23, 59, 59, 500_000),
        date(9999, 12, 31),
    ],
)
def test_dates_are_the_serials_openpyxl_writes(day: date) -> None:
    assert excel_serial(day) == pytest.approx(to_excel(day), abs=1e-9)  # type: ignore[no-untyped-call]
    read_back = one_row([day]).cell(1, 1).value
    expected = day if isinstance(day, datetime) else datetime.combine(day, time())
    assert isinstance(read_back, datetime)
    assert abs(read_back - expected) <= timedelta(milliseconds=1)


def test_styles_and_formats_read_back() -> None:
    styles = [
        Style(bold=True, size=13),
        Style(number_format="#,##0"),
        Style(number_format="0.0%"),
        Style(number_format="yyyy-mm-dd hh:mm"),
        Style(bold=True, number_format="0"),
        Style(wrap=True),
        Style(),
        Style(number_format='0" kr";[Red]-0" kr"'),  # quotes in the format's attribute
    ]
    values: list[Value] = ["Titel", 250_000, 0.5, wall(2026, 1, 2, 3, 4), 7, "a b", 1, 5]
    sheet = one_row(values, styles)
    title, money, share, when, bold_count, wrapped, plain, custom = (
        sheet.cell(1, column) for column in range(1, 9)
    )
    assert title.font.bold and title.font.sz == 13
    assert (money.number_format, money.font.bold) == ("#,##0", False)
    assert share.number_format == "0.0%"
    assert when.number_format == "yyyy-mm-dd hh:mm"
    assert bold_count.font.bold and bold_count.number_format == "0"
    assert wrapped.alignment.wrap_text and wrapped.alignment.vertical == "top"
    assert plain.font.bold is False and plain.number_format == "General"
    assert plain.alignment.wrap_text is None
    assert custom.number_format == '0" kr";[Red]-0" kr"'


def test_empty_cells_are_written_only_with_a_style() -> None:
    book = Book()
    sheet = book.add_sheet("Blad")
    bold = sheet.style(Style(bold=True))
    sheet.add_row([None, "x", None], [0, 0, 0])
    sheet.add_row([None, None, None], [bold, bold, bold])
    read_back = read(book)["Blad"]
    assert [cell.font.bold for cell in read_back[2]] == [True, True, True]
    raw = zipfile.ZipFile(BytesIO(book.to_bytes())).read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1"' not in raw and '<c r="C1"' not in raw and '<c r="A2" s=' in raw


def test_text_is_escaped_and_cleaned() -> None:
    texts: list[Value] = [
        "a < b & c > d",
        "\"quoted\" 'apostrophes'",
        "</t></si><si><t>injected",
        "]]><!-- -->",
        "bell\x07 null\x00 escape\x1b form\x0c",  # XML 1.0 cannot hold these
        "tab\tline\nbreak",
        "crlf\r\nkept",
        "  spaces at both ends  ",
        "_x0041_ is literal",
        "lone \ud800 surrogate",
        "å ä ö – € 🙂",
        '=HYPERLINK("http://x","y")',  # text, never a formula
        "\x01\x02",  # nothing left: an empty cell
    ]
    book = Book()
    sheet = book.add_sheet("Blad")
    for text in texts:
        sheet.add_row([text])
    written = book.to_bytes()
    with zipfile.ZipFile(BytesIO(written)) as parts:
        for name in parts.namelist():
            ElementTree.fromstring(parts.read(name))  # every part is well-formed
    read_back = load_workbook(BytesIO(written))["Blad"]
    assert [read_back.cell(row, 1).value for row in range(1, len(texts) + 1)] == [
        "a < b & c > d",
        "\"quoted\" 'apostrophes'",
        "</t></si><si><t>injected",
        "]]><!-- -->",
        "bell null escape form",
        "tab\tline\nbreak",
        "crlf\r\nkept",
        "  spaces at both ends  ",
        "_x0041_ is literal",
        "lone  surrogate",
        "å ä ö – € 🙂",
        '=HYPERLINK("http://x","y")',
        None,
    ]
    assert read_back.cell(12, 1).data_type == "s"
    strings = zipfile.ZipFile(BytesIO(written)).read("xl/sharedStrings.xml").decode()
    # Excel decodes _xHHHH_ in a text: the underscore itself is escaped so it shows as given
    assert "_x005F_x0041_ is literal" in strings


def test_a_cell_holds_at_most_excels_characters() -> None:
    sheet = one_row(["x" * (MAX_TEXT + 100)])
    assert sheet.cell(1, 1).value == "x" * MAX_TEXT


@pytest.mark.parametrize(
    ("wanted", "taken", "expected"),
    [
        ("Kvartalssammanställning", [], "Kvartalssammanställning"),
        ("Deltagare per insats och kommun 2026", [], "Deltagare per insats och kommun"),
        ("Budget: 2026/27 [utkast]?", [], "Budget_ 2026_27 _utkast__"),
        ("Rapporter", ["rapporter"], "Rapporter (2)"),
        ("Rapporter", ["Rapporter", "Rapporter (2)"], "Rapporter (3)"),
        ("A" * 40, ["A" * 31], "A" * 27 + " (2)"),
        ("'citat'", [], "citat"),
        ("", [], "Sheet"),
        ("History", [], "History_"),
        ("Tab\x01\n", [], "Tab"),
        ("Två\trader", [], "Tvårader"),
    ],
)
def test_sheet_names_are_valid_for_excel(wanted: str, taken: list[str], expected: str) -> None:
    assert sheet_name(wanted, taken) == expected
    assert len(expected) <= MAX_SHEET_NAME


def test_sheet_names_read_back_unique_and_escaped() -> None:
    book = Book()
    for name in ["Budget & utfall <2026>", "Budget & utfall <2026>", "x" * 50, "Ärenden"]:
        book.add_sheet(name).add_row([name])
    assert read(book).sheetnames == [
        "Budget & utfall <2026>",
        "Budget & utfall <2026> (2)",
        "x" * 31,
        "Ärenden",
    ]


def test_widths_heights_panes_and_merges() -> None:
    book = Book()
    sheet = book.add_sheet("Blad")
    for row in range(1, 6):
        sheet.add_row([f"r{row}", row])
    sheet.set_width(1, 24.5)
    sheet.set_width(3, 1000)  # past Excel's 255
    sheet.set_height(2, 45)
    sheet.set_height(9, 5000)  # a row with no cells, past Excel's 409 points
    sheet.freeze(3, 2)
    sheet.merge(4, 1, 4, 6)
    with pytest.raises(ValueError, match="overlap"):
        sheet.merge(3, 2, 5, 2)
    other = book.add_sheet("Andra")
    other.add_row(["x"])
    other.freeze(2)
    book.add_sheet("Tredje").freeze(1, 1)  # nothing frozen; an empty sheet is fine
    read_back = read(book)
    first = read_back["Blad"]
    assert first.column_dimensions["A"].width == 24.5 and first.column_dimensions["A"].customWidth
    assert first.column_dimensions["C"].width == MAX_WIDTH
    assert first.row_dimensions[2].height == 45
    assert first.row_dimensions[9].height == MAX_HEIGHT
    assert first.freeze_panes == "B3"
    assert [str(merged) for merged in first.merged_cells.ranges] == ["A4:F4"]
    assert read_back["Andra"].freeze_panes == "A2"
    assert read_back["Tredje"].freeze_panes is None
    assert read_back["Tredje"].max_row == 1 and read_back["Tredje"]["A1"].value is None


def test_excels_limits_are_errors_not_broken_files() -> None:
    book = Book()
    sheet = book.add_sheet("Blad")
    with pytest.raises(ValueError, match="columns"):
        sheet.add_row([1] * (MAX_COLUMNS + 1))
    sheet.add_row([1] * MAX_COLUMNS)  # the last column, XFD, is fine
    assert column_letter(MAX_COLUMNS) == "XFD" and column_letter(27) == "AA"
    sheet.rows = MAX_ROWS - 1  # as if the rows between were empty
    assert sheet.add_row(["last"]) == MAX_ROWS
    with pytest.raises(ValueError, match="rows"):
        sheet.add_row(["one too many"])
    with pytest.raises(ValueError):
        sheet.style(Style(size=500))
    read_back = read(book)["Blad"]
    assert read_back.cell(1, MAX_COLUMNS).value == 1
    assert read_back.cell(MAX_ROWS, 1).value == "last"
    with pytest.raises(ValueError, match="sheet"):
        Book().to_bytes()


def test_the_same_workbook_is_the_same_bytes() -> None:
    def made() -> bytes:
        book = Book()
        sheet = book.add_sheet("Blad")
        sheet.add_row(["a", 1, date(2026, 1, 1)], [sheet.style(Style(bold=True))])
        return book.to_bytes()

    assert made() == made()  # no timestamps: a file shared twice is one file


def test_fill_sheet_writes_a_table() -> None:
    table = Table(
        columns=("Insats", "Kostnad", "Andel", "Inskickad", "Kommentar"),
        rows=(
            ("Steg för steg", 1200, 0.25, wall(2026, 3, 1, 9, 30), "=1+1"),
            ("Delsumma", 1200, None, None, None),
            ("Ny väg", None, 0.5, None, "<b>fet</b> & \x00"),
        ),
        kinds=(Kind.TEXT, Kind.MONEY, Kind.SHARE, Kind.DATETIME),
        title="Samordningsförbundet X – Rapporter 2026",
        total=("Summa", 1200),
    )
    book = Book()
    fill_sheet(book.add_sheet("Rapporter"), table, bold_rows=(1,))
    sheet = read(book)["Rapporter"]
    assert sheet["A1"].value == table.title and sheet["A1"].font.bold and sheet["A1"].font.sz == 13
    assert [cell.value for cell in sheet[2]] == list(table.columns)
    assert all(cell.font.bold and cell.alignment.wrap_text for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert (sheet["B3"].value, sheet["B3"].number_format) == (1200, "#,##0")
    assert (sheet["C3"].value, sheet["C3"].number_format) == (0.25, "0.0%")
    assert sheet["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert (sheet["E3"].value, sheet["E3"].data_type) == ("=1+1", "s")
    assert sheet["B5"].number_format == "#,##0"  # an empty number cell keeps its format
    assert sheet["E5"].value == "<b>fet</b> & "
    subtotal, total = sheet[4], sheet[6]
    assert all(cell.font.bold for cell in subtotal) and all(cell.font.bold for cell in total)
    assert not any(cell.font.bold for cell in sheet[3])
    assert (total[0].value, total[1].value, total[1].number_format) == ("Summa", 1200, "#,##0")
    widths = [sheet.column_dimensions[column_letter(n)].width for n in range(1, 6)]
    assert all(8 < width <= 62 for width in widths) and widths[0] == len("Steg för steg") + 2


def test_an_empty_table_is_a_valid_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "empty.xlsx",
        [("Inget", Table(columns=(), rows=())), ("Rubriker", Table(("A", "B"), ()))],
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Inget", "Rubriker"]
    assert [cell.value for cell in book["Rubriker"][1]] == ["A", "B"]
    assert book["Rubriker"].freeze_panes == "A2"
