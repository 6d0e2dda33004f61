"""The organizers' proposal pages: the contest's proposal table, and one proposal with its
reviews, its assignment to judges and the decision on a withdrawal request."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import policy
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.judging import services as judging
from portal.judging.judges_forms import AssignJudgesForm
from portal.labels import proposal_status_label
from portal.models import Permission, Proposal, ProposalStatus
from portal.proposals import services as proposal_services, table as services
from portal.proposals.attachments import correction_reason_for, withheld_from_blind_judges
from portal.proposals.forms import WithdrawalDecisionForm
from portal.proposals.rules import withdrawal_pending
from portal.proposals.screening.forms import BulkScreeningForm, ScreeningForm
from portal.proposals.screening.services import judging_started
from portal.validation import bounded_int, choices
from portal.web import ConfirmForm, commit_and_redirect, organizer_blueprint, show_domain_error

bp = organizer_blueprint("proposals_admin", __name__, url_prefix="/admin")


def _proposal_filter(contest, themes):
    """The table's filter from the query string; values that do not belong are ignored."""
    args = request.args

    def pick(items, key):
        return next((item.id for item in items if item.code == args.get(key)), None)

    return services.ProposalFilter(
        status=args.get("status") if args.get("status") in ProposalStatus.ALL else None,
        theme_id=pick(themes, "theme"),
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
    theme_choices = policy.visible_themes(current_user, contest, Permission.SCREEN)
    wanted = _proposal_filter(contest, theme_choices)
    page, counts = services.proposal_page(current_user, contest, wanted)
    # Each label translated once, not once per row (a lazy string translates on every use).
    status_labels = {status: str(proposal_status_label(status)) for status in ProposalStatus.ALL}
    return render_template("proposals/organizer/proposals.html", contest=contest, page=page,
                           counts=counts, theme_choices=theme_choices,
                           wanted=wanted, status_labels=status_labels,
                           statuses=[s for s in ProposalStatus.ALL if s != ProposalStatus.DRAFT],
                           bulk_form=BulkScreeningForm(), sortable=services.SORTABLE,
                           pending_withdrawals=proposal_services.pending_withdrawals(
                               current_user, contest))


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
                                         count=len(created)), "proposals_admin.proposal",
                                       proposal_id=proposal.id)
    withheld = withheld_from_blind_judges(proposal)
    screening_form = ScreeningForm(data={"decision": ProposalStatus.RETURNED,
                                         "reason": correction_reason_for(withheld)}
                                   if withheld else None)
    return render_template("proposals/organizer/proposal.html", proposal=proposal, contest=contest,
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
        return redirect(url_for("proposals_admin.proposal", proposal_id=proposal.id))
    return commit_and_redirect(_("The proposal has been withdrawn.") if form.grant.data else
                               _("The request has been refused."), "proposals_admin.proposal",
                               proposal_id=proposal.id)
