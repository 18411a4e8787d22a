"""The project's one exception tree. Errors carry a message code and its values, not text:
the edges (the CLI's `bot/cli/common.py`, Slack's `bot/listeners/errors.py`) render them in
the user's language from templates/ (`bot/error_text.py`: errors.j2, grants.j2 for
`grant_…`); tests/test_error_codes.py checks every code raised has its macro.

    FinsamError
    ├── ConfigError          a setting is missing or wrong (names the variable)
    ├── NotFoundError        a year, intervention or person the user named does not exist
    ├── AccessDenied         the user lacks the role the action needs
    ├── BadArgument          a command argument the user typed is not understood
    ├── ConflictError        the action would overwrite data (e.g. a budget year without --replace)
    ├── ImportRejected       a file with bad rows: nothing of it was stored; carries every problem
    ├── DatabaseNotMigrated  the schema is behind the code
    ├── DatabaseUnavailable  the database server does not answer
    ├── SlackUnavailable     Slack kept failing after the retries (try again later)
    │   ├── SlackRateLimited a 429: Slack did not process the call; try after `retry_after`
    │   └── SlackUnreachable …where nothing can go on without it (Socket Mode's start)
    ├── LeaseLost            another process took over an outgoing message (stop, quietly)
    └── SendRejected         Slack refused a message for good (e.g. channel_not_found)
"""

from __future__ import annotations

from dataclasses import dataclass


class FinsamError(Exception):
    """Base: `code` names a message macro in templates/<lang>/errors.j2, `params` its values."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return f"{self.code} {self.params}"


class ConfigError(FinsamError):
    pass


class NotFoundError(FinsamError):
    pass


class AccessDenied(FinsamError):
    pass


class BadArgument(FinsamError):
    pass


class ConflictError(FinsamError):
    pass


class DatabaseNotMigrated(FinsamError):
    pass


class DatabaseUnavailable(FinsamError):
    pass


class SlackUnavailable(FinsamError):
    pass


class SlackRateLimited(SlackUnavailable):
    """A 429: Slack did not process the call, so the outcome is known (nothing happened)
    and the same call may go again after `retry_after` seconds."""

    def __init__(self, code: str, *, retry_after: float, **params: object) -> None:
        super().__init__(code, **params)  # the message's values: not the wait
        self.retry_after = retry_after


class SlackUnreachable(SlackUnavailable):
    """Slack did not answer where the bot cannot go on without it (Socket Mode's start):
    try again later (exit 75)."""


class LeaseLost(FinsamError):
    pass


class SendRejected(FinsamError):
    pass


@dataclass(frozen=True)
class RowProblem:
    """One bad cell of an imported file: line as the user sees it, column name, message code."""

    line: int
    column: str
    code: str
    value: str = ""


class ImportRejected(FinsamError):
    def __init__(self, problems: list[RowProblem], *, file: str) -> None:
        super().__init__("import_rejected", file=file, count=len(problems))
        self.problems = problems
