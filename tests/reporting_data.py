"""Interventions and leads for reporting tests, written straight to the store (the importer
has its own tests)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import select

from store.db import session_scope
from store.models import Intervention, InterventionLead, Role, SupportKind
from store.people import add_person


def add_intervention(
    engine: Engine,
    name: str,
    owner: str,
    *,
    kind: SupportKind = SupportKind.individual,
    leads: tuple[tuple[str, str | None], ...] = (),
    goals: tuple[str, ...] = (),
    starts_on: date = date(2025, 1, 1),
    ends_on: date | None = None,
) -> int:
    """An intervention with its leads as (e-mail, Slack user id or None); its id."""
    with session_scope(engine) as session:
        # The budget import may have created it already (from its budget line).
        intervention = session.exec(
            select(Intervention).where(Intervention.name == name, Intervention.owner == owner)
        ).first() or Intervention(name=name, owner=owner, kind=kind, first_year=starts_on.year)
        intervention.kind = kind
        intervention.first_year = starts_on.year
        intervention.last_year = ends_on.year if ends_on else None
        intervention.starts_on = starts_on
        intervention.ends_on = ends_on
        intervention.goals = "\n".join(goals)
        session.add(intervention)
        session.flush()
        assert intervention.id is not None
        for email, user_id in leads:
            person_id = None
            if user_id is not None:
                person = add_person(session, user_id, role=Role.lead, name=email.split("@")[0])
                person.email = email
                person_id = person.id
            session.add(
                InterventionLead(intervention_id=intervention.id, email=email, person_id=person_id)
            )
        return intervention.id
