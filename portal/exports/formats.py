"""Spreadsheet files from plain sheets: CSV with a BOM, a ZIP of CSVs, an XLSX workbook.

No database and no Flask here: a sheet is a title, a header and rows of plain values. In CSV,
text that a spreadsheet would run as a formula is neutralized with a leading apostrophe; in XLSX
it is written as a string cell, which Excel shows as it is and never evaluates. Numbers and times
stay numbers and times.
"""
import codecs
import csv
import io
import itertools
import math
import operator
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

import xlsxwriter

# Cells that a spreadsheet would run as a formula start with one of these.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (int, float, Decimal)
CSV_ROWS_PER_CHUNK = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet's name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})


@dataclass
class Sheet:
    """One table of an export: `key` names its CSV file, `title` its XLSX tab."""

    key: str
    title: str
    header: list
    rows: Iterable = field(default_factory=list)
    widths: dict = field(default_factory=dict)   # column index -> width in characters
    formats: dict = field(default_factory=dict)  # column index -> XLSX number format


def spreadsheet_safe(value):
    """Text that Excel shows as text: formula-like cells get a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def undo_spreadsheet_safe(text):
    """The text before `spreadsheet_safe`: an import reads back what an export wrote."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_PREFIXES):
        return text[1:]
    return text


def cell_value(value):
    """A value for an XLSX cell: numbers and times as they are, anything else as its text (left
    as it is: `write_xlsx` writes text as a string cell, never a formula), None empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (*NUMBERS, datetime, date)):
        return value
    return str(value)


def csv_cell(value):
    """A value as CSV text: numbers unquoted as written, times to the minute, text neutralized."""
    # The common cells first, without the general checks: an export writes millions of them.
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
    if kind is int or kind is Decimal:
        return str(value)
    if kind is float:
        return str(value) if math.isfinite(value) else ""
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet_safe(value)


def csv_with_bom(header, rows):
    """CSV that Excel opens with Chinese text intact: UTF-8 with a byte-order mark, CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


# Cells the csv module writes as csv_cell does (None empty, numbers as str(), text as it is),
# but for text that starts like a formula and non-finite floats.
_CSV_AS_WRITTEN = frozenset({str, int, float, Decimal, type(None)})


def _written_as_they_are(rows):
    """Whether the csv module's own conversion writes every cell of `rows` as csv_cell does:
    all of a plain type, no text that starts like a formula, no nan or infinity. Only builtins
    walk the cells (a Python loop over them would cost what csv_cell does)."""
    cells = list(itertools.chain.from_iterable(rows))
    kinds = list(map(type, cells))
    if not set(kinds) <= _CSV_AS_WRITTEN:
        return False
    texts = itertools.compress(cells, map(operator.is_, kinds, itertools.repeat(str)))
    floats = itertools.compress(cells, map(operator.is_, kinds, itertools.repeat(float)))
    return not any(map(str.startswith, texts, itertools.repeat(_FORMULA_PREFIXES))) \
        and all(map(math.isfinite, floats))


def iter_csv(sheet):
    """The sheet as UTF-8 CSV bytes with a BOM, in chunks of a few hundred rows."""
    lines = []
    writer = csv.writer(_Lines(lines), lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in sheet.header])
    yield codecs.BOM_UTF8 + lines.pop().encode("utf-8")
    rows = iter(sheet.rows)
    while chunk := list(itertools.islice(rows, CSV_ROWS_PER_CHUNK)):
        # Most chunks hold only plain cells: writing them cell by cell through csv_cell took
        # twice the csv module's own time.
        if _written_as_they_are(chunk):
            writer.writerows(chunk)
        else:
            for row in chunk:
                writer.writerow([csv_cell(cell) for cell in row])
        yield "".join(lines).encode("utf-8")
        lines.clear()


class _Lines:
    """A file for csv.writer that keeps each written row's line in a list."""

    def __init__(self, lines):
        self.write = lines.append


def write_csv(sheet, out):
    """Write one sheet as CSV to the binary file `out`."""
    for chunk in iter_csv(sheet):
        out.write(chunk)


def write_zip(sheets, out, written=lambda count: None):
    """Write a ZIP with one CSV per sheet (`<key>.csv`) to the binary file `out`;
    `written(count)` is told how many sheets are written, after each one."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for count, sheet in enumerate(sheets, 1):
            with archive.open(f"{sheet.key}.csv", "w") as entry:
                write_csv(sheet, entry)
            written(count)


def sheet_title(title, taken=()):
    """A tab name Excel accepts: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = (str(title).translate(_SHEET_NAME_FORBIDDEN).strip("' ") or "Sheet")[:31]
    name, number = base, 2
    while name.casefold() in {existing.casefold() for existing in taken}:
        suffix = f" {number}"
        name, number = base[:31 - len(suffix)] + suffix, number + 1
    return name


def write_xlsx(sheets, out, written=lambda count: None):
    """Write one workbook with a tab per sheet to the binary file `out`; `written(count)` is
    told how many sheets are written, after each one.

    XlsxWriter in constant-memory mode writes each row out as it comes (the rows may be a
    generator) and keeps no shared-strings table: a whole contest's workbook in bounded memory,
    several times faster than openpyxl's writer. Every cell is written by its type, so no text
    is ever taken for a formula or a link: formula-like text is a string cell that Excel shows
    as typed, with no apostrophe to see, marked to stay text when edited (CSV, which has no
    cell types, gets the apostrophe).
    """
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False,
                                         "strings_to_numbers": False})
    styles = _CellStyles(workbook)
    taken = []
    for count, sheet in enumerate(sheets, 1):
        title = sheet_title(sheet.title, taken)
        taken.append(title)
        worksheet = workbook.add_worksheet(title)
        worksheet.freeze_panes(1, 0)
        for index, header in enumerate(sheet.header):
            width = sheet.widths.get(index) or min(max(len(str(header)) * 2, 10), 40)
            worksheet.set_column(index, index, width)
            text = str(cell_value(header) or "")
            worksheet.write_string(0, index, text, styles.text(text, bold=True))
        _write_xlsx_rows(worksheet, styles, sheet)
        written(count)
    workbook.close()


def _write_xlsx_rows(worksheet, styles, sheet):
    """The sheet's rows: the common cells (text, float, int, Decimal, None) by their exact
    type with each column's style looked up once, the others through _write_xlsx_cell."""
    columns = range(len(sheet.header))   # a cell beyond the header is not written
    formats = [sheet.formats.get(index) for index in columns]
    decimal_styles = [styles[number_format or "0.00"] for number_format in formats]
    int_styles = [styles[number_format] if number_format else None for number_format in formats]
    # XlsxWriter's undecorated writers (`write_string` is `_write_string` behind a decorator
    # that accepts "A1" cell names): a tenth of a whole contest's workbook went to it.
    write_string, write_number = worksheet._write_string, worksheet._write_number
    for row_number, row in enumerate(sheet.rows, start=1):
        for column, value in zip(columns, row):
            kind = type(value)
            if kind is str:
                if value:
                    write_string(row_number, column, value, styles.text(value))
            elif kind is float:
                if math.isfinite(value):
                    write_number(row_number, column, value, decimal_styles[column])
            elif kind is int:
                write_number(row_number, column, value, int_styles[column])
            elif kind is Decimal:
                write_number(row_number, column, float(value), decimal_styles[column])
            elif value is not None:
                _write_xlsx_cell(worksheet, styles, row_number, column, value, formats[column])


class _CellStyles(dict):
    """Number format -> the workbook's format object, made once; `text()` for text cells."""

    def __init__(self, workbook):
        super().__init__()
        self.workbook = workbook
        # quote_prefix is Excel's own mark for text typed after an apostrophe: shown without it,
        # and still text when someone edits the cell and presses Enter.
        self._text = {  # (bold, formula-like) -> format
            (False, False): None,
            (False, True): workbook.add_format({"quote_prefix": True}),
            (True, False): workbook.add_format({"bold": True}),
            (True, True): workbook.add_format({"bold": True, "quote_prefix": True}),
        }

    def text(self, text, bold=False):
        """The format of a text cell: formula-like text is marked to stay text."""
        return self._text[bold, text.startswith(_FORMULA_PREFIXES)]

    def __missing__(self, number_format):
        style = self[number_format] = self.workbook.add_format({"num_format": number_format})
        return style


def _write_xlsx_cell(worksheet, styles, row, column, value, number_format=None):
    """A cell of a type other than the common ones of _write_xlsx_rows (a time, a bool, a lazy
    text, a number of another type), through cell_value's general checks."""
    value = cell_value(value)
    if value is None or value == "":
        return   # an empty cell, as a spreadsheet leaves it
    if isinstance(value, datetime):
        worksheet.write_datetime(row, column, value.replace(microsecond=0, tzinfo=None),
                                 styles[number_format or "yyyy-mm-dd hh:mm"])
    elif isinstance(value, date):
        worksheet.write_datetime(row, column, value, styles[number_format or "yyyy-mm-dd"])
    elif isinstance(value, (Decimal, float)):
        worksheet.write_number(row, column, float(value), styles[number_format or "0.00"])
    elif isinstance(value, int):
        worksheet.write_number(row, column, value,
                               styles[number_format] if number_format else None)
    else:
        worksheet.write_string(row, column, value, styles.text(value))
