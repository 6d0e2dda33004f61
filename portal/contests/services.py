"""Finding contests, for the public pages and the organizer console."""
from flask import abort
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Contest, ContestStatus, utcnow


def contest_by_slug(slug):
    """The contest with this slug, or 404."""
    contest = db.session.scalar(db.select(Contest).filter_by(slug=slug))
    if contest is None:
        abort(404)
    return contest


def all_contests():
    """Every contest, the newest first."""
    return db.session.scalars(db.select(Contest).order_by(Contest.opens_at.desc())).all()


def listed_contests():
    """Every contest with its themes: open ones first, then upcoming, judging, archived."""
    contests = db.session.scalars(
        db.select(Contest).options(selectinload(Contest.themes))
        .order_by(Contest.opens_at.desc())).all()
    now = utcnow()
    order = [ContestStatus.OPEN, ContestStatus.UPCOMING, ContestStatus.JUDGING,
             ContestStatus.ARCHIVED]
    return sorted(contests, key=lambda contest: order.index(contest.status_at(now)))


def the_only_open_contest(contests):
    now = utcnow()
    open_contests = [c for c in contests if c.status_at(now) == ContestStatus.OPEN]
    return open_contests[0] if len(open_contests) == 1 else None
