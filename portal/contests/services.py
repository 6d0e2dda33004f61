"""Finding contests, for the public pages and the organizer console."""
from flask import abort
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from portal.contests import poster
from portal.extensions import db
from portal.i18n import current_locale, join_list
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
    """Every listed contest with its themes: open ones first, then upcoming, judging, archived."""
    contests = db.session.scalars(
        db.select(Contest).where(Contest.listed).options(selectinload(Contest.themes))
        .order_by(Contest.opens_at.desc())).all()
    now = utcnow()
    order = [ContestStatus.OPEN, ContestStatus.UPCOMING, ContestStatus.JUDGING,
             ContestStatus.ARCHIVED]
    return sorted(contests, key=lambda contest: order.index(contest.status_at(now)))


def the_only_open_contest(contests):
    now = utcnow()
    open_contests = [c for c in contests if c.status_at(now) == ContestStatus.OPEN]
    return open_contests[0] if len(open_contests) == 1 else None


def poster_text(contest, url):
    """The texts of the contest's poster and share card, in the current language."""
    locale = current_locale()
    return poster.PosterText(
        organizer=contest.localized("organizer", locale),
        title=contest.localized("name", locale),
        tagline=poster.tagline(contest.localized("description", locale)),
        themes=_("Themes: %(themes)s",
                 themes=join_list(theme.localized("name", locale) for theme in contest.themes)),
        deadline=_("Submission deadline: %(time)s (Beijing time)",
                   time=format_datetime(contest.submission_deadline, "yyyy-MM-dd HH:mm")),
        scan_hint=_("Scan to read the rules and apply online"),
        url=url)


def write_poster(contest, url, size, fmt, out):
    """Draw the poster (or card) of `size` and write it as `fmt` (png or pdf) to `out`."""
    poster.save(poster.draw(poster_text(contest, url), size), size, fmt, out)
    return f"{contest.slug}-poster-{size}.{fmt}"
