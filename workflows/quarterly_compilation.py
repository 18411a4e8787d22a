"""The compilation of the quarterly reports (DOMAIN.md "Follow-up of interventions"): per
intervention and goal, the goal's text, the status each quarter and its comment, for the board
(half-year, year), the intervention's steering group and its local group (*Lokusgrupp*).

Goals are the intervention's own (one per line, numbered as the form numbers them: a goal
keeps its answers under `goal_<n>`); an intervention without goals has one row for its goals
as a whole, one with more than the form shows a last row for the rest together. A status is
read as stored and named by the form that offered it: the current statuses (`reached`,
`on_track`, `at_risk`, `not_started`) by the form, a report in the earlier shape (`partly`,
`not`) by templates/forms/earlier/ ("Delvis uppnått", "Inte uppnått"), so old reports need
no migration.

The share of structural interventions' goals reached (the 2024 plan: 75 %) counts each goal
of a *strukturstödjande insats* once, by its latest status in the quarters compiled; a goal
with no status yet is counted apart, not as missed. `quarterly_sheet` turns a compilation
into the XLSX sheet "Kvartalssammanställning" (workflows/exports.py `Table`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from store import reports as rows
from store.db import session_scope
from store.errors import BadArgument, NotFoundError
from store.models import ReportKind, ReportStatus, SupportKind
from workflows.calendar import Period
from workflows.exports import Cell, Kind, Table
from workflows.forms import (
    FieldType,
    FormDefinition,
    FormField,
    InputType,
    Label,
    earlier_option,
    goal_list,
    inputs,
    load_forms,
)
from workflows.interventions import InterventionInfo, interventions_in
from workflows.reports import owes_report
from workflows.texts import Texts

REACHED = "reached"  # the status that counts as a goal reached
STRUCTURAL_TARGET = 0.75  # the board's target (2024 plan): structural goals reached
YEARS = range(2000, 2101)  # the years a compilation is asked for (as the CLI's --year)


@dataclass(frozen=True)
class GoalQuarter:
    """One goal in one quarter: the report's state (None: no report for the quarter), the
    status as stored and its label (from the form, or the earlier shape that offered it:
    `earlier`), and the comment."""

    period: str
    quarter: int
    report_status: ReportStatus | None
    status: str | None
    status_label: Label | None
    earlier: bool
    comment: str | None

    @property
    def reported(self) -> bool:
        return self.report_status is not None


@dataclass(frozen=True)
class GoalRow:
    """A goal of an intervention: `key` as the form names it ("1", "all", "rest"), `number`
    (0 for the goals as a whole or the rest), its text, how many goals it answers for, and
    one `GoalQuarter` per quarter compiled."""

    key: str
    number: int
    text: Label
    counts_for: int
    quarters: tuple[GoalQuarter, ...]

    @property
    def latest(self) -> GoalQuarter | None:
        """The last quarter with a status: where the goal stands."""
        answered = [quarter for quarter in self.quarters if quarter.status is not None]
        return answered[-1] if answered else None

    @property
    def reached(self) -> bool:
        latest = self.latest
        return latest is not None and latest.status == REACHED


@dataclass(frozen=True)
class InterventionQuarters:
    """An intervention's page: its goals with their quarters."""

    intervention_id: int
    name: str
    owner: str
    kind: SupportKind
    goals: tuple[GoalRow, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.owner})" if self.owner else self.name

    @property
    def reported(self) -> tuple[str, ...]:
        """The periods with a report."""
        if not self.goals:
            return ()
        return tuple(q.period for q in self.goals[0].quarters if q.reported)


@dataclass(frozen=True)
class StructuralShare:
    """Goals of structural interventions: with a status, of them reached, and without one."""

    goals: int
    reached: int
    unreported: int
    target: float = STRUCTURAL_TARGET

    @property
    def share(self) -> float | None:
        return self.reached / self.goals if self.goals else None

    @property
    def meets_target(self) -> bool | None:
        share = self.share
        return None if share is None else share >= self.target


@dataclass(frozen=True)
class Compilation:
    year: int
    until_quarter: int
    periods: tuple[str, ...]
    interventions: tuple[InterventionQuarters, ...]
    structural: StructuralShare

    def intervention(self, intervention_id: int) -> InterventionQuarters | None:
        return next((i for i in self.interventions if i.intervention_id == intervention_id), None)


def check_quarter(until_quarter: int) -> int:
    if not 1 <= until_quarter <= 4:
        raise BadArgument("quarterly_bad_quarter", value=str(until_quarter))
    return until_quarter


def check_year(year: int) -> int:
    if year not in YEARS:
        raise BadArgument("quarterly_bad_year", value=str(year))
    return year


def default_until(year: int, today: date) -> int:
    """The last quarter worth compiling: all four of an earlier year, the last one ended in
    this one (the first before any has), the first of a later one."""
    if year < today.year:
        return 4
    return max(1, (today.month - 1) // 3) if year == today.year else 1


def board_quarters(meeting_on: date) -> tuple[int, int] | None:
    """(year, last quarter) of the compilation a board meeting on `meeting_on` is given: at
    a half-year (the meeting's Q2 ended, Q3 not yet) and at the year (before the meeting's
    Q1 has ended: the year before, whole); None at the other meetings."""
    ended = (meeting_on.month - 1) // 3  # quarters of the meeting's year ended by then
    if ended == 0:
        return meeting_on.year - 1, 4
    if ended == 2:
        return meeting_on.year, 2
    return None


def compile_quarters(
    source: Engine | Session,
    year: int,
    until_quarter: int = 4,
    *,
    form: FormDefinition | None = None,
    intervention_id: int | None = None,
) -> Compilation:
    """The quarters 1..`until_quarter` of `year`, for every intervention that owes a
    quarterly report in them or gave one (or only `intervention_id`; NotFoundError when it
    has neither). `source`: an engine, or a session a caller already holds."""
    check_quarter(until_quarter)
    check_year(year)
    form = form or load_forms()[ReportKind.quarterly]
    periods = tuple(Period.quarter(year, q) for q in range(1, until_quarter + 1))
    labels = [period.label for period in periods]
    with _session(source) as session:
        found = interventions_in(session)
        reports = rows.reports_for_periods(session, labels)
        latest = rows.latest_revisions(session, reports)
        given: dict[tuple[int, str], tuple[ReportStatus, dict[str, object]]] = {}
        for report in reports:
            if report.id is None or report.id not in latest:
                continue
            answers = json.loads(latest[report.id].answers)
            given[(report.intervention_id, report.period)] = (ReportStatus(report.status), answers)
    wanted = [
        info
        for info in found
        if (intervention_id is None or info.id == intervention_id)
        and (
            any(owes_report(info, period) for period in periods)
            or any((info.id, label) in given for label in labels)
        )
    ]
    if intervention_id is not None and not wanted:
        raise NotFoundError("quarterly_nothing_for_intervention", year=year)
    compiled = tuple(_intervention(form, info, periods, given) for info in wanted)
    return Compilation(year, until_quarter, tuple(labels), compiled, structural_share(compiled))


@contextmanager
def _session(source: Engine | Session) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    with session_scope(source) as session:
        yield session


def _goals_field(form: FormDefinition) -> FormField:
    for form_field in form.fields:
        if form_field.type is FieldType.GOALS:
            return form_field
    raise NotFoundError("quarterly_form_without_goals")


def _intervention(
    form: FormDefinition,
    info: InterventionInfo,
    periods: Sequence[Period],
    given: dict[tuple[int, str], tuple[ReportStatus, dict[str, object]]],
) -> InterventionQuarters:
    goals_field = _goals_field(form)
    goals = goal_list(info.goals)
    choices = [
        item
        for item in inputs(form, goals)
        if item.field_id == goals_field.id and item.type is InputType.CHOICE
    ]
    options = {option.value: option.label for option in goals_field.options}
    goal_rows: list[GoalRow] = []
    for item in choices:
        key = item.id.removeprefix(f"{goals_field.id}_")
        number = int(key) if key.isdigit() else 0
        counts_for = len(goals) - len(choices) + 1 if key == "rest" else 1
        quarters = []
        for period in periods:
            report = given.get((info.id, period.label))
            status_value = report[1].get(item.id) if report else None
            status = status_value if isinstance(status_value, str) and status_value else None
            comment = report[1].get(f"{item.id}_comment") if report else None
            label = options.get(status) if status else None
            earlier = False
            if status is not None and label is None:
                older = earlier_option(goals_field.id, status)
                label, earlier = (older.label if older else Label(status, status)), True
            quarters.append(
                GoalQuarter(
                    period=period.label,
                    quarter=period.number,
                    report_status=report[0] if report else None,
                    status=status,
                    status_label=label,
                    earlier=earlier,
                    comment=comment if isinstance(comment, str) and comment else None,
                )
            )
        goal_rows.append(GoalRow(key, number, item.label, counts_for, tuple(quarters)))
    return InterventionQuarters(info.id, info.name, info.owner, info.kind, tuple(goal_rows))


def structural_share(interventions: Sequence[InterventionQuarters]) -> StructuralShare:
    """Each structural goal once, by its latest status (a row for "the rest" for as many
    goals as it answers for)."""
    goals = reached = unreported = 0
    for intervention in interventions:
        if intervention.kind is not SupportKind.structural:
            continue
        for goal in intervention.goals:
            if goal.latest is None:
                unreported += goal.counts_for
                continue
            goals += goal.counts_for
            reached += goal.counts_for if goal.reached else 0
    return StructuralShare(goals, reached, unreported)


# --------------------------------------------------------------------------- the sheet


def status_text(quarter: GoalQuarter, texts: Texts) -> str | None:
    """The status as the reader reads it: its label; "Ej rapporterad" without a report; a
    report sent back says so."""
    if quarter.report_status is None:
        return texts.get("quarterly", "not_reported")
    if quarter.status_label is None:
        return None
    label = quarter.status_label.get(texts.lang)
    if quarter.report_status is ReportStatus.returned:
        return texts.get("quarterly", "returned_status", label=label)
    return label


def share_text(share: StructuralShare, texts: Texts) -> str:
    """ "Strukturstödjande insatser: 3 av 4 mål uppnådda (75 %; målet är 75 %)"."""
    return texts.get(
        "quarterly",
        "structural_share",
        goals=share.goals,
        reached=share.reached,
        unreported=share.unreported,
        share=share.share,
        target=share.target,
        meets=share.meets_target,
    )


def quarterly_sheet(
    compilation: Compilation,
    texts: Texts | None = None,
    *,
    association: str | None = None,
    made: date | None = None,
) -> tuple[str, Table]:
    """The sheet "Kvartalssammanställning": one row per intervention and goal (its text, the
    status and comment each quarter, where it stands, reached or not), the title row saying
    which quarters, and a last row with the structural interventions' share of goals
    reached beside the board's target. For `write_xlsx` as one of a workbook's sheets."""
    texts = texts or Texts()
    numbers = range(1, compilation.until_quarter + 1)
    columns: list[str] = [
        texts.get("quarterly", "sheet_column", name=name)
        for name in ("intervention", "owner", "kind", "goal_number", "goal")
    ]
    for number in numbers:
        columns += [
            texts.get("quarterly", "quarter_column", quarter=number, what=what)
            for what in ("status", "comment")
        ]
    columns += [texts.get("quarterly", "sheet_column", name=name) for name in ("latest", "reached")]
    kinds = (Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.NUMBER)
    body: list[tuple[Cell, ...]] = []
    for intervention in compilation.interventions:
        kind = texts.get("quarterly", "support", kind=intervention.kind.value)
        for goal in intervention.goals:
            cells: list[Cell] = [
                intervention.name,
                intervention.owner,
                kind,
                goal.number or None,
                goal.text.get(texts.lang),
            ]
            for quarter in goal.quarters:
                cells += [status_text(quarter, texts), quarter.comment]
            latest = goal.latest
            cells += [
                latest.status_label.get(texts.lang) if latest and latest.status_label else None,
                texts.get("export", "yes_no", value=goal.reached) if latest else None,
            ]
            body.append(tuple(cells))
    total: tuple[Cell, ...] = (
        share_text(compilation.structural, texts),
        *([None] * (len(columns) - 1)),
    )
    title = texts.get(
        "quarterly",
        "compilation_title",
        association=association or "",
        year=compilation.year,
        until=compilation.until_quarter,
        made=made.isoformat() if made else "",
    )
    name = texts.get("quarterly", "compilation_sheet")
    return name, Table(tuple(columns), tuple(body), kinds, title, total)
