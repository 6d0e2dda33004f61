"""Column types and helpers shared by every model."""
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow():
    """The current time, timezone-aware in UTC (a callable, so defaults are evaluated per row)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC (SQLite has no time zones) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def one_of(column, values):
    """The SQL of a check constraint: `column` holds one of `values` (plain words)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class BilingualMixin:
    """Rows with `<field>_zh` and `<field>_en` columns; Chinese is the fallback."""

    def localized(self, field, locale):
        if str(locale).startswith("en"):
            english = getattr(self, f"{field}_en", None)
            if english:
                return english
        return getattr(self, f"{field}_zh")
