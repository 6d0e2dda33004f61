"""The applicant's pages: my proposals, write, edit, submit, withdraw."""
from flask import Blueprint, abort, redirect, render_template, url_for
from portal.i18n import current_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal import policy
from portal.accounts.forms import ConfirmForm
from portal.contests.services import contest_by_slug, listed_contests
from portal.errors import DomainError
from portal.extensions import db
from portal.models import ContestStatus, Proposal, utcnow
from portal.proposals import services
from portal.proposals.forms import ProposalForm
from portal.web import commit_and_redirect, show_domain_error

bp = Blueprint("proposals", __name__)


def _own_proposal(proposal_id):
    """The signed-in applicant's proposal; 404 for anyone else's, so that none is revealed."""
    proposal = db.session.get(Proposal, proposal_id)
    policy.require(proposal is not None and policy.owns_proposal(current_user, proposal), 404)
    return proposal


def _form(proposal=None, contest=None, **kwargs):
    contest = contest or proposal.contest
    return ProposalForm(obj=proposal, themes=contest.themes, locale=current_locale(), **kwargs)


@bp.route("/my/proposals")
@login_required
def mine():
    """The applicant's home: each proposal with its status and what to do next."""
    proposals = db.session.scalars(
        db.select(Proposal).filter_by(applicant_id=current_user.id)
        .options(selectinload(Proposal.contest), selectinload(Proposal.theme))
        .order_by(Proposal.created_at.desc())).all()
    now = utcnow()
    open_contests = [contest for contest in listed_contests()
                     if contest.status_at(now) == ContestStatus.OPEN
                     and policy.may_apply_to(current_user, contest)]
    return render_template("proposals/mine.html", proposals=proposals,
                           open_contests=open_contests, action_form=ConfirmForm())


@bp.route("/contests/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new(slug):
    """Start a proposal as a draft."""
    contest = contest_by_slug(slug)
    policy.require(policy.may_apply_to(current_user, contest), 403)
    form = _form(contest=contest)
    if form.validate_on_submit():
        try:
            proposal = services.create_draft(current_user, contest, form.proposal_data())
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("Your draft has been saved."), "proposals.show",
                                       proposal_id=proposal.id)
    return render_template("proposals/edit.html", form=form, contest=contest, proposal=None)


@bp.route("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id):
    """One of the applicant's proposals, with its status, history and actions."""
    proposal = _own_proposal(proposal_id)
    return render_template("proposals/show.html", proposal=proposal,
                           missing=services.missing_for_submission(proposal),
                           action_form=ConfirmForm())


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id):
    """Edit a proposal until the deadline."""
    proposal = _own_proposal(proposal_id)
    form = _form(proposal)
    if form.validate_on_submit():
        try:
            services.update_proposal(current_user, proposal, form.proposal_data(),
                                     form.version.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("Your changes have been saved."), "proposals.show",
                                       proposal_id=proposal.id)
    elif not form.is_submitted():
        form.version.data = proposal.version
    return render_template("proposals/edit.html", form=form, contest=proposal.contest,
                           proposal=proposal)


def _act(proposal_id, action, message, endpoint="proposals.mine"):
    """Run a POST-button action on the applicant's own proposal, then go to `endpoint`."""
    proposal = _own_proposal(proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(current_user, proposal)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("proposals.show", proposal_id=proposal_id))
    values = {"proposal_id": proposal_id} if endpoint == "proposals.show" else {}
    return commit_and_redirect(message(proposal), endpoint, **values)


@bp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
@login_required
def submit(proposal_id):
    """Submit before the deadline; the reference number is the receipt."""
    return _act(proposal_id, services.submit_proposal, lambda proposal: _(
        "Your proposal has been submitted. Its reference number is %(reference)s.",
        reference=proposal.reference), endpoint="proposals.show")


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id):
    """Withdraw a submitted proposal."""
    return _act(proposal_id, services.withdraw_proposal,
                lambda _proposal: _("Your proposal has been withdrawn."))


@bp.route("/proposals/<int:proposal_id>/delete", methods=["POST"])
@login_required
def delete(proposal_id):
    """Delete a draft."""
    return _act(proposal_id, services.delete_draft,
                lambda _proposal: _("The draft has been deleted."))
