"""Screening decisions by organizers, one at a time or for a selection."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from portal import policy
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Permission, Proposal
from portal.proposals.screening import services
from portal.proposals.screening.forms import BulkScreeningForm, ScreeningForm
from portal.timezones import from_beijing_naive
from portal.validation import INT_MAX
from portal.web import flash_form_errors, organizer_blueprint, run_button_action, \
    show_domain_error

bp = organizer_blueprint("screening", __name__, url_prefix="/admin")



def _proposal(proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.is_draft:
        abort(404)
    return proposal


def _finish(endpoint, **values):
    db.session.commit()
    return redirect(url_for(endpoint, **values))


@bp.route("/proposals/<int:proposal_id>/screening", methods=["POST"])
def decide(proposal_id):
    """Record one proposal's eligibility decision."""
    proposal = _proposal(proposal_id)
    form = ScreeningForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("proposals_admin.proposal", proposal_id=proposal_id))
    try:
        services.decide(current_user, proposal, form.decision.data, form.reason.data,
                        from_beijing_naive(form.correction_until.data))
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("proposals_admin.proposal", proposal_id=proposal_id))
    flash(_("The decision has been recorded and the applicant emailed."), "success")
    return _finish("proposals_admin.proposal", proposal_id=proposal_id)


@bp.route("/proposals/<int:proposal_id>/screening/undo", methods=["POST"])
def undo(proposal_id):
    """Undo a screening decision (until judging starts)."""
    proposal = _proposal(proposal_id)
    return run_button_action(lambda: services.undo(current_user, proposal),
                             _("The decision has been undone."), "proposals_admin.proposal",
                             proposal_id=proposal_id)


def _is_id(value):
    """ASCII digits for a number an id column can hold ("²" is a digit to str.isdigit)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= INT_MAX


@bp.route("/contests/<slug>/screening", methods=["POST"])
def decide_many(slug):
    """The same decision for every selected proposal of the contest."""
    contest = contest_by_slug(slug)
    form = BulkScreeningForm()
    back = url_for("proposals_admin.proposals", slug=slug) + (
        "?" + request.query_string.decode() if request.query_string else "")
    form.proposal_ids.choices = [SelectChoice(int(value), value) for value in
                                 request.form.getlist("proposal_ids") if _is_id(value)]
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    proposals = db.session.scalars(db.select(Proposal).filter(
        Proposal.id.in_(form.proposal_ids.data), Proposal.contest_id == contest.id,
        *policy.theme_filter(current_user, contest, Permission.SCREEN))).all()
    decided, refused = services.decide_many(current_user, proposals, form.decision.data,
                                            form.reason.data,
                                            from_beijing_naive(form.correction_until.data))
    db.session.commit()
    flash(_("%(count)d decision(s) recorded.", count=decided), "success")
    for proposal, message in refused:
        flash(f"{proposal.reference}: {message}", "warning")
    return redirect(back)
