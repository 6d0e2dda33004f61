"""Chinese text in the order its readers expect: by pinyin (拼音), as dictionaries, name lists and
spreadsheets sort it, not by Unicode code point (which puts 张 before 李 and 安 after both).

Pure Python; portal.database gives the same order to SQL (`pinyin_ordered`).
"""
import re
from functools import lru_cache


# Digit runs are padded to this width before comparing, so that they compare by value.
NUMBER_WIDTH = 20
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=65536)
def pinyin_key(text):
    """A sort key for a name or title: its syllables in pinyin with tone numbers (安 an1 <
    李 li3 < 张 zhang1), other characters as they are, case ignored; the text itself breaks ties
    between homophones, so that the order is total and stable. Numbers go by value, not digit
    by digit (专家2 < 专家10)."""
    from pypinyin import Style, lazy_pinyin   # on first use (portal.deferred_imports)

    text = text or ""
    padded = _DIGITS.sub(lambda number: number.group().zfill(NUMBER_WIDTH), text.casefold())
    syllables = lazy_pinyin(padded, style=Style.TONE3, neutral_tone_with_five=True)
    return tuple(syllables), text


def compare_pinyin(left, right):
    """-1, 0 or 1, as SQLite's collations answer."""
    left_key, right_key = pinyin_key(left), pinyin_key(right)
    return (left_key > right_key) - (left_key < right_key)
