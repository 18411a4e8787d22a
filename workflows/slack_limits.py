"""Slack's Block Kit limits, named once (https://docs.slack.dev/reference/block-kit).

Plain numbers, no Slack: they live here, the lowest layer that needs them, because a form
file is checked against them when it is read (`workflows/forms.py`), long before any block is
built. `bot/blocks/limits.py` re-exports them for the builders."""

SECTION_TEXT_MAX = 3000  # a section's text
HEADER_TEXT_MAX = 150  # a header block's text
MESSAGE_BLOCKS_MAX = 50  # blocks in a message
VIEW_BLOCKS_MAX = 100  # blocks in a modal or a Home tab
MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24  # a modal's submit and close
BUTTON_TEXT_MAX = 75  # a button's text
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
OPTION_TEXT_MAX = 75  # an option of a select
OPTIONS_MAX = 100  # options of a static select
PLAIN_TEXT_INPUT_MAX = 3000  # a plain-text input's max_length
ERROR_TEXT_MAX = 2000  # an inline error of `response_action: errors` (as the label allows)
PRIVATE_METADATA_MAX = 3000  # a view's private_metadata
