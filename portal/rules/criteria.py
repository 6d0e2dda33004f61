"""What a criterion is, by kind: its scale and step, how a typed value is read, whether a
value fits, how a score is shown and what the score field tells the browser. The review form,
the score service, the paper import, the ranking and the exports all ask the criterion's kind.

Every criterion is a numeric scale in steps today (SCALE); another kind is a new class here
with the same methods, registered in KINDS under the code that a criterion's kind names.
"""
import unicodedata
from decimal import Decimal, InvalidOperation


from portal.i18n import lazy_gettext as _l
from portal.validation import plain_number


class ScaleKind:
    """Scores from scale_min to scale_max in steps of scale_step, counted from scale_min."""

    code = "scale"

    def bounds(self, criterion):
        """(lowest, highest) score: the ranking's total scale is built from them."""
        return criterion.scale_min, criterion.scale_max

    def parse(self, value):
        """A typed or spreadsheet value as (Decimal, None), or (None, message)."""
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

    def refusal(self, criterion, value):
        """Why `value` does not fit the criterion (a message), or None when it does."""
        if value < criterion.scale_min or value > criterion.scale_max:
            return _l("Give a score from %(low)s to %(high)s.",
                      low=plain_number(criterion.scale_min),
                      high=plain_number(criterion.scale_max))
        if (value - criterion.scale_min) % criterion.scale_step != 0:
            return _l("Scores go in steps of %(step)s.", step=plain_number(criterion.scale_step))
        return None

    def show(self, value):
        """A stored score as people read it: 7.5, 10."""
        return "" if value is None else plain_number(value)

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


SCALE = ScaleKind()
KINDS = {SCALE.code: SCALE}


def kind_of(criterion):
    """The criterion's kind (a criterion without a `kind` of its own is a scale)."""
    return KINDS[getattr(criterion, "kind", None) or SCALE.code]
