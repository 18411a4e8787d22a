"""The spending importer: months of the books on the year's cost lines, upserted, all or nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from simulator.samples import BUDGET_2026, sample_path
from store.db import session_scope
from store.errors import ImportRejected, RowProblem
from store.importers import SpendingImportResult, import_budget, import_spending
from store.models import BudgetLine, BudgetYear, Spending
from workflows.texts import Texts

DATA = Path(__file__).parent / "data"
SAMPLE_2024 = DATA / "budget-uppsala-2024.csv"
SAMPLE_2026 = sample_path(BUDGET_2026)  # the demo's budget, shipped in the package
HEADER = "year,month,category,name,owner,amount_tkr"
BOOKS = (
    f"{HEADER}\n"
    "2026,1,board,Förtroendevalda,,41.5\n"
    '2026,1,intervention,Växtkraft,Enköping,"229,4"\n'
    '2026,2,intervention,Växtkraft,Enköping,"1 000"\n'
    "2026,2,intervention,Lokussamordnare,Uppsala,23\n"
    "2026,2,intervention,Lokussamordnare,Älvkarleby,13\n"
)


@pytest.fixture
def budget(engine: Engine) -> Engine:
    """The database with the 2026 sample budget."""
    with session_scope(engine) as session:
        import_budget(session, SAMPLE_2026)
    return engine


def write(tmp_path: Path, text: str, name: str = "books.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def do_import(engine: Engine, path: Path) -> SpendingImportResult:
    with session_scope(engine) as session:
        return import_spending(session, path)


def rejected(engine: Engine, path: Path) -> list[RowProblem]:
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        import_spending(session, path)
    return caught.value.problems


def spending(engine: Engine) -> dict[tuple[int, str, str, int], int]:
    """{(year, name, owner, month): kr} of everything stored."""
    with session_scope(engine) as session:
        query = (
            select(
                BudgetYear.year,
                BudgetLine.name,
                BudgetLine.owner,
                Spending.month,
                Spending.amount_kr,
            )
            .join(BudgetLine, col(BudgetLine.id) == col(Spending.budget_line_id))
            .join(BudgetYear, col(BudgetYear.id) == col(BudgetLine.budget_year_id))
        )
        return {(y, n, o, m): kr for y, n, o, m, kr in session.exec(query).all()}


def test_books_are_stored_on_their_lines(budget: Engine, tmp_path: Path) -> None:
    result = do_import(budget, write(tmp_path, BOOKS))

    assert result == SpendingImportResult(
        years=(2026,),
        months=(1, 2),
        rows=5,
        new=5,
        updated=0,
        unchanged=0,
        total_kr=41_500 + 229_400 + 1_000_000 + 23_000 + 13_000,
    )
    assert spending(budget) == {
        (2026, "Förtroendevalda", "", 1): 41_500,
        (2026, "Växtkraft", "Enköping", 1): 229_400,
        (2026, "Växtkraft", "Enköping", 2): 1_000_000,
        (2026, "Lokussamordnare", "Uppsala", 2): 23_000,
        (2026, "Lokussamordnare", "Älvkarleby", 2): 13_000,
    }


def test_a_new_export_corrects_the_books(budget: Engine, tmp_path: Path) -> None:
    do_import(budget, write(tmp_path, BOOKS))
    corrected = (
        f"{HEADER}\n"
        "2026,1,board,Förtroendevalda,,41.5\n"
        "2026,2,intervention,Växtkraft,Enköping,900\n"
        "2026,3,intervention,Växtkraft,Enköping,-12\n"
    )

    result = do_import(budget, write(tmp_path, corrected, "books-march.csv"))

    assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
    assert (result.months, result.total_kr) == ((1, 2, 3), 41_500 + 900_000 - 12_000)
    assert spending(budget) == {
        (2026, "Förtroendevalda", "", 1): 41_500,
        (2026, "Växtkraft", "Enköping", 1): 229_400,
        (2026, "Växtkraft", "Enköping", 2): 900_000,
        (2026, "Växtkraft", "Enköping", 3): -12_000,
        (2026, "Lokussamordnare", "Uppsala", 2): 23_000,
        (2026, "Lokussamordnare", "Älvkarleby", 2): 13_000,
    }


def test_one_file_may_cover_several_years(budget: Engine, tmp_path: Path) -> None:
    with session_scope(budget) as session:
        import_budget(session, SAMPLE_2024)
    text = (
        "Year;Month;Category;Name;Owner;Amount_tkr\n"
        "2024;12;intervention;Ung Framtid;Tierp;231,3\n"
        "2026;1;intervention;RegExPro;Region Uppsala;103,75\n"
        "2024;12;intervention;RegExPro;Region Uppsala;104\n"
    )

    result = do_import(budget, write(tmp_path, text))

    assert (result.years, result.months, result.rows) == ((2024, 2026), (1, 12), 3)
    assert spending(budget) == {
        (2024, "Ung Framtid", "Tierp", 12): 231_300,
        (2026, "RegExPro", "Region Uppsala", 1): 103_750,
        (2024, "RegExPro", "Region Uppsala", 12): 104_000,
    }


def books_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, values in enumerate([HEADER.split(","), *rows], start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    workbook.save(path)
    return path


def test_xlsx_books(budget: Engine, tmp_path: Path) -> None:
    march = [
        [2026, 3.0, "administration", "Förvaltning", None, 379.166],
        [],
        [2026, 3, "administration", "Förvaltning ISA", None, 37.5],
    ]

    result = do_import(budget, books_xlsx(tmp_path / "books.xlsx", march))

    assert (result.rows, result.total_kr) == (2, 379_166 + 37_500)
    bad = books_xlsx(
        tmp_path / "bad.xlsx", [*march, [2026, 3, "administration", "Förvaltning", None, 1]]
    )
    assert rejected(budget, bad) == [RowProblem(5, "month", "duplicate_spending", "2")]


def test_every_bad_row_is_named_and_nothing_is_stored(budget: Engine, tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        "2026,1,board,Förtroendevalda,,41.5\n"
        "2026,13,board,Förtroendevalda,,1\n"
        "2026,0,board,Förtroendevalda,,1\n"
        "26,1,board,Förtroendevalda,,1\n"
        "2026,1,boardroom,Förtroendevalda,,1\n"
        "2026,1,member_fees,Medlemsavgifter,,1\n"
        "2026,1,administration,Förvaltning,,1O\n"
        "2026,1,administration,,,1\n"
        "2026,1,intervention,Växtkraft,Uppsala,1\n"
        "2025,1,board,Förtroendevalda,,1\n"
        "2026,1,board,Förtroendevalda,,2\n"
        "2026,,board,Förtroendevalda,,2\n"
    )

    problems = rejected(budget, write(tmp_path, text))

    assert problems == [
        RowProblem(3, "month", "bad_month", "13"),
        RowProblem(4, "month", "bad_month", "0"),
        RowProblem(5, "year", "bad_year", "26"),
        RowProblem(6, "category", "unknown_category", "boardroom"),
        RowProblem(7, "category", "not_a_cost_line", "member_fees"),
        RowProblem(8, "amount_tkr", "bad_amount", "1O"),
        RowProblem(9, "name", "missing_name", ""),
        RowProblem(10, "name", "unknown_budget_line", "intervention: Växtkraft (Uppsala)"),
        RowProblem(11, "year", "no_budget_for_year", "2025"),
        RowProblem(12, "month", "duplicate_spending", "2"),
        RowProblem(13, "month", "bad_month", ""),
    ]
    sv = Texts("sv")
    assert [sv.get("import", p.code, value=p.value) for p in problems[6:10]] == [
        "namnet saknas",
        '"intervention: Växtkraft (Uppsala)" finns inte i årets budget (kategori, namn och ägare '
        "måste stämma med budgetfilen)",
        "det finns ingen budget för 2025 – importera årets budget först",
        "samma budgetrad och månad står redan på rad 2",
    ]
    with session_scope(budget) as session:
        assert session.exec(select(func.count()).select_from(Spending)).one() == 0


def test_a_balance_line_carries_no_spending(budget: Engine, tmp_path: Path) -> None:
    text = f"{HEADER}\n2026,1,opening_surplus,Över- underskott från tidigare år,,1\n"

    assert rejected(budget, write(tmp_path, text)) == [
        RowProblem(2, "category", "not_a_cost_line", "opening_surplus")
    ]


def test_owner_must_match_the_budget_line(budget: Engine, tmp_path: Path) -> None:
    text = f"{HEADER}\n2026,1,intervention,Lokussamordnare,,5\n"

    assert rejected(budget, write(tmp_path, text)) == [
        RowProblem(2, "name", "unknown_budget_line", "intervention: Lokussamordnare")
    ]


def test_books_before_any_budget(engine: Engine, tmp_path: Path) -> None:
    assert rejected(engine, write(tmp_path, BOOKS)) == [
        RowProblem(line, "year", "no_budget_for_year", "2026") for line in range(2, 7)
    ]


def test_spending_file_needs_its_columns(budget: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "year,category,name,amount_tkr\n2026,board,Förtroendevalda,1\n")

    assert rejected(budget, path) == [RowProblem(1, "month", "missing_column", "month")]
