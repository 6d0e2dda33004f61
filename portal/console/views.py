"""The organizer console's index: every contest, and the audit log's daily anchor."""
from flask import render_template

from portal.audit.anchors import daily_anchor
from portal.contests.services import all_contests
from portal.proposals.table import proposal_counts_by_contest
from portal.web import ConfirmForm, organizer_blueprint

bp = organizer_blueprint("console", __name__, url_prefix="/admin")


@bp.route("/")
def index():
    """Every contest with its proposal counts, and the audit log's daily anchor."""
    return render_template("console/index.html", contests=all_contests(),
                           counts=proposal_counts_by_contest(),
                           action_form=ConfirmForm(), audit_anchor=daily_anchor())
