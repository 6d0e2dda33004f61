"""The organizers' ranked list, on screen and as CSV."""
from flask import Blueprint, Response, render_template, request
from portal.i18n import current_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.accounts.forms import ConfirmForm
from portal.contests.services import contest_by_slug
from portal.results.services import csv_with_bom, ranking_for

bp = Blueprint("results", __name__)


def _display_score(score):
    return "" if score is None else f"{float(score):.2f}"


def _organizer_contest(slug):
    policy.require(policy.may_manage_contests(current_user), 403)
    return contest_by_slug(slug)


@bp.route("/admin/contests/<slug>/ranking")
@login_required
def ranking(slug):
    """The ranked list, overall or within one theme, with the number of reviews per proposal."""
    contest = _organizer_contest(slug)
    rows, by_theme, proposals = ranking_for(contest)
    theme = next((t for t in contest.themes if t.code == request.args.get("theme")), None)
    shown = by_theme.get(theme.id, []) if theme else rows
    return render_template("results/ranking.html", contest=contest, rows=shown,
                           proposals=proposals, theme=theme, display_score=_display_score,
                           action_form=ConfirmForm())


@bp.route("/admin/contests/<slug>/ranking.csv")
@login_required
def ranking_csv(slug):
    """The overall ranked list as CSV (UTF-8 with BOM, so that Excel shows the Chinese text)."""
    contest = _organizer_contest(slug)
    rows, by_theme, proposals = ranking_for(contest)
    locale = current_locale()
    theme_rank = {row.proposal_id: row.rank for members in by_theme.values() for row in members}
    header = [_("Rank"), _("Rank in theme"), _("Reference"), _("Title"), _("Theme"),
              _("Entrant type"), _("Organization"), _("Reviews"), _("Score"), _("Tied")]
    lines = []
    for row in rows:
        proposal = proposals[row.proposal_id]
        lines.append([
            row.rank or "", theme_rank.get(row.proposal_id) or "", proposal.reference,
            proposal.title, proposal.theme.localized("name", locale),
            proposal.entrant_type.localized("name", locale) if proposal.entrant_type else "",
            proposal.organization, row.review_count, _display_score(row.score),
            _("yes") if row.tied else ""])
    body = csv_with_bom(header, lines)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{contest.slug}-ranking.csv"'})
