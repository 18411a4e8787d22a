"""Every action_id, block_id and callback_id, used by listeners and tests alike."""

from enum import StrEnum


class Command(StrEnum):
    finsam = "/finsam"


class MetadataEvent(StrEnum):
    outbox = "finsam_outbox"


class Action(StrEnum):
    report_open = "report_open"  # value: {"intervention_id": …, "period": "2026-03"}
    report_accept = "report_accept"  # value: {"report_id": …, "revision": …} (once: report id)
    report_return = "report_return"  # value: as report_accept
    report_show = "report_show"  # value: report id
    board_step_done = "board_step_done"  # value: board step id


class View(StrEnum):
    report_form = "report_form"  # private_metadata: {"intervention_id", "period"}
    report_return = "report_return"  # private_metadata: {"report_id", "revision"}
    notice = "notice"
    grant_form = "grant_form"  # /finsam beslut: money granted during the year
    grant_confirm = "grant_confirm"  # private_metadata: {"fields": {…}, "revision": …}
    application_form = "application_form"  # /finsam ansökan: an application of the round
