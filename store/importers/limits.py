"""How much an imported file may hold, in one place. A budget, a year's books or the
interventions list is a few hundred rows and well under a megabyte: these leave room many times
over, and refuse at once what would cost minutes and gigabytes (a 59 MB CSV, an XLSX of 1.2 MB
holding 277 MB of sheet XML). The checks run before the file is read whole: its size on disk,
an XLSX's uncompressed size from the zip's directory, rows counted while they are read."""

from __future__ import annotations

MAX_FILE_BYTES = 5 * 1024 * 1024  # on disk, CSV or XLSX
# The messages in templates/*/import.j2 name these figures (tests/test_import_limits.py checks).
# Every member of the zip, as unpacked: 20 000 rows of a budget sheet take about 8 MB; the
# worst a workbook under this can cost openpyxl is ~9 s and ~280 MB (benchmarks/bench_imports.py).
MAX_XLSX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000  # non-empty lines of a CSV / rows of the sheet, the header included
MAX_NAMED_PROBLEMS = 20  # problems listed one by one; the rest are counted ("… och 4 812 fel till")
