"""Changing a contest's parts (themes, entrant types, criteria, rounds, award tiers) safely.

Shared by the contest file loader and the organizers' setup pages: a part that existing
proposals, scores or assignments use cannot be removed, and a criterion's kind and scale cannot
change once scores exist.
"""
from portal.extensions import db
from portal.models import Assignment, AwardTier, Criterion, EntrantType, Proposal, Round, Score, \
    Theme

PART_MODELS = {
    "themes": Theme,
    "entrant_types": EntrantType,
    "criteria": Criterion,
    "rounds": Round,
    "award_tiers": AwardTier,
}
_USAGE = {
    "themes": lambda row: db.select(Proposal.id).filter_by(theme_id=row.id),
    "entrant_types": lambda row: db.select(Proposal.id).filter_by(entrant_type_id=row.id),
    "criteria": lambda row: db.select(Score.id).filter_by(criterion_id=row.id),
    "rounds": lambda row: db.select(Assignment.id).filter_by(round_id=row.id),
}
SCALE_FIELDS = ("kind", "scale_min", "scale_max", "scale_step")


class PartInUse(ValueError):
    """A change would invalidate existing data; `relation` and `code` say which part."""

    def __init__(self, relation, code, reason):
        super().__init__(f"{relation}: '{code}' {reason}")
        self.relation, self.code, self.reason = relation, code, reason


def in_use(relation, row):
    usage = _USAGE.get(relation)
    return bool(row.id) and usage is not None and \
        db.session.scalar(usage(row).limit(1)) is not None


def sync_parts(contest, relation, wanted):
    """Make the contest's `relation` rows match `wanted` (dicts with a `code`), by code."""
    model = PART_MODELS[relation]
    rows = getattr(contest, relation)
    by_code = {row.code: row for row in rows}
    wanted_codes = {item["code"] for item in wanted}
    for code, row in by_code.items():
        if code not in wanted_codes:
            if in_use(relation, row):
                raise PartInUse(relation, code, "is in use and cannot be removed")
            rows.remove(row)
    for item in wanted:
        row = by_code.get(item["code"])
        if row is None:
            row = model()
            rows.append(row)
        elif relation == "criteria" and _scale_changes(row, item) and in_use(relation, row):
            raise PartInUse(relation, item["code"], "has scores; its scale cannot change")
        for key, value in item.items():
            setattr(row, key, value)


def _scale_changes(row, item):
    return any(field in item and item[field] != getattr(row, field) for field in SCALE_FIELDS)
