"""The outbox's key grammar (workflows/outbox_keys.py): what each key looks like, as rows
already in a database have them, and that the keys that are read back parse."""

from __future__ import annotations

from datetime import date

from workflows import outbox_keys as keys

DUE = date(2026, 4, 10)


def test_each_key_has_the_shape_rows_already_have() -> None:
    assert [
        keys.reminder_key(4, "2026-03", "due", "U1"),
        keys.escalation_key(4, "2026-Q1", "late"),
        keys.reminder_digest_key("U1", DUE),
        keys.escalation_digest_key("C1", DUE),
        keys.received_key(9, 2),
        keys.reminders_done_key(9, 2),
        keys.review_key(9, 2),
        keys.returned_key(9, 2),
        keys.review_update_key(9, 2, "returned"),
        keys.home_refresh_key("U1", "9:2"),
        keys.missing_summary_key("C1", date(2026, 4, 20)),
        keys.budget_summary_key("C1", year=2026, month=5),
        keys.back_notice_key(3),
        keys.deputy_named_key(3, "U2"),
        keys.deputy_cancelled_key(3, "U2"),
        keys.deputy_relieved_key(3, "U2"),
        keys.step_key(5, DUE, "week", "U1"),
        keys.step_done_key(5, DUE),
        keys.announce_key(5, DUE),
        keys.papers_key(6, "U1"),
    ] == [
        "reminder:4:2026-03:due:U1",
        "escalation:4:2026-Q1:late",
        "reminder_digest:U1:2026-04-10",
        "escalation_digest:C1:2026-04-10",
        "report_received:9:2",
        "reminders_done:9:2",
        "report_review:9:2",
        "report_returned:9:2",
        "report_review_update:9:2:returned",
        "home_refresh:U1:9:2",
        "missing_reports:C1:2026-W17",
        "budget_summary:C1:2026-05",
        "absence_over:3",
        "deputy_named:3:U2",
        "deputy_cancelled:3:U2",
        "deputy_relieved:3:U2",
        "board_step:5:2026-04-10:week:U1",
        "board_step_done:5:2026-04-10",
        "announce:5:2026-04-10",
        "board_papers:6:U1",
    ]


def test_prefixes_pick_their_family() -> None:
    key = keys.reminder_key(4, "2026-03", "due", "U1")
    assert key.startswith(keys.reminder_prefix(4, "2026-03"))
    assert key.startswith(keys.reminder_stage_prefix(4, "2026-03", "due"))
    assert not key.startswith(keys.reminder_prefix(41, "2026-03"))
    digest = keys.reminder_digest_key("U1", DUE)
    assert digest.startswith(keys.reminder_digest_prefix("U1"))
    assert not digest.startswith(keys.reminder_digest_prefix("U"))
    assert not digest.startswith(keys.REMINDERS)  # an old per-report reminder's prefix
    assert keys.reminder_digest_key("U1", date(2026, 4, 9)) < digest  # a recipient's by day
    assert keys.step_key(5, DUE, "week", "U1").startswith(keys.step_stage_prefix(5, DUE, "week"))
    assert keys.deputy_named_key(3, "U2").startswith(keys.deputy_named_prefix(3))


def test_keys_read_back() -> None:
    assert keys.parse_reminder(keys.reminder_key(4, "2026-Q1", "due", "U1")) == keys.ReminderKey(
        4, "2026-Q1"
    )
    assert keys.parse_reminder("escalation:4:2026-Q1:late") is None
    assert keys.parse_reminder("reminder:x:2026-Q1:late:U1") is None
    assert keys.review_revision(keys.review_key(9, 12), 9) == 12
    assert keys.review_revision(keys.review_key(91, 2), 9) is None
    assert keys.review_revision("report_review:9:x", 9) is None
