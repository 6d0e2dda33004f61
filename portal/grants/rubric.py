"""The rubric judges use on mid-term and final reports: its criteria, their weights and scale,
and the weighted mean, as in the judging of proposals. Plain data, no Flask or models."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.i18n import lazy_gettext as _l

SCALE_MIN, SCALE_MAX = 1, 10


@dataclass(frozen=True)
class ReportCriterion:
    code: str
    name: object
    rubric: object
    weight: int


REPORT_RUBRIC = (
    ReportCriterion("outcomes", _l("Outcomes against the plan"),
                    _l("Were the milestones and outcomes the proposal promised reached?"), 3),
    ReportCriterion("reach", _l("Beneficiaries reached"),
                    _l("How many of the planned beneficiaries were reached, and how well?"), 2),
    ReportCriterion("funds", _l("Use of funds"),
                    _l("Is the spending in line with the budget, with receipts and justified "
                       "changes?"), 3),
    ReportCriterion("learning", _l("Problems and lessons"),
                    _l("Were problems reported openly and handled well?"), 2),
)
CODES = tuple(criterion.code for criterion in REPORT_RUBRIC)


def check_scores(scores):
    """The scores as {code: int} when each criterion has a whole score on the scale, else
    ValueError naming the first criterion that has not."""
    checked = {}
    for criterion in REPORT_RUBRIC:
        value = scores.get(criterion.code)
        if not isinstance(value, int) or isinstance(value, bool) \
                or not SCALE_MIN <= value <= SCALE_MAX:
            raise ValueError(criterion.code)
        checked[criterion.code] = value
    return checked


def weighted_score(scores):
    """The weighted mean of a complete set of scores, to two decimals (half up)."""
    total = sum(Decimal(scores[c.code]) * c.weight for c in REPORT_RUBRIC)
    weights = sum(c.weight for c in REPORT_RUBRIC)
    return (total / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mean_score(score_sets):
    """The mean of the evaluations' weighted scores (None without any)."""
    values = [weighted_score(scores) for scores in score_sets]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
