"""Queries over interventions and their leads. A lead is known by e-mail; `person_id` is set
once the e-mail is matched to a Slack user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from store.models import Intervention, InterventionLead, Person


@dataclass(frozen=True)
class MatchedUser:
    """The Slack user an e-mail belongs to, as the directory (users.lookupByEmail) says."""

    slack_user_id: str
    name: str = ""


@dataclass(frozen=True)
class LeadRow:
    intervention_id: int
    email: str
    slack_user_id: str | None
    name: str


def list_interventions(session: Session) -> list[Intervention]:
    query = select(Intervention).order_by(
        col(Intervention.name), col(Intervention.owner), col(Intervention.id)
    )
    return list(session.exec(query).all())


def interventions_by_id(session: Session, ids: Iterable[int]) -> list[Intervention]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    query = (
        select(Intervention)
        .where(col(Intervention.id).in_(wanted))
        .order_by(col(Intervention.name), col(Intervention.owner), col(Intervention.id))
    )
    return list(session.exec(query).all())


def leads_by_intervention(
    session: Session, intervention_ids: Iterable[int] | None = None
) -> dict[int, list[LeadRow]]:
    """{intervention id: its leads, by e-mail}; all interventions when `intervention_ids` is
    None."""
    query = select(InterventionLead, Person).join(
        Person, col(Person.id) == col(InterventionLead.person_id), isouter=True
    )
    if intervention_ids is not None:
        ids = sorted(set(intervention_ids))
        if not ids:
            return {}
        query = query.where(col(InterventionLead.intervention_id).in_(ids))
    query = query.order_by(col(InterventionLead.intervention_id), col(InterventionLead.email))
    found: dict[int, list[LeadRow]] = {}
    for lead, person in session.exec(query).all():
        found.setdefault(lead.intervention_id, []).append(
            LeadRow(
                intervention_id=lead.intervention_id,
                email=lead.email,
                slack_user_id=person.slack_user_id if person is not None else None,
                name=person.name if person is not None else "",
            )
        )
    return found


def intervention_ids_led_by(session: Session, slack_user_id: str) -> list[int]:
    query = (
        select(InterventionLead.intervention_id)
        .join(Person, col(Person.id) == col(InterventionLead.person_id))
        .where(Person.slack_user_id == slack_user_id)
    )
    return sorted(set(session.exec(query).all()))
