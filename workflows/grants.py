"""Money granted during the year from the remaining decision room (DOMAIN.md "Money"): by
the board, or by the director on delegation (*delegationsbeslut*), reported to the board
afterwards. Office staff record a grant with the Slack form, an operator with
`finsam-bot grants add`; every grant moves its budget year's revision, so cached budget
answers show it at once.

Problems are BadArgument codes (rendered from templates/<lang>/grants.j2); `field_of` names
the form field each one belongs to, so the form can show every problem beside its input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from store import board
from store.budget import (
    bump_revisions,
    get_budget_year,
    get_revision,
    list_budget_lines,
    list_budget_years,
)
from store.db import session_scope
from store.errors import AccessDenied, BadArgument, ConflictError, FinsamError, NotFoundError
from store.interventions import list_interventions
from store.models import Category, DecisionBody, Grant, SupportKind
from store.money import NotAnAmount, parse_tkr
from store.people import roles_of
from workflows.budget_status import BudgetRules, load_budget_status, ratio
from workflows.identity_numbers import find_identity_number
from workflows.people import OFFICE_ROLES, in_office

# The fields of a grant, in the order the form shows them (and problems are reported).
DECIDED_ON = "decided_on"
INTERVENTION = "intervention"
OWNER = "owner"
AMOUNT = "amount"
BODY = "body"
DECIDED_BY = "decided_by"
SUPPORT = "support"
FIELDS = (DECIDED_ON, INTERVENTION, OWNER, AMOUNT, BODY, DECIDED_BY, SUPPORT)

TEXT_MAX = 200  # the columns' length
AMOUNT_MAX_KR = 1_000_000_000_000  # far beyond any association's budget; keeps BIGINT safe
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KR = re.compile(r"^[-+]?\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")

FIELD_OF: dict[str, str] = {
    "grant_bad_date": DECIDED_ON,
    "grant_future_date": DECIDED_ON,
    "no_budget_for_year": DECIDED_ON,
    "grant_missing_intervention": INTERVENTION,
    "grant_missing_amount": AMOUNT,
    "grant_amount_twice": AMOUNT,
    "grant_bad_amount": AMOUNT,
    "grant_amount_not_positive": AMOUNT,
    "grant_amount_too_large": AMOUNT,
    "grant_missing_body": BODY,
    "grant_bad_body": BODY,
    "grant_missing_decided_by": DECIDED_BY,
    "grant_which_owner": OWNER,
    "grant_bad_support": SUPPORT,
    "grant_support_needed": SUPPORT,
    "grant_bad_for_year": DECIDED_ON,
}
# Not one field's: the figures a preview showed moved before the confirmation.
FIGURES_MOVED = "grant_figures_moved"


@dataclass(frozen=True)
class GrantFields:
    """A grant as typed, every value a raw string: `check_grant` reads it. The amount comes
    in tkr (decimals allowed, Swedish or not: `1 222,5`) or in whole kronor, never both."""

    decided_on: str
    intervention: str
    body: str
    decided_by: str
    owner: str = ""
    amount_tkr: str | None = None
    amount_kr: str | None = None
    support: str | None = None
    # The year whose decision room pays: empty for the decision's year, else that year or
    # the next (a September decision on next year's applications).
    for_year: str = ""


@dataclass(frozen=True)
class GrantDraft:
    decided_on: date
    intervention: str
    owner: str
    amount_kr: int
    body: DecisionBody
    decided_by: str
    support: SupportKind | None  # None: the budget line's or the intervention's kind
    for_year: int = 0  # 0: the decision's year

    @property
    def year(self) -> int:
        return self.for_year or self.decided_on.year


@dataclass(frozen=True)
class GrantView:
    id: int
    year: int
    decided_on: date
    intervention: str
    owner: str
    support: SupportKind
    amount_kr: int
    body: DecisionBody
    decided_by: str
    recorded_by: str
    recorded_at: datetime
    corrected_by: str | None = None
    corrected_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def label(self) -> str:
        return f"{self.intervention} ({self.owner})" if self.owner else self.intervention


@dataclass(frozen=True)
class RecordedGrant:
    grant: GrantView
    created: bool  # False: the same grant was just recorded by the same person (a resend)


def field_of(err: FinsamError) -> str | None:
    """The form field a problem belongs to (None: not one field's, e.g. AccessDenied)."""
    field = err.params.get("field")
    return field if isinstance(field, str) else FIELD_OF.get(err.code)


# --------------------------------------------------------------------------- checking


def check_grant(fields: GrantFields, *, today: date) -> tuple[GrantDraft | None, list[BadArgument]]:
    """Every problem of the typed grant (at most one per field, in form order), or the draft
    when there is none. Pure: what needs the store (the year's budget, the budget line's
    kind of support) is checked by `record_grant`."""
    problems: list[BadArgument] = []

    def keep(value: Any) -> Any:
        if isinstance(value, BadArgument):
            problems.append(value)
            return None
        return value

    decided_on = keep(_read_date(fields.decided_on, today=today))
    intervention = keep(_read_text(fields.intervention, INTERVENTION, required=True))
    owner = keep(_read_text(fields.owner, OWNER, required=False))
    amount = keep(_read_amount(fields.amount_tkr, fields.amount_kr))
    body = keep(_read_body(fields.body))
    decided_by = keep(_read_text(fields.decided_by, DECIDED_BY, required=True))
    support = keep(_read_support(fields.support))
    for_year = keep(_read_for_year(fields.for_year, decided_on))
    if problems:
        return None, problems
    return (
        GrantDraft(
            decided_on=decided_on,
            intervention=intervention,
            owner=owner,
            amount_kr=amount,
            body=body,
            decided_by=decided_by,
            support=support,
            for_year=for_year or 0,
        ),
        [],
    )


def _read_for_year(text: str, decided_on: date | None) -> int | BadArgument | None:
    """The decision's year or the next; None when not given (or the date is bad anyway)."""
    raw = (text or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        return BadArgument("grant_bad_for_year", value=raw)
    if decided_on is None:
        return None
    year = int(raw)
    if year not in (decided_on.year, decided_on.year + 1):
        return BadArgument("grant_bad_for_year", value=raw)
    return year


def _read_date(text: str, *, today: date) -> date | BadArgument:
    raw = (text or "").strip()
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        return BadArgument("grant_bad_date", value=raw)
    if day > today:
        return BadArgument("grant_future_date", value=raw)
    return day


def _read_text(text: str | None, field: str, *, required: bool) -> str | BadArgument:
    value = _SPACES.sub(" ", text or "").strip()
    if not value:
        if required:
            return BadArgument(f"grant_missing_{field}")
        return ""
    if len(value) > TEXT_MAX:
        return BadArgument("grant_too_long", field=field, max=TEXT_MAX, length=len(value))
    kind = find_identity_number(value)
    if kind is not None:
        return BadArgument("grant_identity_number", field=field, kind=kind)
    return value


def _read_amount(tkr: str | None, kr: str | None) -> int | BadArgument:
    tkr, kr = (tkr or "").strip(), (kr or "").strip()
    if tkr and kr:
        return BadArgument("grant_amount_twice")
    if not tkr and not kr:
        return BadArgument("grant_missing_amount")
    if tkr:
        try:
            amount = parse_tkr(tkr)
        except NotAnAmount:
            return BadArgument("grant_bad_amount", value=tkr)
    else:
        digits = _SPACES.sub("", kr).replace("\u2212", "-")
        if not _KR.match(digits):
            return BadArgument("grant_bad_amount", value=kr)
        amount = int(digits)
    if amount <= 0:
        return BadArgument("grant_amount_not_positive")
    if amount > AMOUNT_MAX_KR:
        return BadArgument("grant_amount_too_large")
    return amount


def _read_body(text: str) -> DecisionBody | BadArgument:
    raw = (text or "").strip()
    if not raw:
        return BadArgument("grant_missing_body")
    try:
        return DecisionBody(raw.casefold())
    except ValueError:
        return BadArgument("grant_bad_body", value=raw)


def _read_support(text: str | None) -> SupportKind | BadArgument | None:
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return SupportKind(raw.casefold())
    except ValueError:
        return BadArgument("grant_bad_support", value=raw)


# --------------------------------------------------------------------------- storing


def may_record_grants(engine: Engine, user_id: str) -> bool:
    """Office staff and the director record grants."""
    return in_office(engine, user_id)


def record_grant(
    engine: Engine,
    fields: GrantFields,
    *,
    today: date,
    now: datetime,
    recorded_by: str,
    office_user: str | None = None,
    resend_window: timedelta | None = None,
    expected_revision: int | None = None,
) -> RecordedGrant:
    """Check and store a grant, and move its budget year's revision. With `office_user`
    (the Slack form) the user must be office staff or the director (AccessDenied). The year
    must have a budget (NotFoundError); the kind of support defaults to the intervention's
    budget line, then to the intervention's own kind. Within `resend_window`, the same grant
    from the same person is a resend: stored once. With `expected_revision` (what a preview
    showed) a year whose figures moved since is refused (ConflictError `grant_figures_moved`)."""
    with session_scope(engine) as session:
        return record_grant_in(
            session,
            fields,
            today=today,
            now=now,
            recorded_by=recorded_by,
            office_user=office_user,
            resend_window=resend_window,
            expected_revision=expected_revision,
        )


def record_grant_in(
    session: Session,
    fields: GrantFields,
    *,
    today: date,
    now: datetime,
    recorded_by: str,
    office_user: str | None = None,
    resend_window: timedelta | None = None,
    expected_revision: int | None = None,
) -> RecordedGrant:
    """`record_grant` inside the caller's transaction (an application granted is marked in
    the same one, workflows/applications.py)."""
    if office_user is not None and not roles_of(session, office_user) & OFFICE_ROLES:
        raise AccessDenied("grant_office_only")
    draft, problems = check_grant(fields, today=today)
    if problems:
        raise problems[0]
    assert draft is not None
    year = draft.year
    intervention, owner, support = _known_intervention(session, draft, year)
    if support is None:
        raise BadArgument("grant_support_needed", intervention=intervention)
    if resend_window is not None:
        earlier = _resent(session, draft, intervention, owner, recorded_by, now, resend_window)
        if earlier is not None:
            return RecordedGrant(_view(earlier), created=False)
    if expected_revision is not None:
        # Bumped first: on PostgreSQL the update holds the year's row until commit, so a
        # second confirmation of the same preview waits, then sees the revision moved.
        bump_revisions(session, {year})
        revision = get_revision(session, year)  # None: no budget, as the preview's 0 said
        moved = expected_revision != 0 if revision is None else revision != expected_revision + 1
        if moved:
            raise ConflictError("grant_figures_moved", year=year)  # rolled back, bump too
    grant = board.add_grant(
        session,
        year=year,
        decided_on=draft.decided_on,
        intervention=intervention,
        owner=owner,
        support=support,
        amount_kr=draft.amount_kr,
        body=draft.body,
        decided_by=draft.decided_by,
        recorded_by=recorded_by,
        at=now,
    )
    if expected_revision is None:
        bump_revisions(session, {year})
    return RecordedGrant(_view(grant), created=True)


def _known_intervention(
    session: Session, draft: GrantDraft, year: int
) -> tuple[str, str, SupportKind | None]:
    """The intervention as the budget spells it, with its kind of support: its budget line
    of the year (matched on name, and owner when given, in any case), else an intervention
    in the reporting cycle, else as typed (a new intervention) with the support given."""
    budget_year = get_budget_year(session, year)
    if budget_year is None and year == draft.decided_on.year:
        years = ", ".join(str(y) for y in list_budget_years(session)) or "-"
        raise NotFoundError("no_budget_for_year", year=year, years=years)
    name, owner = draft.intervention.casefold(), draft.owner.casefold()
    # Next year's budget may not be adopted yet when its first grants are decided.
    lines = [
        (line.name, line.owner, line.support)
        for line in (list_budget_lines(session, budget_year) if budget_year else [])
        if line.category == Category.intervention
    ]
    known = [(i.name, i.owner, i.kind) for i in list_interventions(session) if i.first_year <= year]
    for candidates in (lines, known):
        found = [
            c
            for c in candidates
            if c[0].casefold() == name and (not owner or c[1].casefold() == owner)
        ]
        if len(found) == 1:
            line_name, line_owner, kind = found[0]
            return line_name, line_owner, draft.support or kind
        if found:
            owners = ", ".join(sorted(c[1] for c in found))
            raise BadArgument("grant_which_owner", intervention=found[0][0], owners=owners)
    return draft.intervention, draft.owner, draft.support


def _resent(
    session: Session,
    draft: GrantDraft,
    intervention: str,
    owner: str,
    recorded_by: str,
    now: datetime,
    window: timedelta,
) -> Grant | None:
    for grant in board.grants_of_year(session, draft.year):
        same = (
            grant.decided_on,
            grant.intervention,
            grant.owner,
            grant.amount_kr,
            grant.body,
            grant.decided_by,
            grant.recorded_by,
        ) == (
            draft.decided_on,
            intervention,
            owner,
            draft.amount_kr,
            draft.body,
            draft.decided_by,
            recorded_by,
        )
        if same and grant.recorded_at >= now - window:
            return grant
    return None


def _view(grant: Grant) -> GrantView:
    assert grant.id is not None
    return GrantView(
        id=grant.id,
        year=grant.year,
        decided_on=grant.decided_on,
        intervention=grant.intervention,
        owner=grant.owner,
        support=SupportKind(grant.support),
        amount_kr=grant.amount_kr,
        body=DecisionBody(grant.body),
        decided_by=grant.decided_by,
        recorded_by=grant.recorded_by,
        recorded_at=grant.recorded_at,
        corrected_by=grant.corrected_by,
        corrected_at=grant.corrected_at,
        withdrawn_by=grant.withdrawn_by,
        withdrawn_at=grant.withdrawn_at,
    )


# --------------------------------------------------------------------------- undoing


@dataclass(frozen=True)
class GrantCorrection:
    """What changes in a recorded grant; None (or "") keeps the stored value."""

    decided_on: str | None = None
    intervention: str | None = None
    owner: str | None = None
    amount_tkr: str | None = None
    amount_kr: str | None = None
    for_year: str | None = None


def correct_grant(
    engine: Engine,
    grant_id: int,
    correction: GrantCorrection,
    *,
    by: str,
    today: date,
    now: datetime,
) -> tuple[GrantView, GrantView]:
    """Correct a grant recorded wrong (its amount, intervention or date; the year it is
    for), checked as a new grant would be; the row keeps who corrected it and when. Both
    the old and the new year's figures move. Returns (before, after)."""
    by = _read_by(by)
    with session_scope(engine) as session:
        grant = board.get_grant(session, grant_id, for_update=True)
        if grant is None:
            raise NotFoundError("grant_not_found", id=grant_id)
        if grant.withdrawn_at is not None:
            raise ConflictError("grant_is_withdrawn", id=grant_id)
        before = _view(grant)
        amount_given = bool(correction.amount_tkr or correction.amount_kr)
        decided_on = correction.decided_on or grant.decided_on.isoformat()
        if correction.for_year is not None:
            for_year = correction.for_year
        elif correction.decided_on and grant.year == grant.decided_on.year:
            for_year = ""  # a grant for its decision's year follows the corrected date
        else:
            for_year = str(grant.year)
        fields = GrantFields(
            decided_on=decided_on,
            intervention=(
                correction.intervention if correction.intervention else grant.intervention
            ),
            owner=(
                correction.owner
                if correction.owner is not None
                else ("" if correction.intervention else grant.owner)
            ),
            body=grant.body.value,
            decided_by=grant.decided_by,
            amount_tkr=correction.amount_tkr if amount_given else None,
            amount_kr=correction.amount_kr if amount_given else str(grant.amount_kr),
            support=grant.support.value if not correction.intervention else None,
            for_year=for_year,
        )
        # A correction may date a decision up to today, as a new grant may.
        draft, problems = check_grant(fields, today=max(today, grant.decided_on))
        if problems:
            raise problems[0]
        assert draft is not None
        intervention, owner, support = _known_intervention(session, draft, draft.year)
        if support is None:
            raise BadArgument("grant_support_needed", intervention=intervention)
        old_year = grant.year
        grant.decided_on = draft.decided_on
        grant.year = draft.year
        grant.intervention = intervention
        grant.owner = owner
        grant.support = support
        grant.amount_kr = draft.amount_kr
        grant.corrected_by = by
        grant.corrected_at = now
        session.add(grant)
        session.flush()
        bump_revisions(session, {old_year, grant.year})
        return before, _view(grant)


def withdraw_grant(engine: Engine, grant_id: int, *, by: str, now: datetime) -> GrantView:
    """Withdraw a grant (the decision was taken back, or recorded by mistake): it stays on
    record with who withdrew it and when, and no longer uses the year's decision room."""
    by = _read_by(by)
    with session_scope(engine) as session:
        grant = board.get_grant(session, grant_id, for_update=True)
        if grant is None:
            raise NotFoundError("grant_not_found", id=grant_id)
        if grant.withdrawn_at is not None:
            raise ConflictError("grant_is_withdrawn", id=grant_id)
        grant.withdrawn_by = by
        grant.withdrawn_at = now
        session.add(grant)
        session.flush()
        bump_revisions(session, {grant.year})
        return _view(grant)


def _read_by(text: str) -> str:
    value = _read_text(text, "by", required=False)
    if isinstance(value, BadArgument):
        raise value
    if not value:
        raise BadArgument("grant_missing_by")
    return value


# --------------------------------------------------------------------------- reading


def grants_of_year(engine: Engine, year: int, *, with_withdrawn: bool = False) -> list[GrantView]:
    """The grants for `year` (charged to it, whatever year they were decided in)."""
    with session_scope(engine) as session:
        return [
            _view(grant)
            for grant in board.grants_of_year(session, year, with_withdrawn=with_withdrawn)
        ]


def delegation_decisions(engine: Engine, start: date, end: date) -> list[GrantView]:
    """The director's decisions on delegation from `start` to `end` (inclusive), by date."""
    with session_scope(engine) as session:
        return [
            _view(grant)
            for grant in board.grants_between(session, start, end)
            if grant.body == DecisionBody.delegation
        ]


def grant_to_dict(grant: GrantView) -> dict[str, Any]:
    """The JSON shape of a grant (`finsam-bot grants list --format json`): money in kronor."""
    return {
        "id": grant.id,
        "year": grant.year,
        "decided_on": grant.decided_on.isoformat(),
        "intervention": grant.intervention,
        "owner": grant.owner,
        "support": grant.support.value,
        "amount_kr": grant.amount_kr,
        "body": grant.body.value,
        "decided_by": grant.decided_by,
        "recorded_by": grant.recorded_by,
        "recorded_at": grant.recorded_at.isoformat(),
        "corrected_by": grant.corrected_by,
        "corrected_at": grant.corrected_at.isoformat() if grant.corrected_at else None,
        "withdrawn_by": grant.withdrawn_by,
        "withdrawn_at": grant.withdrawn_at.isoformat() if grant.withdrawn_at else None,
    }


# --------------------------------------------------------------------------- before deciding


@dataclass(frozen=True)
class GrantPreview:
    """How a grant not yet recorded moves its year's figures (DOMAIN.md: before each
    decision the director states how it moves the share of new grants to individual
    support). Shares are None when nothing new is granted; room figures None without a
    budget (or plan) for the year. `revision` is the year's, for `record_grant` to check."""

    year: int
    intervention: str
    owner: str
    support: SupportKind
    amount_kr: int
    new_intervention: bool  # no line of its own in the year's budget: counts for the rule
    share_before: Decimal | None
    share_after: Decimal | None
    minimum: Decimal | None
    to_decide_before: int | None  # what is left to decide on, before this grant
    revision: int

    @property
    def label(self) -> str:
        return f"{self.intervention} ({self.owner})" if self.owner else self.intervention

    @property
    def below_minimum(self) -> bool:
        return (
            self.minimum is not None
            and self.share_after is not None
            and self.share_after < self.minimum
        )

    @property
    def crosses_minimum(self) -> bool:
        """This grant takes the share from at or above the minimum (or nothing yet) to below."""
        return self.below_minimum and (
            self.share_before is None
            or (self.minimum is not None and self.share_before >= self.minimum)
        )

    @property
    def to_decide_after(self) -> int | None:
        return None if self.to_decide_before is None else self.to_decide_before - self.amount_kr

    @property
    def exceeds_room(self) -> bool:
        return self.to_decide_before is not None and self.amount_kr > self.to_decide_before


def preview_grant(
    engine: Engine, fields: GrantFields, *, today: date, rules: BudgetRules
) -> GrantPreview:
    """The grant as `record_grant` would store it, and how it moves the year's share of new
    grants to individual support and what is left to decide on. Raises what `record_grant`
    would (a bad field, an unknown year, a missing kind of support); stores nothing."""
    with session_scope(engine) as session:
        draft, problems = check_grant(fields, today=today)
        if problems:
            raise problems[0]
        assert draft is not None
        year = draft.year
        intervention, owner, support = _known_intervention(session, draft, year)
        if support is None:
            raise BadArgument("grant_support_needed", intervention=intervention)
        budget_year = get_budget_year(session, year)
        lines = list_budget_lines(session, budget_year) if budget_year else []
        budgeted = {
            (line.name.casefold(), line.owner.casefold())
            for line in lines
            if line.category == Category.intervention
        }

        def is_new(name: str, of: str) -> bool:
            return (name.casefold(), of.casefold()) not in budgeted

        new = [g for g in board.grants_of_year(session, year) if is_new(g.intervention, g.owner)]
        granted = sum(g.amount_kr for g in new)
        individual = sum(g.amount_kr for g in new if g.support == SupportKind.individual)
        new_intervention = is_new(intervention, owner)
        after_granted, after_individual = granted, individual
        if new_intervention:
            after_granted += draft.amount_kr
            if support == SupportKind.individual:
                after_individual += draft.amount_kr
        to_decide = None
        if budget_year is not None:
            status = load_budget_status(session, year=year, rules=rules)
            to_decide = status.remaining_after_grants
        return GrantPreview(
            year=year,
            intervention=intervention,
            owner=owner,
            support=support,
            amount_kr=draft.amount_kr,
            new_intervention=new_intervention,
            share_before=ratio(individual, granted),
            share_after=ratio(after_individual, after_granted),
            minimum=rules.new_grants_individual_min,
            to_decide_before=to_decide,
            revision=budget_year.revision if budget_year else 0,
        )
