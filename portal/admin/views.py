"""The organizers' console: contests, proposals, judges, assignments, rounds."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from portal.accounts.forms import ConfirmForm
from portal.admin import services
from portal.admin.forms import AssignJudgesForm, InviteJudgeForm, ReopenRoundForm
from portal.audit.anchors import daily_anchor
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.accounts import invitations
from portal.i18n import current_locale
from portal.judging import services as judging
from portal.judging.assigning import by_judge_name
from portal.proposals import services as proposal_services
from portal.proposals.attachments import correction_reason_for, withheld_from_blind_judges
from portal.proposals.forms import WithdrawalDecisionForm
from portal.proposals.rules import withdrawal_pending
from portal.labels import proposal_status_label
from portal.templating import localized as loc
from portal.models import Invitation, JudgeMembership, Proposal, ProposalStatus, Round, utcnow
from portal.screening.forms import BulkScreeningForm, ScreeningForm
from portal.screening.services import judging_started
from portal.validation import bounded_int, choices
from portal.web import commit_and_redirect, organizer_blueprint, run_button_action, \
    show_domain_error

bp = organizer_blueprint("admin", __name__, url_prefix="/admin")



@bp.route("/")
def index():
    """Every contest with its proposal counts, and the audit log's daily anchor."""
    return render_template("admin/index.html", contests=services.all_contests(),
                           counts=services.proposal_counts_by_contest(),
                           action_form=ConfirmForm(), audit_anchor=daily_anchor())


def _proposal_filter(contest):
    """The table's filter from the query string; values that do not belong are ignored."""
    args = request.args

    def pick(items, key):
        return next((item.id for item in items if item.code == args.get(key)), None)

    return services.ProposalFilter(
        status=args.get("status") if args.get("status") in ProposalStatus.ALL else None,
        theme_id=pick(contest.themes, "theme"),
        entrant_type_id=pick(contest.entrant_types, "entrant_type"),
        round_id=pick(contest.rounds, "round"),
        search=(args.get("q") or "").strip()[:100],
        sort=args.get("sort") if args.get("sort") in services.SORTABLE else "reference",
        descending=args.get("dir") == "desc",
        page=max(args.get("page", 1, type=bounded_int) or 1, 1))


@bp.route("/contests/<slug>/proposals")
def proposals(slug):
    """The contest's proposals: filter, search, sort, paginate, and screen a selection."""
    contest = contest_by_slug(slug)
    wanted = _proposal_filter(contest)
    page, counts = services.proposal_page(contest, wanted)
    # Each label translated once, not once per row (a lazy string translates on every use).
    status_labels = {status: str(proposal_status_label(status)) for status in ProposalStatus.ALL}
    return render_template("admin/proposals.html", contest=contest, page=page, counts=counts,
                           wanted=wanted, status_labels=status_labels,
                           statuses=[s for s in ProposalStatus.ALL if s != ProposalStatus.DRAFT],
                           bulk_form=BulkScreeningForm(), sortable=services.SORTABLE,
                           pending_withdrawals=proposal_services.pending_withdrawals(contest))


def _proposal(proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.DRAFT:
        abort(404)
    return proposal


@bp.route("/proposals/<int:proposal_id>", methods=["GET", "POST"])
def proposal(proposal_id):
    """One proposal with its reviews and history, and the form assigning it to judges."""
    proposal = _proposal(proposal_id)
    contest = proposal.contest
    contest_round = contest.current_round
    form = AssignJudgesForm()
    form.judge_ids.choices = choices(services.judge_choices_for(proposal))
    if form.validate_on_submit():
        try:
            created = judging.assign_judges(current_user, proposal, form.judge_ids.data,
                                            contest_round)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("%(count)d new assignment(s) saved.",
                                         count=len(created)), "admin.proposal",
                                       proposal_id=proposal.id)
    withheld = withheld_from_blind_judges(proposal)
    screening_form = ScreeningForm(data={"decision": ProposalStatus.RETURNED,
                                         "reason": correction_reason_for(withheld)}
                                   if withheld else None)
    return render_template("admin/proposal.html", proposal=proposal, contest=contest,
                           contest_round=contest_round, form=form,
                           assignments=services.assignments_of(proposal),
                           screening_form=screening_form, action_form=ConfirmForm(),
                           judging_started=judging_started(proposal), withheld=withheld,
                           withdrawal_pending=withdrawal_pending(proposal),
                           withdrawal_form=WithdrawalDecisionForm())


@bp.route("/proposals/<int:proposal_id>/withdrawal", methods=["POST"])
def decide_withdrawal(proposal_id):
    """Grant or refuse the applicant's request to withdraw the proposal."""
    proposal = _proposal(proposal_id)
    form = WithdrawalDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        proposal_services.decide_withdrawal(current_user, proposal, form.grant.data,
                                            form.note.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("admin.proposal", proposal_id=proposal.id))
    return commit_and_redirect(_("The proposal has been withdrawn.") if form.grant.data else
                               _("The request has been refused."), "admin.proposal",
                               proposal_id=proposal.id)


@bp.route("/contests/<slug>/judges", methods=["GET", "POST"])
def judges(slug):
    """The contest's judges with their load and progress, open invitations, and invitations."""
    contest = contest_by_slug(slug)
    form = InviteJudgeForm()
    form.themes.choices = choices((theme.code, loc(theme)) for theme in contest.themes)
    if form.validate_on_submit():
        try:
            judging.invite_judge(current_user, contest, form.email.data,
                                 display_name=form.display_name.data,
                                 organization=form.organization.data,
                                 theme_codes=form.themes.data, locale=current_locale())
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The invitation has been emailed to %(email)s.",
                                         email=form.email.data), "admin.judges", slug=slug)
    memberships = sorted(db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user), selectinload(JudgeMembership.expertise))),
        key=lambda membership: by_judge_name(membership.user))
    invitations = db.session.scalars(
        db.select(Invitation).filter(Invitation.contest_id == contest.id,
                                     Invitation.accepted_at.is_(None),
                                     Invitation.revoked_at.is_(None),
                                     or_(Invitation.expires_at > utcnow(),
                                         Invitation.sent_at.is_(None)))
        .order_by(Invitation.id)).all()
    return render_template("admin/judges.html", contest=contest, form=form,
                           memberships=memberships, invitations=invitations,
                           workload=judging.judge_workload(contest), action_form=ConfirmForm())


def _invitation(invitation_id):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


def _back_from(invitation):
    if invitation.contest is not None:
        return "admin.judges", {"slug": invitation.contest.slug}
    return "site.organizers", {}


@bp.route("/invitations/<int:invitation_id>/<any(resend, revoke):action>", methods=["POST"])
def invitation_action(invitation_id, action):
    """Send an invitation again with a fresh link, or revoke it."""
    invitation = _invitation(invitation_id)
    endpoint, values = _back_from(invitation)
    verb = invitations.resend if action == "resend" else invitations.revoke
    message = _("The invitation has been sent again.") if action == "resend" else \
        _("The invitation has been revoked.")
    return run_button_action(lambda: verb(current_user, invitation), message, endpoint,
                             **values)


@bp.route("/contests/<slug>/invitations/send", methods=["POST"])
def send_invitations(slug):
    """Send the contest's invitations that wait (last edition's judges, after a copy)."""
    contest = contest_by_slug(slug)

    def message(result):
        sent, refused = result
        return _("Invitations sent: %(sent)d. Not sent, the person being a judge or an "
                 "applicant of this contest already: %(refused)d.", sent=sent, refused=refused)

    return run_button_action(lambda: invitations.send_waiting(current_user, contest), message,
                             "admin.judges", slug=slug)


@bp.route("/judges/<int:membership_id>/<any(deactivate, activate):action>", methods=["POST"])
def judge_activation(membership_id, action):
    """Deactivate a judge (open assignments return to the pool) or bring them back."""
    membership = db.session.get(JudgeMembership, membership_id)
    if membership is None:
        abort(404)

    def message(released):
        return _("The judge is active again.") if action == "activate" else _(
            "The judge is deactivated; %(count)d open assignment(s) returned to the pool.",
            count=len(released))

    return run_button_action(
        lambda: judging.set_judge_active(current_user, membership, action == "activate"),
        message, "admin.judges", slug=membership.contest.slug)


def _round(slug, round_id):
    contest = contest_by_slug(slug)
    contest_round = db.session.get(Round, round_id)
    if contest_round is None or contest_round.contest_id != contest.id:
        abort(404)
    return contest, contest_round


# `action` stays in the URL rule so that links built with action="close" keep working;
# reopening has its own page, which asks for a reason.
@bp.route("/contests/<slug>/rounds/<int:round_id>/<any(close):action>", methods=["POST"])
def toggle_round(slug, round_id, action):
    """Close a round: judges can no longer change its scores."""
    _contest, contest_round = _round(slug, round_id)
    return run_button_action(
        lambda: judging.set_round_closed(current_user, contest_round, closed=True),
        _("The round is closed."), "judging_admin.rounds", slug=slug)


@bp.route("/contests/<slug>/rounds/<int:round_id>/reopen", methods=["GET", "POST"])
def reopen_round(slug, round_id):
    """Reopen a closed round, with a reason kept in the audit log."""
    contest, contest_round = _round(slug, round_id)
    form = ReopenRoundForm()
    if form.validate_on_submit():
        try:
            judging.set_round_closed(current_user, contest_round, closed=False,
                                     reason=form.reason.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The round is open again."), "judging_admin.rounds",
                                       slug=slug)
    return render_template("admin/reopen_round.html", contest=contest,
                           contest_round=contest_round, form=form)
