"""A clone works anywhere: no tracked file reaches outside the repository (the tests once read
a shared folder beside the project and failed everywhere else), and every file the docs name
in backticks is in the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
RELATIVE = re.compile(r"(?:\.\.[/\\])+[-\w./\\]*")
FILE_ANCESTOR = re.compile(
    r"Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?(?P<chain>(?:\.parent\b)+|\.parents\[(?P<k>\d+)\])"
)
# Absolute paths of the machine the project grew up on, and its folder beside the repository.
MACHINE = re.compile(r"(?<![\w.])/(?:work|home|Users)/[-\w.]+|\bshared[/\\](?:data|seeds|hooks)\b")
DOC_PATH = re.compile(r"`([^`\s]+/[^`\s]*\.[A-Za-z0-9]{1,5})`")


def tracked_texts() -> dict[str, str]:
    """Every tracked file that is text, by its path in the repository."""
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    texts: dict[str, str] = {}
    for name in filter(None, listing.split("\0")):
        path = ROOT / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (images, workbooks)
    return texts


def inside(name: str, relative: str) -> bool:
    """Whether `relative`, written in the file `name`, stays inside the repository."""
    depth = 0
    for part in [*PurePosixPath(name).parent.parts, *re.split(r"[/\\]", relative)]:
        if part == "..":
            depth -= 1
        elif part not in ("", "."):
            depth += 1
        if depth < 0:
            return False
    return True


def outside_references(name: str, text: str) -> list[str]:
    """Each line of `text` (the file `name`) that names a path outside the repository."""
    found: list[str] = []
    levels = len(PurePosixPath(name).parts) - 1  # folders between the file and the root
    for number, line in enumerate(text.splitlines(), start=1):
        hits = [m.group(0) for m in RELATIVE.finditer(line) if not inside(name, m.group(0))]
        for match in FILE_ANCESTOR.finditer(line):
            up = int(match["k"]) if match["k"] else match["chain"].count(".parent") - 1
            if up > levels:
                hits.append(match.group(0))
        hits += [m.group(0) for m in MACHINE.finditer(line)]
        found += [f"{name}:{number}: {hit}" for hit in hits]
    return found


def test_the_detector_finds_each_kind_of_reference_outside() -> None:
    """The scan below would pass on nothing if its patterns were wrong: plant each kind."""
    up, me, shared = ".." + "/", "Path(__file__)", "shared" + "/data"  # not found in this file
    planted = {
        f'DATA = {me}.resolve().parents[2] / "x"': True,
        f"CI = {me}.parent.parent.parent / 'x'": True,
        f"see `{up}{shared}/budget-2026.csv`": True,
        f"read {up}{up}elsewhere/file.txt": True,
        "/" + f"work/{shared}/budget.csv": True,
        f"ROOT = {me}.resolve().parents[1]": False,
        f"{me}.parent.parent / '.ci' / 'run'": False,
        f"a link to {up}README.md from a folder": False,
        "dates 2026/05/01 and sqlite:///finsam.db": False,
    }
    for line, outside in planted.items():
        assert bool(outside_references("tests/test_x.py", line)) is outside, line


def test_no_tracked_file_refers_to_a_path_outside_the_repository() -> None:
    texts = tracked_texts()
    assert "tests/budget_data.py" in texts and "pyproject.toml" in texts
    offenders = [hit for name, text in texts.items() for hit in outside_references(name, text)]
    assert offenders == [], "\n".join(offenders)


def doc_paths(text: str) -> list[tuple[int, str]]:
    """Paths a document names in backticks (`bot/app.py`), without patterns or URLs."""
    return [
        (number, path)
        for number, line in enumerate(text.splitlines(), start=1)
        for path in DOC_PATH.findall(line)
        if "://" not in path and not re.search(r"[<>*{}$]", path) and not path.startswith("/")
    ]


@pytest.mark.parametrize(
    "document", ["README.md", "ARCHITECTURE.md", "docs/FLOWS.md", "benchmarks/README.md"]
)
def test_every_file_a_document_names_is_in_the_repository(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    named = doc_paths(text)
    assert named, f"{document} names no file: the pattern is wrong"
    here = (ROOT / document).parent
    missing = [
        f"{document}:{number}: {path}"
        for number, path in named
        if not (ROOT / path).exists() and not (here / path).exists()
    ]
    assert missing == [], "\n".join(missing)
