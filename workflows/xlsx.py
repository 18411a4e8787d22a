"""A small XLSX writer: the bot's workbooks written straight as SpreadsheetML parts in a zip.

openpyxl makes an object per cell and serialises it element by element: 1.7 s of CPU for the
year's data workbook (117 000 cells, benchmarks/bench_scale.py). The bot's workbooks need
little of it: typed cells (text, numbers, dates, booleans), a few styles (bold, a larger
title, number formats, wrapped top-aligned text), column widths, row heights, frozen panes
and merged cells. This writes that and nothing else, each row as text once it is added: the
year's workbook in about 80 ms. openpyxl stays for reading (the importers, and the tests read
these files back with it).

    book = Book()
    sheet = book.add_sheet("Rapporter")
    bold = sheet.style(Style(bold=True))
    sheet.add_row(["Period", "Summa"], [bold, bold])
    sheet.add_row(["2026-01", 1200], [0, sheet.style(Style(number_format="#,##0"))])
    sheet.set_width(1, 12)
    sheet.freeze(2, 1)  # the first row stays on screen
    book.save(path)  # or book.to_bytes()

What Excel requires, the writer does: text is escaped for XML, characters XML 1.0 forbids
are left out (they cannot be written at all), a literal `_xHHHH_` stays literal (Excel
decodes it as an escape otherwise), a carriage return survives as `&#13;`, text longer than
a cell holds (32 767 characters) is cut, sheet names are made valid and unique (31
characters, none of `[]:*?/\\`), widths and heights are kept within Excel's bounds, and more
rows or columns than a sheet holds is an error. Text is always text, never a formula: a cell
of "=HYPERLINK(…)" shows those characters. Times are local wall-clock times (a time zone is
dropped: Excel has none); dates before 1900 are written as ISO text (Excel's calendar starts
there); a float that is no number (NaN, infinity) is Excel's #NUM! error."""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

Value = str | int | float | bool | datetime | date | None

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_TEXT = 32_767  # characters in a cell
MAX_SHEET_NAME = 31
MAX_WIDTH = 255.0  # characters
MAX_HEIGHT = 409.0  # points
DEFAULT_FONT_SIZE = 11.0
DATE_FORMAT = "yyyy-mm-dd"  # what openpyxl gives a date cell without a format
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Excel's own number formats, by id: a format among them is not written to styles.xml.
BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "0.00E+00": 11,
    "@": 49,
}
FIRST_CUSTOM_FORMAT = 164
COMPRESSION = 6  # zlib level: 1 saves ~25 ms of ~80 on the year's workbook, and is 40 % larger
EPOCH = date(1899, 12, 30).toordinal()  # day 0 of Excel's 1900 calendar (day 60: 29 Feb 1900)
SECONDS_PER_DAY = 86_400

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile('[&<>"_\x00-\x1f\ud800-\udfff\ufffe\uffff]')
_CONTROL = re.compile("[\x00-\x1f\x7f]")  # no place in a sheet's name, line breaks neither


@dataclass(frozen=True)
class Style:
    """How a cell looks: bold, its font size in points (None: Excel's 11), its number format
    in Excel's (US) notation, and `wrap`: wrapped onto lines and aligned to the top."""

    bold: bool = False
    size: float | None = None
    number_format: str | None = None
    wrap: bool = False


def column_letter(column: int) -> str:
    """1 → A, 27 → AA (Excel's names of columns, 1-based)."""
    if not 1 <= column <= MAX_COLUMNS:
        raise ValueError(f"column {column} is outside 1–{MAX_COLUMNS}")
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS: list[str] = []


def _letters(count: int) -> list[str]:
    """The first `count` column letters, computed once."""
    while len(_LETTERS) < count:
        _LETTERS.append(column_letter(len(_LETTERS) + 1))
    return _LETTERS


def clean_text(text: str) -> str:
    """`text` as a cell can hold it: without the characters XML 1.0 forbids (controls other
    than tab and line breaks, lone surrogates), cut to Excel's 32 767 characters."""
    text = _FORBIDDEN.sub("", text)
    return text[:MAX_TEXT]


def escape(text: str, *, attribute: bool = False) -> str:
    """`text` (already clean) as XML character data, or an attribute's value in double
    quotes: & < > escaped, a carriage return kept as a reference (a parser would make it a
    line feed), and `_x` + four hex digits + `_` kept literal (`_x005F_` is the underscore)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return text


def _number(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def excel_serial(value: date | datetime) -> float | None:
    """Excel's number for a date or a wall-clock time (a time zone is dropped), as openpyxl
    writes it; None before 1900, which Excel's calendar does not have."""
    days = value.toordinal() - EPOCH
    if days < 2:  # before 1 January 1900
        return None
    if days <= 60:  # Excel counts a 29 February 1900 that never was
        days -= 1
    if not isinstance(value, datetime):
        return float(days)
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return days + (seconds + value.microsecond / 1_000_000) / SECONDS_PER_DAY


def sheet_name(wanted: str, taken: Sequence[str] = ()) -> str:
    """A valid sheet name near `wanted`, unlike every name in `taken` (Excel compares them
    without case): none of `[]:*?/\\` (each becomes "_"), no apostrophe at either end, at
    most 31 characters, not blank, not Excel's reserved "History"; a repeated name gets
    " (2)", " (3)" … within the 31 characters."""
    name = SHEET_NAME_FORBIDDEN.sub("_", _CONTROL.sub("", clean_text(wanted))).strip().strip("'")
    name = name[:MAX_SHEET_NAME].rstrip().rstrip("'") or "Sheet"
    if name.casefold() == "history":
        name = f"{name}_"
    used = {other.casefold() for other in taken}
    candidate, number = name, 1
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        candidate = name[: MAX_SHEET_NAME - len(suffix)].rstrip().rstrip("'") + suffix
    return candidate


class Book:
    """A workbook being written: its sheets in order, the styles and texts they share."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self._strings: dict[str, int] = {}  # a text as given → its index in `_texts`
        self._texts: list[str] = []  # the shared string table: cleaned texts, in order
        # Style 0 is the default: Excel's font, no format, no alignment.
        self._styles: dict[Style, int] = {Style(): 0}
        self._dated: dict[tuple[int, bool], int] = {}

    def add_sheet(self, name: str) -> Sheet:
        """A new last sheet, its name made valid and unique (`sheet_name`)."""
        sheet = Sheet(self, sheet_name(name, [sheet.name for sheet in self.sheets]))
        self.sheets.append(sheet)
        return sheet

    def style(self, style: Style) -> int:
        """The number cells of `style` are written with (add it once, use it for every cell)."""
        found = self._styles.get(style)
        if found is None:
            if style.size is not None and not 1 <= style.size <= 409:
                raise ValueError(f"a font of {style.size} points is outside 1–409")
            found = self._styles[style] = len(self._styles)
        return found

    def dated(self, style: int, with_time: bool) -> int:
        """`style`, or with a date format when it has no number format (a date written as a
        bare number would read as 46000)."""
        key = (style, with_time)
        found = self._dated.get(key)
        if found is None:
            given = self._style_list()[style]
            if given.number_format is None:
                dated = DATETIME_FORMAT if with_time else DATE_FORMAT
                found = self.style(Style(given.bold, given.size, dated, given.wrap))
            else:
                found = style
            self._dated[key] = found
        return found

    def _style_list(self) -> list[Style]:
        return sorted(self._styles, key=self._styles.__getitem__)

    def string(self, text: str) -> int:
        """The index of `text` in the shared string table once cleaned (`clean_text`), -1
        when nothing is left of it (an empty cell)."""
        found = self._strings.get(text)
        if found is None:
            cleaned = clean_text(text)
            found = self._strings[text] = len(self._texts) if cleaned else -1
            if cleaned:
                self._texts.append(cleaned)
        return found

    def save(self, target: Path | BytesIO) -> None:
        """Write the workbook as an .xlsx file (a path, or a stream to write to)."""
        if not self.sheets:
            raise ValueError("a workbook needs at least one sheet")
        parts = self._parts()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as out:
            for name, text in parts:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, text.encode("utf-8"), compresslevel=COMPRESSION)

    def to_bytes(self) -> bytes:
        """The .xlsx file's bytes (a file to share in Slack)."""
        out = BytesIO()
        self.save(out)
        return out.getvalue()

    def _parts(self) -> list[tuple[str, str]]:
        count = len(self.sheets)
        sheets = [
            (f"xl/worksheets/sheet{number}.xml", sheet.xml(first=number == 1))
            for number, sheet in enumerate(self.sheets, start=1)
        ]
        return [
            ("[Content_Types].xml", self._content_types()),
            ("_rels/.rels", _relationships([("officeDocument", "xl/workbook.xml")])),
            ("xl/workbook.xml", self._workbook()),
            (
                "xl/_rels/workbook.xml.rels",
                _relationships(
                    [("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, count + 1)]
                    + [("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")]
                ),
            ),
            ("xl/styles.xml", self._stylesheet()),
            ("xl/sharedStrings.xml", self._shared_strings()),
            *sheets,
        ]

    def _content_types(self) -> str:
        overrides = [
            ("/xl/workbook.xml", "sheet.main"),
            ("/xl/styles.xml", "styles"),
            ("/xl/sharedStrings.xml", "sharedStrings"),
            *(
                (f"/xl/worksheets/sheet{n}.xml", "worksheet")
                for n in range(1, len(self.sheets) + 1)
            ),
        ]
        return (
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="{part}" ContentType="{CONTENT_TYPE}.{kind}+xml"/>'
                for part, kind in overrides
            )
            + "</Types>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name="{escape(sheet.name, attribute=True)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, sheet in enumerate(self.sheets, start=1)
        )
        return (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>"
        )

    def _stylesheet(self) -> str:
        styles = self._style_list()
        fonts: dict[tuple[bool, float], int] = {(False, DEFAULT_FONT_SIZE): 0}
        formats: dict[str, int] = {}
        xfs: list[str] = []
        for style in styles:
            font = fonts.setdefault((style.bold, style.size or DEFAULT_FONT_SIZE), len(fonts))
            code = style.number_format
            if code is None:
                number = 0
            elif code in BUILTIN_FORMATS:
                number = BUILTIN_FORMATS[code]
            else:
                number = formats.setdefault(code, FIRST_CUSTOM_FORMAT + len(formats))
            applied = (' applyFont="1"' if font else "") + (
                ' applyNumberFormat="1"' if number else ""
            )
            attributes = f'numFmtId="{number}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            if style.wrap:
                xfs.append(
                    f'<xf {attributes}{applied} applyAlignment="1">'
                    '<alignment vertical="top" wrapText="1"/></xf>'
                )
            else:
                xfs.append(f"<xf {attributes}{applied}/>")
        number_formats = "".join(
            f'<numFmt numFmtId="{number}" formatCode="{escape(clean_text(code), attribute=True)}"/>'
            for code, number in formats.items()
        )
        font_list = "".join(
            f'<font>{"<b/>" if bold else ""}<sz val="{_number(size)}"/>'
            '<name val="Calibri"/><family val="2"/></font>'
            for bold, size in fonts
        )
        return (
            f'{HEAD}<styleSheet xmlns="{MAIN}">'
            + (f'<numFmts count="{len(formats)}">{number_formats}</numFmts>' if formats else "")
            + f'<fonts count="{len(fonts)}">{font_list}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )

    def _shared_strings(self) -> str:
        items = []
        for text in self._texts:
            escaped = escape(text)
            if text != text.strip():
                items.append(f'<si><t xml:space="preserve">{escaped}</t></si>')
            else:
                items.append(f"<si><t>{escaped}</t></si>")
        return f'{HEAD}<sst xmlns="{MAIN}" uniqueCount="{len(self._texts)}">{"".join(items)}</sst>'


def _relationships(targets: list[tuple[str, str]]) -> str:
    return (
        f'{HEAD}<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'
            for n, (kind, target) in enumerate(targets, start=1)
        )
        + "</Relationships>"
    )


class Sheet:
    """A worksheet being written, row by row from the top (`add_sheet` makes one)."""

    def __init__(self, book: Book, name: str) -> None:
        self.book = book
        self.name = name
        self.rows = 0  # the last row added (1-based), written or empty
        self.columns = 0  # the most cells a row has had
        self._cells: list[tuple[int, str]] = []  # (row, its cells as XML), ascending
        self._heights: dict[int, float] = {}
        self._widths: dict[int, float] = {}
        self._merged: list[tuple[int, int, int, int]] = []
        self._frozen: tuple[int, int] | None = None

    def style(self, style: Style) -> int:
        """The book's number for `style` (`Book.style`)."""
        return self.book.style(style)

    def add_row(
        self, values: Sequence[Value], styles: Sequence[int] = (), *, height: float | None = None
    ) -> int:
        """Append a row: `values` from column A, each cell with the style at its index in
        `styles` (0 past the end). An empty cell is written only when it has a style (a bold
        row stays bold, a number column keeps its format). Returns the row's number."""
        if self.rows >= MAX_ROWS:
            raise ValueError(f"a sheet holds at most {MAX_ROWS} rows")
        count = len(values)
        if count > MAX_COLUMNS:
            raise ValueError(f"a sheet holds at most {MAX_COLUMNS} columns, not {count}")
        self.rows += 1
        number = self.rows
        if height is not None:
            self.set_height(number, height)
        if count > self.columns:
            self.columns = count
        letters = _letters(count)
        book = self.book
        strings = book._strings
        row = str(number)
        styled = len(styles)
        parts: list[str] = []
        add = parts.append
        for index, value in enumerate(values):
            style = styles[index] if index < styled else 0
            kind = type(value)
            if kind is str:
                found = strings.get(value)  # type: ignore[arg-type]
                if found is None:
                    found = book.string(value)  # type: ignore[arg-type]
                if found >= 0:
                    if style:
                        add(f'<c r="{letters[index]}{row}" s="{style}" t="s"><v>{found}</v></c>')
                    else:
                        add(f'<c r="{letters[index]}{row}" t="s"><v>{found}</v></c>')
                    continue
                value = None  # nothing left to show
            elif kind is int and -(2**53) <= value <= 2**53:  # type: ignore[operator]
                add(_numeric(letters[index], row, style, str(value)))
                continue
            if value is None:
                if style:
                    add(f'<c r="{letters[index]}{row}" s="{style}"/>')
                continue
            add(self._other(letters[index], row, style, value, kind))
        if parts:
            self._cells.append((number, "".join(parts)))
        return number

    def _other(self, letter: str, row: str, style: int, value: Value, kind: type) -> str:
        """A cell that is no text or ordinary int: a float, a boolean, a date or a time."""
        cell = f"{letter}{row}"
        styled = f' s="{style}"' if style else ""
        if kind is float or isinstance(value, float):
            number = float(value)  # type: ignore[arg-type]
            if not math.isfinite(number) or abs(number) > 9.99e307:
                return f'<c r="{cell}"{styled} t="e"><v>#NUM!</v></c>'
            return _numeric(letter, row, style, _number(number))
        if isinstance(value, bool):
            return f'<c r="{cell}"{styled} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int):
            if -(2**53) <= value <= 2**53:
                return _numeric(letter, row, style, str(int(value)))
            try:  # Excel holds 15 digits of it
                return self._other(letter, row, style, float(value), float)
            except OverflowError:
                return f'<c r="{cell}"{styled} t="e"><v>#NUM!</v></c>'
        if isinstance(value, date):
            serial = excel_serial(value)
            if serial is None:
                return self._text_cell(cell, styled, value.isoformat())
            dated = self.book.dated(style, isinstance(value, datetime))
            return _numeric(letter, row, dated, _number(serial))
        return self._text_cell(cell, styled, str(value))

    def _text_cell(self, cell: str, styled: str, text: str) -> str:
        found = self.book.string(text)
        if found < 0:
            return f'<c r="{cell}"{styled}/>' if styled else ""
        return f'<c r="{cell}"{styled} t="s"><v>{found}</v></c>'

    def set_width(self, column: int, width: float) -> None:
        """Column `column` (1-based) `width` characters wide (0–255)."""
        column_letter(column)
        self._widths[column] = min(max(float(width), 0.0), MAX_WIDTH)

    def width(self, column: int) -> float | None:
        """The width set for `column`, None when Excel's default."""
        return self._widths.get(column)

    def set_height(self, row: int, height: float) -> None:
        """Row `row` `height` points high (0–409), whether or not it has cells."""
        if not 1 <= row <= MAX_ROWS:
            raise ValueError(f"row {row} is outside 1–{MAX_ROWS}")
        self._heights[row] = min(max(float(height), 0.0), MAX_HEIGHT)

    def merge(self, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
        """One cell over the range (its value and style are the top-left cell's). Merged
        ranges may not overlap (Excel would repair the file)."""
        if first_row > last_row or first_column > last_column:
            raise ValueError("a merged range runs from its top left to its bottom right")
        column_letter(first_column)
        column_letter(last_column)
        if first_row < 1 or last_row > MAX_ROWS:
            raise ValueError(f"rows are 1–{MAX_ROWS}")
        if (first_row, first_column) == (last_row, last_column):
            return
        for top, left, bottom, right in self._merged:
            rows_meet = first_row <= bottom and top <= last_row
            if rows_meet and first_column <= right and left <= last_column:
                raise ValueError("merged ranges may not overlap")
        self._merged.append((first_row, first_column, last_row, last_column))

    def freeze(self, row: int, column: int = 1) -> None:
        """Keep the rows above `row` and the columns left of `column` on screen: the cell at
        (`row`, `column`) is the first that scrolls, as openpyxl's `freeze_panes`."""
        column_letter(column)
        if not 1 <= row <= MAX_ROWS:
            raise ValueError(f"row {row} is outside 1–{MAX_ROWS}")
        self._frozen = None if (row, column) == (1, 1) else (row, column)

    def xml(self, *, first: bool = False) -> str:
        """The worksheet part (`first`: the sheet selected when the file opens)."""
        parts = [f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">']
        last_row = max([self.rows, *self._heights]) if self._cells or self._heights else 0
        if self._cells and self.columns:
            parts.append(f'<dimension ref="A1:{column_letter(self.columns)}{last_row}"/>')
        else:
            parts.append('<dimension ref="A1"/>')
        selected = ' tabSelected="1"' if first else ""
        parts.append(f'<sheetViews><sheetView{selected} workbookViewId="0">')
        parts.append(self._pane())
        parts.append("</sheetView></sheetViews>")
        parts.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self._widths:
            parts.append("<cols>")
            for column in sorted(self._widths):
                width = _number(round(self._widths[column], 4))
                parts.append(
                    f'<col min="{column}" max="{column}" width="{width}" customWidth="1"/>'
                )
            parts.append("</cols>")
        parts.append("<sheetData>")
        heights = self._heights
        cells = dict(self._cells)
        for number in sorted(cells.keys() | heights.keys()):
            height = heights.get(number)
            shape = f' ht="{_number(height)}" customHeight="1"' if height is not None else ""
            parts.append(f'<row r="{number}"{shape}>{cells.get(number, "")}</row>')
        parts.append("</sheetData>")
        if self._merged:
            parts.append(f'<mergeCells count="{len(self._merged)}">')
            for top, left, bottom, right in self._merged:
                parts.append(
                    f'<mergeCell ref="{column_letter(left)}{top}:{column_letter(right)}{bottom}"/>'
                )
            parts.append("</mergeCells>")
        parts.append(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3"'
            ' footer="0.3"/></worksheet>'
        )
        return "".join(parts)

    def _pane(self) -> str:
        if self._frozen is None:
            return '<selection activeCell="A1" sqref="A1"/>'
        row, column = self._frozen
        top_left = f"{column_letter(column)}{row}"
        split = (f' xSplit="{column - 1}"' if column > 1 else "") + (
            f' ySplit="{row - 1}"' if row > 1 else ""
        )
        pane = (
            "bottomRight" if column > 1 and row > 1 else "topRight" if column > 1 else "bottomLeft"
        )
        return (
            f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>'
        )


def _numeric(letter: str, row: str, style: int, number: str) -> str:
    if style:
        return f'<c r="{letter}{row}" s="{style}"><v>{number}</v></c>'
    return f'<c r="{letter}{row}"><v>{number}</v></c>'
