"""Forgetting a person (GDPR art. 17, and a leaver's data once its purpose is over): their
name, e-mail addresses, Slack ids and DM channel are removed, or replaced by a placeholder,
in every table, while what they did stays counted (reports' figures, grants' amounts).

Two passes in one transaction: the rows that are about the person (their `person` row kept
as a placeholder so that references hold; roles, leads, absences, DM channel deleted;
messages still waiting to them cancelled), then every text column of every table, where
any of their identifiers is replaced by the placeholder, in plain text and in JSON as
`json.dumps` writes it (non-ASCII escaped), so no free text, key or payload keeps them."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Enum,
    String,
    Table,
    TypeDecorator,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, SQLModel, col, delete

import store.applications  # noqa: F401  (its tables are scrubbed too)
from store.models import (
    Absence,
    InterventionLead,
    OutboxMessage,
    OutboxStatus,
    Person,
    PersonRole,
    SlackDmChannel,
)

PLACEHOLDER = "forgotten"
MIN_NAME = 3  # a shorter "name" would match inside unrelated words


@dataclass
class Forgotten:
    placeholder: str
    changed: Counter[str] = field(default_factory=Counter)  # table → rows changed
    touched: set[tuple[str, tuple[object, ...]]] = field(default_factory=set, repr=False)

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def forget(session: Session, *, slack_user_id: str | None, email: str | None) -> Forgotten:
    """Forget the person with this Slack id or e-mail (and every Slack id that shares the
    e-mail). Nothing known: an empty result."""
    people = _people(session, slack_user_id, email)
    placeholder = f"{PLACEHOLDER}-{people[0].id}" if people else PLACEHOLDER
    result = Forgotten(placeholder)
    user_ids = {p.slack_user_id for p in people} | ({slack_user_id} if slack_user_id else set())
    emails = {p.email.lower() for p in people if p.email} | ({email.lower()} if email else set())
    names = {p.name.strip() for p in people if len(p.name.strip()) >= MIN_NAME}
    channels = set(
        session.execute(
            select(col(SlackDmChannel.channel_id)).where(col(SlackDmChannel.user_id).in_(user_ids))
        ).scalars()
    )
    person_ids = [p.id for p in people if p.id is not None]
    _count(
        result,
        "person_role",
        _delete(session, PersonRole, col(PersonRole.person_id).in_(person_ids)),
    )
    lead_match: list[ColumnElement[bool]] = [col(InterventionLead.person_id).in_(person_ids)]
    lead_match += [func.lower(InterventionLead.email) == e for e in emails]
    _count(result, "intervention_lead", _delete(session, InterventionLead, or_(*lead_match)))
    _count(
        result,
        "absence",
        _delete(
            session,
            Absence,
            or_(
                col(Absence.person_id).in_(person_ids),
                col(Absence.deputy_person_id).in_(person_ids),
            ),
        ),
    )
    _count(
        result,
        "slack_dm_channel",
        _delete(session, SlackDmChannel, col(SlackDmChannel.user_id).in_(user_ids)),
    )
    # Messages still waiting for them would go to a placeholder: they are not sent.
    waiting = list(
        session.execute(
            select(col(OutboxMessage.id)).where(
                col(OutboxMessage.channel).in_(user_ids | channels),
                col(OutboxMessage.status).in_([OutboxStatus.pending, OutboxStatus.failed]),
            )
        ).scalars()
    )
    if waiting:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(waiting))
            .values(status=OutboxStatus.cancelled, lease_until=None)
        )
    result.touched |= {("outbox_message", (row_id,)) for row_id in waiting}
    for n, person in enumerate(people):
        person.slack_user_id = placeholder if n == 0 else f"{placeholder}-{n}"
        person.name = ""
        person.email = None
        person.language = None
        session.add(person)
        result.touched.add(("person", (person.id,)))
    session.flush()
    identifiers = sorted(user_ids | channels | emails | names, key=len, reverse=True)
    for table in SQLModel.metadata.sorted_tables:
        for key in _scrub_table(session, table, identifiers, placeholder):
            result.touched.add((table.name, key))
    for table_name, _key in result.touched:
        result.changed[table_name] += 1
    session.flush()
    result.changed = Counter({t: c for t, c in result.changed.items() if c})
    return result


def _people(session: Session, slack_user_id: str | None, email: str | None) -> list[Person]:
    found: dict[int, Person] = {}
    conditions = []
    if slack_user_id:
        conditions.append(col(Person.slack_user_id) == slack_user_id)
    if email:
        conditions.append(func.lower(Person.email) == email.lower())
    if not conditions:
        return []
    query = select(Person).where(or_(*conditions)).order_by(col(Person.id))
    for person in session.execute(query).scalars():
        if person.id is not None:
            found[person.id] = person
    # The same address on another Slack id (a second account): forgotten too.
    more = {p.email.lower() for p in found.values() if p.email} - (
        {email.lower()} if email else set()
    )
    for address in more:
        query = select(Person).where(func.lower(Person.email) == address)
        for person in session.execute(query).scalars():
            if person.id is not None:
                found.setdefault(person.id, person)
    return [found[k] for k in sorted(found)]


def _count(result: Forgotten, table: str, rows: int) -> None:
    result.changed[table] += rows


def _delete(session: Session, model: type[SQLModel], where: object) -> int:
    outcome = session.execute(delete(model).where(where))  # type: ignore[arg-type]
    return int(getattr(outcome, "rowcount", 0) or 0)


def _is_text(kind: TypeEngine[Any]) -> bool:
    """A text column (SQLModel's `str` fields are AutoString, a TypeDecorator over String);
    not an enum column, whose values are codes."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, String) and not isinstance(kind, Enum)


def _variants(identifier: str) -> list[tuple[str, bool]]:
    """The identifier as stored in text, and as json.dumps escapes it when that differs
    (outbox payloads escape non-ASCII): (text, escaped)."""
    escaped = json.dumps(identifier)[1:-1]
    return [(identifier, False)] + ([(escaped, True)] if escaped != identifier else [])


def _scrub_table(
    session: Session, table: Table, identifiers: Iterable[str], placeholder: str
) -> list[tuple[object, ...]]:
    """Replace the identifiers in every text column of `table`; the keys of rows changed."""
    identifiers = list(identifiers)
    columns = [c for c in table.columns if _is_text(c.type)]
    if not identifiers or not columns or not list(table.primary_key.columns):
        return []
    keys = list(table.primary_key.columns)
    # Whole words only: a name like "Per" must not turn a payload's "period" into nonsense.
    patterns = [
        re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)
        for i in identifiers
        for text, _ in _variants(i)
    ]
    like = [
        func.lower(column).contains(text.lower(), autoescape=True)
        for column in columns
        for i in identifiers
        for text, _ in _variants(i)
    ]
    changed: list[tuple[object, ...]] = []
    rows = session.execute(select(*keys, *columns).where(or_(*like))).all()
    for row in rows:
        key = tuple(row[: len(keys)])
        values: dict[str, str] = {}
        for column, value in zip(columns, row[len(keys) :], strict=True):
            if not isinstance(value, str):
                continue
            new = value
            for pattern in patterns:
                new = pattern.sub(placeholder, new)
            if new != value:
                length = getattr(column.type, "length", None)
                values[column.name] = new[:length] if length else new
        if values:
            session.execute(
                update(table)
                .where(and_(*(k == v for k, v in zip(keys, key, strict=True))))
                .values(**values)
            )
            changed.append(key)
    return changed
