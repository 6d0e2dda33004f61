"""What a criterion is, by kind: its scale and step, how a typed or spreadsheet value is read,
whether a value fits, how a score is shown, written into an export cell and offered on the
review form. The review form, the score service, the paper import, the ranking and the exports
all ask the criterion's kind; none of them formats or parses a score of its own.

Two kinds: SCALE (a number from scale_min to scale_max in steps of scale_step: 1-10, or 0-100
by 5) and YES_NO (a yes-or-no answer: yes counts as the scale's top, no as its bottom, so that
it weighs in a review's total like any criterion). Another kind is a new class here with the
same methods, registered in KINDS under its code; the database's check constraint on
criteria.kind lists the codes (portal.models.contests.Criterion, a migration).
"""
import unicodedata
from decimal import Decimal, InvalidOperation

from portal.i18n import lazy_gettext as _l
from portal.validation import plain_number

# A scale with at most this many steps is a row of buttons to tap (1-10 is ten); a longer or
# finer one stays a number box.
MAX_TAP_OPTIONS = 11


def _number(value):
    """(Decimal, None) or (None, message): a typed, full-width or spreadsheet number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _l("Enter a score.")
    if isinstance(value, bool):
        return None, _l("Enter a number.")
    text = repr(value) if isinstance(value, float) else unicodedata.normalize(
        "NFKC", str(value)).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, _l("Enter a number.")
    if not number.is_finite():
        return None, _l("Enter a number.")
    return number, None


def _places(step):
    """Decimal places a step needs: 1 -> 0, 0.5 -> 1, 0.25 -> 2."""
    return max(0, -Decimal(step).normalize().as_tuple().exponent)


class ScaleKind:
    """Scores from scale_min to scale_max in steps of scale_step, counted from scale_min."""

    code = "scale"
    label = _l("Number on a scale")

    def bounds(self, criterion):
        """(lowest, highest) score: the ranking's total scale is built from them."""
        return criterion.scale_min, criterion.scale_max

    def parse(self, criterion, value):
        """A typed or spreadsheet value as (Decimal, None), or (None, message)."""
        return _number(value)

    def refusal(self, criterion, value):
        """Why `value` does not fit the criterion (a message), or None when it does."""
        if value < criterion.scale_min or value > criterion.scale_max:
            return _l("Give a score from %(low)s to %(high)s.",
                      low=plain_number(criterion.scale_min),
                      high=plain_number(criterion.scale_max))
        if (value - criterion.scale_min) % criterion.scale_step != 0:
            return _l("Scores go in steps of %(step)s.", step=plain_number(criterion.scale_step))
        return None

    def show(self, criterion, value):
        """A stored score as people read it: 7.5, 10."""
        return "" if value is None else plain_number(value)

    def cell(self, criterion, value):
        """A stored score as an export cell: a number, which the paper import reads back."""
        return value

    def number_format(self, criterion):
        """The XLSX number format of the criterion's cells: as many decimals as the step."""
        places = _places(criterion.scale_step)
        return "0." + "0" * places if places else "0"

    def scale_text(self, criterion):
        """The scale in a few characters, for a printed score sheet: 1–10."""
        return f"{plain_number(criterion.scale_min)}–{plain_number(criterion.scale_max)}"

    def summary(self, criterion):
        """The scale in a few words, for the contest's public page: 评分范围 1–10."""
        return _l("scale %(low)s–%(high)s", low=plain_number(criterion.scale_min),
                  high=plain_number(criterion.scale_max))

    def explanation(self, criterion):
        """The score field's help: the scale and its step."""
        return _l("Scale: %(low)s to %(high)s, in steps of %(step)s.",
                  low=plain_number(criterion.scale_min), high=plain_number(criterion.scale_max),
                  step=plain_number(criterion.scale_step))

    def input_attributes(self, criterion):
        """The score input's HTML attributes (the service checks again)."""
        return {"inputmode": "decimal", "min": plain_number(criterion.scale_min),
                "max": plain_number(criterion.scale_max),
                "step": plain_number(criterion.scale_step)}

    def choices(self, criterion):
        """(value, label) of each score to tap when the scale is short ("1" … "10"); an empty
        list when it is a number box."""
        low, high, step = criterion.scale_min, criterion.scale_max, criterion.scale_step
        if step <= 0 or (high - low) / step + 1 > MAX_TAP_OPTIONS:
            return []
        options, value = [], low
        while value <= high:
            options.append((plain_number(value), plain_number(value)))
            value += step
        return options


class YesNoKind(ScaleKind):
    """A yes-or-no answer ("meets the brief"): yes is stored as scale_max, no as scale_min."""

    code = "yes_no"
    label = _l("Yes or no")
    # Words a cell may hold, folded: the export writes 是/否 or yes/no, the reader's language.
    _YES = {"yes", "y", "是", "√", "✓"}
    _NO = {"no", "n", "否", "×", "✗"}

    def parse(self, criterion, value):
        if isinstance(value, str):
            word = unicodedata.normalize("NFKC", value).strip().lower()
            if word in self._YES:
                return criterion.scale_max, None
            if word in self._NO:
                return criterion.scale_min, None
        number, message = _number(value)
        if message is not None and value is not None and str(value).strip():
            return None, _l("Answer yes or no.")
        return number, message

    def refusal(self, criterion, value):
        if value not in (criterion.scale_min, criterion.scale_max):
            return _l("Answer yes or no.")
        return None

    def show(self, criterion, value):
        if value is None:
            return ""
        if value == criterion.scale_max:
            return str(_l("yes"))
        if value == criterion.scale_min:
            return str(_l("no"))
        return plain_number(value)

    def cell(self, criterion, value):
        """"yes" or "no" in the reader's language (the paper import reads both languages)."""
        return None if value is None else self.show(criterion, value)

    def number_format(self, criterion):
        return None

    def scale_text(self, criterion):
        return f"{_l('yes')} / {_l('no')}"

    def summary(self, criterion):
        return self.label

    def explanation(self, criterion):
        return _l("Yes or no: yes counts as %(yes)s, no as %(no)s.",
                  yes=plain_number(criterion.scale_max), no=plain_number(criterion.scale_min))

    def input_attributes(self, criterion):
        return {}

    def choices(self, criterion):
        return [(plain_number(criterion.scale_max), str(_l("yes"))),
                (plain_number(criterion.scale_min), str(_l("no")))]


SCALE = ScaleKind()
YES_NO = YesNoKind()
KINDS = {kind.code: kind for kind in (SCALE, YES_NO)}
KIND_CODES = tuple(KINDS)


def kind_of(criterion):
    """The criterion's kind (a criterion without a `kind` of its own is a scale)."""
    return KINDS[getattr(criterion, "kind", None) or SCALE.code]
