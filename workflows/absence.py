"""A lead's absence: from `starts_on` to `ends_on` (both inclusive) a named deputy gets the
lead's reminders (`recipient_on`, or `absence_map` for many leads at once), and once the lead
is back they are told who stood in and which reminders went to the deputy meanwhile
(`plan_back_notices`, one outbox row per absence: its key makes it once).

The deputy is told when named, in the transaction that records the absence (outbox kind
`deputy_named`), and told again if the absence is cancelled before it starts once that
first message has gone out (`deputy_cancelled`); a first message still waiting is simply
cancelled. One told of an absence that is cut short while under way (the lead is back early)
is told the reminders go to the lead again (`deputy_relieved`). While covering, the deputy
sees the lead's interventions on the App Home (`covering_absences`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from store.absences import (
    AbsenceRow,
    add_absence,
    delete_absences,
    ended_between,
    is_overlap,
    list_absences,
    person_for,
    sent_on_behalf_of,
    statuses_with_prefix,
)
from store.db import session_scope
from store.digests import sent_between
from store.errors import AccessDenied, BadArgument
from store.interventions import interventions_by_id
from store.models import Absence, OutboxStatus, Role
from store.outbox import cancel_pending
from store.people import is_registered, roles_of
from workflows.calendar import send_slot
from workflows.interventions import interventions_led_by
from workflows.outbox import plan
from workflows.outbox_keys import (
    REMINDERS,
    back_notice_key,
    deputy_cancelled_key,
    deputy_named_key,
    deputy_named_prefix,
    deputy_relieved_key,
    parse_reminder,
    reminder_digest_prefix,
)
from workflows.outbox_kinds import (
    AbsenceOverPayload,
    DeputyCancelledPayload,
    DeputyNamedPayload,
    DeputyRelievedPayload,
    ReminderDigestPayload,
)
from workflows.people import OFFICE_ROLES
from workflows.working_days import WorkingDays

KIND = AbsenceOverPayload.KIND
DEPUTY_NAMED = DeputyNamedPayload.KIND
DEPUTY_CANCELLED = DeputyCancelledPayload.KIND
DEPUTY_RELIEVED = DeputyRelievedPayload.KIND
WENT_OUT = frozenset({OutboxStatus.sent, OutboxStatus.sending})
MAX_DAYS = 366
BACK_NOTICE_WINDOW = timedelta(days=14)  # an absence that ended longer ago gets no notice
DEFAULT_SEND_AT = time(9, 0)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class AbsenceInfo:
    id: int
    lead_user_id: str
    deputy_user_id: str
    starts_on: date
    ends_on: date

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _start_of(today: date) -> datetime:
    """A stand-in `now` for callers that pass only a day (the row's creation time only)."""
    return datetime.combine(today, time(0), tzinfo=UTC)


def _info(row: AbsenceRow) -> AbsenceInfo:
    return AbsenceInfo(row.id, row.lead_user_id, row.deputy_user_id, row.starts_on, row.ends_on)


def _check_may_record(session: Session, lead_user_id: str, by: str) -> None:
    """Only a registered lead records an absence, their own; office staff may for a lead.
    AccessDenied / BadArgument otherwise, before anything is stored."""
    if by != lead_user_id and not roles_of(session, by) & OFFICE_ROLES:
        raise AccessDenied("absence_for_others_office_only")
    if Role.lead not in roles_of(session, lead_user_id):
        if by == lead_user_id:
            raise AccessDenied("absence_not_registered_lead")
        raise BadArgument("absence_other_not_a_lead", lead=lead_user_id)


def _overlapping(session: Session, lead_user_id: str, starts_on: date, ends_on: date) -> None:
    for other in list_absences(session, lead_user_id=lead_user_id):
        if other.starts_on <= ends_on and other.ends_on >= starts_on:
            raise BadArgument(
                "absence_overlaps",
                start=other.starts_on.isoformat(),
                end=other.ends_on.isoformat(),
            )


def record_absence(
    engine: Engine,
    lead_user_id: str,
    starts_on: date,
    ends_on: date,
    deputy_user_id: str,
    *,
    today: date,
    now: datetime | None = None,
    recorded_by: str | None = None,
) -> AbsenceInfo:
    """Store an absence and plan the deputy's "you are named" DM in the same transaction, so
    a deputy is never left untold nor told of an absence that was not stored. BadArgument
    when the end is before the start or in the past, the deputy is the lead, it is longer
    than MAX_DAYS, or it overlaps another of the lead's absences. `recorded_by` (default:
    the lead) must be the lead, a registered one (role `lead`), or office staff recording
    for a lead; the deputy must be registered (a role given by the office or the
    interventions import), since a deputy gets the lead's reminders and may report. The
    database refuses an overlap too (migration 0006): two commands at once store one."""
    by = recorded_by or lead_user_id
    if ends_on < starts_on:
        raise BadArgument(
            "absence_end_before_start", start=starts_on.isoformat(), end=ends_on.isoformat()
        )
    if ends_on < today:
        raise BadArgument("absence_in_past", end=ends_on.isoformat())
    if deputy_user_id == lead_user_id:
        raise BadArgument("absence_deputy_self")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise BadArgument("absence_too_long", days=MAX_DAYS)
    try:
        with session_scope(engine) as session:
            _check_may_record(session, lead_user_id, by)
            if not is_registered(session, deputy_user_id):
                raise BadArgument("absence_unknown_deputy", deputy=deputy_user_id)
            _overlapping(session, lead_user_id, starts_on, ends_on)
            lead = person_for(session, lead_user_id)
            deputy = person_for(session, deputy_user_id)
            assert lead.id is not None and deputy.id is not None
            absence: Absence = add_absence(
                session,
                person_id=lead.id,
                deputy_person_id=deputy.id,
                starts_on=starts_on,
                ends_on=ends_on,
            )
            assert absence.id is not None
            plan(
                session,
                key=deputy_named_key(absence.id, deputy_user_id),
                channel=deputy_user_id,
                payload=DeputyNamedPayload(absence_id=absence.id),
                now=now or _start_of(today),
            )
            return AbsenceInfo(absence.id, lead_user_id, deputy_user_id, starts_on, ends_on)
    except IntegrityError as err:
        if not is_overlap(err):
            raise
        # Another command stored an overlapping absence after this one looked: name it.
        with session_scope(engine) as session:
            _overlapping(session, lead_user_id, starts_on, ends_on)
        raise BadArgument(
            "absence_overlaps", start=starts_on.isoformat(), end=ends_on.isoformat()
        ) from err


def absences_of(
    engine: Engine, user_id: str, *, today: date, by: str | None = None
) -> list[AbsenceInfo]:
    """The user's current and future absences, by start date; `by` (default: the user) must
    be the user or office staff."""
    with session_scope(engine) as session:
        if by is not None and by != user_id and not roles_of(session, by) & OFFICE_ROLES:
            raise AccessDenied("absence_for_others_office_only")
        rows = list_absences(session, lead_user_id=user_id, ending_on_or_after=today)
    return [_info(row) for row in rows]


def cancel_absences(
    engine: Engine,
    user_id: str,
    *,
    today: date,
    now: datetime | None = None,
    by: str | None = None,
) -> list[AbsenceInfo]:
    """Cancel the user's current and future absences: a future one is removed; one under way
    ends yesterday (the lead is back today, and is told what went to the deputy). The deputy
    of a removed one is not left waiting for it (`_withdraw_deputy_notice`); the deputy of
    one cut short is told the lead is back (`_relieve_deputy`). Returns them as they were.
    `by` (default: the user) must be the user or office staff."""
    with session_scope(engine) as session:
        if by is not None and by != user_id and not roles_of(session, by) & OFFICE_ROLES:
            raise AccessDenied("absence_for_others_office_only")
        rows = list_absences(session, lead_user_id=user_id, ending_on_or_after=today)
        removed = [row for row in rows if row.starts_on >= today]
        delete_absences(session, [row.id for row in removed])
        for row in removed:
            _withdraw_deputy_notice(session, row, now=now or _start_of(today))
        for row in rows:
            if row.starts_on < today:
                absence = session.get(Absence, row.id)
                assert absence is not None
                absence.ends_on = today - ONE_DAY
                session.add(absence)
                _relieve_deputy(session, row, back=today, now=now or _start_of(today))
    return [_info(row) for row in rows]


def _withdraw_deputy_notice(session: Session, row: AbsenceRow, *, now: datetime) -> None:
    """The deputy of a removed absence: a "you are named" DM still waiting is cancelled; one
    that went out (or is going out) is followed by a "cancelled" DM, which carries the window
    and the lead because the absence itself is gone."""
    prefix = deputy_named_prefix(row.id)
    cancel_pending(session, prefix)
    if not WENT_OUT.intersection(statuses_with_prefix(session, prefix)):
        return
    plan(
        session,
        key=deputy_cancelled_key(row.id, row.deputy_user_id),
        channel=row.deputy_user_id,
        payload=DeputyCancelledPayload(
            absence_id=row.id, lead=row.lead_user_id, start=row.starts_on, end=row.ends_on
        ),
        now=now,
    )


def _relieve_deputy(session: Session, row: AbsenceRow, *, back: date, now: datetime) -> None:
    """The deputy of an absence cut short while under way, once the "you are named" DM went
    out (or is going out): the lead is back from `back`, and the reminders go to them again.
    A "you are named" DM still waiting is left to its builder, which drops it (it is over)."""
    if not WENT_OUT.intersection(statuses_with_prefix(session, deputy_named_prefix(row.id))):
        return
    plan(
        session,
        key=deputy_relieved_key(row.id, row.deputy_user_id),
        channel=row.deputy_user_id,
        payload=DeputyRelievedPayload(absence_id=row.id, lead=row.lead_user_id, back=back),
        now=now,
    )


@dataclass(frozen=True)
class DeputyNotice:
    """What the deputy is told when named: the absence and the lead's interventions (their
    labels), whose reminders will come to the deputy."""

    absence: AbsenceInfo
    interventions: tuple[str, ...]


def deputy_notice(engine: Engine, absence_id: int) -> DeputyNotice | None:
    """Read when the DM is sent, not when planned, so it names the lead's interventions as
    they are then; None when the absence no longer exists."""
    with session_scope(engine) as session:
        rows = list_absences(session, ids=[absence_id])
    if not rows:
        return None
    absence = _info(rows[0])
    led = interventions_led_by(engine, absence.lead_user_id)
    return DeputyNotice(absence, tuple(info.label for info in led))


def deputy_was_told(engine: Engine, absence_id: int) -> bool:
    """Whether the "you are named" DM of the absence went out (or is going out): a
    "cancelled" DM for one the deputy never heard of would only confuse."""
    with session_scope(engine) as session:
        statuses = statuses_with_prefix(session, deputy_named_prefix(absence_id))
    return bool(WENT_OUT.intersection(statuses))


def covering_absences(engine: Engine, deputy_user_id: str, *, today: date) -> list[AbsenceInfo]:
    """The absences in which the user stands in for a lead today (one query): the App Home
    shows those leads' interventions, which the deputy may report for meanwhile."""
    with session_scope(engine) as session:
        rows = list_absences(session, deputy_user_id=deputy_user_id, ending_on_or_after=today)
    return [_info(row) for row in rows if row.starts_on <= today]


class AbsenceMap:
    """Absences held in memory: who gets each lead's reminder on a given day."""

    def __init__(self, absences: Iterable[AbsenceInfo]) -> None:
        self._by_lead: dict[str, list[AbsenceInfo]] = {}
        for absence in absences:
            self._by_lead.setdefault(absence.lead_user_id, []).append(absence)

    def absence_on(self, lead_user_id: str, day: date) -> AbsenceInfo | None:
        """The lead's absence covering `day` (the newest, were two to overlap)."""
        covering = [a for a in self._by_lead.get(lead_user_id, []) if a.covers(day)]
        return max(covering, key=lambda a: a.id) if covering else None

    def recipient_on(self, lead_user_id: str, day: date) -> tuple[str, str | None]:
        """(who gets the lead's reminder on `day`, on behalf of whom): (deputy, lead) inside
        an absence (first and last day included), else (lead, None)."""
        absence = self.absence_on(lead_user_id, day)
        if absence is None:
            return lead_user_id, None
        return absence.deputy_user_id, lead_user_id


def absence_map(engine: Engine, *, from_day: date | None = None) -> AbsenceMap:
    """Every absence (or those not ended before `from_day`), loaded once."""
    with session_scope(engine) as session:
        rows = list_absences(session, ending_on_or_after=from_day)
    return AbsenceMap(_info(row) for row in rows)


def recipient_on(engine: Engine, lead_user_id: str, day: date) -> tuple[str, str | None]:
    with session_scope(engine) as session:
        rows = list_absences(session, lead_user_id=lead_user_id, ending_on_or_after=day)
    return AbsenceMap(_info(row) for row in rows).recipient_on(lead_user_id, day)


def plan_back_notices(
    engine: Engine,
    *,
    now: datetime,
    tz: ZoneInfo,
    send_at: time = DEFAULT_SEND_AT,
    working_days: WorkingDays | None = None,
) -> list[str]:
    """Plan the "welcome back" message of every absence that has ended, on the lead's first
    working day after it at `send_at` (local time) or at the first tick after that, as long
    as it ended at most BACK_NOTICE_WINDOW ago. Returns the keys planned by this call (a
    second call plans nothing: the key is per absence)."""
    working_days = working_days or WorkingDays()
    local = now.astimezone(tz)
    today = local.date()
    planned: list[str] = []
    with session_scope(engine) as session:
        for absence in ended_between(session, today - BACK_NOTICE_WINDOW, today - ONE_DAY):
            back = working_days.next_working_day(absence.ends_on + ONE_DAY)
            if today < back or (today == back and local.time() < send_at):
                continue
            key = back_notice_key(absence.id)
            if plan(
                session,
                key=key,
                channel=absence.lead_user_id,
                payload=AbsenceOverPayload(absence_id=absence.id),
                now=now,
                not_before=send_slot(now, tz=tz, send_at=send_at, working_days=working_days),
            ):
                planned.append(key)
    return planned


@dataclass(frozen=True)
class ForwardedReminder:
    """A reminder that went to the deputy: which intervention (its label) and period."""

    intervention_id: int
    intervention: str
    period: str


@dataclass(frozen=True)
class AbsenceReport:
    absence: AbsenceInfo
    forwarded: tuple[ForwardedReminder, ...]  # by period, then intervention; each once


def absence_report(engine: Engine, absence_id: int, *, tz: ZoneInfo) -> AbsenceReport | None:
    """The absence and the reminders sent to its deputy on the lead's behalf during it (local
    days, inclusive); None when the absence no longer exists."""
    with session_scope(engine) as session:
        rows = list_absences(session, ids=[absence_id])
        if not rows:
            return None
        absence = _info(rows[0])
        since = datetime.combine(absence.starts_on, time(0), tzinfo=tz)
        until = datetime.combine(absence.ends_on + ONE_DAY, time(0), tzinfo=tz)
        sent = sent_on_behalf_of(
            session, absence.lead_user_id, key_prefix=REMINDERS, since=since, until=until
        )
        pairs: dict[tuple[int, str], None] = {}
        for key, data in sent:
            parsed = parse_reminder(key)
            intervention_id = data.get("intervention_id", parsed.intervention_id if parsed else 0)
            period = data.get("period", parsed.period if parsed else "")
            pairs.setdefault((int(str(intervention_id)), str(period)), None)
        # The daily digests the deputy got: the lines on the lead's behalf.
        digests = sent_between(
            session,
            reminder_digest_prefix(absence.deputy_user_id),
            absence.lead_user_id,
            since=since,
            until=until,
        )
        for row in digests:
            for item in ReminderDigestPayload.from_data(row.data).items:
                if item.on_behalf_of == absence.lead_user_id:
                    pairs.setdefault(item.report, None)
        labels = {
            i.id: (f"{i.name} ({i.owner})" if i.owner else i.name)
            for i in interventions_by_id(session, [i for i, _ in pairs])
        }
    forwarded = sorted(
        (ForwardedReminder(i, labels.get(i, f"#{i}"), period) for i, period in pairs),
        key=lambda f: (f.period, f.intervention),
    )
    return AbsenceReport(absence=absence, forwarded=tuple(forwarded))
