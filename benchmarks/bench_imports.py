"""What the import limits cost and save: time and peak memory of reading a budget file at the
limits, and of refusing files over them (store/importers/limits.py). Each case runs in a
process of its own so its peak memory is its own. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_imports.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store.importers.limits import (  # noqa: E402
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNCOMPRESSED_BYTES,
)

HEADER = "year,section,category,name,owner,support,amount_tkr"
READ_ONE = """
import resource, sys, time
from pathlib import Path
from store.errors import ImportRejected
from store.importers.budget import read_budget_file
started = time.monotonic()
try:
    year, lines = read_budget_file(Path(sys.argv[1]))
    outcome = f"read {len(lines)} lines"
except ImportRejected as err:
    outcome = "refused: " + ", ".join(sorted({p.code for p in err.problems}))
elapsed = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{elapsed:6.2f} s  {peak:6.0f} MB peak  {outcome}")
"""


def csv_rows(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            out.write(f"2026,cost,intervention,Insats {n} i Enköping,Enköping,individual,12\n")
    return path


def csv_bytes(path: Path, size: int) -> Path:
    row = b"2026,cost,intervention,Insats,Enk\xc3\xb6ping,individual,12\n"
    with path.open("wb") as out:
        out.write(HEADER.encode() + b"\n")
        out.write(row * (size // len(row) + 1))
    return path


def xlsx_rows(path: Path, rows: int) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER.split(","))
    for n in range(rows):
        sheet.append([2026, "cost", "intervention", f"Insats {n}", "Enköping", "individual", 12])
    book.save(path)
    return path


def zip_bomb(path: Path, unpacked: int) -> Path:
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(unpacked // len(chunk) + 1):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def xlsx_empty_rows(path: Path, unpacked: int) -> Path:
    """A real workbook (header row only) whose sheet goes on with formatted empty rows up to
    `unpacked` bytes of XML: the most a file under the limits can make openpyxl parse."""
    plain = xlsx_rows(path.with_suffix(".plain.xlsx"), 0)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                head, tail = data.split(b"</sheetData>")
                with out.open(info.filename, "w") as sheet:
                    sheet.write(head)
                    row, written = 2, len(data)
                    while written < unpacked:
                        chunk = b"".join(
                            b'<row r="%d" s="1" customFormat="1"/>' % r
                            for r in range(row, row + 10000)
                        )
                        sheet.write(chunk)
                        written += len(chunk)
                        row += 10000
                    sheet.write(b"</sheetData>" + tail)
            else:
                out.writestr(info, data)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = [
            ("CSV, rows at the limit", csv_rows(d / "a.csv", MAX_ROWS - 1)),
            ("CSV, one row over", csv_rows(d / "b.csv", MAX_ROWS)),
            ("CSV, just over the size limit", csv_bytes(d / "c.csv", MAX_FILE_BYTES)),
            ("CSV, 59 MB (the audit's file)", csv_bytes(d / "d.csv", 59 * 1024 * 1024)),
            ("XLSX, rows at the limit", xlsx_rows(d / "e.xlsx", MAX_ROWS - 1)),
            ("XLSX, one row over", xlsx_rows(d / "f.xlsx", MAX_ROWS)),
            ("XLSX, 277 MB of sheet XML", zip_bomb(d / "g.xlsx", 277 * 1024 * 1024)),
            (
                "XLSX, sheet XML just under the limit",
                xlsx_empty_rows(d / "h.xlsx", MAX_XLSX_UNCOMPRESSED_BYTES - 2 * 1024 * 1024),
            ),
        ]
        for name, path in cases:
            size = path.stat().st_size / 1024 / 1024
            result = subprocess.run(
                [sys.executable, "-c", READ_ONE, str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            print(f"{name:38} {size:7.1f} MB on disk  {result.stdout.strip()}")


if __name__ == "__main__":
    main()
