"""The personal identity number detector, where the workflows look for it. It lives in
`store.identity_numbers` so the importers (store/) can refuse a file holding one."""

from store.identity_numbers import (
    COORDINATION_DAY_OFFSET,
    PERSONNUMMER,
    SAMORDNINGSNUMMER,
    find_identity_number,
    is_luhn_valid,
    luhn_check_digit,
)

__all__ = [
    "COORDINATION_DAY_OFFSET",
    "PERSONNUMMER",
    "SAMORDNINGSNUMMER",
    "find_identity_number",
    "is_luhn_valid",
    "luhn_check_digit",
]
