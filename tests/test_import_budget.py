"""The budget importer: sample files, CSV and XLSX reading, every rejection, replace, and the
problem messages in both languages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, nodes
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from simulator.samples import BUDGET_2026, sample_path
from store.db import session_scope
from store.errors import ConflictError, ImportRejected, RowProblem
from store.importers import BudgetImportResult, ProblemCode, import_budget, read_table
from store.importers.budget import read_budget_file
from store.importers.tabular import cell_text
from store.models import BudgetLine, BudgetYear, Category, Intervention, Section, Spending
from store.money import parse_tkr
from workflows.texts import Texts, templates_dir

DATA = Path(__file__).parent / "data"
SAMPLE_2024 = DATA / "budget-uppsala-2024.csv"
SAMPLE_2026 = sample_path(BUDGET_2026)  # the demo's budget, shipped in the package
HEADER = "year,section,category,name,owner,support,amount_tkr"


def write(tmp_path: Path, text: str, name: str = "budget.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: dict[int, list[object]]) -> Path:
    """A workbook whose first sheet has `rows` at the given sheet row numbers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    workbook.save(path)
    return path


def do_import(engine: Engine, path: Path, *, replace: bool = False) -> BudgetImportResult:
    with session_scope(engine) as session:
        return import_budget(session, path, replace=replace)


def rejected(engine: Engine, path: Path, *, replace: bool = False) -> list[RowProblem]:
    with pytest.raises(ImportRejected) as caught, session_scope(engine) as session:
        import_budget(session, path, replace=replace)
    assert caught.value.params == {"file": path.name, "count": len(caught.value.problems)}
    return caught.value.problems


def count(session: Session, table: type) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def stored_lines(engine: Engine, year: int) -> list[tuple[object, ...]]:
    with session_scope(engine) as session:
        query = (
            select(BudgetLine)
            .join(BudgetYear)
            .where(BudgetYear.year == year)
            .order_by(col(BudgetLine.position))
        )
        return [
            (x.position, x.section, x.category, x.name, x.owner, x.support, x.amount_kr)
            for x in session.exec(query).all()
        ]


def render(problem: RowProblem, lang: str = "sv") -> str:
    """What the integrator will do: the code's macro, then problem_line."""
    texts = Texts(lang)
    message = texts.get("import", problem.code, value=problem.value)
    return texts.get(
        "import", "problem_line", line=problem.line, column=problem.column, message=message
    )


# -- the sample files ----------------------------------------------------------------------


def test_sample_2026_imports_with_its_totals(engine: Engine) -> None:
    result = do_import(engine, SAMPLE_2026)

    assert result.year == 2026
    assert result.lines == 22
    assert result.totals == {
        Section.income: 24_180_000,
        Section.cost: 27_150_000,
        Section.balance: 3_977_000,
    }
    assert result.totals_by_category[Category.intervention] == 20_690_000
    assert result.interventions_created == 11
    assert result.replaced is False
    lines = stored_lines(engine, 2026)
    assert len(lines) == 22
    assert lines[0] == (
        0,
        Section.income,
        Category.member_fees,
        "Medlemsavgifter",
        "",
        None,
        23_490_000,
    )
    assert lines[-1][1:] == (
        Section.balance,
        Category.forecast_previous_year,
        "Prognostiserat underskott 2025",
        "",
        None,
        -518_000,
    )
    with session_scope(engine) as session:
        budget_year = session.exec(select(BudgetYear)).one()
        assert (budget_year.year, budget_year.source) == (2026, "budget-uppsala-2026.csv")


def test_sample_2024_imports_with_its_totals(engine: Engine) -> None:
    result = do_import(engine, SAMPLE_2024)

    assert result.year == 2024
    assert result.totals[Section.income] == 24_100_000
    assert result.totals[Section.cost] == 27_059_000
    assert result.totals_by_category[Category.intervention] == 20_657_000
    assert result.interventions_created == 12


def test_two_years_share_interventions_by_name_and_owner(engine: Engine) -> None:
    do_import(engine, SAMPLE_2026)
    result = do_import(engine, SAMPLE_2024)

    # 2024 adds the interventions 2026 does not have (Ung Framtid, Jobbcentrum, ...)
    assert result.interventions_created == 7
    with session_scope(engine) as session:
        interventions = {(i.name, i.owner): i for i in session.exec(select(Intervention)).all()}
    assert len(interventions) == 18
    regexpro = interventions[("RegExPro", "Region Uppsala")]
    assert (regexpro.kind, regexpro.first_year, regexpro.last_year) == ("structural", 2024, 2026)
    ung = interventions[("Ung Framtid", "Tierp")]
    assert (ung.kind, ung.first_year, ung.last_year) == ("individual", 2024, 2024)
    # the same name under two owners is two interventions
    assert interventions[("Lokussamordnare", "Uppsala")].id != (
        interventions[("Lokussamordnare", "Älvkarleby")].id
    )


# -- amounts and file formats --------------------------------------------------------------


def test_swedish_and_dotted_decimals_and_semicolons(engine: Engine, tmp_path: Path) -> None:
    text = (
        "\ufeffYear; Section ;CATEGORY;name;owner;support;Amount_TKR\n"
        "2026;cost;administration;Förvaltning;;;1 222,5\n"
        "2026;cost;board;Förtroendevalda;;;1222.5\n"
        "\n"
        "2026;income;sales;Försäljning;;;64.1\n"
        "2026;income;member_fees;Medlemsavgifter;;;23\u00a0490\n"
    )
    result = do_import(engine, write(tmp_path, text))

    assert [line[-1] for line in stored_lines(engine, 2026)] == [
        1_222_500,
        1_222_500,
        64_100,
        23_490_000,
    ]
    assert result.totals[Section.cost] == 2_445_000


def test_quoted_swedish_decimal_in_a_comma_file(tmp_path: Path) -> None:
    path = write(tmp_path, f'{HEADER}\n2026,cost,board,Förtroendevalda,,,"1 222,5"\n')

    _, lines = read_budget_file(path)

    assert lines[0].amount_kr == 1_222_500


def test_unquoted_decimal_comma_that_splits_a_row_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, f"{HEADER}\n2026,cost,board,Förtroendevalda,,,1 222,5\n")

    assert rejected(engine, path) == [RowProblem(2, "", "extra_values", "5")]


def test_owner_and_support_columns_may_be_left_out(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path, "year,section,category,name,amount_tkr,note\n2026,cost,board,Styrelse,500,x\n"
    )

    do_import(engine, path)

    assert stored_lines(engine, 2026) == [
        (0, Section.cost, Category.board, "Styrelse", "", None, 500_000)
    ]


def sample_rows_for_xlsx(path: Path) -> list[list[object]]:
    """The sample as a spreadsheet would hold it: numbers as numbers, some stored as floats."""
    table = read_table(path, required=("year",))
    rows: list[list[object]] = [list(table.header)]
    for index, row in enumerate(table.rows):
        values: list[object] = [row.get(c) or None for c in table.header]
        values[0] = int(row.get("year"))
        amount = Decimal(row.get("amount_tkr"))
        values[-1] = float(amount) if index % 2 else int(amount)
        rows.append(values)
    return rows


def test_xlsx_imports_like_the_csv(engine: Engine, tmp_path: Path) -> None:
    rows = sample_rows_for_xlsx(SAMPLE_2026)
    rows[0][0] = "  Year "
    rows[3][-1] = 1222.5  # ESF medel ISA
    sheet = {1: rows[0], 2: rows[1], 3: rows[2]} | {n + 2: r for n, r in enumerate(rows[3:], 3)}
    xlsx = write_xlsx(tmp_path / "budget.xlsx", sheet)  # row 4 is blank
    csv_year, csv_lines = read_budget_file(SAMPLE_2026)

    result = do_import(engine, xlsx)

    assert result.year == csv_year == 2026
    assert result.lines == len(csv_lines) == 22
    assert result.totals[Section.cost] == 27_150_000
    assert result.totals[Section.income] == 24_180_000 - 450_000 + 1_222_500
    expected = [
        (i, x.section, x.category, x.name, x.owner, x.support, x.amount_kr)
        for i, x in enumerate(csv_lines)
    ]
    expected[2] = (*expected[2][:-1], 1_222_500)
    assert stored_lines(engine, 2026) == expected


def test_xlsx_problems_name_sheet_rows(engine: Engine, tmp_path: Path) -> None:
    header = HEADER.split(",")
    xlsx = write_xlsx(
        tmp_path / "budget.xlsx",
        {
            3: header,  # two empty rows above the header
            4: [2026.0, "income", "member_fees", "Medlemsavgifter", None, None, 23490.0],
            7: [2026, "cost", "board", "Förtroendevalda", None, None, "12x"],
            8: [2026, "cost", "board", None, None, None, 500],
        },
    )

    assert rejected(engine, xlsx) == [
        RowProblem(7, "amount_tkr", "bad_amount", "12x"),
        RowProblem(8, "name", "missing_name", ""),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (23490, "23490"),
        (23490.0, "23490"),
        (1222.5, "1222.5"),
        (64.1, "64.1"),
        (-518.0, "-518"),
        (0.001, "0.001"),
        (1e20, "100000000000000000000"),
        (Decimal("12.50"), "12.50"),
        (" 12x ", " 12x "),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


# -- rejections ------------------------------------------------------------------------------


def test_a_file_with_bad_rows_is_refused_whole(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "2026,income,member_fees,Medlemsavgifter,,,23490\n"
        "2026,expenses,board,Förtroendevalda,,,500\n"
        "2026,cost,boardroom,Förtroendevalda,,,500\n"
        "2026,cost,administration,Förvaltning,,,12x\n"
        "2026,cost,intervention,,Heby,individual,2523\n"
        "2026,income,member_fees,Medlemsavgifter,,,100\n"
        "2025,cost,reserved,Reserverade medel,,,300\n"
        "2026,cost,intervention,Växtkraft,Enköping,individual,2753\n",
    )

    problems = rejected(engine, path)

    assert problems == [
        RowProblem(3, "section", "unknown_section", "expenses"),
        RowProblem(4, "category", "unknown_category", "boardroom"),
        RowProblem(5, "amount_tkr", "bad_amount", "12x"),
        RowProblem(6, "name", "missing_name", ""),
        RowProblem(7, "name", "duplicate_line", "2"),
        RowProblem(8, "year", "other_year", "2025"),
    ]
    assert [render(p) for p in problems] == [
        'rad 3, kolumn section: okänt avsnitt "expenses" – giltiga: income, cost, balance',
        'rad 4, kolumn category: okänd kategori "boardroom" – giltiga: member_fees, sales, '
        "external_funding, board, administration, intervention, other_collaboration, reserved, "
        "opening_surplus, forecast_previous_year, reserve_fund (eller på svenska, t.ex. "
        "medlemsavgifter, förvaltning, samverkansinsatser, reserverade medel, eget kapital)",
        'rad 5, kolumn amount_tkr: "12x" är inget belopp i tkr (t.ex. 1 222,5)',
        "rad 6, kolumn name: namnet saknas",
        "rad 7, kolumn name: samma budgetrad (avsnitt, kategori, namn och ägare) står redan på "
        "rad 2",
        "rad 8, kolumn year: året 2025 skiljer sig från filens år (det första årtalet i filen) – "
        "en fil gäller ett år",
    ]
    assert Texts("sv").get("import", "rejected", file=path.name, count=len(problems)) == (
        "Filen budget.csv importerades inte: 6 fel. Inget sparades."
    )
    with session_scope(engine) as session:
        assert [count(session, t) for t in (BudgetYear, BudgetLine, Intervention)] == [0, 0, 0]


def test_every_problem_of_a_row_is_named(engine: Engine, tmp_path: Path) -> None:
    long_name = "x" * 201
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "20x6,income,board,Styrelse,,both,\n"
        f",cost,board,{long_name},,,1000000000\n"
        "2026,Cost,Board,Förtroendevalda,,STRUCTURAL,1,2345\n"
        "2026,,,Tom,,,1\n",
    )

    assert rejected(engine, path) == [
        RowProblem(2, "year", "bad_year", "20x6"),
        RowProblem(2, "category", "category_not_in_section", "board"),
        RowProblem(2, "support", "bad_support", "both"),
        RowProblem(2, "amount_tkr", "bad_amount", ""),
        RowProblem(3, "year", "bad_year", ""),
        RowProblem(3, "name", "too_long", "x" * 40 + "…"),
        RowProblem(3, "amount_tkr", "amount_out_of_range", "1000000000"),
        RowProblem(4, "", "extra_values", "2345"),
        RowProblem(5, "section", "unknown_section", ""),
        RowProblem(5, "category", "unknown_category", ""),
    ]


def test_missing_columns_are_each_named(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "Year,Name,Owner,Amount\n2026,x,,1\n")

    assert rejected(engine, path) == [
        RowProblem(1, "section", "missing_column", "section"),
        RowProblem(1, "category", "missing_column", "category"),
        RowProblem(1, "amount_tkr", "missing_column", "amount_tkr"),
    ]


def test_a_column_twice_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},Amount_tkr\n2026,cost,board,x,,,1,2\n")

    assert rejected(engine, path) == [RowProblem(1, "amount_tkr", "duplicate_column", "amount_tkr")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("budget.txt", HEADER.encode() + b"\n2026,cost,board,x,,,1\n"),
        ("budget.xls", b"\xd0\xcf\x11\xe0 an old Excel file"),
        ("budget.xlsx", b"PK\x03\x04 not really a zip"),
        ("budget.csv", HEADER.encode() + "\n2026,cost,board,Förvaltning,,,1\n".encode("cp1252")),
        ("budget.csv", HEADER.encode() + b'\n2026,cost,board,"x"y,,,1\n'),
    ],
)
def test_unreadable_files(engine: Engine, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    assert rejected(engine, path) == [RowProblem(0, "", "unreadable_file", name)]


def test_a_missing_file_is_unreadable(engine: Engine, tmp_path: Path) -> None:
    assert rejected(engine, tmp_path / "gone.xlsx") == [
        RowProblem(0, "", "unreadable_file", "gone.xlsx")
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (f"{HEADER}\n", RowProblem(1, "", "empty_file", "")),
        (f"{HEADER}\n\n,,,,,,\n", RowProblem(1, "", "empty_file", "")),
        ("", RowProblem(0, "", "empty_file", "")),
    ],
)
def test_empty_files(engine: Engine, tmp_path: Path, content: str, problem: RowProblem) -> None:
    assert rejected(engine, write(tmp_path, content)) == [problem]


def test_an_empty_sheet_is_an_empty_file(engine: Engine, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "budget.xlsx", {2: HEADER.split(",")})

    assert rejected(engine, xlsx) == [RowProblem(2, "", "empty_file", "")]


# -- a year already stored -------------------------------------------------------------------


def test_importing_a_year_again_is_a_conflict(engine: Engine) -> None:
    do_import(engine, SAMPLE_2026)

    with pytest.raises(ConflictError) as caught:
        do_import(engine, SAMPLE_2026)

    assert (caught.value.code, caught.value.params) == ("budget_year_exists", {"year": 2026})


def test_replace_keeps_lines_that_stay_and_their_spending(engine: Engine, tmp_path: Path) -> None:
    do_import(engine, SAMPLE_2026)
    with session_scope(engine) as session:
        board = session.exec(select(BudgetLine).where(BudgetLine.name == "Förtroendevalda")).one()
        session.add(Spending(budget_line_id=board.id, month=3, amount_kr=41_000))
    text = SAMPLE_2026.read_text(encoding="utf-8").replace(
        "2026,cost,board,Förtroendevalda,,,500", "2026,cost,board,Förtroendevalda,,,650"
    )
    text = text.replace("2026,income,sales,Försäljning av tjänster,,,240\n", "")
    text += "2026,cost,reserved,Reserverade medel,,,300\n"
    path = write(tmp_path, text, "budget-2026-rev.csv")

    result = do_import(engine, path, replace=True)

    assert result.replaced is True
    assert result.lines == 22
    assert result.interventions_created == 0
    assert result.totals[Section.income] == 24_180_000 - 240_000
    assert result.totals[Section.cost] == 27_150_000 + 150_000 + 300_000
    lines = stored_lines(engine, 2026)
    assert [x[3] for x in lines][-1] == "Reserverade medel"
    assert "Försäljning av tjänster" not in [x[3] for x in lines]
    with session_scope(engine) as session:
        assert session.exec(select(BudgetYear.source)).one() == "budget-2026-rev.csv"
        spent = session.exec(select(Spending)).one()
        assert spent.budget_line_id == board.id
        kept = session.get(BudgetLine, board.id)
        assert kept is not None and kept.amount_kr == 650_000


def test_replace_refuses_to_drop_a_line_with_spending(engine: Engine, tmp_path: Path) -> None:
    do_import(engine, SAMPLE_2026)
    with session_scope(engine) as session:
        query = select(BudgetLine).where(BudgetLine.owner == "Enköping")
        line = session.exec(query).one()
        session.add(Spending(budget_line_id=line.id, month=1, amount_kr=200_000))
    text = SAMPLE_2026.read_text(encoding="utf-8").replace("Växtkraft", "Växtkraft 2.0")
    path = write(tmp_path, text)

    assert rejected(engine, path, replace=True) == [
        RowProblem(0, "", "spending_on_removed_line", "intervention: Växtkraft (Enköping)")
    ]
    assert stored_lines(engine, 2026)[6][3] == "Växtkraft"
    with session_scope(engine) as session:
        assert session.exec(select(BudgetYear.source)).one() == "budget-uppsala-2026.csv"


def test_replace_with_a_bad_file_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    do_import(engine, SAMPLE_2026)
    before = stored_lines(engine, 2026)
    path = write(tmp_path, f"{HEADER}\n2026,cost,board,Förtroendevalda,,,5OO\n")

    assert rejected(engine, path, replace=True) == [
        RowProblem(2, "amount_tkr", "bad_amount", "5OO")
    ]
    assert stored_lines(engine, 2026) == before


# -- messages --------------------------------------------------------------------------------


def macros(lang: str) -> dict[str, tuple[str, ...]]:
    source = (templates_dir() / lang / "import.j2").read_text(encoding="utf-8")
    tree = Environment().parse(source)
    return {m.name: tuple(a.name for a in m.args) for m in tree.find_all(nodes.Macro)}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_problem_code_has_a_message(lang: str) -> None:
    found = macros(lang)

    assert found["problem_line"] == ("line", "column", "message")
    assert found["rejected"] == ("file", "count")
    for code in ProblemCode:
        assert found.get(code.value) == ("value",), code
        for value in ("", "x<y"):
            message = Texts(lang).get("import", code.value, value=value)
            assert message
            assert "x<y" not in message  # user text is Slack-escaped


def test_both_languages_have_the_same_macros() -> None:
    assert macros("sv") == macros("en")
    assert set(macros("sv")) == {c.value for c in ProblemCode} | {
        "problem_line",
        "rejected",
        "more_problems",
    }


def test_problem_line_without_line_or_column() -> None:
    sv = Texts("sv")
    assert sv.get("import", "problem_line", line=4, column="", message="m") == "rad 4: m"
    assert sv.get("import", "problem_line", line=0, column="", message="m") == "m"
    assert render(RowProblem(7, "amount_tkr", "bad_amount", "12x"), "en") == (
        'line 7, column amount_tkr: "12x" is not an amount in kSEK (e.g. 1222.5 or 1 222,5)'
    )


# -- amounts as text, property-based -----------------------------------------------------------


def swedish(amount: Decimal, *, space: str, minus: str, fixed: bool) -> str:
    """`amount` as a Swedish budget would print it: 1 222,5 (or 1 222,500)."""
    text = format(amount if fixed else amount.normalize(), "f")
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, decimals = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", space)
    return (minus if sign else "") + grouped + ("," + decimals if decimals else "")


@given(
    amount=st.decimals(
        places=3, min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False
    ),
    space=st.sampled_from([" ", "\u00a0", "\u202f"]),
    minus=st.sampled_from(["-", "\u2212"]),
    fixed=st.booleans(),
)
def test_swedish_amounts_round_trip(amount: Decimal, space: str, minus: str, fixed: bool) -> None:
    text = swedish(amount, space=space, minus=minus, fixed=fixed)

    assert parse_tkr(text) == int(amount * 1000)


@given(
    st.decimals(
        places=3, min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False
    )
)
def test_spreadsheet_numbers_round_trip(amount: Decimal) -> None:
    assert parse_tkr(cell_text(float(amount))) == int(amount * 1000)


# -- money the way the plans write it: signs, Swedish words, multi-year plans ----------------

ORNSKOLDSVIK = DATA / "budget-ornskoldsvik-2026.csv"  # 003:437-457, signs and words as printed


def stored_year(engine: Engine, year: int) -> tuple[bool, str]:
    with session_scope(engine) as session:
        found = session.exec(select(BudgetYear).where(BudgetYear.year == year)).one()
        return found.plan, found.source


def test_ornskoldsvik_as_printed_imports_with_costs_as_costs(engine: Engine) -> None:
    """The plan prints costs with a minus sign. Its arithmetic, checked: income 1 222,5 +
    1 222,5 + 2 445 = 4 890; administration 845 + 115 + 100 + 50 + 18 + 10 + 20 = 1 158;
    interventions 1 800 + 50 + 700 + 100 + 100 + 50 + 3 732 = 6 532; costs 7 690 = the
    printed "Totalt utrymme" 4 890 + 2 800, so the decision room is 0. (2027: 4 890 + 1 562 −
    5 530 = 922 is left undecided; 2028: 4 890 + 450 − 5 340 = 0.)"""
    result = do_import(engine, ORNSKOLDSVIK)

    assert (result.year, result.plan, result.lines) == (2026, False, 18)
    assert result.totals == {
        Section.income: 4_890_000,
        Section.cost: 7_690_000,
        Section.balance: 2_800_000,
    }
    assert result.negated_costs == 14
    assert result.totals_by_category[Category.reserved] == 3_732_000
    assert [(p.year, p.lines, p.replaced, p.kept) for p in result.plans] == [
        (2027, 18, False, False),
        (2028, 18, False, False),
    ]
    assert [p.totals[Section.cost] for p in result.plans] == [5_530_000, 5_340_000]
    assert [p.totals[Section.balance] for p in result.plans] == [1_562_000, 450_000]
    assert stored_year(engine, 2026) == (False, "budget-ornskoldsvik-2026.csv")
    assert stored_year(engine, 2027)[0] is True
    assert stored_year(engine, 2028)[0] is True
    amounts = [line[-1] for line in stored_lines(engine, 2026)]
    assert all(amount > 0 for amount in amounts)  # every cost stored as a cost
    lines = stored_lines(engine, 2026)
    assert lines[11][2:] == (
        Category.intervention,
        "Resurslotsen Örnsköldsvik (inkl. beredningsgrupp)",
        "Örnsköldsvik",
        "individual",
        1_800_000,
    )
    assert lines[6][2] is Category.board  # "Förtroendevalda"
    with session_scope(engine) as session:
        # a plan's lines do not make interventions last longer (reports would be owed)
        resurslotsen = session.exec(
            select(Intervention).where(Intervention.owner == "Örnsköldsvik")
        ).all()
        assert {(i.first_year, i.last_year) for i in resurslotsen} == {(2026, 2026)}
        assert result.interventions_created == 3


def test_a_cost_whose_sign_differs_from_the_others_is_refused_by_cell(
    engine: Engine, tmp_path: Path
) -> None:
    text = ORNSKOLDSVIK.read_text(encoding="utf-8")
    text = text.replace(";-115;-115;-115", ";115;-115;-115")  # row 7, column "Budget 2026"
    text = text.replace(
        "Psykeveckan V.45;Örnsköldsvik;Strukturstödjande;-100;-100;-100",
        ("Psykeveckan V.45;Örnsköldsvik;Strukturstödjande;-100;-100;100"),
    )

    problems = rejected(engine, write(tmp_path, text))

    assert problems == [
        RowProblem(7, "Budget 2026", "cost_sign_mixed", "115"),
        RowProblem(16, "Plan 2028", "cost_sign_mixed", "100"),
    ]
    assert render(problems[0]) == (
        "rad 7, kolumn Budget 2026: kostnaden 115 tkr har ett annat tecken än filens övriga "
        "kostnader – skriv alla kostnader med minustecken eller alla utan"
    )
    with session_scope(engine) as session:
        assert count(session, BudgetYear) == 0


def test_negative_income_is_refused(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n"
        "2026,income,member_fees,Medlemsavgifter,,,-23490\n"
        "2026,cost,board,Förtroendevalda,,,500\n",
    )

    problems = rejected(engine, path)

    assert problems == [RowProblem(2, "amount_tkr", "negative_income", "-23490")]
    assert render(problems[0]) == (
        "rad 2, kolumn amount_tkr: intäkten -23490 tkr är negativ – intäkter skrivs utan "
        "minustecken (hör raden till kostnaderna?)"
    )


def test_positive_costs_stay_and_a_negative_balance_is_no_sign_problem(engine: Engine) -> None:
    result = do_import(engine, SAMPLE_2026)  # forecast_previous_year is -518

    assert result.negated_costs == 0
    assert result.totals[Section.balance] == 3_977_000


def test_swedish_headers_and_words_any_case_and_accents(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ÅR;Avsnitt;KATEGORI;Namn;Agare;Stod;Belopp\n"
        "2026;intäkter;Medlemsavgifter;Medlemsavgifter;;;23490\n"
        "2026;Kostnader;förtroendevalda;Styrelsen;;;500\n"
        "2026;kostnad;FORVALTNING;Kansliet;;;4550\n"
        "2026;Kostnader;Samverkansinsatser;Växtkraft;Enköping;individstödjande;2753\n"
        "2026;Kostnader;Övriga samverkansinsatser;Ekonom projektstöd;;Strukturstödjande;430\n"
        "2026;Kostnader;reserverade medel;Ej beslutat;;;300\n"
        "2026;Balans;Över-/underskott från tidigare år;Tidigare år;;;4495\n"
        "2026;balans;prognos föregående år;Prognos 2025;;;-518\n",
    )

    result = do_import(engine, path)

    assert [line[1:3] + line[5:] for line in stored_lines(engine, 2026)] == [
        (Section.income, Category.member_fees, None, 23_490_000),
        (Section.cost, Category.board, None, 500_000),
        (Section.cost, Category.administration, None, 4_550_000),
        (Section.cost, Category.intervention, "individual", 2_753_000),
        (Section.cost, Category.other_collaboration, "structural", 430_000),
        (Section.cost, Category.reserved, None, 300_000),
        (Section.balance, Category.opening_surplus, None, 4_495_000),
        (Section.balance, Category.forecast_previous_year, None, -518_000),
    ]
    assert result.totals[Section.cost] == 8_533_000


def test_problems_name_the_columns_as_the_file_writes_them(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "år;avsnitt;kategori;namn;belopp\n"
        "2026;kostnader;styrelsen;Styrelse;12x\n"
        "2026;utgifter;förvaltning;Kansli;1\n",
    )

    assert rejected(engine, path) == [
        RowProblem(2, "belopp", "bad_amount", "12x"),
        RowProblem(3, "avsnitt", "unknown_section", "utgifter"),
    ]


def test_a_plan_missing_its_budget_amount_and_a_year_twice(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "avsnitt;kategori;namn;Budget 2026;Plan 2027\n"
        "kostnader;styrelsen;Styrelse;;\n"
        "kostnader;förvaltning;Kansli;;120\n",  # new in 2027: fine
    )
    assert rejected(engine, path) == [RowProblem(2, "Budget 2026", "bad_amount", "")]

    twice = write(tmp_path, "avsnitt;kategori;namn;2026;Plan 2026\nkostnader;styrelsen;S;1;1\n")
    assert rejected(engine, twice) == [RowProblem(1, "Plan 2026", "duplicate_column", "Plan 2026")]


def test_a_plan_is_replaced_by_the_next_file_and_never_replaces_a_budget(
    engine: Engine, tmp_path: Path
) -> None:
    do_import(engine, ORNSKOLDSVIK)
    adopted_2027 = write(
        tmp_path,
        f"{HEADER}\n2027,income,member_fees,Medlemsavgifter,,,4900\n2027,cost,board,Styrelse,,,90\n",
        "budget-2027.csv",
    )

    result = do_import(engine, adopted_2027)  # the adopted budget replaces the plan

    assert (result.year, result.plan, result.replaced) == (2027, False, True)
    assert stored_year(engine, 2027) == (False, "budget-2027.csv")
    assert len(stored_lines(engine, 2027)) == 2

    again = do_import(engine, ORNSKOLDSVIK, replace=True)  # 2026 replaced, its plans again

    assert again.replaced is True
    assert [(p.year, p.replaced, p.kept) for p in again.plans] == [
        (2027, False, True),  # the adopted 2027 budget is kept
        (2028, True, False),  # the 2028 plan is replaced by the newer plan
    ]
    assert stored_year(engine, 2027) == (False, "budget-2027.csv")
    assert len(stored_lines(engine, 2027)) == 2


def test_cli_says_costs_were_read_as_costs(database_url: str, clean_env: Path) -> None:
    from tests.cli_runner import Cli

    cli = Cli(database_url, clean_env)
    cli.ok("db", "upgrade")

    out = cli.ok("budget", "import", str(ORNSKOLDSVIK)).stdout

    assert out == (
        "Budgeten för 2026 är importerad: 18 rader.\n"
        "Planen för 2027 är importerad: 18 rader.\n"
        "Planen för 2028 är importerad: 18 rader.\n"
        "Obs: kostnaderna står med minustecken i filen (14 rader) och har lästs som kostnader.\n"
        "Budget 2026 att jämföra med den beslutade: intäkter 4 890 tkr, kostnader 7 690 tkr, "
        "årets resultat −2 800 tkr, eget kapital vid årets början 2 800 tkr, "
        "kvarvarande beslutsutrymme 0 tkr.\n"
    )
    status = cli.json("budget", "status", "--year", "2026")
    assert (status["income"], status["costs"]) == (4_890_000, 7_690_000)
    assert status["result"] == -2_800_000
    assert status["remaining_decision_room"] == 0
    assert status["opening_equity"] == 2_800_000
    equity = next(r for r in status["rules"] if r["rule"] == "equity_ceiling")
    assert equity["ok"] is False
    assert equity["value"] == 0.5726  # 2 800 / 4 890: the plan's footnote prints 57 %
    assert "Inga kostnader med minustecken" not in out
