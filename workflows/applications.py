"""The application round (*ansökningsomgång*, DOMAIN.md "The board's year"): applications
for next year's money come in by the deadline (12 May in Uppsala's 2026 plan), the office
registers them (`/finsam ansökan`, `finsam-bot applications add`), they are listed against
next year's room (its budget or plan's decision room less what is already granted for it),
and in September the board grants them (each becomes a grant for next year, through
workflows/grants.py) or rejects them.

Problems are FinsamError codes `application_…` (rendered from templates/<lang>/
applications.j2); `field_of` names the form field each belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from store import applications as store
from store.applications import Application, ApplicationStatus
from store.db import session_scope
from store.errors import AccessDenied, BadArgument, ConflictError, FinsamError, NotFoundError
from store.models import SupportKind
from store.money import NotAnAmount, parse_tkr
from store.people import roles_of
from workflows.board_cycle.announcements import announcements
from workflows.budget_status import BudgetRules, load_budget_status, ratio
from workflows.grants import (
    AMOUNT_MAX_KR,
    GrantFields,
    GrantPreview,
    GrantView,
    preview_grant,
    record_grant_in,
)
from workflows.identity_numbers import find_identity_number
from workflows.people import OFFICE_ROLES, in_office

# The fields of an application, in the order the form shows them.
RECEIVED_ON = "received_on"
ORGANISATION = "organisation"
OWNER = "owner"
TITLE = "title"
SUPPORT = "support"
AMOUNT = "amount"  # the form's amount fields are amount_1 … amount_<YEARS_IN_FORM>
FIELDS = (RECEIVED_ON, ORGANISATION, OWNER, TITLE, SUPPORT)

TEXT_MAX = 200  # the columns' length
REASON_MAX = 500
YEARS_MAX = 5  # an agreement runs over one or more years; five is far beyond the usual
YEARS_IN_FORM = 3
ROUND_MAX = 500  # applications in one round: bounds every listing
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
SUPPORT_WORDS = {
    "individual": SupportKind.individual,
    "individ": SupportKind.individual,
    "individinriktad": SupportKind.individual,
    "individstödjande": SupportKind.individual,
    "structural": SupportKind.structural,
    "struktur": SupportKind.structural,
    "strukturinriktad": SupportKind.structural,
    "strukturstödjande": SupportKind.structural,
}
FIELD_OF: dict[str, str] = {
    "application_bad_date": RECEIVED_ON,
    "application_future_date": RECEIVED_ON,
    "application_after_deadline": RECEIVED_ON,
    "application_missing_organisation": ORGANISATION,
    "application_missing_owner": OWNER,
    "application_missing_title": TITLE,
    "application_missing_support": SUPPORT,
    "application_bad_support": SUPPORT,
    "application_exists": TITLE,
}


@dataclass(frozen=True)
class ApplicationFields:
    """An application as typed, every value a raw string. `amounts_tkr` are the amounts
    applied for in tkr, the first for the year after the one it was received in, then one
    year at a time (empty ones at the end are not asked for)."""

    received_on: str
    organisation: str
    owner: str
    title: str
    support: str
    amounts_tkr: tuple[str, ...]


@dataclass(frozen=True)
class ApplicationDraft:
    received_on: date
    organisation: str
    owner: str
    title: str
    support: SupportKind
    amounts: dict[int, int]  # year → kr

    @property
    def for_year(self) -> int:
        return self.received_on.year + 1


@dataclass(frozen=True)
class ApplicationView:
    id: int
    for_year: int
    received_on: date
    organisation: str
    owner: str
    title: str
    support: SupportKind
    amounts: tuple[tuple[int, int], ...]  # (year, kr) by year
    status: ApplicationStatus
    registered_by: str
    registered_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    grant_id: int | None
    grant_withdrawn: bool = False  # granted, but the grant was withdrawn since

    @property
    def first_year_kr(self) -> int:
        """What it applies for in the round's year (the one a September grant is for)."""
        return dict(self.amounts).get(self.for_year, 0)

    @property
    def label(self) -> str:
        return f"{self.title} ({self.owner})" if self.owner else self.title


@dataclass(frozen=True)
class RegisteredApplication:
    application: ApplicationView
    created: bool  # False: the same application was just registered by the same person


@dataclass(frozen=True)
class Room:
    """Next year's room: the decision room of its budget (or plan) less what is granted."""

    to_decide: int  # the decision room, the reserve included
    granted: int
    left: int


@dataclass(frozen=True)
class RoundView:
    """The round for `for_year`: every application, what the open ones ask for in that
    year against its room (None: no budget or plan for the year yet), and the share of it
    to individual support."""

    for_year: int
    applications: list[ApplicationView]
    room: Room | None
    plan: bool  # the room is a plan's, not an adopted budget's

    @property
    def open(self) -> list[ApplicationView]:
        return [a for a in self.applications if a.status == ApplicationStatus.received]

    @property
    def applied(self) -> int:
        return sum(a.first_year_kr for a in self.open)

    @property
    def applied_individual_share(self) -> Decimal | None:
        individual = sum(a.first_year_kr for a in self.open if a.support == SupportKind.individual)
        return ratio(individual, self.applied)

    @property
    def left_after(self) -> int | None:
        return None if self.room is None else self.room.left - self.applied


def field_of(err: FinsamError) -> str | None:
    """The form field a problem belongs to (None: not one field's)."""
    field = err.params.get("field")
    return field if isinstance(field, str) else FIELD_OF.get(err.code)


# --------------------------------------------------------------------------- checking


def check_application(
    fields: ApplicationFields, *, today: date
) -> tuple[ApplicationDraft | None, list[BadArgument]]:
    """Every problem of the typed application (at most one per field, in form order), or
    the draft when there is none. Pure: the deadline and duplicates need the store."""
    problems: list[BadArgument] = []

    def keep(value: Any) -> Any:
        if isinstance(value, BadArgument):
            problems.append(value)
            return None
        return value

    received_on = keep(_read_date(fields.received_on, today=today))
    organisation = keep(read_text(fields.organisation, ORGANISATION, required=True))
    owner = keep(read_text(fields.owner, OWNER, required=True))
    title = keep(read_text(fields.title, TITLE, required=True))
    support = keep(_read_support(fields.support))
    amounts = keep(_read_amounts(fields.amounts_tkr, received_on))
    if problems:
        return None, problems
    return ApplicationDraft(received_on, organisation, owner, title, support, amounts), []


def _read_date(text: str, *, today: date) -> date | BadArgument:
    raw = (text or "").strip()
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        return BadArgument("application_bad_date", value=raw[:40])
    if day > today:
        return BadArgument("application_future_date", value=raw)
    return day


def read_text(
    text: str | None, field: str, *, required: bool, limit: int = TEXT_MAX
) -> str | BadArgument:
    """Spaces folded; bounded; no personal identity number."""
    value = _SPACES.sub(" ", text or "").strip()
    if not value:
        return BadArgument(f"application_missing_{field}") if required else ""
    if len(value) > limit:
        return BadArgument("application_too_long", field=field, max=limit, length=len(value))
    kind = find_identity_number(value)
    if kind is not None:
        return BadArgument("application_identity_number", field=field, kind=kind)
    return value


def _read_support(text: str) -> SupportKind | BadArgument:
    raw = (text or "").strip().casefold()
    if not raw:
        return BadArgument("application_missing_support")
    found = SUPPORT_WORDS.get(raw)
    return found if found is not None else BadArgument("application_bad_support", value=raw[:40])


def _read_amounts(texts: tuple[str, ...], received_on: date | None) -> dict[int, int] | BadArgument:
    raw = [(t or "").strip() for t in texts]
    while raw and not raw[-1]:
        raw.pop()
    first = received_on.year + 1 if received_on else 0
    field_1 = f"{AMOUNT}_1"
    if not raw:
        return BadArgument("application_missing_amount", field=field_1)
    if len(raw) > YEARS_MAX:
        return BadArgument("application_too_many_years", field=field_1, max=YEARS_MAX)
    amounts: dict[int, int] = {}
    for n, text in enumerate(raw, start=1):
        field = f"{AMOUNT}_{n}"
        if not text:
            year = first + n - 1 if first else None
            return BadArgument("application_amount_gap", field=field, n=n, year=year)
        try:
            kr = parse_tkr(text)
        except NotAnAmount:
            return BadArgument("application_bad_amount", field=field, value=text[:40])
        if kr <= 0:
            return BadArgument("application_amount_not_positive", field=field)
        if kr > AMOUNT_MAX_KR:
            return BadArgument("application_amount_too_large", field=field)
        amounts[first + n - 1] = kr
    return amounts


def deadline_of(engine: Engine, year: int) -> date | None:
    """The year's application deadline: its last milestone announced ahead (the board
    cycle's `announce_<days>` steps); None when the cycle names none."""
    days = [a.on for a in announcements(engine, year)]
    return max(days) if days else None


# --------------------------------------------------------------------------- storing


def may_register(engine: Engine, user_id: str) -> bool:
    """Office staff and the director register applications."""
    return in_office(engine, user_id)


def register_application(
    engine: Engine,
    fields: ApplicationFields,
    *,
    today: date,
    now: datetime,
    registered_by: str,
    office_user: str | None = None,
    resend_window: timedelta | None = None,
) -> RegisteredApplication:
    """Check and store an application received by the deadline. With `office_user` (the
    Slack form) the user must be office staff or the director. The same application (same
    year, organisation, owner and title, in any case) is refused, unless it is the same
    person sending it again within `resend_window` (the Slack form): then it is stored once."""
    draft, problems = check_application(fields, today=today)
    if problems:
        raise problems[0]
    assert draft is not None
    deadline = deadline_of(engine, draft.received_on.year)
    with session_scope(engine) as session:
        if office_user is not None and not roles_of(session, office_user) & OFFICE_ROLES:
            raise AccessDenied("application_office_only")
        if deadline is not None and draft.received_on > deadline:
            raise BadArgument(
                "application_after_deadline", received_on=draft.received_on, deadline=deadline
            )
        existing = store.applications_of_year(session, draft.for_year)
        same = [a for a in existing if _key(a) == _draft_key(draft)]
        if same:
            earlier = same[0]
            if (
                resend_window is not None
                and earlier.registered_by == registered_by
                and earlier.registered_at >= now - resend_window
            ):
                return RegisteredApplication(_views(session, [earlier])[0], created=False)
            raise ConflictError("application_exists", id=earlier.id, title=earlier.title)
        if len(existing) >= ROUND_MAX:
            raise ConflictError("application_round_full", year=draft.for_year, max=ROUND_MAX)
        row = store.add_application(
            session,
            for_year=draft.for_year,
            received_on=draft.received_on,
            organisation=draft.organisation,
            owner=draft.owner,
            title=draft.title,
            support=draft.support,
            amounts=draft.amounts,
            registered_by=registered_by,
            at=now,
        )
        return RegisteredApplication(_views(session, [row])[0], created=True)


def _key(row: Application) -> tuple[str, str, str]:
    return (row.organisation.casefold(), row.owner.casefold(), row.title.casefold())


def _draft_key(draft: ApplicationDraft) -> tuple[str, str, str]:
    return (draft.organisation.casefold(), draft.owner.casefold(), draft.title.casefold())


def grant_application(
    engine: Engine,
    application_id: int,
    *,
    decided_on: str,
    decided_by: str,
    recorded_by: str,
    today: date,
    now: datetime,
    amount_tkr: str | None = None,
    body: str = "board",
) -> tuple[ApplicationView, GrantView]:
    """The board grants an application (in September): it becomes a grant for the round's
    year (next year's decision room, workflows/grants.py checks it as any grant), for what
    was applied for that year unless another amount is given; both in one transaction."""
    with session_scope(engine) as session:
        row = _open_application(session, application_id)
        fields = _grant_fields(session, row, decided_on, decided_by, amount_tkr, body)
        recorded = record_grant_in(session, fields, today=today, now=now, recorded_by=recorded_by)
        row.status = ApplicationStatus.granted
        row.grant_id = recorded.grant.id
        row.decided_by = recorded.grant.decided_by
        row.decided_at = now
        session.add(row)
        session.flush()
        return _views(session, [row])[0], recorded.grant


def preview_application_grant(
    engine: Engine,
    application_id: int,
    *,
    decided_on: str,
    decided_by: str,
    today: date,
    rules: BudgetRules,
    amount_tkr: str | None = None,
    body: str = "board",
) -> GrantPreview:
    """What granting the application would do to its year's share of new grants to
    individual support and to what is left to decide on; stores nothing."""
    with session_scope(engine) as session:
        row = _open_application(session, application_id, for_update=False)
        fields = _grant_fields(session, row, decided_on, decided_by, amount_tkr, body)
    return preview_grant(engine, fields, today=today, rules=rules)


def _grant_fields(
    session: Session,
    row: Application,
    decided_on: str,
    decided_by: str,
    amount_tkr: str | None,
    body: str,
) -> GrantFields:
    assert row.id is not None
    given = bool((amount_tkr or "").strip())
    applied = store.amounts_of(session, [row.id])[row.id].get(row.for_year, 0)
    return GrantFields(
        decided_on=decided_on,
        intervention=row.title,
        owner=row.owner,
        body=body,
        decided_by=decided_by,
        amount_tkr=amount_tkr if given else None,
        amount_kr=None if given else str(applied),
        support=row.support.value,
        for_year=str(row.for_year),
    )


def reject_application(
    engine: Engine, application_id: int, *, by: str, now: datetime, reason: str = ""
) -> ApplicationView:
    """The board rejects an application; who decided it and why (optional) are kept."""
    decided_by = read_text(by, "by", required=True)
    if isinstance(decided_by, BadArgument):
        raise decided_by
    why = read_text(reason, "reason", required=False, limit=REASON_MAX)
    if isinstance(why, BadArgument):
        raise why
    with session_scope(engine) as session:
        row = _open_application(session, application_id)
        row.status = ApplicationStatus.rejected
        row.decided_by = decided_by
        row.decided_at = now
        row.reason = why or None
        session.add(row)
        session.flush()
        return _views(session, [row])[0]


def _open_application(
    session: Session, application_id: int, *, for_update: bool = True
) -> Application:
    row = store.get_application(session, application_id, for_update=for_update)
    if row is None:
        raise NotFoundError("application_not_found", id=application_id)
    if row.status != ApplicationStatus.received:
        raise ConflictError("application_decided", id=application_id, status=row.status.value)
    return row


# --------------------------------------------------------------------------- reading


def application_round(engine: Engine, for_year: int, *, rules: BudgetRules) -> RoundView:
    """The round for `for_year` against that year's room."""
    with session_scope(engine) as session:
        rows = store.applications_of_year(session, for_year)
        room = None
        plan = False
        try:
            status = load_budget_status(session, year=for_year, rules=rules)
        except NotFoundError:
            status = None
        if status is not None:
            room = Room(
                to_decide=status.to_decide,
                granted=status.granted,
                left=status.remaining_after_grants,
            )
            plan = status.plan
        return RoundView(for_year, _views(session, rows), room, plan)


def _views(session: Session, rows: list[Application]) -> list[ApplicationView]:
    amounts = store.amounts_of(session, [r.id for r in rows if r.id is not None])
    withdrawn = store.withdrawn_grants(session, [r.grant_id for r in rows if r.grant_id])
    views = []
    for row in rows:
        assert row.id is not None
        views.append(
            ApplicationView(
                id=row.id,
                for_year=row.for_year,
                received_on=row.received_on,
                organisation=row.organisation,
                owner=row.owner,
                title=row.title,
                support=SupportKind(row.support),
                amounts=tuple(sorted(amounts.get(row.id, {}).items())),
                status=ApplicationStatus(row.status),
                registered_by=row.registered_by,
                registered_at=row.registered_at,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                reason=row.reason,
                grant_id=row.grant_id,
                grant_withdrawn=row.grant_id in withdrawn,
            )
        )
    return views


def application_to_dict(view: ApplicationView) -> dict[str, Any]:
    """The JSON shape of an application (`finsam-bot applications list --format json`)."""
    return {
        "id": view.id,
        "for_year": view.for_year,
        "received_on": view.received_on.isoformat(),
        "organisation": view.organisation,
        "owner": view.owner,
        "title": view.title,
        "support": view.support.value,
        "amounts_kr": {str(year): kr for year, kr in view.amounts},
        "status": view.status.value,
        "registered_by": view.registered_by,
        "registered_at": view.registered_at.isoformat(),
        "decided_by": view.decided_by,
        "decided_at": view.decided_at.isoformat() if view.decided_at else None,
        "reason": view.reason,
        "grant_id": view.grant_id,
        "grant_withdrawn": view.grant_withdrawn,
    }


def round_to_dict(view: RoundView) -> dict[str, Any]:
    room = view.room
    return {
        "for_year": view.for_year,
        "applications": [application_to_dict(a) for a in view.applications],
        "applied_kr": view.applied,
        "applied_individual_share": (
            None if view.applied_individual_share is None else float(view.applied_individual_share)
        ),
        "room": None
        if room is None
        else {"to_decide_kr": room.to_decide, "granted_kr": room.granted, "left_kr": room.left},
        "plan": view.plan,
        "left_after_kr": view.left_after,
    }
