"""Slack's Block Kit limits, named once (https://docs.slack.dev/reference/block-kit)."""

SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
MESSAGE_BLOCKS_MAX = 50
