"""Public pages: the home page and each contest's page."""
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import policy
from portal.contests.services import contest_by_slug, listed_contests, the_only_open_contest
from portal.extensions import db
from portal.models import Contest

bp = Blueprint("contests", __name__)


@bp.route("/")
def index():
    """The open contest's page when exactly one is open, else the list of contests."""
    contests = listed_contests()
    only_open = the_only_open_contest(contests)
    if only_open is not None:
        return _render_contest(only_open)
    return render_template("contests/index.html", contests=contests)


@bp.route("/contests/<slug>")
def show(slug):
    """One contest: themes, rules, criteria, timeline and the deadline."""
    return _render_contest(contest_by_slug(slug))


def _render_contest(contest):
    contest = db.session.scalar(
        db.select(Contest).filter_by(id=contest.id).options(
            selectinload(Contest.themes), selectinload(Contest.criteria),
            selectinload(Contest.entrant_types), selectinload(Contest.rounds)))
    return render_template(
        "contests/show.html", contest=contest,
        may_apply=policy.may_apply_to(current_user, contest)
        or not current_user.is_authenticated)
