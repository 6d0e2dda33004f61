"""Automatic assignment of a round: the planner's inputs read from the database, a preview that
saves nothing, and the save that recomputes the same plan and adds only the new pairs."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import assignment as planner
from portal.assignment import IssueKind
from portal.assignment.planner import CROSS_THEME_SEATS
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.models import Assignment, JudgeMembership, Proposal
from portal.rules.conflicts import assess, contest_rows, judge_record, reason_labels
from portal.rules.contest import by_judge_name, judge_name, round_statuses

K_MAX = 20


@dataclass
class RoundPlan:
    """A plan and what the page needs to show it: the proposals, judges and existing
    assignments it was computed from."""

    contest_round: object
    plan: object
    proposals: dict      # id -> Proposal (the round's)
    memberships: dict    # judge id -> JudgeMembership
    existing: dict       # (proposal id, judge id) -> Assignment

    def judge(self, judge_id):
        membership = self.memberships.get(judge_id)
        if membership is not None:
            return membership.user
        for (_proposal_id, other_id), assignment in self.existing.items():
            if other_id == judge_id:
                return assignment.judge
        return None

    def proposal(self, proposal_id):
        if proposal_id in self.proposals:
            return self.proposals[proposal_id]
        return next((assignment.proposal for (other_id, _judge_id), assignment
                     in self.existing.items() if other_id == proposal_id), None)

    def rows(self):
        """Per proposal of the round: (proposal, [(judge, is new)...]) in proposal id order."""
        new = set(self.plan.new)
        by_proposal = self.plan.judges_by_proposal()
        return [(proposal, [(self.judge(judge_id),
                             planner.Assignment(proposal.id, judge_id) in new)
                            for judge_id in by_proposal.get(proposal.id, [])])
                for proposal in self.proposals.values()]

    def loads(self):
        """Per judge: (user, membership, kept, new), active judges first, by name."""
        rows = [(self.memberships[load.judge_id].user, self.memberships[load.judge_id],
                 load.kept, load.new) for load in self.plan.loads]
        return sorted(rows, key=lambda row: (not row[1].active, by_judge_name(row[0])))

    def themes_in_play(self):
        """How many themes the round's proposals have."""
        return len({proposal.theme_id for proposal in self.proposals.values()})

    def issue_messages(self):
        return [describe_issue(issue, self) for issue in self.plan.issues]


def gather(contest_round, themes=None):
    """The round's proposals, the contest's judges, the round's assignments and the standing
    conflicts, each read once. With `themes` (a chair's theme ids), the proposals and the
    assignments are those of these themes only: the plan then balances the judges' work in
    them, and shows nothing of the other themes."""
    contest = contest_round.contest
    in_themes = [] if themes is None else [Proposal.theme_id.in_(sorted(themes))]
    proposals = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(round_statuses(contest_round)),
                                   *in_themes)
        .options(selectinload(Proposal.theme), selectinload(Proposal.applicant))
        .order_by(Proposal.id)).all()
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user),
                 selectinload(JudgeMembership.expertise))).all()
    existing = db.session.scalars(
        db.select(Assignment).filter_by(round_id=contest_round.id)
        .filter(*([] if themes is None else [Assignment.proposal_id.in_(
            db.select(Proposal.id).filter(Proposal.contest_id == contest.id, *in_themes))]))
        .options(selectinload(Assignment.proposal), selectinload(Assignment.judge))).all()
    rows = contest_rows(contest.id)
    return proposals, memberships, existing, rows


def build_plan(contest_round, k, max_load=None, cross_theme_seats=CROSS_THEME_SEATS,
               themes=None):
    """The plan for the round (nothing is written), of these theme ids' proposals only unless
    `themes` is None: deterministic for the same database."""
    proposals, memberships, existing, rows = gather(contest_round, themes)
    conflicts = assess(proposals, [membership.user for membership in memberships], rows)
    declared = {}
    for row in rows:
        if row.organization:
            declared.setdefault(row.judge_id, []).append(row.organization)
    judges = [judge_record(membership.user, declared.get(membership.user_id, ()),
                           expertise={theme.code for theme in membership.expertise},
                           active=membership.active and membership.user.active)
              for membership in memberships]
    records = [planner.Proposal(id=proposal.id, theme=proposal.theme.code,
                                theme_name=proposal.theme.name_zh) for proposal in proposals]
    plan = planner.plan_assignments(
        records, judges, k, max_load=max_load, cross_theme_seats=cross_theme_seats,
        conflicts=conflicts.as_records(),
        existing=[(assignment.proposal_id, assignment.judge_id) for assignment in existing])
    return RoundPlan(contest_round, plan, {proposal.id: proposal for proposal in proposals},
                     {membership.user_id: membership for membership in memberships},
                     {(a.proposal_id, a.judge_id): a for a in existing})


def save_plan(actor, contest_round, k, max_load=None, cross_theme_seats=CROSS_THEME_SEATS,
              themes=None):
    """Recompute the plan with the same inputs and add its new assignments; saving again adds
    nothing. Returns the RoundPlan that was saved."""
    if not contest_round.is_open:
        raise DomainError(_l("This round is closed: its assignments can no longer change."))
    round_plan = build_plan(contest_round, k, max_load, cross_theme_seats, themes)
    new = round_plan.plan.new
    for pair in new:
        db.session.add(Assignment(round_id=contest_round.id, proposal_id=pair.proposal_id,
                                  judge_id=pair.judge_id,
                                  created_by_id=getattr(actor, "id", None)))
    try:
        db.session.flush()
    except IntegrityError as error:  # another organizer saved at the same moment
        raise DomainError(_l("The assignments changed while you were saving. Look at the "
                             "preview again.")) from error
    if new:
        record(actor, "assignments.planned", contest=contest_round.contest,
               target=contest_round, round=contest_round.code, k=k, max_load=max_load,
               cross_theme_seats=round_plan.plan.cross_theme_seats,
               created=len(new), pairs=[[pair.proposal_id, pair.judge_id] for pair in new],
               issues=len(round_plan.plan.issues),
               **({} if themes is None else {"themes": sorted(themes)}))
    return round_plan


# --- Messages ---------------------------------------------------------------------------------

def _theme(round_plan, issue):
    proposal = round_plan.proposals.get(issue.proposal_id)
    if proposal is not None:
        return proposal.theme.localized("name", current_locale())
    return issue.theme_name or issue.theme or ""


def _reference(round_plan, proposal_id):
    proposal = round_plan.proposal(proposal_id)
    return (proposal.reference or f"#{proposal.id}") if proposal is not None \
        else f"#{proposal_id}"


def _judge(round_plan, judge_id):
    user = round_plan.judge(judge_id)
    return judge_name(user) if user is not None else f"#{judge_id}"


def describe_issue(issue, round_plan):
    """What the planner could not satisfy, in the reader's language, from the issue's fields."""
    k = round_plan.plan.k
    fields = dict(theme=_theme(round_plan, issue), k=k,
                  reference=_reference(round_plan, issue.proposal_id),
                  available=issue.available or 0, capped=issue.capped, groups=issue.groups,
                  judge=_judge(round_plan, issue.judge_id) if issue.judge_id is not None else "",
                  reasons=reason_labels(issue.reasons))
    if issue.kind == IssueKind.SHORTFALL:
        message = _l("Theme %(theme)s: %(available)d judge(s) for k=%(k)d (proposal "
                     "%(reference)s).", **fields)
        if issue.capped:
            return _l("%(message)s %(capped)d other eligible judge(s) have reached the maximum "
                      "load.", message=message, capped=issue.capped)
        return message
    templates = {
        IssueKind.OUTSIDE_EXPERTISE: _l(
            "Theme %(theme)s: %(available)d judge(s) with this expertise for k=%(k)d (proposal "
            "%(reference)s); judges of other themes make up the rest."),
        IssueKind.OVER_ASSIGNED: _l(
            "Proposal %(reference)s already has %(available)d judges for k=%(k)d; none is "
            "removed."),
        IssueKind.DISCONNECTED: _l(
            "The judges still fall into %(groups)d separate groups that share no proposal: no "
            "exchange of judges within the rules (conflicts of interest, maximum load, even "
            "loads) links them. Add judges, raise the maximum load, or give awards per theme."),
        IssueKind.CONFLICTED_JUDGE: _l(
            "Proposal %(reference)s: %(judge)s has a conflict of interest (%(reasons)s). "
            "Reassign it."),
        IssueKind.INACTIVE_JUDGE: _l(
            "Proposal %(reference)s: %(judge)s is no longer an active judge. Reassign it."),
        IssueKind.UNKNOWN_JUDGE: _l(
            "Proposal %(reference)s: %(judge)s is not a judge of this contest. Reassign it."),
        IssueKind.UNKNOWN_PROPOSAL: _l(
            "Proposal %(reference)s is not in this round, but %(judge)s is still assigned to "
            "it."),
    }
    template = templates.get(issue.kind)
    # Lazy strings without variables are translated but not formatted: format them here.
    return str(template) % fields if template is not None else issue.message
