"""Who may do what: budget commands are for the office (staff and director)."""

from __future__ import annotations

from sqlalchemy import Engine

from store.db import session_scope
from store.errors import AccessDenied
from store.models import Person, Role
from store.people import add_person, list_people, roles_of

OFFICE_ROLES = frozenset({Role.office, Role.director})


def require_office(engine: Engine, slack_user_id: str) -> None:
    with session_scope(engine) as session:
        if not roles_of(session, slack_user_id) & OFFICE_ROLES:
            raise AccessDenied("office_only")


def register_person(engine: Engine, slack_user_id: str, *, role: Role, name: str = "") -> Person:
    with session_scope(engine) as session:
        return add_person(session, slack_user_id, role=role, name=name)


def people(engine: Engine) -> list[tuple[Person, list[Role]]]:
    with session_scope(engine) as session:
        return list_people(session)
