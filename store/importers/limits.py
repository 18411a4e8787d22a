"""How much an imported file may hold, in one place. A budget, a year's books or the
interventions list is a few hundred rows and well under a megabyte: these leave room many times
over, and refuse at once what would cost minutes and gigabytes (a 59 MB CSV, an XLSX of 1.2 MB
holding 277 MB of sheet XML). The checks run before the file is read whole: its size on disk,
an XLSX's uncompressed size from the zip's directory, rows counted while they are read."""

from __future__ import annotations

MAX_FILE_BYTES = 5 * 1024 * 1024  # on disk, CSV or XLSX
MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # every member of the zip, as unpacked
MAX_ROWS = 20_000  # non-empty lines of a CSV / rows of the sheet, the header included
MAX_NAMED_PROBLEMS = 20  # problems listed one by one; the rest are counted ("… och 4 812 fel till")
