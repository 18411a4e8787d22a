"""The application round (*ansökningsomgång*) as rows: applications for next year's money,
received by the deadline, with the amount applied for per year (migration 0011). An
application is granted (then it names the grant, `budget_grant`) or rejected, once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, Session, SQLModel, col, select

from store.models import Grant, SupportKind
from store.types import AwareUTC


class ApplicationStatus(StrEnum):
    received = "received"
    granted = "granted"
    rejected = "rejected"


def _now() -> datetime:
    return datetime.now(UTC)


class Application(SQLModel, table=True):
    """An application received in the round for `for_year` (the year its money starts):
    from an organisation, run by an owner (*huvudman*), individual or structural support.
    One per (year, organisation, owner, title): the same application twice is one."""

    __tablename__ = "grant_application"
    __table_args__ = (UniqueConstraint("for_year", "organisation", "owner", "title"),)
    id: int | None = Field(default=None, primary_key=True)
    for_year: int = Field(index=True)
    received_on: date
    organisation: str = Field(max_length=200)
    owner: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    support: SupportKind = Field(
        sa_column=Column(
            SAEnum(SupportKind, native_enum=False, length=32, validate_strings=True),
            nullable=False,
        )
    )
    status: ApplicationStatus = Field(
        default=ApplicationStatus.received,
        sa_column=Column(
            SAEnum(ApplicationStatus, native_enum=False, length=32, validate_strings=True),
            nullable=False,
        ),
    )
    registered_by: str = Field(max_length=32)
    registered_at: datetime = Field(
        default_factory=_now, sa_column=Column(AwareUTC(), nullable=False)
    )
    # The decision: by whom (as typed: name and role, or the board's paragraph) and when.
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_column=Column(AwareUTC(), nullable=True))
    reason: str | None = Field(default=None, max_length=500)  # why it was rejected
    grant_id: int | None = Field(default=None, foreign_key="budget_grant.id")


class ApplicationAmount(SQLModel, table=True):
    """The amount applied for in one year of an application."""

    __tablename__ = "grant_application_amount"
    __table_args__ = (UniqueConstraint("application_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="grant_application.id", index=True)
    year: int
    amount_kr: int = Field(sa_type=BigInteger)


def add_application(
    session: Session,
    *,
    for_year: int,
    received_on: date,
    organisation: str,
    owner: str,
    title: str,
    support: SupportKind,
    amounts: dict[int, int],
    registered_by: str,
    at: datetime,
) -> Application:
    row = Application(
        for_year=for_year,
        received_on=received_on,
        organisation=organisation,
        owner=owner,
        title=title,
        support=support,
        registered_by=registered_by,
        registered_at=at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for year, amount in sorted(amounts.items()):
        session.add(ApplicationAmount(application_id=row.id, year=year, amount_kr=amount))
    session.flush()
    session.refresh(row)  # the time as stored: UTC
    return row


def applications_of_year(session: Session, for_year: int) -> list[Application]:
    query = (
        select(Application)
        .where(Application.for_year == for_year)
        .order_by(col(Application.received_on), col(Application.id))
    )
    return list(session.exec(query).all())


def get_application(
    session: Session, application_id: int, *, for_update: bool = False
) -> Application | None:
    query = select(Application).where(Application.id == application_id)
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def amounts_of(session: Session, application_ids: list[int]) -> dict[int, dict[int, int]]:
    """{application id: {year: kr}}."""
    found: dict[int, dict[int, int]] = {i: {} for i in application_ids}
    if not application_ids:
        return found
    query = select(ApplicationAmount).where(
        col(ApplicationAmount.application_id).in_(application_ids)
    )
    for row in session.exec(query).all():
        found[row.application_id][row.year] = row.amount_kr
    return found


def withdrawn_grants(session: Session, grant_ids: list[int]) -> set[int]:
    """Which of these grants were withdrawn since (the application stays granted on record)."""
    if not grant_ids:
        return set()
    query = select(Grant.id).where(
        col(Grant.id).in_(grant_ids), col(Grant.withdrawn_at).is_not(None)
    )
    return {grant_id for grant_id in session.exec(query).all() if grant_id is not None}
