"""absences of one person never overlap

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Two absences of the same person whose days (both ends inclusive) meet are refused by the
database itself, so concurrent `/finsam frånvaro` commands cannot store both: on PostgreSQL
an exclusion constraint over (person, days) with the built-in range types' GiST support (no
btree_gist extension needed), on SQLite a trigger before each insert and update that aborts.

Overlaps stored before this (concurrent commands could store them) are resolved first: of a
person's overlapping absences the earliest recorded (lowest id) is kept, the later ones go.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = 'absence_no_overlap'
OVERLAP = 'absence_overlaps'  # the trigger's message; store.absences recognises it


def _drop_stored_overlaps() -> None:
    connection = op.get_bind()
    found = connection.execute(
        sa.text('SELECT id, person_id, starts_on, ends_on FROM absence ORDER BY id')
    ).all()
    kept: dict[int, list[tuple[object, object]]] = {}
    dropped: list[int] = []
    for absence_id, person_id, starts_on, ends_on in found:
        others = kept.setdefault(person_id, [])
        if any(start <= ends_on and end >= starts_on for start, end in others):
            dropped.append(absence_id)
        else:
            others.append((starts_on, ends_on))
    for absence_id in dropped:
        connection.execute(sa.text('DELETE FROM absence WHERE id = :id'), {'id': absence_id})


def upgrade() -> None:
    _drop_stored_overlaps()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'ALTER TABLE absence ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist '
            "(int4range(person_id, person_id, '[]') WITH &&, "
            "daterange(starts_on, ends_on, '[]') WITH &&)"
        )
        return
    events = (
        ('INSERT', ''),
        ('UPDATE OF person_id, starts_on, ends_on', 'id != NEW.id AND '),
    )
    for event, exclude_self in events:
        name = f"{CONSTRAINT}_{event.split()[0].lower()}"
        op.execute(
            f'CREATE TRIGGER {name} BEFORE {event} ON absence '
            f'WHEN EXISTS (SELECT 1 FROM absence WHERE {exclude_self}person_id = NEW.person_id '
            'AND starts_on <= NEW.ends_on AND ends_on >= NEW.starts_on) '
            f"BEGIN SELECT RAISE(ABORT, '{OVERLAP}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE absence DROP CONSTRAINT {CONSTRAINT}')
        return
    op.execute(f'DROP TRIGGER IF EXISTS {CONSTRAINT}_insert')
    op.execute(f'DROP TRIGGER IF EXISTS {CONSTRAINT}_update')
