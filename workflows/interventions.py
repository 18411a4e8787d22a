"""Interventions and their leads: the file import (leads matched to Slack users by e-mail
through a `Directory`) and the read API the reminders, forms and App Home use.

An import runs in three steps: the file is checked whole (ImportRejected names every bad
cell; nothing is looked up or stored), then every lead e-mail is looked up in the directory
(outside any transaction: Slack may be slow), then everything is stored in one transaction.
An e-mail without a Slack user is kept on the intervention and reported; every import looks
every e-mail up again, so a lead who joins Slack later is matched by the next import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from store import installation
from store.db import session_scope
from store.errors import NotFoundError
from store.importers.interventions import (
    BudgetWarning,
    InterventionImportResult,
    LeadOutcome,
    read_interventions_file,
    store_interventions,
)
from store.interventions import (
    LeadRow,
    MatchedUser,
    intervention_ids_led_by,
    interventions_by_id,
    leads_by_intervention,
    list_interventions,
)
from store.models import Intervention, SupportKind

__all__ = [
    "BudgetWarning",
    "Directory",
    "InterventionImportResult",
    "InterventionInfo",
    "Lead",
    "LeadOutcome",
    "MatchedUser",
    "all_interventions",
    "get_intervention",
    "import_interventions_file",
    "interventions_in",
    "interventions_led_by",
]


class Directory(Protocol):
    """Who an e-mail address belongs to in the workspace (Slack: users.lookupByEmail).
    None when nobody has it; raises SlackUnavailable when the directory cannot answer."""

    def user_for_email(self, email: str) -> MatchedUser | None: ...


@dataclass(frozen=True)
class Lead:
    email: str
    slack_user_id: str | None  # None until the e-mail is matched to a Slack user
    name: str


@dataclass(frozen=True)
class InterventionInfo:
    id: int
    name: str
    owner: str
    kind: SupportKind
    goals: tuple[str, ...]
    starts_on: date | None
    ends_on: date | None
    leads: tuple[Lead, ...]
    # The first year it has a budget or reports for: the lower bound of the periods it owes
    # when it has no start date. Not part of its identity (equality).
    first_year: int | None = field(default=None, compare=False)
    # Reports due before this day are not owed: the later of the installation's go-live
    # (FINSAM_REPORTS_FROM, or the bot's first run) and the intervention's own day. Not
    # part of its identity either.
    reports_from: date | None = field(default=None, compare=False)

    def active_during(self, start: date, end: date) -> bool:
        """Whether it runs on some day of [start, end]; a missing date is open-ended."""
        return (self.starts_on is None or self.starts_on <= end) and (
            self.ends_on is None or self.ends_on >= start
        )

    @property
    def label(self) -> str:
        """'Name (Owner)', or just the name when it has no owner."""
        return f"{self.name} ({self.owner})" if self.owner else self.name


def import_interventions_file(
    engine: Engine, path: Path, directory: Directory
) -> InterventionImportResult:
    """Check the file, look every lead e-mail up, store all of it in one transaction."""
    parsed = read_interventions_file(path)
    emails = sorted({email for item in parsed for email in item.emails})
    users = {email: directory.user_for_email(email) for email in emails}
    with session_scope(engine) as session:
        return store_interventions(session, parsed, users=users)


def all_interventions(engine: Engine) -> list[InterventionInfo]:
    """Every intervention with its leads, sorted by name and owner."""
    with session_scope(engine) as session:
        return interventions_in(session)


def interventions_in(session: Session) -> list[InterventionInfo]:
    """`all_interventions` in the caller's session."""
    found = list_interventions(session)
    leads = leads_by_intervention(session)
    live = installation.reports_from(session)
    return [_info(i, leads.get(i.id or 0, []), live) for i in found]


def get_intervention(engine: Engine, intervention_id: int) -> InterventionInfo:
    with session_scope(engine) as session:
        return intervention_in(session, intervention_id)


def intervention_in(session: Session, intervention_id: int) -> InterventionInfo:
    """An intervention with its leads, in the caller's session; NotFoundError if none."""
    found = interventions_by_id(session, [intervention_id])
    if not found:
        raise NotFoundError("unknown_intervention_id", id=intervention_id)
    leads = leads_by_intervention(session, [intervention_id])
    return _info(found[0], leads.get(intervention_id, []), installation.reports_from(session))


def interventions_led_by(engine: Engine, slack_user_id: str) -> list[InterventionInfo]:
    """The interventions whose leads include this Slack user, sorted by name and owner."""
    with session_scope(engine) as session:
        ids = intervention_ids_led_by(session, slack_user_id)
        found = interventions_by_id(session, ids)
        leads = leads_by_intervention(session, ids)
        live = installation.reports_from(session)
    return [_info(i, leads.get(i.id or 0, []), live) for i in found]


def _info(
    intervention: Intervention, leads: list[LeadRow], live_from: date | None
) -> InterventionInfo:
    assert intervention.id is not None
    own = intervention.reports_from
    days = [day for day in (live_from, own) if day is not None]
    return InterventionInfo(
        id=intervention.id,
        name=intervention.name,
        owner=intervention.owner,
        kind=SupportKind(intervention.kind),
        goals=tuple(line for line in intervention.goals.splitlines() if line.strip()),
        starts_on=intervention.starts_on,
        ends_on=intervention.ends_on,
        leads=tuple(Lead(x.email, x.slack_user_id, x.name) for x in leads),
        first_year=intervention.first_year,
        reports_from=max(days) if days else None,
    )
