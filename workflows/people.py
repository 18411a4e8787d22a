"""Who may do what: budget commands are for the office (staff and director)."""

from __future__ import annotations

from sqlalchemy import Engine

from store.db import session_scope
from store.models import Person, Role
from store.people import add_person, list_people

OFFICE_ROLES = frozenset({Role.office, Role.director})


def register_person(engine: Engine, slack_user_id: str, *, role: Role, name: str = "") -> Person:
    with session_scope(engine) as session:
        return add_person(session, slack_user_id, role=role, name=name)


def people(engine: Engine) -> list[tuple[Person, list[Role]]]:
    with session_scope(engine) as session:
        return list_people(session)
