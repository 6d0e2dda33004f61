"""Grant verbs: created at finalization, set by the organizer, the signed agreement, tranches
released once their condition is met."""
import re
from datetime import timedelta
from functools import partial

from sqlalchemy import update
from sqlalchemy.orm import selectinload

from portal import policy
from portal.audit import record
from portal.database import run_after_commit
from portal.errors import DomainError
from portal.extensions import db
from portal.grants.money import fen_from_decimal, format_yuan, split_by_percent
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal.models import Award, Grant, GrantLine, GrantReport, Milestone, Proposal, \
    ReportKind, ReportStatus, Tranche, TrancheCondition, utcnow
from portal.proposals.attachments import checked_upload
from portal.proposals.filetypes import clean_filename
from portal.proposals.storage import delete_stored
from portal.timezones import SHANGHAI
from portal.web import external_url

# 50 % at signing, 30 % after the mid-term report, 20 % at completion.
DEFAULT_TRANCHES = ((50, TrancheCondition.SIGNING), (30, TrancheCondition.MIDTERM),
                    (20, TrancheCondition.FINAL))
AGREEMENT_DAYS = 365
FINAL_REPORT_GRACE_DAYS = 30
MAX_DRAFTED_MILESTONES = 12
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.、)）]|[（(]?[一二三四五六七八九十]+[、.)）])\s*")


def beijing_today(now=None):
    return (now or utcnow()).astimezone(SHANGHAI).date()


def award_amount_fen(award):
    """The award's grant (decided with the award), else its tier's fixed grant, in fen."""
    if award.grant is not None:
        return fen_from_decimal(award.grant)
    return fen_from_decimal(award.tier.grant_amount)


def drafted_milestones(plan, starts_on, ends_on):
    """Milestones drafted from the proposal's plan: one per non-empty line (bullets and
    numbering dropped), due dates spread evenly over the agreement's term."""
    titles = [_BULLET.sub("", line).strip()[:200] for line in (plan or "").splitlines()]
    titles = [title for title in titles if title][:MAX_DRAFTED_MILESTONES]
    days = (ends_on - starts_on).days
    return [(title, starts_on + timedelta(days=days * (index + 1) // len(titles)))
            for index, title in enumerate(titles)]


def create_grant(actor, award, starts_on):
    """The grant of an awarded proposal, from its award: the tranches 50/30/20, the budget
    lines of the proposal, milestones drafted from its plan, the mid-term and final reports."""
    proposal = award.proposal
    ends_on = starts_on + timedelta(days=AGREEMENT_DAYS)
    grant = Grant(contest_id=award.contest_id, proposal_id=proposal.id,
                  amount_fen=award_amount_fen(award), starts_on=starts_on, ends_on=ends_on,
                  created_by_id=getattr(actor, "id", None))
    amounts = split_by_percent(grant.amount_fen, [percent for percent, _ in DEFAULT_TRANCHES])
    grant.tranches = [Tranche(position=index, percent=percent, amount_fen=amount,
                              condition=condition)
                      for index, ((percent, condition), amount)
                      in enumerate(zip(DEFAULT_TRANCHES, amounts))]
    grant.lines = [GrantLine(position=index, item=line.item,
                             planned_fen=fen_from_decimal(line.amount))
                   for index, line in enumerate(proposal.budget_lines)]
    grant.milestones = [Milestone(position=index, title=title, due_on=due_on)
                        for index, (title, due_on)
                        in enumerate(drafted_milestones(proposal.plan, starts_on, ends_on))]
    grant.reports = [
        GrantReport(kind=ReportKind.MIDTERM, due_on=starts_on + timedelta(days=AGREEMENT_DAYS // 2)),
        GrantReport(kind=ReportKind.FINAL,
                    due_on=ends_on + timedelta(days=FINAL_REPORT_GRACE_DAYS)),
    ]
    db.session.add(grant)
    db.session.flush()
    record(actor, "grant.created", contest=proposal.contest, target=grant,
           proposal=proposal.id, amount_fen=grant.amount_fen)
    return grant


def create_grants(actor, contest, now=None):
    """A grant for each award of the contest that has none yet (at finalization, or later for
    a contest finalized before grants existed); returns the new grants."""
    have = set(db.session.scalars(db.select(Grant.proposal_id).filter_by(contest_id=contest.id)))
    awards = db.session.scalars(
        db.select(Award).filter_by(contest_id=contest.id)
        .options(selectinload(Award.tier),
                 selectinload(Award.proposal).selectinload(Proposal.budget_lines))
        .order_by(Award.id)).all()
    starts_on = beijing_today(now)
    return [create_grant(actor, award, starts_on) for award in awards
            if award.proposal_id not in have]


def contest_grants(contest):
    """The contest's grants with everything the follow-up pages read (a fixed number of
    queries whatever their number)."""
    return db.session.scalars(
        db.select(Grant).filter_by(contest_id=contest.id)
        .options(selectinload(Grant.proposal).selectinload(Proposal.applicant),
                 selectinload(Grant.tranches), selectinload(Grant.lines),
                 selectinload(Grant.milestones), selectinload(Grant.changes),
                 selectinload(Grant.reports).selectinload(GrantReport.spending))
        .join(Proposal, Grant.proposal_id == Proposal.id)
        .order_by(Proposal.reference, Grant.id)).all()


def grants_of(user):
    """The grants of the user's own proposals."""
    return db.session.scalars(
        db.select(Grant).join(Proposal, Grant.proposal_id == Proposal.id)
        .filter(Proposal.applicant_id == user.id)
        .options(selectinload(Grant.contest), selectinload(Grant.proposal),
                 selectinload(Grant.reports))
        .order_by(Grant.id.desc())).all()


def grant_for_viewer(user, grant_id):
    """The grant, for its grantee or an organizer; 404 for anyone else (a grantee sees only
    their own grant)."""
    grant = db.session.get(Grant, grant_id)
    policy.require(grant is not None and policy.may_view_grant(user, grant), 404)
    return grant


def update_grant(actor, grant, amount_fen, percents, starts_on, ends_on, midterm_due, final_due):
    """The organizer sets the amount, the tranches' shares and the agreement's dates. Amounts
    and shares are frozen once a tranche is released."""
    if amount_fen < 0 or any(percent < 0 for percent in percents):
        raise DomainError(_l("Amounts and shares cannot be negative."))
    if sum(percents) != 100:
        raise DomainError(_l("The tranches' shares must add up to 100."), field="final_percent")
    if ends_on <= starts_on:
        raise DomainError(_l("The agreement must end after it starts."), field="ends_on")
    amounts = split_by_percent(amount_fen, percents)
    changed = (amount_fen != grant.amount_fen
               or [t.percent for t in grant.tranches] != list(percents))
    if changed and any(tranche.is_released for tranche in grant.tranches):
        raise DomainError(_l("A tranche has been released: the amount and the shares can no "
                             "longer change."))
    grant.amount_fen, grant.starts_on, grant.ends_on = amount_fen, starts_on, ends_on
    for tranche, percent, amount in zip(grant.tranches, percents, amounts):
        tranche.percent, tranche.amount_fen = percent, amount
    for report in grant.reports:
        if report.kind == ReportKind.MIDTERM:
            report.due_on = midterm_due
        elif report.kind == ReportKind.FINAL:
            report.due_on = final_due
    db.session.flush()
    record(actor, "grant.updated", contest=grant.contest, target=grant, amount_fen=amount_fen,
           percents=list(percents), starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat())


def add_monthly_reports(actor, grant):
    """Monthly updates due on the last day of each month of the agreement (once)."""
    if any(report.kind == ReportKind.MONTHLY for report in grant.reports):
        raise DomainError(_l("The monthly updates are already scheduled."))
    day = grant.starts_on
    added = 0
    while True:
        first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        month_end = first_of_next - timedelta(days=1)
        if month_end > grant.ends_on:
            break
        grant.reports.append(GrantReport(kind=ReportKind.MONTHLY, due_on=month_end))
        added += 1
        day = first_of_next
    db.session.flush()
    record(actor, "grant.monthly_reports", contest=grant.contest, target=grant, count=added)
    return added


def attach_agreement(actor, grant, upload, now=None):
    """The signed agreement (PDF or a scan), checked by content like any attachment; it meets
    the condition of the tranche paid at signing."""
    staged, kind = checked_upload(upload)
    previous = grant.agreement_stored
    grant.agreement_stored = staged.commit()
    grant.agreement_name = clean_filename(upload.filename, kind)
    grant.agreement_kind = kind
    grant.agreement_signed_at = now or utcnow()
    db.session.flush()
    if previous:
        run_after_commit(partial(delete_stored, previous))
    record(actor, "grant.agreement", contest=grant.contest, target=grant, sha256=staged.sha256)


def condition_met(tranche):
    """Whether the tranche's condition holds: the agreement on file, or the mid-term / final
    report accepted."""
    grant = tranche.grant
    if tranche.condition == TrancheCondition.SIGNING:
        return grant.agreement_stored is not None
    return any(report.kind == tranche.condition and report.status == ReportStatus.ACCEPTED
               for report in grant.reports)


def release_tranche(actor, tranche, released_on, reference, now=None):
    """Record the payment of a tranche (date and bank or voucher reference). Once only, and
    only when its condition is met: the UPDATE is conditional, so two organizers clicking at
    the same moment release it once."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_l("Give the payment's reference (bank transfer or voucher number)."),
                          field="reference")
    if released_on > beijing_today(now):
        raise DomainError(_l("A payment date cannot be in the future."), field="released_on")
    if tranche.is_released:
        raise DomainError(_l("This tranche has already been released."))
    if not condition_met(tranche):
        raise DomainError(_l("This tranche's condition is not met yet."))
    done = db.session.execute(
        update(Tranche).where(Tranche.id == tranche.id, Tranche.released_on.is_(None))
        .values(released_on=released_on, release_reference=reference[:100],
                released_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(_l("This tranche has already been released."))
    db.session.refresh(tranche)
    grant = tranche.grant
    record(actor, "grant.tranche_released", contest=grant.contest, target=tranche,
           grant=grant.id, amount_fen=tranche.amount_fen, released_on=released_on.isoformat(),
           reference=reference)
    applicant = grant.proposal.applicant
    if applicant is not None:
        queue_email(applicant, _l("A tranche of your grant was released"), "grant_tranche",
                    user=applicant, grant=grant, tranche=tranche,
                    amount=format_yuan(tranche.amount_fen),
                    grant_url=external_url("grants.show", grant_id=grant.id))
    return tranche


def set_public_progress(actor, grant, consent):
    """The grantee's consent to show the project's progress on the public results page."""
    grant.public_progress = bool(consent)
    db.session.flush()
    record(actor, "grant.public_progress", contest=grant.contest, target=grant,
           consent=grant.public_progress)


def propose_milestones(actor, grant, rows):
    """The grantee replaces the milestones (title and due date per row); they wait for the
    organizer's approval. Milestones already reached stay as they are."""
    if not rows:
        raise DomainError(_l("Write at least one milestone."), field="milestones")
    kept = [m for m in grant.milestones if m.reached_on is not None]
    grant.milestones = kept + [Milestone(position=len(kept) + index, title=title[:200],
                                         due_on=due_on)
                               for index, (title, due_on) in enumerate(rows)]
    grant.milestones_approved = False
    db.session.flush()
    record(actor, "grant.milestones_proposed", contest=grant.contest, target=grant,
           count=len(rows))


def approve_milestones(actor, grant):
    grant.milestones_approved = True
    db.session.flush()
    record(actor, "grant.milestones_approved", contest=grant.contest, target=grant)


def mark_milestone_reached(actor, milestone, reached_on, now=None):
    """The grantee marks an approved milestone reached (not in the future)."""
    if not milestone.grant.milestones_approved:
        raise DomainError(_l("The milestones wait for the organizer's approval."))
    if reached_on > beijing_today(now):
        raise DomainError(_l("A milestone cannot be reached in the future."))
    milestone.reached_on = reached_on
    db.session.flush()
    record(actor, "grant.milestone_reached", contest=milestone.grant.contest,
           target=milestone, reached_on=reached_on.isoformat())
