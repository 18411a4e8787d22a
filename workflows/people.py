"""Who may do what: budget commands are for the office (staff and director). People are
named by Slack user id or by e-mail address (matched in the workspace directory, as leads
are). Roles are read from the database on every check, never cached, so a role removed in
one process is gone in every process at once."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine

from store.db import session_scope
from store.errors import AccessDenied, BadArgument, NotFoundError
from store.forget import Forgotten, forget
from store.models import Person, Role
from store.people import add_person, get_person, list_people, person_by_email, roles_of
from store.people import remove_role as remove_stored_role
from workflows.identity_numbers import find_identity_number
from workflows.interventions import Directory

OFFICE_ROLES = frozenset({Role.office, Role.director})
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
EMAIL = re.compile(r"^[^@\s<>|]+@[^@\s<>|.]+(?:\.[^@\s<>|.]+)+$")
MAX_EMAIL = 320


def in_office(engine: Engine, user_id: str) -> bool:
    """Office staff or the director: who may record, import, review and register (each
    workflow names its own permission and asks this)."""
    with session_scope(engine) as session:
        return bool(roles_of(session, user_id) & OFFICE_ROLES)


@dataclass(frozen=True)
class Who:
    """A person as typed: a Slack user id, or an e-mail address (lower case)."""

    slack_user_id: str | None = None
    email: str | None = None

    @property
    def shown(self) -> str:
        return self.slack_user_id or self.email or ""


@dataclass(frozen=True)
class RoleRemoved:
    slack_user_id: str
    name: str
    role: Role
    had_it: bool
    leads_detached: int  # interventions the person no longer leads (role `lead`)


def parse_who(text: str) -> Who:
    """A Slack user id (`U012AB3CD`, or a mention `<@U012AB3CD|eva>` as Slack sends it) or an
    e-mail address (`mailto:` links as Slack sends them, too); BadArgument otherwise."""
    raw = text.strip()
    mention = re.fullmatch(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", raw)
    if mention:
        raw = mention.group(1)
    link = re.fullmatch(r"<mailto:([^|>]+)(?:\|[^>]*)?>", raw)
    if link:
        raw = link.group(1)
    if SLACK_USER_ID.match(raw):
        return Who(slack_user_id=raw)
    email = raw.lower()
    if len(email) <= MAX_EMAIL and EMAIL.match(email):
        return Who(email=email)
    raise BadArgument("bad_person", value=text.strip())


def parse_role(text: str) -> Role:
    """A role by its code or its Swedish name (kansli, insatsansvarig, sekreterare, chef)."""
    word = text.strip().casefold()
    found = ROLE_WORDS.get(word)
    if found is None:
        raise BadArgument("unknown_role", value=text.strip())
    return found


ROLE_WORDS: dict[str, Role] = {
    **{role.value: role for role in Role},
    "kansli": Role.office,
    "kansliet": Role.office,
    "insatsansvarig": Role.lead,
    "sekreterare": Role.secretary,
    "förbundschef": Role.director,
    "forbundschef": Role.director,
    "chef": Role.director,
}


def register_person(
    engine: Engine,
    slack_user_id: str,
    *,
    role: Role,
    name: str = "",
    email: str | None = None,
) -> Person:
    with session_scope(engine) as session:
        return add_person(session, slack_user_id, role=role, name=name, email=email)


def add_role(
    engine: Engine,
    who: Who,
    *,
    role: Role,
    name: str = "",
    directory: Directory | None = None,
    by: str | None = None,
) -> Person:
    """Give a person a role, named by Slack id or by e-mail (looked up in the directory;
    NotFoundError when nobody in the workspace has it). With `by` (Slack) only the office
    may (AccessDenied)."""
    if by is not None:
        _check_office(engine, by)
    name = " ".join(name.split())[:200]
    kind = find_identity_number(name)
    if kind is not None:
        raise BadArgument("person_name_identity_number", kind=kind)
    slack_user_id, email = who.slack_user_id, who.email
    if slack_user_id is None:
        assert email is not None
        if directory is None:
            raise NotFoundError("no_slack_user_for_email", email=email)
        user = directory.user_for_email(email)
        if user is None:
            raise NotFoundError("no_slack_user_for_email", email=email)
        slack_user_id, name = user.slack_user_id, name or user.name[:200]
    return register_person(engine, slack_user_id, role=role, name=name, email=email)


def remove_role(
    engine: Engine,
    who: Who,
    *,
    role: Role,
    directory: Directory | None = None,
    by: str | None = None,
) -> RoleRemoved:
    """Take a role from a person (by Slack id, or by e-mail: the stored address first, then
    the directory). It takes effect in the same transaction for every process: role checks
    read the database. NotFoundError when the bot does not know the person."""
    if by is not None:
        _check_office(engine, by)
    with session_scope(engine) as session:
        person = None
        if who.slack_user_id is not None:
            person = get_person(session, who.slack_user_id)
        else:
            assert who.email is not None
            person = person_by_email(session, who.email)
            if person is None and directory is not None:
                user = directory.user_for_email(who.email)
                if user is not None:
                    person = get_person(session, user.slack_user_id)
        if person is None:
            raise NotFoundError("unknown_person", person=who.shown)
        had_it, detached = remove_stored_role(session, person, role)
        return RoleRemoved(
            slack_user_id=person.slack_user_id,
            name=person.name,
            role=role,
            had_it=had_it,
            leads_detached=detached,
        )


def people(engine: Engine, *, by: str | None = None) -> list[tuple[Person, list[Role]]]:
    """Everyone known and their roles; with `by` (Slack), only for the office."""
    if by is not None:
        _check_office(engine, by)
    with session_scope(engine) as session:
        return list_people(session)


def _check_office(engine: Engine, user_id: str) -> None:
    with session_scope(engine) as session:
        if not roles_of(session, user_id) & OFFICE_ROLES:
            raise AccessDenied("people_office_only")


def forget_person(engine: Engine, who: Who) -> Forgotten:
    """Forget a person everywhere (store/forget.py): name, e-mail, Slack ids and DM channel
    gone or replaced by a placeholder, figures kept; what changed, counted per table."""
    with session_scope(engine) as session:
        return forget(session, slack_user_id=who.slack_user_id, email=who.email)
