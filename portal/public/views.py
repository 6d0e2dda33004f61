"""Public pages: the home page, each contest's page and its share card."""
import io

from flask import Blueprint, render_template, send_file
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal import policy
from portal.awards.publishing import published_results
from portal.contests.services import contest_by_slug, listed_contests, the_only_open_contest, \
    write_poster
from portal.extensions import db
from portal.models import Contest, ContestStatus
from portal.web import external_url

bp = Blueprint("contests", __name__)
CURRENT = (ContestStatus.OPEN, ContestStatus.UPCOMING)


@bp.route("/")
def index():
    """The open contest's page when exactly one is open, else the list of contests: open and
    upcoming ones first, then past ones with a link to their published results."""
    contests = listed_contests()
    published = published_results(contests)
    only_open = the_only_open_contest(contests)
    if only_open is not None:
        past = [c for c in contests if c.id != only_open.id and c.id in published]
        return _render_contest(only_open, publication=published.get(only_open.id),
                               past_results=past)
    return render_template(
        "contests/index.html", published=published,
        current=[c for c in contests if c.status in CURRENT],
        past=[c for c in contests if c.status not in CURRENT])


@bp.route("/contests/<slug>")
def show(slug):
    """One contest: themes, rules, criteria, timeline, the deadline and, once out, results."""
    contest = contest_by_slug(slug)
    return _render_contest(contest, publication=published_results([contest]).get(contest.id))


def _render_contest(contest, publication=None, past_results=()):
    contest = db.session.scalar(
        db.select(Contest).filter_by(id=contest.id).options(
            selectinload(Contest.themes), selectinload(Contest.criteria),
            selectinload(Contest.entrant_types), selectinload(Contest.rounds)))
    return render_template(
        "contests/show.html", contest=contest, publication=publication,
        past_results=past_results,
        may_apply=policy.may_apply_to(current_user, contest)
        or not current_user.is_authenticated)


@bp.route("/contests/<slug>/share.png")
def share_card(slug):
    """The card other apps show for a link to the contest (og:image), with its QR code."""
    contest = contest_by_slug(slug)
    out = io.BytesIO()
    write_poster(contest, external_url("contests.show", slug=slug), "card", "png", out)
    out.seek(0)
    return send_file(out, mimetype="image/png", max_age=3600)
