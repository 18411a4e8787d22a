"""People and their roles, keyed by Slack user id."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.models import Person, PersonRole, Role


def get_person(session: Session, slack_user_id: str) -> Person | None:
    return session.exec(select(Person).where(Person.slack_user_id == slack_user_id)).first()


def add_person(session: Session, slack_user_id: str, *, role: Role, name: str = "") -> Person:
    """Register a person or give an existing one another role; a new name replaces the old."""
    person = get_person(session, slack_user_id)
    if person is None:
        person = Person(slack_user_id=slack_user_id, name=name)
        session.add(person)
        session.flush()
    elif name:
        person.name = name
    assert person.id is not None
    if session.get(PersonRole, (person.id, role)) is None:
        session.add(PersonRole(person_id=person.id, role=role))
    session.flush()
    return person


def roles_of(session: Session, slack_user_id: str) -> set[Role]:
    query = (
        select(PersonRole.role)
        .join(Person, col(Person.id) == col(PersonRole.person_id))
        .where(Person.slack_user_id == slack_user_id)
    )
    return {Role(role) for role in session.exec(query).all()}


def list_people(session: Session) -> list[tuple[Person, list[Role]]]:
    people = session.exec(
        select(Person).order_by(col(Person.name), col(Person.slack_user_id))
    ).all()
    roles = session.exec(select(PersonRole)).all()
    by_person: dict[int, list[Role]] = {}
    for pr in roles:
        by_person.setdefault(pr.person_id, []).append(pr.role)
    return [(p, sorted(by_person.get(p.id or 0, []))) for p in people]
