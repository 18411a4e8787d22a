"""Slack's Block Kit limits for the builders: defined once in `workflows/slack_limits.py` (a
form file is checked against them when read), re-exported here."""

from workflows.slack_limits import (
    BUTTON_TEXT_MAX,
    ERROR_TEXT_MAX,
    HEADER_TEXT_MAX,
    INPUT_HINT_MAX,
    INPUT_LABEL_MAX,
    MESSAGE_BLOCKS_MAX,
    MODAL_BUTTON_MAX,
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    OPTIONS_MAX,
    PLAIN_TEXT_INPUT_MAX,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
)

__all__ = [
    "BUTTON_TEXT_MAX",
    "ERROR_TEXT_MAX",
    "HEADER_TEXT_MAX",
    "INPUT_HINT_MAX",
    "INPUT_LABEL_MAX",
    "MESSAGE_BLOCKS_MAX",
    "MODAL_BUTTON_MAX",
    "MODAL_TITLE_MAX",
    "OPTIONS_MAX",
    "OPTION_TEXT_MAX",
    "PLAIN_TEXT_INPUT_MAX",
    "SECTION_TEXT_MAX",
    "VIEW_BLOCKS_MAX",
]
