"""CSV files that a spreadsheet opens as data, never as formulas (CWE-1236, invariant 9).

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice. Names of organisations and people come from users; an exported register or log must
not run what someone typed. Such a cell gets a leading apostrophe, which spreadsheets show as text.
"""

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A csv.writer whose cells pass `neutralise`; the project's exports use CRLF lines."""

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, row: Any) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)
