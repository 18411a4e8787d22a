"""People and their roles, keyed by Slack user id."""

from __future__ import annotations

from sqlmodel import Session, col, delete, func, select

from store.db import insert_if_absent, insert_rows_if_absent
from store.models import InterventionLead, Person, PersonRole, Role


def get_person(session: Session, slack_user_id: str) -> Person | None:
    return session.exec(select(Person).where(Person.slack_user_id == slack_user_id)).first()


def person_by_email(session: Session, email: str) -> Person | None:
    """The person with this e-mail (any case): how an address the office types is found."""
    query = select(Person).where(func.lower(Person.email) == email.strip().lower())
    return session.exec(query.order_by(col(Person.id))).first()


def add_person(
    session: Session,
    slack_user_id: str,
    *,
    role: Role,
    name: str = "",
    email: str | None = None,
) -> Person:
    """Register a person or give an existing one another role; a new name (or e-mail)
    replaces the old. Both rows are INSERT … ON CONFLICT DO NOTHING, so registering one
    person twice at once does not fail on the unique keys."""
    person = get_person(session, slack_user_id)
    if person is None:
        insert_if_absent(session, Person, slack_user_id=slack_user_id, name=name)
        person = get_person(session, slack_user_id)
        assert person is not None
    if name:
        person.name = name
        session.add(person)
    if email:
        person.email = email.strip().lower()
        session.add(person)
    assert person.id is not None
    insert_rows_if_absent(
        session, PersonRole, [{"person_id": person.id, "role": role}], returning="person_id"
    )
    session.flush()
    return person


def roles_of(session: Session, slack_user_id: str) -> set[Role]:
    query = (
        select(PersonRole.role)
        .join(Person, col(Person.id) == col(PersonRole.person_id))
        .where(Person.slack_user_id == slack_user_id)
    )
    return {Role(role) for role in session.exec(query).all()}


def is_registered(session: Session, slack_user_id: str) -> bool:
    """Registered: the office (`finsam-bot people add`) or the interventions import gave the
    person a role. Someone the bot merely saw (a language choice) is not."""
    return bool(roles_of(session, slack_user_id))


def list_people(session: Session) -> list[tuple[Person, list[Role]]]:
    people = session.exec(
        select(Person).order_by(col(Person.name), col(Person.slack_user_id))
    ).all()
    roles = session.exec(select(PersonRole)).all()
    by_person: dict[int, list[Role]] = {}
    for pr in roles:
        by_person.setdefault(pr.person_id, []).append(pr.role)
    return [(p, sorted(by_person.get(p.id or 0, []))) for p in people]


def remove_role(session: Session, person: Person, role: Role) -> tuple[bool, int]:
    """Take a role from a person: (whether they had it, how many interventions' leads they
    stopped being). Removing `lead` also detaches them from the interventions they led, so
    reminders and report forms stop at once (the next interventions import matches the
    file's addresses again)."""
    assert person.id is not None
    had = session.get(PersonRole, (person.id, role))
    if had is not None:
        session.delete(had)
    detached = 0
    if role == Role.lead:
        leads = session.exec(
            select(InterventionLead).where(InterventionLead.person_id == person.id)
        ).all()
        detached = len(leads)
        session.execute(
            delete(InterventionLead).where(col(InterventionLead.person_id) == person.id)
        )
    session.flush()
    return had is not None, detached
