"""Interventions and their leads from a CSV/XLSX file, all or nothing.

Columns: `name, owner, kind, lead_emails, start, end` and optionally `goals`. `kind` is
individual|structural; `lead_emails` holds one or more e-mail addresses separated by `;`;
`start`/`end` are ISO dates (`end` may be empty: open-ended); `goals` holds the
intervention's own goals separated by `;`. An intervention is identified like its budget line
by (name, owner): a second import updates it and replaces its leads with the file's.

Reading (`read_interventions_file`) checks every cell and raises ImportRejected with every
problem; storing (`store_interventions`) needs the Slack users the e-mails belong to, looked
up by the caller between the two (outside the transaction)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from store.errors import RowProblem
from store.importers.tabular import (
    ProblemCode,
    SourceRow,
    problem,
    read_table,
    read_text,
    reject_if_any,
)
from store.interventions import MatchedUser
from store.models import (
    BudgetLine,
    BudgetYear,
    Category,
    Intervention,
    InterventionLead,
    Person,
    PersonRole,
    Role,
    SupportKind,
)

INTERVENTION_COLUMNS = ("name", "owner", "kind", "lead_emails", "start", "end")
_OPTIONAL = ("goals", "reports_from")
MAX_EMAIL = 320  # the column's length
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_EMAIL_PART = r"[^\s@<>;,\"'()\[\]]"
_EMAIL_LABEL = r"[^\s@<>;,\"'()\[\].]+"
_EMAIL = re.compile(rf"^{_EMAIL_PART}+@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})+$")

Key = tuple[str, str]


@dataclass(frozen=True)
class ParsedIntervention:
    line: int
    name: str
    owner: str
    kind: SupportKind
    starts_on: date
    ends_on: date | None
    emails: tuple[str, ...]  # normalised (stripped, lower case), no repeats, file order
    goals: tuple[str, ...]
    reports_from: date | None = None  # joined the bot later: reports due before are not owed

    @property
    def key(self) -> Key:
        return (self.name, self.owner)

    @property
    def label(self) -> str:
        return label(self.name, self.owner)


@dataclass(frozen=True)
class LeadOutcome:
    intervention: str  # label: "Name (Owner)"
    email: str
    slack_user_id: str | None


@dataclass(frozen=True)
class BudgetWarning:
    """No budget line with the intervention's name and owner in the budgets of the years it
    runs; `years` are the imported budget years looked in (empty: none covers its years)."""

    intervention: str
    years: tuple[int, ...]


@dataclass(frozen=True)
class InterventionImportResult:
    created: int
    updated: int
    matched: list[LeadOutcome]
    unmatched: list[LeadOutcome]
    leads_removed: int
    without_budget_line: list[BudgetWarning]


def label(name: str, owner: str) -> str:
    return f"{name} ({owner})" if owner else name


def normalise_email(text: str) -> str:
    return text.strip().lower()


def read_interventions_file(path: Path) -> list[ParsedIntervention]:
    """The file's interventions in file order, or ImportRejected listing every problem."""
    table = read_table(path, required=INTERVENTION_COLUMNS, optional=_OPTIONAL)
    problems = list(table.problems)
    first_line_of: dict[Key, int] = {}
    parsed: list[ParsedIntervention] = []
    for row in table.rows:
        found = _parse_row(row, problems)
        if found is None:
            continue
        first = first_line_of.setdefault(found.key, row.line)
        if first != row.line:
            problems.append(
                problem(row.line, "name", ProblemCode.duplicate_intervention, str(first))
            )
            continue
        parsed.append(found)
    reject_if_any(problems, path=path)
    return parsed


def _parse_row(row: SourceRow, problems: list[RowProblem]) -> ParsedIntervention | None:
    before = len(problems)
    name = read_text(row, "name", problems, required=True)
    owner = read_text(row, "owner", problems)
    kind = _read_kind(row, problems)
    emails = _read_emails(row, problems)
    starts_on = _read_date(row, "start", problems, required=True)
    ends_on = _read_date(row, "end", problems, required=False)
    reports_from = _read_date(row, "reports_from", problems, required=False)
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(problem(row.line, "end", ProblemCode.end_before_start, ends_on.isoformat()))
    goals = tuple(goal.strip() for goal in re.split(r"[;\n]", row.get("goals")) if goal.strip())
    if len(problems) > before:
        return None
    assert name is not None and owner is not None and kind is not None
    assert starts_on is not None
    return ParsedIntervention(
        line=row.line,
        name=name,
        owner=owner,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        emails=emails,
        goals=goals,
        reports_from=reports_from,
    )


def _read_kind(row: SourceRow, problems: list[RowProblem]) -> SupportKind | None:
    text = row.get("kind")
    try:
        return SupportKind(text.lower())
    except ValueError:
        problems.append(problem(row.line, "kind", ProblemCode.bad_kind, text))
        return None


def _read_date(
    row: SourceRow, column: str, problems: list[RowProblem], *, required: bool
) -> date | None:
    text = row.get(column)
    if not text and not required:
        return None
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    problems.append(problem(row.line, column, ProblemCode.bad_date, text))
    return None


def _read_emails(row: SourceRow, problems: list[RowProblem]) -> tuple[str, ...]:
    emails: list[str] = []
    for part in row.get("lead_emails").split(";"):
        email = normalise_email(part)
        if not email:
            continue
        if len(email) > MAX_EMAIL or not _EMAIL.match(email):
            problems.append(problem(row.line, "lead_emails", ProblemCode.bad_email, part.strip()))
            continue
        if email not in emails:
            emails.append(email)
    if not emails and not any(p.line == row.line and p.column == "lead_emails" for p in problems):
        problems.append(problem(row.line, "lead_emails", ProblemCode.missing_email))
    return tuple(emails)


# -- storing --------------------------------------------------------------------------------


def store_interventions(
    session: Session,
    parsed: list[ParsedIntervention],
    *,
    users: Mapping[str, MatchedUser | None],
) -> InterventionImportResult:
    """Create or update each intervention, replace its leads with the file's and link each
    lead to the Slack user its e-mail belongs to (`users`: e-mail → user, None when Slack
    has none). Runs in the caller's session (the caller commits)."""
    existing = _existing(session, parsed)
    created = 0
    stored: list[tuple[ParsedIntervention, Intervention]] = []
    for item in parsed:
        intervention = existing.get(item.key)
        if intervention is None:
            intervention = Intervention(
                name=item.name, owner=item.owner, kind=item.kind, first_year=item.starts_on.year
            )
            created += 1
        intervention.kind = item.kind
        intervention.starts_on = item.starts_on
        intervention.ends_on = item.ends_on
        intervention.first_year = item.starts_on.year
        intervention.last_year = item.ends_on.year if item.ends_on is not None else None
        intervention.goals = "\n".join(item.goals)
        intervention.reports_from = item.reports_from
        session.add(intervention)
        stored.append((item, intervention))
    session.flush()
    people = _people_for(session, users)
    matched: list[LeadOutcome] = []
    unmatched: list[LeadOutcome] = []
    removed = 0
    for item, intervention in stored:
        assert intervention.id is not None
        removed += _replace_leads(session, intervention.id, item.emails, people)
        for email in item.emails:
            person = people.get(email)
            if person is None:
                unmatched.append(LeadOutcome(item.label, email, None))
            else:
                matched.append(LeadOutcome(item.label, email, person.slack_user_id))
    session.flush()
    return InterventionImportResult(
        created=created,
        updated=len(parsed) - created,
        matched=matched,
        unmatched=unmatched,
        leads_removed=removed,
        without_budget_line=_budget_warnings(session, parsed),
    )


def _existing(session: Session, parsed: list[ParsedIntervention]) -> dict[Key, Intervention]:
    names = {item.name for item in parsed}
    if not names:
        return {}
    query = select(Intervention).where(col(Intervention.name).in_(names))
    return {(i.name, i.owner): i for i in session.exec(query).all()}


def _people_for(session: Session, users: Mapping[str, MatchedUser | None]) -> dict[str, Person]:
    """A Person with role `lead` for every matched e-mail (created if new; e-mail and name
    brought up to date)."""
    by_user: dict[str, Person] = {}
    found: dict[str, Person] = {}
    for email, user in sorted(users.items()):
        if user is None:
            continue
        person = by_user.get(user.slack_user_id)
        if person is None:
            person = session.exec(
                select(Person).where(Person.slack_user_id == user.slack_user_id)
            ).first() or Person(slack_user_id=user.slack_user_id)
            session.add(person)
            session.flush()
            assert person.id is not None
            if session.get(PersonRole, (person.id, Role.lead)) is None:
                session.add(PersonRole(person_id=person.id, role=Role.lead))
            by_user[user.slack_user_id] = person
        person.email = email
        if user.name:
            person.name = user.name[:200]
        found[email] = person
    session.flush()
    return found


def _replace_leads(
    session: Session, intervention_id: int, emails: tuple[str, ...], people: dict[str, Person]
) -> int:
    """The intervention's leads become `emails`; returns how many were removed."""
    query = select(InterventionLead).where(InterventionLead.intervention_id == intervention_id)
    current = {lead.email: lead for lead in session.exec(query).all()}
    removed = 0
    for email, lead in current.items():
        if email not in emails:
            session.delete(lead)
            removed += 1
    session.flush()  # the deletes first: a re-added e-mail must not meet its old row
    for email in emails:
        lead = current.get(email) or InterventionLead(intervention_id=intervention_id, email=email)
        person = people.get(email)
        lead.person_id = person.id if person is not None else None
        session.add(lead)
    return removed


def _budget_warnings(session: Session, parsed: list[ParsedIntervention]) -> list[BudgetWarning]:
    """Interventions whose (name, owner) is no intervention line in the budget of any
    imported year they run in (the start year, or a later one while they run)."""
    lines = session.exec(
        select(BudgetYear.year, BudgetLine.name, BudgetLine.owner)
        .join(BudgetYear, col(BudgetYear.id) == col(BudgetLine.budget_year_id))
        .where(col(BudgetLine.category) == Category.intervention)
    ).all()
    budgeted = {(year, name, owner) for year, name, owner in lines}
    years = sorted(set(session.exec(select(BudgetYear.year)).all()))
    warnings: list[BudgetWarning] = []
    for item in parsed:
        last = item.ends_on.year if item.ends_on is not None else None
        covered = tuple(
            y for y in years if y >= item.starts_on.year and (last is None or y <= last)
        )
        if not any((y, item.name, item.owner) in budgeted for y in covered):
            warnings.append(BudgetWarning(item.label, covered))
    return warnings
