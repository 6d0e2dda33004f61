"""The applicant's pages: my proposals, write, edit, submit, withdraw, attachments."""
import io

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, \
    request, send_file, url_for
from flask_babel import format_datetime, gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.contests.services import contest_by_slug, listed_contests
from portal.database import SAFE_METHODS
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Attachment, ContestStatus, Proposal, utcnow
from portal.proposals import attachments, drafting, rules, services
from portal.proposals.filetypes import ALLOWED as FILETYPE_MIME
from portal.proposals.forms import SECTIONS, AttachmentForm, ProposalForm, WithdrawForm
from portal.proposals.metadata import CannotClean
from portal.proposals.storage import stored_path
from portal.rescue import keeps_typed_text
from portal.web import ConfirmForm, commit_and_redirect, flash_form_errors, run_button_action, \
    show_domain_error

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
    form = ProposalForm(obj=proposal, themes=contest.themes,
                        entrant_types=contest.entrant_types, locale=current_locale())
    if not form.is_submitted():  # the profile's facts, asked here once (written back on save)
        for field, value in [(form.profile_entrant_type, current_user.entrant_type_code),
                             (form.profile_organization, current_user.organization),
                             (form.contact_name,
                              current_user.contact_name or current_user.display_name),
                             (form.contact_phone, current_user.phone),
                             (form.contact_email, current_user.email)]:
            field.data = field.data or value
    return form


def _render_form(form, contest, proposal, rescued=False, status=200, form_url=None):
    """The proposal form; `rescued` when it comes back from a post without a valid session."""
    missing = drafting.missing_before_submission(current_user, proposal) \
        if proposal is not None and current_user.is_authenticated else None
    if form_url is None:
        form_url = url_for("proposals.edit", proposal_id=proposal.id) if proposal \
            else url_for("proposals.new", slug=contest.slug)
    return render_template(
        "proposals/edit.html", form=form, contest=contest, proposal=proposal, rescued=rescued,
        missing=missing, sections=SECTIONS, form_url=form_url,
        accepts_changes=drafting.accepts_changes(contest, proposal),
        after_deadline=drafting.AFTER_DEADLINE,
        required_to_submit=list(services.REQUIRED_FOR_SUBMISSION) + list(drafting.PROFILE_LABELS),
        organization_types=drafting.organization_types(contest),
        idle_seconds=current_app.config["SESSION_IDLE_MINUTES"] * 60,
        attachment_form=AttachmentForm(), action_form=ConfirmForm()), status


def _rescued_new(slug):
    """A new proposal's post that came without a valid session: the form again, as typed."""
    contest = contest_by_slug(slug)
    return _rescued(contest, None)


def _rescued_edit(proposal_id):
    """An edit's post that came without a valid session: the form again, as typed."""
    if current_user.is_authenticated:
        proposal = _own_proposal(proposal_id)
    else:  # nothing of the proposal is shown: only what was posted
        proposal = db.session.get(Proposal, proposal_id)
        policy.require(proposal is not None, 404)
    return _rescued(proposal.contest, proposal if current_user.is_authenticated else None,
                    form_url=url_for("proposals.edit", proposal_id=proposal_id))


def _rescued(contest, proposal, form_url=None):
    db.session.rollback()
    form = ProposalForm(themes=contest.themes, entrant_types=contest.entrant_types,
                        locale=current_locale())
    return _render_form(form, contest, proposal, rescued=True, form_url=form_url,
                        status=400 if current_user.is_authenticated else 401)


def _session_lost():
    """An autosave without a valid session: nothing is saved, the page says so."""
    db.session.rollback()
    return jsonify(saved=False, session_lost=True, message=_(
        "You have been logged out, so this was not saved. Your text is kept on this device: "
        "log in again to get it back.")), 401


@bp.route("/my/proposals")
@login_required
def mine():
    """The applicant's home: each proposal with its status and what to do next."""
    # Every contest is listed with its themes first: the proposals' contests and themes are
    # then found among them (in the session), with no query of their own.
    contests = listed_contests()
    proposals = services.applicant_proposals(current_user)
    now = utcnow()
    open_contests = [contest for contest in contests
                     if contest.status_at(now) == ContestStatus.OPEN
                     and policy.may_apply_to(current_user, contest)]
    return render_template("proposals/mine.html", proposals=proposals,
                           open_contests=open_contests, action_form=ConfirmForm())


@bp.route("/contests/<slug>/proposals/new", methods=["GET", "POST"])
@keeps_typed_text(_rescued_new)
@login_required
def new(slug):
    """Start a proposal as a draft (a retried form returns the draft it already made)."""
    contest = contest_by_slug(slug)
    policy.require(policy.may_apply_to(current_user, contest), 403)
    closed = rules.refusal(rules.CREATE, contest)
    if closed is not None:
        return render_template("proposals/closed.html", contest=contest, proposal=None,
                               reason=closed)
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
            drafting.write_back_profile(current_user, form.profile_data(only_valid=True))
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return _after_save(proposal, form)
    return _render_form(form, contest, None)


def _draft_can_start(form):
    """A draft starts once the CSRF token, the title and the theme are valid."""
    form.validate()
    return not form.errors.get("csrf_token") and not form.title.errors \
        and not form.theme_id.errors


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@keeps_typed_text(_rescued_edit)
@login_required
def edit(proposal_id):
    """Edit a proposal until the deadline; what validates is saved, the rest is explained."""
    proposal = _own_proposal(proposal_id)
    closed = rules.refusal(rules.EDIT, proposal.contest, proposal)
    if closed is not None:
        return render_template("proposals/closed.html", contest=proposal.contest,
                               proposal=proposal, reason=closed,
                               actions=rules.applicant_actions(proposal.contest, proposal))
    form = _form(proposal.contest, proposal)
    if form.is_submitted():
        return _save(proposal, form)
    form.version.data = proposal.version
    return _render_form(form, proposal.contest, proposal)


@bp.route("/contests/<slug>/proposals/autosave", methods=["POST"])
@keeps_typed_text(lambda slug: _session_lost())
@login_required
def autosave_new(slug):
    """Autosave of a new proposal's form: the draft is created once it has a title and a theme."""
    contest = contest_by_slug(slug)
    policy.require(policy.may_apply_to(current_user, contest), 403)
    return _autosave(contest, None, _form(contest))


@bp.route("/proposals/<int:proposal_id>/autosave", methods=["POST"])
@keeps_typed_text(lambda proposal_id: _session_lost())
@login_required
def autosave(proposal_id):
    """Autosave of a proposal's form (JSON): what validates is saved, as by the Save button."""
    proposal = _own_proposal(proposal_id)
    return _autosave(proposal.contest, proposal, _form(proposal.contest, proposal))


def _autosave(contest, proposal, form):
    if not drafting.accepts_changes(contest, proposal):
        return jsonify(saved=False, closed=True, message=str(drafting.AFTER_DEADLINE)), 409
    form.validate()
    if proposal is None and not _draft_can_start(form):
        return jsonify(saved=False, message=_(
            "A draft is saved automatically once it has a title and a theme."))
    try:
        proposal = drafting.autosave(current_user, contest, proposal,
                                     form.proposal_data(only_valid=True),
                                     form.profile_data(only_valid=True), form.version.data,
                                     form.form_token.data)
    except DomainError as error:
        db.session.rollback()
        return jsonify(saved=False, message=str(error.message)), 409
    db.session.commit()
    return jsonify(
        saved=True, version=proposal.version, invalid=sorted(form.errors),
        status=_("Saved automatically at %(time)s", time=format_datetime(utcnow(), "HH:mm")),
        edit_url=url_for("proposals.edit", proposal_id=proposal.id),
        autosave_url=url_for("proposals.autosave", proposal_id=proposal.id),
        upload_url=url_for("proposals.upload", proposal_id=proposal.id))


def _save(proposal, form):
    form.validate()
    if form.errors.get("csrf_token"):
        abort(400)
    try:
        services.update_proposal(current_user, proposal, form.proposal_data(only_valid=True),
                                 form.version.data)
        drafting.write_back_profile(current_user, form.profile_data(only_valid=True))
    except DomainError as error:
        show_domain_error(error, form)
        return _render_form(form, proposal.contest, proposal)
    return _after_save(proposal, form)


def _after_save(proposal, form):
    if not form.errors:
        return commit_and_redirect(_("Your changes have been saved."), "proposals.show",
                                   proposal_id=proposal.id)
    db.session.commit()
    form.version.data = proposal.version
    flash(_("Everything else was saved. Correct the fields marked below; they keep what you "
            "typed but were not saved."), "warning")
    return _render_form(form, proposal.contest, proposal)


@bp.route("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id):
    """One of the applicant's proposals, with its status, attachments, history and actions."""
    proposal = _own_proposal(proposal_id)
    return render_template("proposals/show.html", proposal=proposal,
                           missing=list(drafting.missing_before_submission(
                               current_user, proposal).values()),
                           actions=rules.applicant_actions(proposal.contest, proposal),
                           withdrawal_pending=rules.withdrawal_pending(proposal),
                           action_form=ConfirmForm(), withdraw_form=WithdrawForm())


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
    """Withdraw a submitted proposal (with a reason after the deadline)."""
    return _withdrawal(proposal_id, services.withdraw_proposal,
                       _("Your proposal has been withdrawn."))


@bp.route("/proposals/<int:proposal_id>/withdrawal-request", methods=["POST"])
@login_required
def request_withdrawal(proposal_id):
    """Once judging has opened, ask the organizers to withdraw the proposal."""
    return _withdrawal(proposal_id, services.request_withdrawal,
                       _("Your request has been sent to the organizers, who will decide."))


def _withdrawal(proposal_id, action, message):
    proposal = _own_proposal(proposal_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    try:
        action(current_user, proposal, form.reason.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return commit_and_redirect(message, "proposals.show", proposal_id=proposal.id)


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
            return commit_and_redirect(_("The file has been attached."), "proposals.edit",
                                       proposal_id=proposal.id, _anchor="section-attachments")
    else:
        for message in form.file.errors or [_("The upload failed; please try again.")]:
            flash(message, "danger")
    return redirect(url_for("proposals.edit", proposal_id=proposal.id,
                            _anchor="section-attachments"))


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
                             _("The attachment has been deleted."), "proposals.edit",
                             proposal_id=proposal.id, _anchor="section-attachments")


@bp.route("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id):
    """The file, for its owner, the organizers and the judges assigned to the proposal."""
    attachment = _attachment(attachment_id)
    proposal = attachment.proposal
    policy.require(policy.may_view_proposal(current_user, proposal), 404)
    blind_reader = proposal.contest.blind and not policy.owns_proposal(current_user, proposal) \
        and not policy.is_organizer(current_user)
    if blind_reader:
        try:
            cleaned = attachments.copy_for_blind_judge(attachment)
        except CannotClean:
            return render_template("proposals/withheld.html"), 403
        return send_file(io.BytesIO(cleaned), as_attachment=True,
                         download_name=attachments.neutral_name(attachment),
                         mimetype=FILETYPE_MIME[attachment.kind], max_age=0)
    return send_file(stored_path(attachment.stored_name), as_attachment=True,
                     download_name=attachment.original_name,
                     mimetype=FILETYPE_MIME[attachment.kind], max_age=0)
