"""Budget and spending files into the store, one transaction each: all or nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from store.db import session_scope
from store.importers.budget import BudgetImportResult, import_budget
from store.importers.spending import SpendingImportResult, import_spending


def import_budget_file(engine: Engine, path: Path, *, replace: bool = False) -> BudgetImportResult:
    with session_scope(engine) as session:
        return import_budget(session, path, replace=replace)


def import_spending_file(engine: Engine, path: Path) -> SpendingImportResult:
    with session_scope(engine) as session:
        return import_spending(session, path)
