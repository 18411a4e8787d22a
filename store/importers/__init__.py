"""Importers of budget and spending files (CSV or XLSX). Each checks the whole file and raises
ImportRejected with every RowProblem, or stores all of it in the caller's session.

Problems carry a code (ProblemCode) and one `value`; the edges render them with
`Texts(lang).get("import", code, value=value)` and `problem_line(line, column, message)`."""

from store.importers.budget import BUDGET_COLUMNS, BudgetImportResult, import_budget
from store.importers.spending import SPENDING_COLUMNS, SpendingImportResult, import_spending
from store.importers.tabular import ProblemCode, SourceRow, Table, read_table

__all__ = [
    "BUDGET_COLUMNS",
    "SPENDING_COLUMNS",
    "BudgetImportResult",
    "ProblemCode",
    "SourceRow",
    "SpendingImportResult",
    "Table",
    "import_budget",
    "import_spending",
    "read_table",
]
