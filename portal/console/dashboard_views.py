"""The contest dashboard: submissions by theme, entrant type, status and day, and judging
progress per round (announcements and the audit log have their own blueprints beside it)."""
from flask import render_template
from flask_login import current_user

from portal import policy
from portal.console import dashboard
from portal.contests.services import contest_by_slug
from portal.models import Permission
from portal.web import organizer_blueprint

bp = organizer_blueprint("dashboard", __name__, url_prefix="/admin")


@bp.route("/contests/<slug>/dashboard")
def overview(slug):
    """Submissions by theme, entrant type, status and day, and judging progress per round."""
    contest = contest_by_slug(slug)
    themes = policy.theme_scope(current_user, contest, Permission.SCREEN)
    return render_template("dashboard/overview.html", contest=contest, themes=themes,
                           dashboard=dashboard.dashboard_for(contest, themes))
