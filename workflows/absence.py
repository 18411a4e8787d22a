"""A lead's absence: from `starts_on` to `ends_on` (both inclusive) a named deputy gets the
lead's reminders (`recipient_on`, or `absence_map` for many leads at once), and once the lead
is back they are told who stood in and which reminders went to the deputy meanwhile
(`plan_back_notices`, one outbox row per absence: its key makes it once)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from store.absences import (
    AbsenceRow,
    add_absence,
    delete_absences,
    ended_between,
    list_absences,
    person_for,
    sent_on_behalf_of,
)
from store.db import session_scope
from store.errors import BadArgument
from store.interventions import interventions_by_id
from store.models import Absence
from workflows.outbox import plan
from workflows.working_days import WorkingDays

KIND = "absence_over"
MAX_DAYS = 366
BACK_NOTICE_WINDOW = timedelta(days=14)  # an absence that ended longer ago gets no notice
DEFAULT_SEND_AT = time(9, 0)
REMINDER_PREFIX = "reminder:"
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


def back_notice_key(absence_id: int) -> str:
    return f"{KIND}:{absence_id}"


def _info(row: AbsenceRow) -> AbsenceInfo:
    return AbsenceInfo(row.id, row.lead_user_id, row.deputy_user_id, row.starts_on, row.ends_on)


def record_absence(
    engine: Engine,
    lead_user_id: str,
    starts_on: date,
    ends_on: date,
    deputy_user_id: str,
    *,
    today: date,
) -> AbsenceInfo:
    """Store an absence. BadArgument when the end is before the start or in the past, the
    deputy is the lead, it is longer than MAX_DAYS, or it overlaps another of the lead's
    absences. The lead and the deputy get a Person row when the bot has none yet."""
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
    with session_scope(engine) as session:
        for other in list_absences(session, lead_user_id=lead_user_id):
            if other.starts_on <= ends_on and other.ends_on >= starts_on:
                raise BadArgument(
                    "absence_overlaps",
                    start=other.starts_on.isoformat(),
                    end=other.ends_on.isoformat(),
                )
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
        return AbsenceInfo(absence.id, lead_user_id, deputy_user_id, starts_on, ends_on)


def absences_of(engine: Engine, user_id: str, *, today: date) -> list[AbsenceInfo]:
    """The user's current and future absences, by start date."""
    with session_scope(engine) as session:
        rows = list_absences(session, lead_user_id=user_id, ending_on_or_after=today)
    return [_info(row) for row in rows]


def cancel_absences(engine: Engine, user_id: str, *, today: date) -> list[AbsenceInfo]:
    """Cancel the user's current and future absences: a future one is removed; one under way
    ends yesterday (the lead is back today, and is told what went to the deputy). Returns
    them as they were."""
    with session_scope(engine) as session:
        rows = list_absences(session, lead_user_id=user_id, ending_on_or_after=today)
        removed = [row.id for row in rows if row.starts_on >= today]
        delete_absences(session, removed)
        for row in rows:
            if row.starts_on < today:
                absence = session.get(Absence, row.id)
                assert absence is not None
                absence.ends_on = today - ONE_DAY
                session.add(absence)
    return [_info(row) for row in rows]


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
                kind=KIND,
                data={"absence_id": absence.id},
                now=now,
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
            session, absence.lead_user_id, key_prefix=REMINDER_PREFIX, since=since, until=until
        )
        pairs: dict[tuple[int, str], None] = {}
        for key, data in sent:
            parts = key.split(":")
            intervention_id = data.get("intervention_id", parts[1] if len(parts) > 1 else 0)
            period = data.get("period", parts[2] if len(parts) > 2 else "")
            pairs.setdefault((int(str(intervention_id)), str(period)), None)
        labels = {
            i.id: (f"{i.name} ({i.owner})" if i.owner else i.name)
            for i in interventions_by_id(session, [i for i, _ in pairs])
        }
    forwarded = sorted(
        (ForwardedReminder(i, labels.get(i, f"#{i}"), period) for i, period in pairs),
        key=lambda f: (f.period, f.intervention),
    )
    return AbsenceReport(absence=absence, forwarded=tuple(forwarded))
