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
    # value: {"intervention_id": …, "year": …, "until": …} (the compilation page shown)
    quarterly_send = "quarterly_send"
    import_replace = (
        "import_replace"  # value: {"file", "year", "revision", "by"} (bot/blocks/imports.py)
    )


class View(StrEnum):
    report_form = "report_form"  # private_metadata: {"intervention_id", "period"}
    report_return = "report_return"  # private_metadata: {"report_id", "revision"}
    notice = "notice"
    grant_form = "grant_form"  # /finsam beslut: money granted during the year
    quarterly_send = "quarterly_send"  # private_metadata: as Action.quarterly_send's value
    import_form = "import_form"  # /finsam importera: a file and what it holds
    grant_confirm = "grant_confirm"  # private_metadata: {"fields": {…}, "revision": …}
    application_form = "application_form"  # /finsam ansökan: an application of the round
