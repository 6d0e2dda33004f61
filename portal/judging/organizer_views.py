"""The organizers' judging pages: rounds (closing, reopening), automatic assignment, a
selection of proposals to one judge, reassignment, conflicts of interest and reminders."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from portal import policy
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.judging import assigning, assignment_plans, conflicts, reminders, scope
from portal.judging import services as judging
from portal.judging.judges_forms import ReopenRoundForm
from portal.judging.organizer_forms import AddConflictForm, AssignProposalsForm, PlanForm, \
    ReassignForm, RemoveConflictForm, SavePlanForm
from portal.models import Assignment, ConflictKind, JudgeMembership, Permission, Proposal, \
    Review, Round, User
from portal.rules import conflicts as lookup
from portal.rules import contest as contest_rules
from portal.validation import bounded_int
from portal.web import ConfirmForm, commit_and_redirect, organizer_blueprint, run_button_action, \
    show_domain_error

bp = organizer_blueprint("judging_admin", __name__, url_prefix="/admin")


def _themes(contest):
    """The theme ids whose judging work the account may do (a chair's), or None for all."""
    return policy.theme_scope(current_user, contest, Permission.ASSIGN)


def _of_themes(contest, themes, proposal_column):
    """Conditions keeping `proposal_column` to proposals of these theme ids (none for None)."""
    if themes is None:
        return []
    return [proposal_column.in_(db.select(Proposal.id).filter(
        Proposal.contest_id == contest.id, Proposal.theme_id.in_(sorted(themes))))]


def _round(contest, round_id):
    contest_round = db.session.get(Round, round_id)
    if contest_round is None or contest_round.contest_id != contest.id:
        abort(404)
    return contest_round


@bp.route("/contests/<slug>/rounds")
def rounds(slug):
    """The contest's rounds: judging window, state, progress, and what can be done to each."""
    contest = contest_by_slug(slug)
    themes = _themes(contest)
    progress = {round_id: (assigned, done) for round_id, assigned, done in db.session.execute(
        db.select(Assignment.round_id, func.count(Assignment.id), func.count(Review.submitted_at))
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .filter(Assignment.round_id.in_([r.id for r in contest.rounds]),
                *_of_themes(contest, themes, Assignment.proposal_id))
        .group_by(Assignment.round_id))}
    return render_template("judging/organizer/rounds.html", contest=contest, progress=progress,
                           action_form=ConfirmForm())


# `action` stays in the URL rule so that links built with action="close" keep working;
# reopening has its own page, which asks for a reason.
@bp.route("/contests/<slug>/rounds/<int:round_id>/<any(close):action>", methods=["POST"])
def toggle_round(slug, round_id, action):
    """Close a round: judges can no longer change its scores."""
    contest_round = _round(contest_by_slug(slug), round_id)
    return run_button_action(
        lambda: judging.set_round_closed(current_user, contest_round, closed=True),
        _("The round is closed."), "judging_admin.rounds", slug=slug)


@bp.route("/contests/<slug>/rounds/<int:round_id>/reopen", methods=["GET", "POST"])
def reopen_round(slug, round_id):
    """Reopen a closed round, with a reason kept in the audit log."""
    contest = contest_by_slug(slug)
    contest_round = _round(contest, round_id)
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
    return render_template("judging/organizer/reopen_round.html", contest=contest,
                           contest_round=contest_round, form=form)


@bp.route("/contests/<slug>/rounds/<int:round_id>/assign", methods=["GET", "POST"])
def plan(slug, round_id):
    """Automatic assignment: a preview of the plan for k judges each, then saving it."""
    contest = contest_by_slug(slug)
    contest_round = _round(contest, round_id)
    if request.method == "POST":
        save_form = SavePlanForm()
        settings = save_form.settings() if save_form.validate_on_submit() else None
        if settings is None:
            abort(400)
        try:
            saved = assignment_plans.save_plan(current_user, contest_round, *settings,
                                               themes=_themes(contest))
        except DomainError as error:
            show_domain_error(error)
        else:
            return commit_and_redirect(
                _("%(count)d new assignment(s) saved.", count=len(saved.plan.new)),
                "judging_admin.plan", slug=slug, round_id=round_id, k=settings[0],
                max_load=settings[1] or "", cross_theme_seats=settings[2])
        return redirect(url_for("judging_admin.plan", slug=slug, round_id=round_id))
    form = PlanForm(request.args if "k" in request.args else None)
    round_plan = None
    if "k" in request.args and form.validate():
        round_plan = assignment_plans.build_plan(contest_round, form.k.data, form.max_load.data,
                                                 form.cross_seats(), themes=_themes(contest))
    save_form = SavePlanForm(formdata=None, k=form.k.data, max_load=form.max_load.data or "",
                             cross_theme_seats=form.cross_seats())
    return render_template("judging/organizer/plan.html", contest=contest,
                           contest_round=contest_round, form=form, round_plan=round_plan,
                           save_form=save_form, scope=_themes(contest))


@bp.route("/contests/<slug>/judges/<int:membership_id>/proposals", methods=["GET", "POST"])
def judge_proposals(slug, membership_id):
    """Assign a selection of the round's proposals to one judge."""
    contest = contest_by_slug(slug)
    membership = db.session.get(JudgeMembership, membership_id)
    if membership is None or membership.contest_id != contest.id:
        abort(404)
    contest_round = next((r for r in contest.rounds if r.code == request.args.get("round")),
                         contest.current_round)
    if contest_round is None:
        abort(404)
    theme_choices = policy.visible_themes(current_user, contest, Permission.ASSIGN)
    theme = next((t for t in theme_choices if t.code == request.args.get("theme")), None)
    selection = assigning.judge_selection(contest, contest_round, membership.user, theme,
                                          _themes(contest))
    form = AssignProposalsForm()
    form.proposal_ids.choices = [SelectChoice(proposal.id, proposal.reference)
                                 for proposal in selection.proposals]
    if form.validate_on_submit():
        try:
            created = assigning.assign_proposals(current_user, membership.user,
                                                 form.proposal_ids.data, contest_round)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("%(count)d new assignment(s) saved.",
                                         count=len(created)), "judging_admin.judge_proposals",
                                       slug=slug, membership_id=membership_id,
                                       round=contest_round.code)
    return render_template("judging/organizer/judge_proposals.html", contest=contest,
                           membership=membership, contest_round=contest_round, theme=theme,
                           theme_choices=theme_choices, scope=_themes(contest),
                           proposals=selection.proposals, form=form,
                           assigned=selection.assigned, judges_count=selection.judges_count,
                           conflicts=selection.conflicts, reason_labels=lookup.reason_labels)


@bp.route("/assignments/<int:assignment_id>/reassign", methods=["GET", "POST"])
def reassign(assignment_id):
    """Move an assignment to another judge; its scores, if any, stay only in the audit log."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    proposal = assignment.proposal
    contest = proposal.contest
    memberships = db.session.scalars(
        db.select(JudgeMembership).join(User, User.id == JudgeMembership.user_id)
        .filter(JudgeMembership.contest_id == contest.id, JudgeMembership.active.is_(True),
                User.active.is_(True), JudgeMembership.user_id != assignment.judge_id)
        .options(selectinload(JudgeMembership.user))).all()
    found = lookup.assess([proposal], [m.user for m in memberships],
                          lookup.contest_rows(contest.id))
    form = ReassignForm()
    form.judge_id.choices = [SelectChoice(m.user_id, _judge_choice(
                                 m.user, found.reasons(proposal.id, m.user_id)))
                             for m in sorted(memberships,
                                             key=lambda m: contest_rules.judge_name(m.user))]
    if form.validate_on_submit():
        try:
            assigning.reassign(current_user, assignment, form.judge_id.data, form.reason.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The proposal has been reassigned."),
                                       "proposals_admin.proposal",
                                       proposal_id=proposal.id)
    return render_template("judging/organizer/reassign.html", contest=contest,
                           assignment=assignment, proposal=proposal, form=form)


def _judge_choice(user, reasons):
    name = contest_rules.judge_name(user)
    if reasons:
        return _("%(judge)s — conflict of interest (%(reasons)s)", judge=name,
                 reasons=lookup.reason_labels(reasons))
    return name


def judge_choices(contest):
    """The contest's judges as choices (id, name), by name."""
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user))).all()
    return [SelectChoice(m.user_id, contest_rules.judge_name(m.user))
            for m in sorted(memberships, key=lambda m: contest_rules.by_judge_name(m.user))]


@bp.route("/contests/<slug>/conflicts", methods=["GET", "POST"])
def conflicts_page(slug):
    """Every conflict of interest standing in the contest, the waivers, and adding one."""
    contest = contest_by_slug(slug)
    themes = _themes(contest)
    form = AddConflictForm()
    form.judge_id.choices = judge_choices(contest)
    if form.validate_on_submit():
        # A chair's reference of another theme is as unknown as one that does not exist.
        proposal = db.session.scalar(db.select(Proposal).filter(
            Proposal.contest_id == contest.id,
            func.upper(Proposal.reference) == form.reference.data.strip().upper(),
            *([] if themes is None else [Proposal.theme_id.in_(sorted(themes))])))
        judge = db.session.get(User, form.judge_id.data)
        try:
            if proposal is None:
                raise DomainError(_("No proposal of this contest has this reference number."),
                                  field="reference")
            removed = conflicts.add_conflict(current_user, contest, judge, proposal,
                                             form.reason.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            message = _("The conflict of interest has been recorded.")
            if removed:
                message += " " + _("%(count)d assignment(s) of this judge to the proposal were "
                                   "removed; their scores are kept in the audit log.",
                                   count=len(removed))
            return commit_and_redirect(message, "judging_admin.conflicts_page", slug=slug)
    found, proposals, judges = conflicts.standing_in_contest(contest, themes)
    assigned = lookup.open_assignment_pairs(contest)
    standing = [(proposals[p], judges[j], reasons, found.rows.get((p, j), []), (p, j) in assigned)
                for (p, j), reasons in sorted(found.standing.items())
                if p in proposals and j in judges]
    waivers = [(proposals[p], judges[j], row) for (p, j), rows in sorted(found.rows.items())
               for row in rows if row.kind == ConflictKind.WAIVER
               and p in proposals and j in judges]
    # A chair sees the organizations declared by their own judges (portal.judging.scope).
    own = scope.judges_of_themes(contest, themes, current_user)
    declared = [row for row in lookup.contest_rows(contest.id)
                if row.kind == ConflictKind.DECLARED_ORGANIZATION
                and (own is None or row.judge_id in own)]
    return render_template("judging/organizer/conflicts.html", contest=contest, form=form,
                           standing=standing, waivers=waivers, declared=declared,
                           judges=judges, reason_labels=lookup.reason_labels)


@bp.route("/contests/<slug>/conflicts/remove", methods=["GET", "POST"])
def remove_conflict(slug):
    """Lift one judge's conflict with one proposal, with a reason."""
    contest = contest_by_slug(slug)
    proposal = db.session.get(Proposal, request.args.get("proposal", type=bounded_int) or 0)
    judge = db.session.get(User, request.args.get("judge", type=bounded_int) or 0)
    if proposal is None or judge is None or proposal.contest_id != contest.id \
            or not policy.may_work_on(current_user, Permission.ASSIGN, proposal):
        abort(404)
    form = RemoveConflictForm()
    if form.validate_on_submit():
        try:
            conflicts.remove_conflict(current_user, contest, judge, proposal, form.reason.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The conflict of interest has been removed."),
                                       "judging_admin.conflicts_page", slug=slug)
    reasons = lookup.assess([proposal], [judge], lookup.contest_rows(
        contest.id, judge.id)).reasons(proposal.id, judge.id)
    return render_template("judging/organizer/remove_conflict.html", contest=contest,
                           proposal=proposal, judge=judge, reasons=reasons, form=form,
                           reason_labels=lookup.reason_labels)


@bp.route("/contests/<slug>/judges/remind", methods=["POST"])
def remind(slug):
    """Email every judge with unscored assignments, at most once a day each."""
    contest = contest_by_slug(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sent, skipped = reminders.send_judge_reminders(current_user, contest)
    message = _("%(count)d judge(s) reminded by email.", count=sent)
    if skipped:
        message += " " + _("%(count)d judge(s) were already reminded today.", count=skipped)
    return commit_and_redirect(message, "judges.index", slug=slug)
