"""One pagination: the pages of a list (no app needed), and every paginated page showing its
links through the one macro."""
from portal.pagination import Page, PageBounds, page_of


def test_page_links_skip_the_middle_of_long_lists():
    assert Page([], 5, 10, 250).numbers() == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert Page([], 1, 3, 60).numbers() == [1, 2, 3]
    assert Page([], 1, 1, 0).numbers() == [1]


def test_a_page_out_of_range_is_the_nearest_one():
    assert PageBounds.of(120, 9, 50) == PageBounds(3, 3, 50)
    assert PageBounds.of(120, -4, 50).page == PageBounds.of(120, None, 50).page == 1
    assert PageBounds.of(0, 2, 50) == PageBounds(1, 1, 50)
    assert PageBounds.of(120, 2, 50).offset == 50


def test_a_list_is_cut_into_pages():
    last = page_of(list(range(7)), 3, 3)
    assert (last.items, last.page, last.pages, last.total) == ([6], 3, 3, 7)
    assert last.has_prev and not last.has_next
    assert page_of([], 1, 3).items == [] and not page_of([], 1, 3).has_next


def test_every_paginated_page_uses_the_macro(repo_root):
    templates = repo_root / "templates"
    own_links = [str(path.relative_to(templates)) for path in templates.rglob("*.html")
                 if 'class="pagination' in path.read_text(encoding="utf-8")]
    assert own_links == ["macros/pagination.html"]
    users = {str(path.relative_to(templates)) for path in templates.rglob("*.html")
             if "pagination_nav(" in path.read_text(encoding="utf-8")}
    assert {"proposals/organizer/proposals.html", "audit/log.html", "judging/index.html",
            "results/ranking.html"} <= users
