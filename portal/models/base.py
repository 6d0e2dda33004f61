"""Column types and helpers shared by every model."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
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


class StoredFileMixin:
    """An uploaded file stored outside `static/` under a random name, checked by content."""

    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    @declared_attr
    def created_at(cls):
        return mapped_column(UTCDateTime, default=utcnow, nullable=False)


def render_migration_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migration scripts, which must not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
