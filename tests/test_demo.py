"""`make demo` keeps working: the whole bot against the fake, as a newcomer first sees it, run
from the built wheel installed on its own, in an empty directory. What the demo reads (the
sample budget, interventions, the board's year, templates, forms, migrations) must be in the
wheel: a file found only beside the checkout fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "simulator", "workflows", "store", "templates")


def tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (ROOT / name).is_file()]


def run(
    *command: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the tracked files only, as a fresh clone would build it."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    for name in tracked_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    dist = base / "dist"
    pip = (sys.executable, "-m", "pip", "--quiet")
    run(
        *pip,
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--wheel-dir",
        str(dist),
        str(source),
        cwd=base,
    )
    (built,) = dist.glob("finsam_bot-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A virtual environment holding only the wheel; the dependencies come from this one's
    site-packages through a .pth line, which adds the folder without running its .pth files,
    so the editable install of the checkout is not on the path. Its interpreter."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--quiet", "--python", str(python))
    run(*pip, "install", "--no-deps", "--no-index", str(wheel))
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run(str(python), "-c", purelib).stdout.strip())
    (site / "finsam_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    yield python


def installed_env() -> dict[str, str]:
    """No settings and no PYTHONPATH from the caller: only what the wheel brings."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "FINSAM_", "DATABASE_", "PYTHON", "LOG_"))
    }


def test_every_tracked_file_of_the_packages_is_in_the_wheel(wheel: Path) -> None:
    expected = {
        name
        for name in tracked_files()
        if name.split("/")[0] in PACKAGES and "__pycache__" not in name
    }
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    assert "simulator/data/board-cycle-2026.yml" in expected
    assert sorted(expected - shipped) == []


def test_the_installed_package_is_the_wheel_not_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    where = "import bot, store, templates; print(bot.__file__, store.__file__, templates.__file__)"
    done = run(str(installed), "-c", where, cwd=tmp_path, env=installed_env())
    for line in done.stdout.split():
        assert Path(line).is_relative_to(installed.parents[1]), line
        assert not Path(line).is_relative_to(ROOT), line


@pytest.mark.timeout(900)
def test_demo_runs_end_to_end_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    script = installed.parent / "finsam-bot"
    done = subprocess.run(
        [str(script), "demo", "--out", "out"],
        cwd=empty,
        env=installed_env(),
        capture_output=True,
        text=True,
        timeout=840,
        check=False,
    )
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    shown = done.stdout.replace("\u00a0", " ")
    out = empty / "out"
    assert "Kvarvarande beslutsutrymme: 1 007 tkr" in shown
    assert "Det här kommandot är till för kansliet" in shown  # the lead is refused
    assert "Jag känner inte igen `budjet`" in shown
    assert "Skickat: 1, försöks igen senare: 0, misslyckade: 0." in shown
    assert "sammanfattningar i kanslikanalen: 1" in shown
    assert (out / "budget-2026-11.png").read_bytes().startswith(b"\x89PNG")
    # The reporting quarter: reminders, a form refused inline then stored, a report sent back
    # and corrected, a late one, the office told, and the status table.
    assert "ska månadsrapporten från Växtkraft (Enköping) för mars 2026 lämnas" in shown
    assert "delarna kan inte vara fler än helheten" in shown
    assert "har skickat tillbaka månadsrapporten från " in shown
    assert "(version 2, ersätter den tidigare)" in shown
    assert "markerad som sen" in shown
    # the office's one post of the morning, naming every late report
    assert "besked om sena rapporter i kanslikanalen: 1 inlägg om " in shown
    assert "månadsrapporten för mars 2026 skulle ha lämnats" in shown
    assert "Rapportläge mars 2026" in shown
    # Going live without FINSAM_REPORTS_FROM: nothing about what was already late.
    assert "påminnelser från första körningen: 0" in shown
    # The board's year: the cycle, a delegation decision, the papers day, Klart.
    assert "Årshjulet 2026 importerat: 5 möten" in shown
    assert "kvar efter beslut 857 tkr" in shown
    assert "Delegationsbeslut sedan 2026-03-19: 1 st" in shown
    assert "✅ Klart – markerat av <@U0SEKR001> 2026-05-19" in shown
    assert "✅ Handlingar klara – klart 2026-05-19" in shown
    assert (out / "underlag-styrelsen-2026-05-28.xlsx").read_bytes()[:2] == b"PK"
    # The board's documents: a Lokussamordnare's Q1 report, the intervention's page sent to
    # the Lokusgrupp's channel once, the interim report's workbook saved and read back.
    assert "Kvartalsrapporten från Lokussamordnare (Älvkarleby) för kvartal 1 2026" in shown
    assert "• Kv 1: Ej påbörjat – _Den första utbildningsdagen planeras till hösten._" in shown
    assert "Sammanställningen skickas till <#C0LOKUSALV>." in shown
    assert shown.count("skickad av <@U0KANSLI1> 2026-09-07") == 1  # the page as posted
    assert "sammanställningar i #lokusgrupp-alvkarleby: 1" in shown
    check_interim_workbook(out / "delarsrapport-2026-08.xlsx", shown)
    assert sorted(p.name for p in empty.iterdir()) == ["out"]  # nothing written beside it


def check_interim_workbook(path: Path, shown: str) -> None:
    """The file the office got in its DM, as the demo saved it: the interim report's sheets,
    the transcript naming them and quoting the participant paragraph, and the Lokussamordnare's
    first quarter in the compilation sheet."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = workbook.sheetnames
    assert names[0] == "Deltagare" and "Kvartalssammanställning" in names
    assert f"flikar: {', '.join(names)}" in shown
    column_a = [row[0] for row in workbook["Deltagare"].iter_rows(values_only=True) if row]
    assert str(column_a[0]).startswith("Delårsrapport 2026 t.o.m. augusti")
    paragraph = next(c for c in column_a if isinstance(c, str) and "personer deltagit" in c)
    assert paragraph.split("\n")[0] in shown
    rows = list(workbook["Kvartalssammanställning"].iter_rows(values_only=True))
    lokus = [r for r in rows if r[:2] == ("Lokussamordnare", "Älvkarleby")]
    assert [r[5] for r in lokus] == ["På väg att nås", "Ej påbörjat"]
    workbook.close()
