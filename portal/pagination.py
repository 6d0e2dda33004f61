"""Pages of a long list, one shape for every paginated page (templates/macros/pagination.html).

Plain Python: a list in memory is cut by `page_of`; a query pages itself with `PageBounds`'
offset and limit, then makes its `Page`.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageBounds:
    """Where page `page` of `total` items, `per_page` a page, starts. A page before the first
    is the first and one past the last is the last (a stale link still shows something)."""

    page: int
    pages: int
    per_page: int

    @classmethod
    def of(cls, total, page, per_page):
        pages = max(1, -(-total // per_page))
        return cls(min(max(page or 1, 1), pages), pages, per_page)

    @property
    def offset(self):
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page:
    """The items of one page, which page it is, and how many there are."""

    items: list = field(repr=False)
    page: int
    pages: int
    total: int

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    def numbers(self, around=2):
        """The page numbers to link: the first, the last and `around` each side of the current
        one; None where pages are left out."""
        numbers = []
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.page) <= around:
                numbers.append(number)
            elif numbers[-1] is not None:
                numbers.append(None)
        return numbers


def page_of(items, page, per_page):
    """Page `page` of a list in memory (see PageBounds for pages out of range)."""
    bounds = PageBounds.of(len(items), page, per_page)
    return Page(items[bounds.offset:bounds.offset + per_page], bounds.page, bounds.pages,
                len(items))
