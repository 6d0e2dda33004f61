"""Money as integer fen (分): parsing what people type, showing it, splitting it into tranches.

Plain Python, no Flask: every sum stays exact whatever the database (SQLite has no decimal type).
"""
import re
from decimal import Decimal, InvalidOperation

# 元 with at most two decimals, an optional thousands separator; never negative.
_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})*(\.\d{1,2})?$|^\d+(\.\d{1,2})?$")
# Well above any charity grant, and far below what a BIGINT holds.
MAX_FEN = 10 ** 13


class BadAmount(ValueError):
    """The text is not an amount in yuan with at most two decimals, or it is negative."""


def parse_yuan(text):
    """'12,345.6' -> 1234560 fen. Raises BadAmount for anything else (negative, three
    decimals, letters, too large)."""
    cleaned = str(text).strip().replace("，", ",").replace("¥", "").replace("￥", "").strip()
    if not _AMOUNT.match(cleaned):
        raise BadAmount(text)
    fen = int(Decimal(cleaned.replace(",", "")) * 100)
    if fen > MAX_FEN:
        raise BadAmount(text)
    return fen


def fen_from_decimal(value):
    """A Numeric(14, 2) amount in yuan (a Decimal, from the proposal or the award) in fen."""
    if value is None:
        return 0
    try:
        fen = Decimal(value) * 100
    except InvalidOperation as error:
        raise BadAmount(value) from error
    if fen < 0 or fen != fen.to_integral_value():
        raise BadAmount(value)
    return int(fen)


def yuan(fen):
    """Fen as a Decimal of yuan with two places, for spreadsheets and display."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def format_yuan(fen):
    """'¥12,345.60' (a minus sign for a negative variance)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{yuan(abs(fen)):,}"


def split_by_percent(amount_fen, percents):
    """The tranche amounts for these percentages (which must add up to 100): each rounded down
    to the fen, and what rounding left over goes to the last, so the parts add up exactly."""
    if sum(percents) != 100 or any(p < 0 for p in percents):
        raise ValueError("percentages must be non-negative and add up to 100")
    parts = [amount_fen * percent // 100 for percent in percents]
    parts[-1] += amount_fen - sum(parts)
    return parts
