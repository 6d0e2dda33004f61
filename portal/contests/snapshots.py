"""Read-only snapshots of a contest's parts, kept per process while they stay current.

A contest's row, themes, entrant types, criteria, rounds and award tiers change a few times in
its life and are read by nearly every page of it (the scoring page alone lazily loaded five of
them on every view). contest_parts(contest_id) gives them as immutable snapshots, built once
per process for each value of the contest parts' counter (portal.generations.CONTEST_PARTS),
which every transaction changing one of those tables raises as it commits, whichever worker
makes it. A signed-in request reads the counter with its user (load_user), so a change reaches
every worker on its next request without a statement of its own.

A snapshot answers what its model answers (columns by name, `localized`, a round's `is_open`,
a contest's `status` and `current_round`): those rules are defined once, on mixins the model
and the snapshot share (portal.models.contests).
"""
from sqlalchemy import inspect

from portal.contests.parts import PART_MODELS
from portal.extensions import db
from portal.generations import CONTEST_PARTS, LatestComputations
from portal.models import Contest
from portal.models.base import BilingualMixin
from portal.models.contests import ContestRules, RoundRules

# Per process: (database, contest id, counter value) -> ContestParts. A few contests are
# current at once; older values are never asked for again and fall out.
_latest = LatestComputations(size=32)


def _column_names(model):
    return tuple(attribute.key for attribute in inspect(model).column_attrs)


class _Snapshot(BilingualMixin):
    """A row's columns as attributes, none of which can be set afterwards."""

    columns = ()

    def __init__(self, row, **more):
        for name in self.columns:
            object.__setattr__(self, name, getattr(row, name))
        for name, value in more.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f"a snapshot of a contest's parts is read-only ({name})")

    def __repr__(self):
        return f"<{type(self).__name__} {getattr(self, 'code', None) or self.id}>"


class ThemeSnapshot(_Snapshot):
    columns = _column_names(PART_MODELS["themes"])


class EntrantTypeSnapshot(_Snapshot):
    columns = _column_names(PART_MODELS["entrant_types"])


class CriterionSnapshot(_Snapshot):
    columns = _column_names(PART_MODELS["criteria"])


class RoundSnapshot(RoundRules, _Snapshot):
    columns = _column_names(PART_MODELS["rounds"])


class AwardTierSnapshot(_Snapshot):
    columns = _column_names(PART_MODELS["award_tiers"])


SNAPSHOT_OF = {"themes": ThemeSnapshot, "entrant_types": EntrantTypeSnapshot,
               "criteria": CriterionSnapshot, "rounds": RoundSnapshot,
               "award_tiers": AwardTierSnapshot}


class ContestParts(ContestRules, _Snapshot):
    """A contest's columns, and its parts as tuples in their order (`themes`, `entrant_types`,
    `criteria`, `rounds`, `award_tiers`), each also found by id (`theme(id)`, ...)."""

    columns = _column_names(Contest)

    def __init__(self, row, parts):
        by_id = {relation: {part.id: part for part in rows} for relation, rows in parts.items()}
        super().__init__(row, _by_id=by_id, **parts)

    def theme(self, theme_id):
        return self._by_id["themes"].get(theme_id)

    def entrant_type(self, entrant_type_id):
        return self._by_id["entrant_types"].get(entrant_type_id)

    def criterion(self, criterion_id):
        return self._by_id["criteria"].get(criterion_id)

    def round(self, round_id):
        return self._by_id["rounds"].get(round_id)


def _read(contest_id):
    """The contest's row and parts, read now: one statement per table (six)."""
    row = db.session.execute(db.select(*Contest.__table__.c)
                             .where(Contest.id == contest_id)).first()
    if row is None:
        return None
    parts = {}
    for relation, snapshot in SNAPSHOT_OF.items():
        model = PART_MODELS[relation]
        rows = db.session.execute(db.select(*model.__table__.c).where(model.contest_id == contest_id)
                                  .order_by(model.position, model.id))
        parts[relation] = tuple(snapshot(part) for part in rows)
    return ContestParts(row, parts)


def contest_parts(contest_id):
    """The contest's parts as they are now (ContestParts), or None for no such contest.

    Taken from this process's snapshots while the contest parts' counter has not moved
    (no statement on a signed-in request); read afresh, and kept, when it has. Read afresh and
    not kept while this session holds changes of its own to them, or with no counter row."""
    generation = CONTEST_PARTS.for_request()
    key = None if generation is None else (str(db.engine.url), contest_id, generation)
    parts = _latest.get(key) if key is not None else None
    if parts is None:
        parts = _read(contest_id)
        if key is not None and parts is not None:
            _latest.put(key, parts)
    return parts


def forget_contest_parts():
    """Drop this process's snapshots (tests: a worker that has seen nothing yet)."""
    _latest.clear()
