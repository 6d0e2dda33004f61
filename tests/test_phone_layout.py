"""Phones: a table whose rows carry buttons stacks into one card per row (`table-stack` in
static/css/portal.css), so that the buttons are on screen, and each of its cells names its column.

The templates are read as text, so that a new table with row buttons is caught without a page
that shows it. The browser side (nothing scrolls sideways at 375 px) is in tests/e2e.
"""
import re

import pytest

from portal.config import REPO_ROOT

TEMPLATES = sorted((REPO_ROOT / "templates").rglob("*.html"))
TABLE = re.compile(r"<table\b(?P<attributes>[^>]*)>(?P<body>.*?)</table>", re.S)
TBODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)
ROW_BUTTON = re.compile(r'class="btn\b|post_button\(')


def tables(path):
    for match in TABLE.finditer(path.read_text(encoding="utf-8")):
        rows = "".join(TBODY.findall(match["body"]))
        yield match["attributes"], rows


def cells(rows):
    """The opening tag and the content of each <td> (up to the next cell or the row's end)."""
    for chunk in re.split(r"(?=<td\b)", rows)[1:]:
        tag, _, rest = chunk.partition(">")
        yield tag, re.split(r"</tr>|<tr\b", rest)[0]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_tables_with_row_buttons_stack_on_a_phone(path):
    for attributes, rows in tables(path):
        if ROW_BUTTON.search(rows):
            assert "table-stack" in attributes, f"{path.name}: a table with row buttons"
        if "table-stack" not in attributes:
            continue
        for tag, content in cells(rows):
            assert "data-label=" in tag or "colspan" in tag or ROW_BUTTON.search(content), \
                f"{path.name}: a cell that does not name its column: {tag}>{content[:80]}"


def test_the_check_finds_a_table_with_row_buttons(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<table class="table"><tbody><tr><td>{{ name }}</td>'
                    '<td><a class="btn btn-sm" href="#">Edit</a></td></tr></tbody></table>')
    with pytest.raises(AssertionError, match="a table with row buttons"):
        test_tables_with_row_buttons_stack_on_a_phone(page)
    page.write_text(page.read_text().replace('class="table"', 'class="table table-stack"'))
    with pytest.raises(AssertionError, match="does not name its column"):
        test_tables_with_row_buttons_stack_on_a_phone(page)
    page.write_text(page.read_text().replace("<td>{{", '<td data-label="Name">{{'))
    test_tables_with_row_buttons_stack_on_a_phone(page)
