"""The annual and interim report's workbook: one Swedish XLSX with the tables the annual
report prints, ready to paste (workflows/annual_report.py computes them). Each sheet has a
title row (the association, annual or interim report and through which month, the sheet,
the month the books are through), bold frozen headers, fitted widths and totals, written by
workflows/exports.py's `fill_sheet`; what a sheet needs said (how participants are counted,
what a ratio compares) stands in notes under its table.

The sheets are made by the builders in `SHEET_BUILDERS`, in order; one more sheet is one
more builder appended there."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from io import BytesIO
from pathlib import Path

from sqlalchemy import Engine

from store.models import Category
from workflows.annual_report import AnnualReport, CategoryRow, annual_report, ratio
from workflows.comparisons import Comparison
from workflows.exports import LINE_HEIGHT, Cell, Kind, Table, fill_sheet
from workflows.participants import PEOPLE, paragraph_values
from workflows.quarterly_compilation import compile_quarters, quarterly_sheet
from workflows.texts import Texts
from workflows.xlsx import Book, Style
from workflows.xlsx import Sheet as XlsxSheet

NOTE_STYLE = Style(wrap=True)  # wrapped, top-aligned
NOTE_COLUMNS_MIN = 6  # a note spans at least this many columns, so it reads as a paragraph
EXCEL_WIDTH = 8.43  # characters: a column whose width is not set, as Excel shows it


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name, its table, paragraphs under the table, and rows of the table
    (indices into `table.rows`) that are subtotals, shown bold."""

    name: str
    table: Table
    notes: tuple[str, ...] = ()
    bold_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class SheetInput:
    """What a sheet builder gets: the report's figures, the database for anything more
    (the quarterly compilation reads its own), the texts and what the title rows say."""

    engine: Engine
    report: AnnualReport
    texts: Texts
    made: date
    association: str | None = None

    def title(self, sheet: str) -> str:
        report = self.report
        return self.texts.get(
            "annual_report",
            "title",
            association=self.association or "",
            interim=report.interim,
            year=report.year,
            through=report.through_month,
            sheet=self.sheet_name(sheet),
            books=report.books_through,
            made=self.made.isoformat(),
        )

    def sheet_name(self, sheet: str) -> str:
        return self.texts.get("annual_report", "sheet_name", sheet=sheet)

    def text(self, macro: str, **values: object) -> str:
        return self.texts.get("annual_report", macro, **values)


SheetBuilder = Callable[[SheetInput], Sheet]


def tkr(kr: int | None) -> float | None:
    """Kronor as tkr: the cell keeps the decimals, the format shows whole tkr."""
    return None if kr is None else kr / 1000


# --------------------------------------------------------------------------- 1. participants


def participants_sheet(given: SheetInput) -> Sheet:
    """The participant paragraph as the annual report prints it (under the table), and its
    figures with the profile as shares of the registered, beside the national average and
    the board's target where the settings hold them. People, not person-months."""
    report, t = given.report, given.text
    f = report.total
    by_people = f.profile_basis == PEOPLE
    went, ended = f.work_or_studies, f.ended
    national, target = report.comparison.national, report.comparison.target
    registered = f.registered if by_people else None
    base = "registered" if by_people else "participants"

    def row(
        name: str,
        count: int | None,
        part: float | None = None,
        of: str | None = None,
        compared: bool = False,
    ) -> tuple[Cell, ...]:
        return (
            t("row", name=name),
            count,
            part,
            t("share_of", what=of) if of and part is not None else None,
            national[1] if compared and national else None,
            national[0] if compared and national else None,
            target[1] if compared and target else None,
            target[0] if compared and target else None,
        )

    shares = f.work_or_studies_share
    rows = [
        row("participants", f.participants.total),
        row("registered", registered.total if registered else None),
        row("anonymous", f.anonymous.total if by_people else None),
        row("ended", ended.total),
        row("work_or_studies", went.total, shares.total, "ended", compared=True),
        row("work_or_studies_women", went.women, shares.women, "ended_women"),
        row("work_or_studies_men", went.men, shares.men, "ended_men"),
        row("to_work", f.to_work.total, ratio(f.to_work.total, ended.total), "ended"),
        row("to_studies", f.to_studies.total, ratio(f.to_studies.total, ended.total), "ended"),
        row(
            "to_subsidised_job",
            f.to_subsidised_job.total,
            ratio(f.to_subsidised_job.total, ended.total),
            "ended",
        ),
        row("with_plan", f.with_plan.total, ratio(f.with_plan.total, ended.total), "ended"),
        row("women", registered.women if registered else None, f.women_share, base),
        row(
            "men",
            registered.men if registered else None,
            None if f.women_share is None else 1 - f.women_share,
            base,
        ),
        row("under_30", f.under_30.total if by_people else None, f.under_30_share, base),
        row(
            "over_3_years",
            f.over_3_years.total if by_people else None,
            f.over_3_years_share,
            base,
        ),
    ]
    for level in ("compulsory", "upper_secondary", "post_secondary"):
        count = getattr(f, f"education_{level}")
        part = getattr(f, f"education_{level}_share")
        rows.append(
            row(f"education_{level}", count.total if by_people else None, part, "registered")
        )
    names = (
        "item", "count", "share", "share_of", "national", "national_year", "target",
        "target_year",
    )  # fmt: skip
    kinds = (
        Kind.TEXT, Kind.COUNT, Kind.SHARE, Kind.TEXT, Kind.SHARE, Kind.NUMBER, Kind.SHARE,
        Kind.NUMBER,
    )  # fmt: skip
    table = Table(
        tuple(t("column", name=name) for name in names),
        tuple(rows),
        kinds,
        given.title("participants"),
    )
    if f.months == 0:
        notes: tuple[str, ...] = (t("no_reports"),)
    else:
        paragraph = given.texts.get(
            "participants", "paragraph", **paragraph_values(f, report.comparison)
        )
        notes = (*paragraph.split("\n\n"), t("method", by_people=by_people, months=f.months))
    return Sheet(given.sheet_name("participants"), table, notes)


# --------------------------------------------------------------------------- 2. categories


def categories_sheet(given: SheetInput) -> Sheet:
    """Budget, spending and the share of budget spent per category: the collaboration the
    association funds (interventions by kind of support, other collaboration, the decision
    room not allocated) with its sum, then the board and the administration; all costs."""
    report, t = given.report, given.text

    def line(label: str, budget: int, spent: int) -> tuple[Cell, ...]:
        return (label, tkr(budget), tkr(spent), ratio(spent, budget))

    def named(row: CategoryRow) -> tuple[Cell, ...]:
        label = t("category_name", category=row.category.value, support=row.support)
        return line(label, row.budget, row.spent)

    collaboration = [row for row in report.categories if row.category != Category.board]
    collaboration = [r for r in collaboration if r.category != Category.administration]
    rest = [row for row in report.categories if row not in collaboration]
    rows = [named(row) for row in collaboration]
    bold: list[int] = []
    if collaboration:
        bold.append(len(rows))
        rows.append(
            line(
                t("collaboration_total"),
                sum(r.budget for r in collaboration),
                sum(r.spent for r in collaboration),
            )
        )
    rows += [named(row) for row in rest]
    budget = sum(r.budget for r in report.categories)
    spent = sum(r.spent for r in report.categories)
    columns = (
        t("column", name="category"),
        t("budget_column", year=report.year),
        t(
            "spent_column",
            year=report.year,
            interim=report.interim,
            through=report.through_month,
        ),
        t(
            "consumption_column",
            year=report.year,
            interim=report.interim,
            through=report.through_month,
        ),
    )
    table = Table(
        columns,
        tuple(rows),
        (Kind.TEXT, Kind.MONEY, Kind.MONEY, Kind.SHARE),
        given.title("categories"),
        line(t("costs_total"), budget, spent) if report.categories else None,
    )
    notes = (t("categories_note"),) if report.has_budget else (t("no_budget", year=report.year),)
    return Sheet(given.sheet_name("categories"), table, notes, tuple(bold))


# --------------------------------------------------------------------------- 3. interventions


def interventions_sheet(given: SheetInput) -> Sheet:
    """Each intervention and other collaboration line: spent this year and the year before,
    this year's budget and share spent, and over its whole life (every budget year held)."""
    report, t = given.report, given.text
    rows: list[tuple[Cell, ...]] = []
    for row in report.interventions:
        rows.append(
            (
                t("group_name", category=row.category.value),
                row.name,
                row.owner,
                t("support_name", support=row.support),
                tkr(row.spent),
                tkr(row.spent_previous),
                tkr(row.budget),
                row.consumption,
                tkr(row.life_budget),
                tkr(row.life_spent),
                row.life_consumption,
                t("years", first=row.first_year, last=row.last_year),
            )
        )
    every = report.interventions
    spent = sum(r.spent for r in every)
    previous = sum(r.spent_previous or 0 for r in every)
    budget = sum(r.budget for r in every)
    life_budget = sum(r.life_budget for r in every)
    life_spent = sum(r.life_spent for r in every)
    total: tuple[Cell, ...] = (
        t("interventions_total"), None, None, None, tkr(spent), tkr(previous), tkr(budget),
        ratio(spent, budget), tkr(life_budget), tkr(life_spent),
        ratio(life_spent, life_budget), None,
    )  # fmt: skip
    interim, through = report.interim, report.through_month
    columns = (
        t("column", name="category"),
        t("column", name="intervention"),
        t("column", name="owner"),
        t("column", name="support"),
        t("spent_column", year=report.year, interim=interim, through=through),
        t("previous_column", year=report.year - 1),
        t("budget_column", year=report.year),
        t("consumption_column", year=report.year, interim=interim, through=through),
        t("life_column", what="budget", year=report.year),
        t("life_column", what="spent", year=report.year),
        t("column", name="life_consumption"),
        t("column", name="budget_years"),
    )
    kinds = (
        Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.MONEY, Kind.MONEY, Kind.MONEY,
        Kind.SHARE, Kind.MONEY, Kind.MONEY, Kind.SHARE, Kind.TEXT,
    )  # fmt: skip
    table = Table(columns, tuple(rows), kinds, given.title("interventions"), total)
    note = t("interventions_note", year=report.year, interim=interim, through=through)
    return Sheet(given.sheet_name("interventions"), table, (note,))


# --------------------------------------------------------------------------- 4. member fees


def member_fees_sheet(given: SheetInput) -> Sheet:
    """ "Förbrukning i förhållande till medlemsintäkt": year by year, the shares of the
    member fees spent on collaboration, the board and the administration, and the amounts."""
    report, t = given.report, given.text
    rows = tuple(
        (
            row.year,
            row.share(row.collaboration),
            row.share(row.board),
            row.share(row.administration),
            tkr(row.member_fees),
            tkr(row.collaboration),
            tkr(row.board),
            tkr(row.administration),
            t("books_month", month=row.books_through),
        )
        for row in report.fee_shares
    )
    names = (
        "year", "collaboration_share", "board_share", "administration_share", "member_fees",
        "collaboration", "board", "administration", "books_through",
    )  # fmt: skip
    kinds = (
        Kind.NUMBER, Kind.SHARE, Kind.SHARE, Kind.SHARE, Kind.MONEY, Kind.MONEY, Kind.MONEY,
        Kind.MONEY, Kind.TEXT,
    )  # fmt: skip
    table = Table(
        tuple(t("column", name=name) for name in names),
        rows,
        kinds,
        given.title("member_fees"),
    )
    return Sheet(given.sheet_name("member_fees"), table, (t("member_fees_note"),))


# --------------------------------------------------------------------------- 5. over 85 %


def used_most_sheet(given: SheetInput) -> Sheet:
    """Year by year: the interventions with a budget and the share of them that spent more
    than 85 % of it ("Under 2017 har 67 % av insatserna nyttjat över 85 % av sin budget")."""
    report, t = given.report, given.text
    rows = tuple(
        (
            row.year,
            row.interventions,
            row.used_most,
            row.share,
            t("books_month", month=row.books_through),
        )
        for row in report.used_most
    )
    names = ("year", "interventions", "used_most", "used_most_share", "books_through")
    table = Table(
        tuple(t("column", name=name) for name in names),
        rows,
        (Kind.NUMBER, Kind.COUNT, Kind.COUNT, Kind.SHARE, Kind.TEXT),
        given.title("used_most"),
    )
    return Sheet(given.sheet_name("used_most"), table, (t("used_most_note"),))


# --------------------------------------------------------------------------- 6. quarters


def quarters_sheet(given: SheetInput) -> Sheet:
    """The quarterly compilation of the quarters the report covers (an interim report
    through August: Q1 and Q2), as `finsam-bot reports quarterly` writes it."""
    report = given.report
    compilation = compile_quarters(given.engine, report.year, max(1, report.through_month // 3))
    _, table = quarterly_sheet(compilation, given.texts)
    return Sheet(given.sheet_name("quarters"), replace(table, title=given.title("quarters")))


# --------------------------------------------------------------------------- the workbook

# The sheets, in order.
SHEET_BUILDERS: list[SheetBuilder] = [
    participants_sheet,
    categories_sheet,
    interventions_sheet,
    member_fees_sheet,
    used_most_sheet,
    quarters_sheet,
]


def annual_sheets(
    engine: Engine,
    year: int,
    *,
    through_month: int = 12,
    texts: Texts | None = None,
    made: date,
    association: str | None = None,
    comparison: Callable[[int], Comparison] | None = None,
    builders: Sequence[SheetBuilder] | None = None,
) -> list[Sheet]:
    """Every sheet of the year's annual report (`through_month` 12) or interim report."""
    report = annual_report(engine, year, through_month=through_month, comparison=comparison)
    given = SheetInput(engine, report, texts or Texts(), made, association)
    return [build(given) for build in (SHEET_BUILDERS if builders is None else builders)]


def write_sheets(target: Path | BytesIO, sheets: Sequence[Sheet]) -> None:
    """One worksheet per sheet (names made valid for Excel: 31 characters, unique): the
    table by `fill_sheet` with its subtotal rows bold, its notes under it as wrapped
    paragraphs."""
    book = Book()
    for sheet in sheets:
        worksheet = book.add_sheet(sheet.name)
        fill_sheet(worksheet, sheet.table, bold_rows=sheet.bold_rows)
        _notes(worksheet, sheet.notes, len(sheet.table.columns))
    book.save(target)


def _notes(sheet: XlsxSheet, notes: Sequence[str], columns: int) -> None:
    """Each note a paragraph under the table, after an empty row: merged across the table's
    columns, wrapped, its row as high as its lines."""
    span = max(columns, NOTE_COLUMNS_MIN)
    width = sum(sheet.width(index) or EXCEL_WIDTH for index in range(1, span + 1))
    if notes:
        sheet.add_row(())
    style = sheet.style(NOTE_STYLE)
    for note in notes:
        lines = max(1, -(-len(note) // max(int(width), 1)) + note.count("\n"))
        row = sheet.add_row((note,), (style,), height=LINE_HEIGHT * lines)
        sheet.merge(row, 1, row, span)


def annual_workbook(
    engine: Engine,
    year: int,
    *,
    through_month: int = 12,
    texts: Texts | None = None,
    made: date,
    association: str | None = None,
    comparison: Callable[[int], Comparison] | None = None,
) -> bytes:
    """The workbook as bytes (a file to share in Slack, or to write)."""
    out = BytesIO()
    write_sheets(
        out,
        annual_sheets(
            engine,
            year,
            through_month=through_month,
            texts=texts,
            made=made,
            association=association,
            comparison=comparison,
        ),
    )
    return out.getvalue()
