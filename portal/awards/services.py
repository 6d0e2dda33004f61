"""Award verbs: allocate the tiers from the official ranking, move a proposal with a reason."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from portal.audit import record
from portal.awards import allocation as alloc
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import (
    Assignment,
    Award,
    AwardScope,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    PublicationStage,
    Review,
    Round,
    utcnow,
)
from portal.results.ranking import round_ranking
from portal.rules.contest import publication_of


def awards_locked(publication):
    return publication is not None and publication.stage == PublicationStage.FINAL


def _unlocked_publication(contest):
    publication = publication_of(contest)
    if awards_locked(publication):
        raise DomainError(_l("The results are final: the awards can no longer change."))
    return publication


def allocation_round(contest):
    """The last round with a submitted review, else the current round."""
    contest_round = db.session.scalar(
        db.select(Round).join(Assignment, Assignment.round_id == Round.id)
        .join(Review, Review.assignment_id == Assignment.id)
        .filter(Round.contest_id == contest.id, Review.submitted_at.is_not(None))
        .order_by(Round.position.desc()).limit(1))
    return contest_round or contest.current_round


def tier_spec(tier):
    return alloc.TierSpec(tier.id, tier.count, tier.scope, tier.grant_amount,
                          tier.grant_up_to_budget)


def grant_for(tier, proposal):
    return alloc.grant_for(tier_spec(tier), proposal.budget_total)


@dataclass
class Preview:
    """An allocation computed from the ranking, not yet saved."""

    contest_round: object
    allocation: alloc.Allocation
    tiers: dict          # id -> AwardTier
    themes: dict         # id -> Theme
    proposals: dict      # id -> Proposal
    rows: dict           # proposal id -> scoring.RankingRow
    digest: str
    total_budget: Decimal
    total_grant: Decimal
    pool: Decimal | None

    @property
    def over_pool(self):
        return self.pool is not None and self.total_grant > self.pool


def _candidates(ranked):
    candidates = []
    for row in ranked.result.rows:
        proposal = ranked.proposals[row.proposal_id]
        interval = ranked.intervals.get(row.proposal_id, {})
        candidates.append(alloc.Candidate(
            row.proposal_id, row.theme, row.rank, row.theme_rank,
            in_competition=proposal.status in ProposalStatus.IN_COMPETITION,
            # The ranking's flag (a chance of being inside the boundary between 20 % and 80 %),
            # not overlapping intervals: with few reviews every interval overlaps its
            # neighbours', and every boundary would be "too close to call".
            budget=proposal.budget_total,
            statistically_tied=bool(interval.get("statistically_tied"))))
    return candidates


def preview_allocation(contest):
    """Allocate every tier from the official ranking of the allocation round (nothing saved)."""
    contest_round = allocation_round(contest)
    if contest_round is None:
        raise DomainError(_l("This contest has no judging round yet."))
    if not contest.award_tiers:
        raise DomainError(_l("This contest has no award tiers yet: add them in the setup."))
    ranked = round_ranking(contest, contest_round)
    allocation = alloc.allocate([tier_spec(tier) for tier in contest.award_tiers],
                                _candidates(ranked), themes=[t.id for t in contest.themes])
    proposals = ranked.proposals
    total_budget = sum((proposals[p.proposal_id].budget_total or Decimal(0)
                        for p in allocation.placements), Decimal(0))
    return Preview(contest_round, allocation, {t.id: t for t in contest.award_tiers},
                   {t.id: t for t in contest.themes}, proposals,
                   {row.proposal_id: row for row in ranked.result.rows},
                   alloc.fingerprint(allocation, (contest_round.id,)), total_budget,
                   allocation.total_grant, contest.funding_pool)


def contest_awards(contest):
    """The contest's awards in display order: tier order, then theme order for per-theme tiers,
    then the order they were given in (the ranking's order for allocated ones)."""
    awards = db.session.scalars(
        db.select(Award).filter_by(contest_id=contest.id)
        .options(selectinload(Award.proposal).selectinload(Proposal.theme),
                 selectinload(Award.proposal).selectinload(Proposal.applicant),
                 selectinload(Award.tier))).all()
    return sorted(awards, key=lambda award: (
        award.tier.position,
        award.proposal.theme.position if award.tier.scope == AwardScope.PER_THEME else 0,
        award.id))


def award_count(contest):
    return db.session.scalar(db.select(db.func.count(Award.id)).filter_by(contest_id=contest.id))


@dataclass
class Totals:
    budget: Decimal
    grant: Decimal
    pool: Decimal | None

    @property
    def over_pool(self):
        return self.pool is not None and self.grant > self.pool

    @property
    def remaining(self):
        return None if self.pool is None else self.pool - self.grant


def totals(contest, awards):
    """Requested budgets and grants of the winners, against the funding pool."""
    return Totals(sum((a.proposal.budget_total or Decimal(0) for a in awards), Decimal(0)),
                  sum((a.grant or Decimal(0) for a in awards), Decimal(0)), contest.funding_pool)


def save_allocation(actor, contest, digest, confirm_over_pool=False, now=None):
    """Replace the contest's awards with the ranking's allocation that the preview showed.

    Refused after finalization, when the ranking changed since the preview (`digest`), and when
    the grants exceed the funding pool without `confirm_over_pool`.
    """
    now = now or utcnow()
    publication = _unlocked_publication(contest)
    preview = preview_allocation(contest)
    if digest != preview.digest:
        raise DomainError(_l("The ranking has changed since the preview. Check the new "
                             "preview, then save again."))
    if preview.over_pool and not confirm_over_pool:
        raise DomainError(_l("The grants exceed the funding pool. Tick the box to confirm "
                             "this allocation anyway."), field="confirm_over_pool")
    place_awards(actor, contest, publication,
                 {award.proposal_id: award for award in contest_awards(contest)},
                 [(preview.proposals[placement.proposal_id], preview.tiers[placement.tier_id])
                  for placement in preview.allocation.placements], now)
    record(actor, "awards.allocated", contest=contest, target=contest,
           round=preview.contest_round.code, total_grant=str(preview.total_grant),
           pool=None if preview.pool is None else str(preview.pool),
           over_pool_confirmed=bool(preview.over_pool),
           awards=[[p.proposal_id, preview.tiers[p.tier_id].code]
                   for p in preview.allocation.placements])
    return preview


def place_awards(actor, contest, publication, replaced, wanted, now, reasons=None):
    """Make the awards `replaced` (proposal id -> Award) into `wanted` ((Proposal, AwardTier)
    pairs, in order): awards left out are removed, the others changed or added with their
    tier's grant (grant_for), the deciding account and time; once the list is published, the
    proposals' statuses follow. `reasons` (proposal id -> text) marks the awards that depart
    from the ranking. The allocation from the ranking and a confirmed theme proposal
    (portal.awards.theme_proposals) both go through here."""
    wanted_ids = {proposal.id for proposal, _tier in wanted}
    for proposal_id, award in replaced.items():
        if proposal_id not in wanted_ids:
            db.session.delete(award)
            if publication is not None:
                unmark_awarded(actor, award.proposal)
    for proposal, tier in wanted:
        award = replaced.get(proposal.id)
        if award is None:
            award = Award(contest_id=contest.id, proposal_id=proposal.id)
            db.session.add(award)
        award.tier = tier
        award.grant = grant_for(tier, proposal)
        award.override_reason = (reasons or {}).get(proposal.id)
        award.decided_by_id = getattr(actor, "id", None)
        award.decided_at = now
        if publication is not None:
            mark_awarded(actor, proposal)
    db.session.flush()


def proposal_by_reference(contest, reference):
    """The contest's proposal with this reference number (any letter case), or None."""
    reference = (reference or "").strip().upper()
    if not reference:
        return None
    return db.session.scalar(db.select(Proposal).filter(
        Proposal.contest_id == contest.id, db.func.upper(Proposal.reference) == reference))


def award_of(proposal):
    return db.session.scalar(db.select(Award).filter_by(proposal_id=proposal.id))


def move_award(actor, contest, reference, tier_id, reason, confirm_over_pool=False, now=None):
    """Give the proposal another tier, a first award (`tier_id`) or none (`tier_id` None).

    The reason is required and recorded; refused after finalization, for proposals not in
    competition, and beyond the funding pool without `confirm_over_pool`.
    """
    now = now or utcnow()
    publication = _unlocked_publication(contest)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for this change; it is recorded."), field="reason")
    proposal = proposal_by_reference(contest, reference)
    if proposal is None:
        raise DomainError(_l("No proposal of this contest has this reference number."),
                          field="reference")
    tier = next((t for t in contest.award_tiers if t.id == tier_id), None)
    if tier_id is not None and tier is None:
        raise DomainError(_l("Choose one of this contest's award tiers."), field="tier")
    award = award_of(proposal)
    before = award.tier.code if award is not None else None
    if tier is None:
        if award is None:
            raise DomainError(_l("This proposal has no award to remove."), field="tier")
        db.session.delete(award)
        grant = None
    else:
        if proposal.status not in ProposalStatus.IN_COMPETITION:
            raise DomainError(_l("Only proposals in competition can receive an award."),
                              field="reference")
        if award is not None and award.tier_id == tier.id:
            raise DomainError(_l("This proposal already has this award."), field="tier")
        grant = grant_for(tier, proposal)
        _check_pool(contest, award, grant, confirm_over_pool)
        if award is None:
            award = Award(contest_id=contest.id, proposal_id=proposal.id)
            db.session.add(award)
        award.tier, award.grant, award.override_reason = tier, grant, reason
        award.decided_by_id, award.decided_at = getattr(actor, "id", None), now
    db.session.flush()
    if publication is not None:
        (mark_awarded if tier is not None else unmark_awarded)(actor, proposal)
    record(actor, "award.moved", contest=contest, target=proposal, proposal=proposal.id,
           reference=proposal.reference, from_tier=before, to_tier=tier.code if tier else None,
           grant=None if grant is None else str(grant), reason=reason)
    return proposal


def exceeds_pool(contest, removed, added):
    """Would the contest's grants pass its funding pool if grants worth `removed` went and
    grants worth `added` came?"""
    if contest.funding_pool is None:
        return False
    current = db.session.scalar(db.select(db.func.coalesce(db.func.sum(Award.grant), 0))
                                .filter_by(contest_id=contest.id))
    return Decimal(current) - removed + added > contest.funding_pool


def _check_pool(contest, award, grant, confirmed):
    if confirmed:
        return
    if exceeds_pool(contest, award.grant or 0 if award is not None else 0, grant or 0):
        raise DomainError(_l("With this change the grants exceed the funding pool. Tick the box "
                             "to confirm it anyway."), field="confirm_over_pool")


def mark_awarded(actor, proposal):
    """The proposal's status becomes 'awarded', with an event in its history."""
    if proposal.status == ProposalStatus.AWARDED:
        return
    db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=getattr(actor, "id", None),
                                 action="awarded", from_status=proposal.status,
                                 to_status=ProposalStatus.AWARDED))
    proposal.status = ProposalStatus.AWARDED


def unmark_awarded(actor, proposal):
    """An awarded proposal goes back to the status it had before its award."""
    if proposal.status != ProposalStatus.AWARDED:
        return
    previous = db.session.scalar(
        db.select(ProposalEvent.from_status)
        .filter_by(proposal_id=proposal.id, to_status=ProposalStatus.AWARDED)
        .order_by(ProposalEvent.id.desc()).limit(1))
    if previous not in ProposalStatus.IN_COMPETITION or previous == ProposalStatus.AWARDED:
        previous = ProposalStatus.ELIGIBLE
    db.session.add(ProposalEvent(proposal_id=proposal.id, actor_id=getattr(actor, "id", None),
                                 action="award_removed", from_status=proposal.status,
                                 to_status=previous))
    proposal.status = previous
