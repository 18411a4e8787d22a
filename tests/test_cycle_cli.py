"""`finsam-bot cycle import|next-year|show|ics` in-process with typer's CliRunner, on SQLite
and PostgreSQL: what each prints, exit codes, and that a refused file stores nothing."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from simulator.samples import BOARD_CYCLE_2026, sample_path
from tests.cli_runner import Cli, describe

EXAMPLE = sample_path(BOARD_CYCLE_2026)


@pytest.fixture
def cli(database_url: str, clean_env: Path) -> Cli:
    runner = Cli(database_url, clean_env)
    runner.ok("db", "upgrade")
    return runner


def test_import_then_show(cli: Cli) -> None:
    imported = cli.ok("cycle", "import", str(EXAMPLE))
    assert imported.stdout == (
        "Årshjulet 2026 importerat: 5 möten, 5 andra hållpunkter, 20 steg "
        "(händelser: 10 nya, 0 uppdaterade, 0 borttagna).\n"
    )
    again = cli.json("cycle", "import", str(EXAMPLE))
    assert (again["added"], again["updated"], again["warnings"]) == (0, 10, [])
    shown = cli.ok("cycle", "show", "--on", "2026-03-11").stdout
    assert "Styrelsens år – det som kommer" in shown
    assert "📅 Styrelsemöte – torsdag 19 mars 2026, 13:00–16:00" in shown
    assert "⚠️ Handlingar klara – försenat, skulle vara klart 2026-03-10" in shown
    data = cli.json("cycle", "show", "--on", "2026-03-11", "--count", "1")
    assert data["today"] == "2026-03-11"
    assert [e["uid"] for e in data["upcoming"]] == ["styrelse-mars"]
    assert data["upcoming"][0]["steps"][0] == {
        "step": "papers_due",
        "title": "Handlingar klara",
        "due": "2026-03-10",
        "remind": ["secretary"],
        "state": "late",
        "done_by": None,
        "done_at": None,
    }
    assert [e["uid"] for e in data["earlier"]] == ["internkontroll-helar"]


def test_a_bad_file_is_refused_whole(cli: Cli) -> None:
    bad = cli.files / "bad.yml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("offset: -10", "offset: -10.5")
        .replace('time: "13:00-16:00"', 'time: "25:00"')
        .replace("remind: [director]", "remind: [chair]"),
        encoding="utf-8",
    )
    result = cli("cycle", "import", str(bad))
    assert result.exit_code == 4, describe(result)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Årshjulet bad.yml importerades inte: 3 fel. Inget sparades."
    time_line = EXAMPLE.read_text(encoding="utf-8").splitlines().index('    time: "13:00-16:00"')
    assert lines[1].startswith(f'defaults.meeting.time (rad {time_line + 1}): "25:00" är ingen tid')
    assert any(line.startswith("meetings[2].steps[0].offset (rad ") for line in lines)
    assert any(line.startswith("milestones[0].steps[0].remind[0] (rad ") for line in lines)
    assert cli.json("cycle", "show", "--on", "2026-01-01")["upcoming"] == []  # nothing stored


def test_not_yaml(cli: Cli) -> None:
    bad = cli.files / "bad.yml"
    bad.write_text("year: 2026\nmeetings: [\n", encoding="utf-8")
    result = cli("cycle", "import", str(bad))
    assert result.exit_code == 4
    assert "inte giltig YAML" in result.stderr


def test_next_year_draft_imports(cli: Cli) -> None:
    out = cli.files / "board-cycle-2027.yml"
    result = cli.ok("cycle", "next-year", str(EXAMPLE), "--out", str(out))
    assert result.stdout == f"Utkast för 2027 skrivet till {out} – granska det innan import.\n"
    imported = cli.json("cycle", "import", str(out))
    assert (imported["year"], imported["meetings"], imported["milestones"]) == (2027, 5, 5)
    printed = cli.ok("cycle", "next-year", str(EXAMPLE)).stdout
    assert printed == out.read_text(encoding="utf-8")


def test_ics(cli: Cli) -> None:
    out = cli.files / "styrelsen.ics"
    missing = cli("cycle", "ics", "--out", str(out), "--year", "2026")
    assert missing.exit_code == 2
    assert "Det finns inget årshjul för 2026" in missing.stderr
    cli.ok("cycle", "import", str(EXAMPLE))
    result = cli.ok("cycle", "ics", "--out", str(out), "--year", "2026")
    assert result.stdout == f"10 händelser för 2026 skrivna till {out}.\n"
    parsed = icalendar.Calendar.from_ical(out.read_bytes())
    assert len(list(parsed.walk("VEVENT"))) == 10
