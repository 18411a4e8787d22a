"""SQLModel tables. Money is whole kronor (int); text keys use '' rather than NULL for
"no owner" so that unique constraints hold on every database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from store.types import AwareUTC


def utcnow() -> datetime:
    return datetime.now(UTC)


def _tz_column(*, nullable: bool = False) -> Column[datetime]:
    return Column(AwareUTC(), nullable=nullable)


def _enum_column(
    enum: type[StrEnum], *, nullable: bool = False, primary_key: bool = False
) -> Column[StrEnum]:
    return Column(
        SAEnum(enum, native_enum=False, length=32, validate_strings=True),
        nullable=nullable,
        primary_key=primary_key,
    )


class PartyKind(StrEnum):
    employment_service = "employment_service"
    social_insurance = "social_insurance"
    region = "region"
    municipality = "municipality"


class Role(StrEnum):
    office = "office"
    lead = "lead"
    secretary = "secretary"
    director = "director"


class Section(StrEnum):
    income = "income"
    cost = "cost"
    balance = "balance"


class Category(StrEnum):
    member_fees = "member_fees"
    sales = "sales"
    external_funding = "external_funding"
    board = "board"
    administration = "administration"
    intervention = "intervention"
    other_collaboration = "other_collaboration"
    reserved = "reserved"
    opening_surplus = "opening_surplus"
    forecast_previous_year = "forecast_previous_year"
    # A restricted reserve fund (bunden reservfond): part of equity, not free to decide on.
    reserve_fund = "reserve_fund"


CATEGORIES_BY_SECTION: dict[Section, tuple[Category, ...]] = {
    Section.income: (Category.member_fees, Category.sales, Category.external_funding),
    Section.cost: (
        Category.board,
        Category.administration,
        Category.intervention,
        Category.other_collaboration,
        Category.reserved,
    ),
    Section.balance: (
        Category.opening_surplus,
        Category.forecast_previous_year,
        Category.reserve_fund,
    ),
}
SECTION_OF: dict[Category, Section] = {
    c: s for s, categories in CATEGORIES_BY_SECTION.items() for c in categories
}


class SupportKind(StrEnum):
    individual = "individual"
    structural = "structural"


class Association(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)


class Party(SQLModel, table=True):
    """A member of the association: the two state agencies, the region, the municipalities."""

    __table_args__ = (UniqueConstraint("association_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="association.id", index=True)
    name: str = Field(max_length=200)
    kind: PartyKind = Field(sa_column=_enum_column(PartyKind))


class ReportKind(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"


class Intervention(SQLModel, table=True):
    """A funded insats, identified like its budget line by (name, owner). It reports for
    the periods between `starts_on` and `ends_on` (open-ended when None)."""

    __table_args__ = (UniqueConstraint("name", "owner"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    owner: str = Field(default="", max_length=200)
    kind: SupportKind = Field(sa_column=_enum_column(SupportKind))
    first_year: int
    last_year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    # The intervention's own goals, one per line: what the quarterly form asks about.
    goals: str = Field(default="", sa_type=Text)
    # Reports due before this day are not owed (it joined the bot later than the
    # installation); the later of this and the installation's day counts.
    reports_from: date | None = None


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=32, unique=True)
    name: str = Field(default="", max_length=200)
    language: str | None = Field(default=None, max_length=2)
    email: str | None = Field(default=None, max_length=320, index=True)


class InterventionLead(SQLModel, table=True):
    """A lead of an intervention, known by e-mail; `person_id` is set once the e-mail is
    matched to a Slack user (an unmatched lead is kept and matched again on the next import)."""

    __tablename__ = "intervention_lead"
    __table_args__ = (UniqueConstraint("intervention_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    intervention_id: int = Field(foreign_key="intervention.id", index=True)
    email: str = Field(max_length=320)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)


class Absence(SQLModel, table=True):
    """A lead away from `starts_on` to `ends_on` (inclusive): reminders go to the deputy.
    Two absences of one person never overlap: the database refuses it (migration 0006: an
    exclusion constraint on PostgreSQL, triggers on SQLite; not declared here, as neither
    is compared by `alembic check`)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    deputy_person_id: int = Field(foreign_key="person.id")
    starts_on: date
    ends_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column())


class PersonRole(SQLModel, table=True):
    __tablename__ = "person_role"
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    role: Role = Field(sa_column=_enum_column(Role, primary_key=True))


class BudgetYear(SQLModel, table=True):
    __tablename__ = "budget_year"
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    source: str = Field(default="", max_length=500)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column())
    # Bumped by every import that touches the year (budget or spending): what cached
    # figures are checked against.
    revision: int = 1
    # A later year of a multi-year plan ("Plan 2027"), not yet the adopted budget: the next
    # file of that year replaces it without --replace.
    plan: bool = False


class BudgetLine(SQLModel, table=True):
    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("budget_year_id", "section", "category", "name", "owner"),)
    id: int | None = Field(default=None, primary_key=True)
    budget_year_id: int = Field(foreign_key="budget_year.id", index=True)
    section: Section = Field(sa_column=_enum_column(Section))
    category: Category = Field(sa_column=_enum_column(Category))
    name: str = Field(max_length=200)
    owner: str = Field(default="", max_length=200)
    support: SupportKind | None = Field(
        default=None, sa_column=_enum_column(SupportKind, nullable=True)
    )
    amount_kr: int = Field(sa_type=BigInteger)
    position: int = 0


class BudgetForecast(SQLModel, table=True):
    """The year's forecast as kept at the 30 September milestone: one row per year (a second
    keeping is a no-op), what next year's budget draft takes as `forecast_previous_year`."""

    __tablename__ = "budget_forecast"
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    kept_on: date
    through_month: int
    costs_kr: int = Field(sa_type=BigInteger)
    result_kr: int = Field(sa_type=BigInteger)
    closing_equity_kr: int = Field(sa_type=BigInteger)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column())


class Spending(SQLModel, table=True):
    """Money booked on a budget line in one month (from the accounting export)."""

    __table_args__ = (UniqueConstraint("budget_line_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    budget_line_id: int = Field(foreign_key="budget_line.id", index=True)
    month: int = Field(ge=1, le=12)
    amount_kr: int = Field(sa_type=BigInteger)


class ReportStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"  # sent back by the office: open again for the lead


class Report(SQLModel, table=True):
    """The state of one intervention's report for one period; a row exists once something
    was submitted. Its answers are the revisions."""

    __table_args__ = (UniqueConstraint("intervention_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    intervention_id: int = Field(foreign_key="intervention.id", index=True)
    period: str = Field(max_length=7)  # '2026-03' or '2026-Q1'
    kind: ReportKind = Field(sa_column=_enum_column(ReportKind))
    status: ReportStatus = Field(sa_column=_enum_column(ReportStatus))
    revision: int = 0  # the latest
    reviewed_by: str | None = Field(default=None, max_length=32)
    reviewed_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    review_comment: str | None = Field(default=None, sa_type=Text)


class ReportRevision(SQLModel, table=True):
    """One submission: who, when, what. Never updated; `delivery_key` makes a duplicated
    delivery of the same submission a no-op."""

    __tablename__ = "report_revision"
    __table_args__ = (UniqueConstraint("report_id", "revision"),)
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    revision: int
    submitted_by: str = Field(max_length=32)
    submitted_at: datetime = Field(sa_column=_tz_column())
    late: bool = False
    answers: str = Field(sa_type=Text)  # JSON object: input id → value
    delivery_key: str = Field(max_length=64, unique=True)


class BoardEventKind(StrEnum):
    meeting = "meeting"
    milestone = "milestone"


class BoardEvent(SQLModel, table=True):
    """A board meeting or another milestone of the year's cycle (from the cycle file). `uid`
    is the file's id for it: stable across imports and in calendar exports."""

    __tablename__ = "board_event"
    __table_args__ = (UniqueConstraint("year", "uid"),)
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    uid: str = Field(max_length=100)
    kind: BoardEventKind = Field(sa_column=_enum_column(BoardEventKind))
    title: str = Field(max_length=200)
    on: date
    starts_at: str | None = Field(default=None, max_length=5)  # "13:00", local time
    ends_at: str | None = Field(default=None, max_length=5)
    place: str = Field(default="", max_length=200)
    items: str = Field(default="", sa_type=Text)  # the meeting's business, one per line


class BoardStep(SQLModel, table=True):
    """A step around an event (papers due, notice sent, minutes checked): due on a date,
    reminding the roles named; done once someone presses "Klart"."""

    __tablename__ = "board_step"
    __table_args__ = (UniqueConstraint("event_id", "step"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="board_event.id", index=True)
    step: str = Field(max_length=50)
    title: str = Field(max_length=200)
    due: date
    remind: str = Field(default="secretary", max_length=100)  # roles, comma-separated
    done_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    done_by: str | None = Field(default=None, max_length=32)


class DecisionBody(StrEnum):
    board = "board"  # the board's own decision
    delegation = "delegation"  # the director's, on delegation (delegationsbeslut)


class Grant(SQLModel, table=True):
    """Money granted from the remaining decision room of `year`: the year it is for, which
    may be the year after the decision's (a September decision on next year's applications)."""

    __tablename__ = "budget_grant"  # GRANT is an SQL keyword
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    decided_on: date
    intervention: str = Field(max_length=200)
    owner: str = Field(default="", max_length=200)
    support: SupportKind = Field(sa_column=_enum_column(SupportKind))
    amount_kr: int = Field(sa_type=BigInteger)
    body: DecisionBody = Field(sa_column=_enum_column(DecisionBody))
    decided_by: str = Field(max_length=200)
    recorded_by: str = Field(default="", max_length=32)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column())
    # The last correction (amount, intervention, date) and the withdrawal, by whom and when
    # (migration 0008). A withdrawn grant stays on record but no longer uses decision room.
    corrected_by: str | None = Field(default=None, max_length=200)
    corrected_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    withdrawn_by: str | None = Field(default=None, max_length=200)
    withdrawn_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"  # no longer wanted (e.g. a reminder for a report that came in)


class OutboxMessage(SQLModel, table=True):
    """A message to send, keyed so a second insert of the same key is a no-op."""

    __tablename__ = "outbox_message"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    channel: str = Field(max_length=64)
    payload: str = Field(sa_type=Text)
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_column=_enum_column(OutboxStatus))
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_tz_column())
    sent_at: datetime | None = Field(default=None, sa_column=_tz_column(nullable=True))
    message_ts: str | None = Field(default=None, max_length=32)
    step: str = Field(default="", max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    # Higher goes first: an answer to what someone just did before a fan-out's backlog.
    priority: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Installation(SQLModel, table=True):
    """The bot's installation, one row: from which day reports are owed (FINSAM_REPORTS_FROM,
    or the day it first ran), so a new office is never told of reports due before it began."""

    id: int | None = Field(default=None, primary_key=True)
    reports_from: date
    recorded_at: datetime = Field(sa_column=_tz_column())


class SlackDmChannel(SQLModel, table=True):
    """The DM channel id (D…) of a user, from the answer to the first post to them (or, on
    the rare look-up after a lost answer, from conversations.open: Tier 3, about 50 calls a
    minute). Kept across restarts and shared by every bot process: history and chat.update
    need the D id, and no process has to ask Slack for it again."""

    __tablename__ = "slack_dm_channel"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32, unique=True)
    channel_id: str = Field(max_length=32)
    opened_at: datetime = Field(sa_column=_tz_column())
