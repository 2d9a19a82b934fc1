"""Exports open as data in a spreadsheet, never as formulas (invariant 9, CWE-1236)."""

import csv
import io

import pytest

from core.csv_export import SafeWriter, neutralise


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_invariant_9_a_cell_a_spreadsheet_would_run_is_written_as_text(typed):
    """Invariant 9: a name typed as a formula reaches the CSV with a leading apostrophe."""
    buffer = io.StringIO()
    SafeWriter(buffer).writerow(["Gemeente", typed, 7])
    (row,) = csv.reader(io.StringIO(buffer.getvalue()))
    assert row == ["Gemeente", "'" + typed, "7"]


def test_invariant_9_ordinary_cells_and_suppressed_counts_stay_as_they_are():
    """Invariant 9: names, numbers and the dashboard's "< 5" are not changed."""
    assert [neutralise(v) for v in ["Testschool", "< 5", "≥ 12", 0, 15]] == [
        "Testschool",
        "< 5",
        "≥ 12",
        0,
        15,
    ]
