"""The message kinds, seen from both sides: every payload a planner can write has a kind in
the registry that sends it, and back; each payload survives the trip through the row's JSON,
and reads the rows planned before payloads were typed (plain dicts, dates as ISO days)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any, get_type_hints

import pytest

from bot.messages import KINDS
from workflows.outbox_kinds import (
    PAYLOADS,
    DeputyCancelledPayload,
    Payload,
    ReminderItem,
    ReminderPayload,
)

SAMPLES: dict[object, Any] = {
    int: 7,
    str: "U0LEAD001",
    date: date(2026, 4, 10),
    int | None: 3,
    str | None: "U0LEAD002",
    # a digest's items: one of a lead's own, one a deputy gets on the lead's behalf
    tuple[ReminderItem, ...]: (
        ReminderItem(7, "2026-03", "due", date(2026, 4, 10), "U0LEAD001"),
        ReminderItem(8, "2026-Q1", "before", date(2026, 4, 15), "U0LEAD002", "U0LEAD002"),
    ),
}


def sample(payload: type[Payload]) -> Payload:
    hints = get_type_hints(payload)
    return payload(**{f.name: SAMPLES[hints[f.name]] for f in dataclasses.fields(payload)})


def test_every_planned_kind_is_sent_by_the_registry_and_every_entry_is_planned() -> None:
    assert sorted(KINDS) == sorted(PAYLOADS)
    assert all(KINDS[name].payload is PAYLOADS[name] for name in PAYLOADS)


def test_only_updates_and_views_post_nothing() -> None:
    """The kinds whose rows are never looked for in the history (no post to find)."""
    assert sorted(name for name, kind in KINDS.items() if not kind.posts) == [
        "board_step_done",
        "home_refresh",
        "reminders_done",
        "report_review_update",
    ]
    assert all(kind.updates for kind in KINDS.values() if not kind.posts)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_payload_survives_the_rows_json(name: str) -> None:
    payload = sample(PAYLOADS[name])
    stored = json.loads(json.dumps(payload.to_data()))
    assert PAYLOADS[name].from_data(stored) == payload


def test_rows_planned_before_typed_payloads_still_read() -> None:
    """The JSON a planner wrote as a dict, read as the kind's payload."""
    old = {
        "intervention_id": 4,
        "period": "2026-03",
        "stage": "first",
        "due": "2026-04-10",
        "lead": "U0LEAD001",
        "on_behalf_of": None,
    }
    assert ReminderPayload.from_data(old) == ReminderPayload(
        4, "2026-03", "first", date(2026, 4, 10), "U0LEAD001", None
    )
    assert ReminderPayload(4, "2026-03", "first", date(2026, 4, 10), "U0LEAD001").to_data() == old
    cancelled = {"absence_id": 2, "lead": "U1", "start": "2026-05-04", "end": "2026-05-08"}
    assert DeputyCancelledPayload.from_data(cancelled).to_data() == cancelled


def test_a_row_missing_a_required_field_is_refused_when_read() -> None:
    with pytest.raises(KeyError):
        ReminderPayload.from_data({"intervention_id": 4, "period": "2026-03", "due": "2026-04-10"})
