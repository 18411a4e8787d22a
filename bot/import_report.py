"""What an import says, in one place for both edges: `finsam-bot … import` prints these lines
(plain) and `/finsam importera` sends them (mrkdwn), so a file gets the same report whether
it came in by the CLI or through Slack. Imports only the texts at module level, so the CLI's
parsing stays quick (the importers come in with the functions that need them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.error_text import error_text
from store.errors import FinsamError, ImportRejected
from workflows.texts import Texts

if TYPE_CHECKING:
    from store.importers.spending import SpendingImportResult
    from workflows.board_cycle import CycleImport
    from workflows.file_imports import BudgetImported, Imported
    from workflows.interventions import InterventionImportResult


def refusal_lines(texts: Texts, err: FinsamError) -> list[str]:
    """Why nothing was stored: the error, then each bad row by line and column (the first
    MAX_NAMED_PROBLEMS of them; the rest counted)."""
    from workflows.board_cycle import CycleRejected, rejection_lines

    if isinstance(err, CycleRejected):
        return rejection_lines(texts, err)
    lines = [error_text(texts, err)]
    if isinstance(err, ImportRejected):
        from store.importers.limits import MAX_NAMED_PROBLEMS

        lines += [
            texts.get(
                "import",
                "problem_line",
                line=problem.line,
                column=problem.column,
                message=texts.get("import", problem.code, value=problem.value),
            )
            for problem in err.problems[:MAX_NAMED_PROBLEMS]
        ]
        if len(err.problems) > MAX_NAMED_PROBLEMS:
            more = len(err.problems) - MAX_NAMED_PROBLEMS
            lines.append(texts.get("import", "more_problems", count=more))
    return lines


def budget_lines(texts: Texts, imported: BudgetImported) -> list[str]:
    """What was stored, then the year's totals to compare with the approved plan."""
    result = imported.result
    said = [
        texts.get(
            "cli",
            "budget_imported",
            year=result.year,
            lines=result.lines,
            replaced=result.replaced,
            plan=result.plan,
        )
    ]
    said += [
        texts.get(
            "cli", "plan_imported", year=p.year, lines=p.lines, replaced=p.replaced, kept=p.kept
        )
        for p in result.plans
    ]
    if result.negated_costs:  # the file's signs were read by its sections: say so
        said.append(texts.get("cli", "costs_negated", count=result.negated_costs))
    status = imported.status
    if status is not None:
        said.append(
            texts.get(
                "imports",
                "budget_totals",
                year=status.year,
                income=status.income,
                costs=status.costs,
                result=status.result,
                equity=status.opening_equity,
                remaining=status.remaining_decision_room,
            )
        )
    return said


def spending_lines(texts: Texts, result: SpendingImportResult) -> list[str]:
    return [
        texts.get(
            "cli",
            "spending_imported",
            rows=result.rows,
            new=result.new,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    ]


def interventions_lines(texts: Texts, result: InterventionImportResult) -> list[str]:
    lines = [
        texts.get(
            "interventions",
            "imported",
            created=result.created,
            updated=result.updated,
            matched=len(result.matched),
            unmatched=len(result.unmatched),
        )
    ]
    lines += [
        texts.get("interventions", "unmatched_lead", email=m.email, intervention=m.intervention)
        for m in result.unmatched
    ]
    lines += [
        texts.get(
            "interventions",
            "no_budget_line",
            intervention=w.intervention,
            years=", ".join(str(y) for y in w.years),
        )
        for w in result.without_budget_line
    ]
    return lines


def cycle_lines(texts: Texts, result: CycleImport) -> list[str]:
    from workflows.board_cycle import problem_lines

    lines = [
        texts.get(
            "board",
            "imported",
            year=result.year,
            meetings=result.meetings,
            milestones=result.milestones,
            steps=result.steps,
            added=result.added,
            updated=result.updated,
            removed=result.removed,
        )
    ]
    if result.warnings:
        lines.append(texts.get("board", "warnings", count=len(result.warnings)))
        lines += problem_lines(texts, result.warnings)
    return lines


def imported_lines(texts: Texts, imported: Imported) -> list[str]:
    """The report of any kind of import."""
    from store.importers.spending import SpendingImportResult
    from workflows.board_cycle import CycleImport
    from workflows.file_imports import BudgetImported

    if isinstance(imported, BudgetImported):
        return budget_lines(texts, imported)
    if isinstance(imported, SpendingImportResult):
        return spending_lines(texts, imported)
    if isinstance(imported, CycleImport):
        return cycle_lines(texts, imported)
    return interventions_lines(texts, imported)
