"""Every CSV the portal writes goes through here: no cell can run as a spreadsheet formula.

Names, phone numbers and e-mail addresses are typed by people. Opened in Excel or LibreOffice,
a cell such as ``=HYPERLINK("http://…", "click")`` or ``@SUM(…)`` is a formula (CSV injection).
A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
with a single quote in front (OWASP's advice), which spreadsheets show as text. Numbers the
portal computes (int, float, Decimal) are written as numbers.
"""

import csv
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a CSV cell that no spreadsheet reads as a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, *args, **kwargs) -> _SafeWriter:
    """Like `csv.writer`, with every cell passed through `safe_cell`."""
    return _SafeWriter(csv.writer(stream, *args, **kwargs))
