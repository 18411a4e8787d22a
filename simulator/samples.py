"""The sample association's files (budget, interventions, the board's year), shipped inside
the package as package data: the demo imports them from an installed wheel in any directory,
and the tests read the same files from a clone anywhere."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

BUDGET_2026 = "budget-uppsala-2026.csv"
INTERVENTIONS_2026 = "interventions-uppsala-2026.csv"
BOARD_CYCLE_2026 = "board-cycle-2026.yml"


def sample_path(name: str) -> Path:
    """A shipped sample as a path on disk: the demo hands it to CLI child processes. Wheels
    are installed unpacked, so the resource is a real file; anything else is a packaging
    fault, said plainly rather than as a missing file later."""
    resource = files("simulator").joinpath("data", name)
    if not isinstance(resource, Path) or not resource.is_file():
        raise FileNotFoundError(f"sample file {name} is not installed with simulator")
    return resource
