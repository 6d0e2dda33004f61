"""The ranking's columns are defined once (portal.results.columns): the ranked list and the
ranking sheet (XLSX and CSV) name every column the same and show the same figure in it."""
import io
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from portal.results.columns import CHANCE, MONEY, PLAIN, SCORE, ranking_columns
from portal.results.ranking import round_ranking
from portal.scoring import METHODS
from tests.test_exports import build_contest, download

ZH = {"Accept-Language": "zh-CN"}


class ColumnCells(HTMLParser):
    """The page's table rows: [(key, text, is_header)] of each element with a data-column."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self._open, self._depth = [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        attributes = dict(attrs)
        if self._open is None and "data-column" in attributes and self.rows:
            self._open = [attributes["data-column"], "", tag == "th"]
            self._depth = 0
        elif self._open is not None:
            self._depth += 1

    def handle_endtag(self, tag):
        if self._open is None:
            return
        if self._depth == 0:
            key, text, header = self._open
            self.rows[-1].append((key, " ".join(text.split()), header))
            self._open = None
        else:
            self._depth -= 1

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data


def page_cells(html):
    reader = ColumnCells()
    reader.feed(html)
    return [row for row in reader.rows if row]


def sheet_of(response, header_start):
    workbook = load_workbook(io.BytesIO(response.data))
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        if rows and rows[0][:2] == header_start:
            return rows
    raise AssertionError("no ranking sheet")


@pytest.fixture
def built(client, auth, contest, organizer):
    judges, proposals = build_contest(contest, organizer)
    auth.login(organizer)
    return proposals


def _agree(client, contest, page_query=""):
    page = client.get(f"/admin/contests/{contest.slug}/ranking{page_query}", headers=ZH)
    assert page.status_code == 200
    with force_locale("zh_Hans_CN"):
        columns = ranking_columns(round_ranking(contest, with_intervals=False), "zh")
    rows = sheet_of(download(client, contest, "xlsx", headers=ZH),
                    [columns[0].label, columns[1].label])
    header, body = rows[0], rows[1:]
    assert header == [column.label for column in columns]
    at = {column.key: index for index, column in enumerate(columns)}
    by_reference = {line[at["reference"]]: line for line in body}
    cells = page_cells(page.get_data(as_text=True))
    headers = [cell for row in cells for cell in row if cell[2]]
    assert {key for key, _text, _header in headers} >= {"rank", "title", "theme", "score",
                                                         "reviews", "chance"} - (
        {"rank"} if "theme=" in page_query else set())
    for key, text, _header in headers:
        assert text == columns[at[key]].label, key          # the sheet's header, word for word
    checked = 0
    for row in cells:
        found = dict((key, text) for key, text, header in row if not header)
        if "reference" not in found:
            continue
        line = by_reference[found["reference"]]
        for key, text in found.items():
            column = columns[at[key]]
            assert text.replace("—", "") == column.format.text(line[at[key]]), (key, text)
            checked += 1
    assert checked >= 4 * 6
    return columns


def test_the_page_and_the_ranking_sheet_agree_on_every_column_the_page_shows(built, client,
                                                                            contest):
    columns = _agree(client, contest)
    formats = {column.key: column.format for column in columns}
    assert formats["score"] is SCORE and formats["chance"] is CHANCE
    assert formats["grant"] is MONEY and formats["title"] is PLAIN
    assert {f"score:{method}" for method in METHODS} <= set(formats)


def test_they_agree_on_a_theme_s_list_too(built, client, contest):
    _agree(client, contest, f"?theme={contest.themes[4].code}")


def test_a_column_s_number_format_is_the_one_its_definition_gives(built, client, contest):
    response = download(client, contest, "xlsx", headers=ZH)
    workbook = load_workbook(io.BytesIO(response.data))
    with force_locale("zh_Hans_CN"):
        columns = ranking_columns(round_ranking(contest, with_intervals=False), "zh")
    sheet = next(sheet for sheet in workbook.worksheets
                 if sheet.cell(1, 1).value == columns[0].label
                 and sheet.cell(1, 2).value == columns[1].label)
    checked = set()
    for index, column in enumerate(columns, start=1):
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row, index)
            if column.format.number_format and cell.value is not None:
                assert cell.number_format == column.format.number_format, column.key
                checked.add(column.key)
    assert {"score", "official_unclipped", "grant"} <= checked
