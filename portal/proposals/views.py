"""The applicant's pages: my proposals, write, edit, submit, withdraw, attachments."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, \
    url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.accounts.forms import ConfirmForm
from portal.contests.services import contest_by_slug, listed_contests
from portal.database import SAFE_METHODS
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Attachment, ContestStatus, Proposal, utcnow
from portal.proposals import attachments, services
from portal.proposals.filetypes import ALLOWED as FILETYPE_MIME
from portal.proposals.forms import AttachmentForm, ProposalForm
from portal.proposals.metadata import without_metadata
from portal.proposals.storage import stored_path
from portal.web import commit_and_redirect, run_button_action, show_domain_error

bp = Blueprint("proposals", __name__)


def _own_proposal(proposal_id):
    """The signed-in applicant's proposal; 404 for anyone else's, so that none is revealed.

    A request that changes it reads it with a row lock (FOR UPDATE): the same button pressed
    in several windows at once, or files uploaded at once, take turns, and each sees what the
    one before it committed (its status, version and attachments).
    """
    writing = request.method not in SAFE_METHODS
    proposal = db.session.get(Proposal, proposal_id, with_for_update=True if writing else None,
                              populate_existing=writing)
    policy.require(proposal is not None and policy.owns_proposal(current_user, proposal), 404)
    return proposal


def _form(contest, proposal=None):
    form = ProposalForm(obj=proposal, themes=contest.themes, locale=current_locale())
    if proposal is None and not form.is_submitted():
        form.contact_name.data = current_user.contact_name
        form.contact_phone.data = current_user.phone
        form.contact_email.data = current_user.email
    return form


@bp.route("/my/proposals")
@login_required
def mine():
    """The applicant's home: each proposal with its status and what to do next."""
    # Every contest is listed with its themes first: the proposals' contests and themes are
    # then found among them (in the session), with no query of their own.
    contests = listed_contests()
    proposals = db.session.scalars(
        db.select(Proposal).filter_by(applicant_id=current_user.id)
        .order_by(Proposal.created_at.desc())).all()
    now = utcnow()
    open_contests = [contest for contest in contests
                     if contest.status_at(now) == ContestStatus.OPEN
                     and policy.may_apply_to(current_user, contest)]
    return render_template("proposals/mine.html", proposals=proposals,
                           open_contests=open_contests, action_form=ConfirmForm())


@bp.route("/contests/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new(slug):
    """Start a proposal as a draft (a retried form returns the draft it already made)."""
    contest = contest_by_slug(slug)
    policy.require(policy.may_apply_to(current_user, contest), 403)
    form = _form(contest)
    existing = services.proposal_for_token(current_user, form.form_token.data) \
        if form.is_submitted() else None
    if existing is not None:
        if not form.version.data:  # the creating request sent again: it already succeeded
            return redirect(url_for("proposals.show", proposal_id=existing.id))
        return _save(existing, form)
    if form.is_submitted() and _draft_can_start(form):
        try:
            proposal = services.create_draft(current_user, contest,
                                             form.proposal_data(only_valid=True),
                                             creation_token=form.form_token.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return _after_save(proposal, form)
    return render_template("proposals/edit.html", form=form, contest=contest, proposal=None)


def _draft_can_start(form):
    """A draft starts once the CSRF token, the title and the theme are valid."""
    form.validate()
    return not form.errors.get("csrf_token") and not form.title.errors \
        and not form.theme_id.errors


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id):
    """Edit a proposal until the deadline; what validates is saved, the rest is explained."""
    proposal = _own_proposal(proposal_id)
    form = _form(proposal.contest, proposal)
    if form.is_submitted():
        return _save(proposal, form)
    form.version.data = proposal.version
    return render_template("proposals/edit.html", form=form, contest=proposal.contest,
                           proposal=proposal)


def _save(proposal, form):
    form.validate()
    if form.errors.get("csrf_token"):
        abort(400)
    try:
        services.update_proposal(current_user, proposal, form.proposal_data(only_valid=True),
                                 form.version.data)
    except DomainError as error:
        show_domain_error(error, form)
        return render_template("proposals/edit.html", form=form, contest=proposal.contest,
                               proposal=proposal)
    return _after_save(proposal, form)


def _after_save(proposal, form):
    if not form.errors:
        return commit_and_redirect(_("Your changes have been saved."), "proposals.show",
                                   proposal_id=proposal.id)
    db.session.commit()
    form.version.data = proposal.version
    flash(_("Everything else was saved. Correct the fields marked below; they keep what you "
            "typed but were not saved."), "warning")
    return render_template("proposals/edit.html", form=form, contest=proposal.contest,
                           proposal=proposal)


@bp.route("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id):
    """One of the applicant's proposals, with its status, attachments, history and actions."""
    proposal = _own_proposal(proposal_id)
    return render_template("proposals/show.html", proposal=proposal,
                           missing=services.missing_for_submission(proposal),
                           action_form=ConfirmForm(), attachment_form=AttachmentForm())


def _act(proposal_id, action, message, endpoint="proposals.mine"):
    """Run a POST-button action on the applicant's own proposal, then go to `endpoint`; a
    refusal goes back to the proposal."""
    proposal = _own_proposal(proposal_id)
    values = {"proposal_id": proposal_id} if endpoint == "proposals.show" else {}
    return run_button_action(lambda: action(current_user, proposal),
                             lambda _result: message(proposal), endpoint,
                             refused_to=url_for("proposals.show", proposal_id=proposal_id),
                             **values)


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
    """Delete a draft and its files."""
    return _act(proposal_id, services.delete_draft,
                lambda _proposal: _("The draft has been deleted."))


@bp.route("/proposals/<int:proposal_id>/attachments", methods=["POST"])
@login_required
def upload(proposal_id):
    """Attach a file, checked by its content and size."""
    proposal = _own_proposal(proposal_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            attachments.add_attachment(current_user, proposal, form.file.data)
        except DomainError as error:
            show_domain_error(error)
        else:
            return commit_and_redirect(_("The file has been attached."), "proposals.show",
                                       proposal_id=proposal.id)
    else:
        for message in form.file.errors or [_("The upload failed; please try again.")]:
            flash(message, "danger")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


def _attachment(attachment_id):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    return attachment


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(attachment_id):
    """Remove an attachment and its file."""
    attachment = _attachment(attachment_id)
    proposal = _own_proposal(attachment.proposal_id)
    return run_button_action(lambda: attachments.remove_attachment(current_user, attachment),
                             _("The attachment has been deleted."), "proposals.show",
                             proposal_id=proposal.id)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id):
    """The file, for its owner, the organizers and the judges assigned to the proposal."""
    attachment = _attachment(attachment_id)
    proposal = attachment.proposal
    policy.require(policy.may_view_proposal(current_user, proposal), 404)
    blind_reader = proposal.contest.blind and not policy.owns_proposal(current_user, proposal) \
        and not policy.is_organizer(current_user)
    path = stored_path(attachment.stored_name)
    if blind_reader:
        cleaned = without_metadata(attachment.kind, path.read_bytes())
        return send_file(io.BytesIO(cleaned), as_attachment=True,
                         download_name=attachments.neutral_name(attachment),
                         mimetype=FILETYPE_MIME[attachment.kind], max_age=0)
    return send_file(path, as_attachment=True, download_name=attachment.original_name,
                     mimetype=FILETYPE_MIME[attachment.kind], max_age=0)
