"""The contest dashboard: submissions by theme, entrant type, status and day, and judging
progress per round (announcements and the audit log have their own blueprints beside it)."""
from flask import render_template

from portal.console import dashboard
from portal.contests.services import contest_by_slug
from portal.web import organizer_blueprint

bp = organizer_blueprint("dashboard", __name__, url_prefix="/admin")


@bp.route("/contests/<slug>/dashboard")
def overview(slug):
    """Submissions by theme, entrant type, status and day, and judging progress per round."""
    contest = contest_by_slug(slug)
    return render_template("dashboard/overview.html", contest=contest,
                           dashboard=dashboard.dashboard_for(contest))
