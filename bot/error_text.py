"""The one rendering of an error code, for every edge (Slack's listeners, the CLI): a code
names a macro of templates/<lang>/errors.j2, except a grant form's problems (`grant_…`),
which speak from grants.j2 beside the form's other texts. Imports only the texts, so the
CLI's parsing stays quick."""

from __future__ import annotations

from store.errors import FinsamError
from workflows.texts import Texts

# A code's prefix → the template area that holds it; any other code is in errors.j2.
AREA_OF_PREFIX = {"grant_": "grants", "quarterly_": "quarterly", "application_": "applications"}


def error_area(code: str) -> str:
    """The template area (file under templates/<lang>/) whose macro renders `code`."""
    for prefix, area in AREA_OF_PREFIX.items():
        if code.startswith(prefix):
            return area
    return "errors"


def error_text(texts: Texts, err: FinsamError) -> str:
    return texts.get(error_area(err.code), err.code, **err.params)
