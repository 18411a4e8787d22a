"""One import of a file, whatever brought it: the CLI (a path given) and Slack (a file
uploaded in `/finsam importera`, fetched to a scratch folder) run the same all-or-nothing
imports through here, so a file gets the same answer wherever it comes in."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine

from store.budget import get_revision
from store.db import session_scope
from store.importers.budget import BudgetImportResult
from store.importers.limits import MAX_FILE_BYTES
from store.importers.spending import SpendingImportResult
from store.importers.tabular import refuse_if_too_large
from store.models import Role
from store.people import roles_of
from workflows.board_cycle import CycleImport, import_cycle
from workflows.budget_files import import_budget_file, import_spending_file
from workflows.budget_status import BudgetRules, BudgetStatus, budget_status_for
from workflows.interventions import (
    Directory,
    InterventionImportResult,
    import_interventions_file,
)
from workflows.people import in_office

__all__ = [
    "MAX_FILE_BYTES",
    "BudgetImported",
    "FileKind",
    "Imported",
    "budget_imported",
    "budget_revision",
    "import_file",
    "is_office",
    "may_import",
    "refuse_if_too_large",
    "safe_file_name",
    "scratch_file",
]

NAME_MAX = 120  # characters of an uploaded file's name kept for the scratch copy


class FileKind(StrEnum):
    """What a file holds: each kind has its importer (and its CLI command)."""

    budget = "budget"  # finsam-bot budget import
    spending = "spending"  # finsam-bot spending import (books, utfall)
    interventions = "interventions"  # finsam-bot interventions import
    cycle = "cycle"  # finsam-bot cycle import (the board's year, YAML)


@dataclass(frozen=True)
class BudgetImported:
    """A budget stored, with the year's figures after it (None when they cannot be worked
    out, e.g. a plan year without rules): what the office compares with the approved plan."""

    result: BudgetImportResult
    status: BudgetStatus | None


Imported = BudgetImported | SpendingImportResult | InterventionImportResult | CycleImport


def may_import(engine: Engine, user_id: str) -> bool:
    """Office staff and the director bring files in (as they run the CLI)."""
    return in_office(engine, user_id)


def is_office(engine: Engine, user_id: str) -> bool:
    with session_scope(engine) as session:
        return Role.office in roles_of(session, user_id)


def budget_revision(engine: Engine, year: int) -> int | None:
    """The year's revision (bumped by every import touching it): an offer to replace the
    year holds only while it is unchanged."""
    with session_scope(engine) as session:
        return get_revision(session, year)


def budget_imported(
    engine: Engine, result: BudgetImportResult, *, rules: BudgetRules
) -> BudgetImported:
    from store.errors import FinsamError

    try:
        status = budget_status_for(engine, year=result.year, rules=rules)
    except FinsamError:
        status = None  # stored all the same: the figures are a courtesy
    return BudgetImported(result, status)


def import_file(
    engine: Engine,
    kind: FileKind,
    path: Path,
    *,
    rules: BudgetRules,
    directory: Directory,
    replace: bool = False,
) -> Imported:
    """The import of `kind` for the file at `path`, all or nothing; raises what the CLI's
    command would (ImportRejected, CycleRejected, ConflictError('budget_year_exists'), …)."""
    if kind is FileKind.budget:
        return budget_imported(
            engine, import_budget_file(engine, path, replace=replace), rules=rules
        )
    if kind is FileKind.spending:
        return import_spending_file(engine, path)
    if kind is FileKind.interventions:
        return import_interventions_file(engine, path, directory)
    return import_cycle(engine, path)


def safe_file_name(name: str) -> str:
    """An uploaded file's name as a name in a scratch folder: no folders, no control
    characters, bounded; its suffix (which picks the reader: .csv, .xlsx, .yml) kept."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".") or "fil"
    if len(base) > NAME_MAX:
        _, dot, suffix = base.rpartition(".")
        keep = suffix[:10] if dot else ""
        base = base[: NAME_MAX - len(keep) - 1] + ("." + keep if keep else "")
    return base


@contextmanager
def scratch_file(name: str, content: bytes) -> Iterator[Path]:
    """`content` as a file named `name` (made safe) in a private folder, gone afterwards: the
    importers read paths, and name the file in what they say."""
    with tempfile.TemporaryDirectory(prefix="finsam-import-") as folder:
        path = Path(folder) / safe_file_name(name)
        path.write_bytes(content)
        yield path
