"""A theme chair's proposal of their theme's winners, and an organizer's decision on it.

States: draft → submitted → confirmed, or returned with reasons (the chair edits and submits
again). A theme has at most one open proposal (draft, submitted or returned). Confirming applies
the proposal to the awards through portal.awards.services.place_awards, the very step the
allocation from the ranking takes; nobody confirms or returns a proposal they wrote or
submitted. Nothing can be proposed once the results are published, and nothing confirmed once
they are final. Every step is audited.
"""
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import policy
from portal.audit import record
from portal.awards import services
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import LazyText, current_locale, lazy_gettext as _l
from portal.mail import queue_email
from portal.models import Award, AwardProposal, AwardProposalLine, AwardProposalState, \
    AwardScope, Permission, Proposal, ProposalStatus, User, utcnow
from portal.web import external_url

NOTE_MAX = 2000
State = AwardProposalState


@dataclass
class Candidate:
    """A proposal of the theme's ranking, and the tier the ranking's allocation gives it."""

    proposal: Proposal
    rank: int | None
    theme_rank: int | None
    score: float | None
    suggested: object          # AwardTier or None

    @property
    def eligible(self):
        return self.rank is not None and self.proposal.status in ProposalStatus.IN_COMPETITION


@dataclass
class ThemeRanking:
    contest_round: object
    candidates: list           # Candidate, in the theme's ranking order

    def suggestion(self):
        """proposal id -> tier: what the allocation from the ranking gives the theme."""
        return {c.proposal.id: c.suggested for c in self.candidates if c.suggested is not None}

    def by_id(self):
        return {c.proposal.id: c for c in self.candidates}


def theme_ranking(contest, theme):
    """The theme's rows of the allocation round's official ranking, with the tier the
    organizers' allocation from the ranking would give each (overall tiers included)."""
    preview = services.preview_allocation(contest)
    suggested = {p.proposal_id: preview.tiers[p.tier_id]
                 for p in preview.allocation.placements}
    rows = [row for row in preview.rows.values() if row.theme == theme.id]
    rows.sort(key=lambda row: (row.theme_rank is None, row.theme_rank or 0, row.rank or 0))
    return ThemeRanking(preview.contest_round, [
        Candidate(preview.proposals[row.proposal_id], row.rank, row.theme_rank, row.score,
                  suggested.get(row.proposal_id)) for row in rows])


def latest(contest, theme):
    """The theme's open proposal, else its last decided one, else None."""
    found = db.session.scalars(
        db.select(AwardProposal).filter_by(contest_id=contest.id, theme_id=theme.id)
        .options(selectinload(AwardProposal.lines))
        .order_by(AwardProposal.id.desc())).all()
    return next((p for p in found if p.state in State.OPEN), found[0] if found else None)


def contest_proposals(contest, theme_ids=None):
    """The contest's proposals, submitted ones first, then by theme and newest first;
    `theme_ids` limits them (None: every theme)."""
    query = db.select(AwardProposal).filter_by(contest_id=contest.id).options(
        selectinload(AwardProposal.theme), selectinload(AwardProposal.submitted_by),
        selectinload(AwardProposal.lines))
    if theme_ids is not None:
        query = query.filter(AwardProposal.theme_id.in_(sorted(theme_ids)))
    found = db.session.scalars(query).all()
    return sorted(found, key=lambda p: (p.state != State.SUBMITTED, p.theme.position, -p.id))


def waiting_count(contest):
    """How many of the contest's proposals wait for an organizer's decision."""
    return db.session.scalar(db.select(db.func.count(AwardProposal.id)).filter_by(
        contest_id=contest.id, state=State.SUBMITTED))


def _check_may_propose(actor, contest, theme):
    if theme.contest_id != contest.id:
        raise DomainError(_l("This theme is not a theme of this contest."))
    if not policy.can(actor, Permission.AWARDS, contest, theme):
        raise DomainError(_l("You may propose awards only for the themes whose awards you "
                             "hold the right to."))
    if services.publication_of(contest) is not None:
        raise DomainError(_l("The results are published: awards can no longer be proposed."))


def _checked_lines(contest, ranking, choices):
    """The (Proposal, AwardTier) lines of `choices` (proposal id -> tier id or None), checked:
    proposals of the theme's ranking still in competition, tiers of the contest, no tier given
    more often than it has places."""
    tiers = {tier.id: tier for tier in contest.award_tiers}
    candidates = ranking.by_id()
    lines = []
    for proposal_id, tier_id in choices.items():
        if tier_id is None:
            continue
        candidate = candidates.get(proposal_id)
        if candidate is None or not candidate.eligible:
            raise DomainError(_l("Only scored proposals of this theme that are still in "
                                 "competition can be proposed for an award."))
        if tier_id not in tiers:
            raise DomainError(_l("Choose one of this contest's award tiers."))
        lines.append((candidate.proposal, tiers[tier_id]))
    for tier in contest.award_tiers:
        given = sum(1 for _proposal, line_tier in lines if line_tier.id == tier.id)
        if given > tier.count:
            raise DomainError(_l("%(tier)s has %(count)d places; %(given)d were proposed.",
                                 tier=_name(tier), count=tier.count, given=given))
    order = {c.proposal.id: at for at, c in enumerate(ranking.candidates)}
    lines.sort(key=lambda line: (line[1].position, order[line[0].id]))
    return lines


def _name(part):
    return LazyText(lambda: part.localized("name", current_locale()))


def departs_from_ranking(ranking, lines):
    """Does the proposal give a tier other than the allocation from the ranking gives?"""
    return {p.id: t.id for p, t in lines} != {pid: t.id for pid, t in ranking.suggestion().items()}


def save(actor, contest, theme, choices, note, submit=False, now=None):
    """Write the theme's open proposal (starting one when there is none): its lines from
    `choices` (proposal id -> tier id or None) and the chair's note; with `submit`, send it to
    the organizers, who are emailed. A proposal that departs from the ranking needs a note to
    be submitted. Audited."""
    now = now or utcnow()
    _check_may_propose(actor, contest, theme)
    note = (note or "").strip()[:NOTE_MAX] or None
    ranking = theme_ranking(contest, theme)
    lines = _checked_lines(contest, ranking, choices)
    if submit and not lines:
        raise DomainError(_l("Propose at least one award before submitting."))
    if submit and note is None and departs_from_ranking(ranking, lines):
        raise DomainError(_l("This proposal departs from the ranking: explain why in the "
                             "note."), field="note")
    award_proposal = latest(contest, theme)
    if award_proposal is None or award_proposal.state not in State.OPEN:
        award_proposal = _start(actor, contest, theme, now)
    if award_proposal.state not in State.EDITABLE:
        raise DomainError(_l("This proposal has been submitted and waits for an organizer."))
    award_proposal.lines = [AwardProposalLine(proposal_id=proposal.id, tier_id=tier.id)
                            for proposal, tier in lines]
    award_proposal.note = note
    if submit:
        award_proposal.state = State.SUBMITTED
        award_proposal.submitted_by_id = getattr(actor, "id", None)
        award_proposal.submitted_at = now
    db.session.flush()
    record(actor, "award_proposal.submitted" if submit else "award_proposal.saved",
           contest=contest, target=award_proposal, theme=theme.code,
           awards=[[proposal.id, tier.code] for proposal, tier in lines],
           departs=departs_from_ranking(ranking, lines), note=note)
    if submit:
        _tell_organizers(contest, award_proposal)
    return award_proposal


def _start(actor, contest, theme, now):
    """A new draft; when another request started one for the theme at the same moment (the
    unique index of open proposals), that one."""
    award_proposal = AwardProposal(contest_id=contest.id, theme_id=theme.id,
                                   state=State.DRAFT, created_by_id=getattr(actor, "id", None),
                                   created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(award_proposal)
    except IntegrityError:
        return latest(contest, theme)
    return award_proposal


def _tell_organizers(contest, award_proposal):
    link = external_url("award_proposals.review", slug=contest.slug,
                        award_proposal_id=award_proposal.id)
    for organizer in db.session.scalars(db.select(User).filter_by(is_organizer=True,
                                                                  active=True)):
        queue_email(organizer, _l("Awards proposed for the theme %(theme)s",
                                  theme=_name(award_proposal.theme)),
                    "award_proposal_submitted", user=organizer, contest=contest,
                    award_proposal=award_proposal, theme=award_proposal.theme, link=link)


def _decide(actor, award_proposal, state, reason=None, now=None):
    """Move a submitted proposal to `state` with one conditional UPDATE: of two decisions at
    the same moment, one goes through and the other is refused."""
    if getattr(actor, "id", None) in award_proposal.authors:
        raise DomainError(_l("You wrote this proposal: another organizer decides on it."))
    if award_proposal.state != State.SUBMITTED:
        raise DomainError(_l("This proposal is not waiting for a decision."))
    done = db.session.execute(
        update(AwardProposal).where(AwardProposal.id == award_proposal.id,
                                    AwardProposal.state == State.SUBMITTED)
        .values(state=state, return_reason=reason, decided_by_id=getattr(actor, "id", None),
                decided_at=now or utcnow())
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise DomainError(_l("Another organizer has decided on this proposal in the "
                             "meantime."))
    db.session.refresh(award_proposal)


def confirm(actor, award_proposal, confirm_over_pool=False, now=None):
    """Apply the proposal to the theme's awards, exactly as the allocation from the ranking
    applies its own (portal.awards.services.place_awards): the theme's awards become the
    proposal's. Refused once the results are final, when a proposal is no longer in
    competition, when a tier would get more awards in the contest than it has places, and
    beyond the funding pool without `confirm_over_pool`. The chair is emailed."""
    now = now or utcnow()
    contest, theme = award_proposal.contest, award_proposal.theme
    publication = services._unlocked_publication(contest)
    ranking = theme_ranking(contest, theme)
    lines = _checked_lines(contest, ranking, {line.proposal_id: line.tier_id
                                              for line in award_proposal.lines})
    replaced = {award.proposal_id: award for award in db.session.scalars(
        db.select(Award).join(Proposal, Proposal.id == Award.proposal_id)
        .filter(Award.contest_id == contest.id, Proposal.theme_id == theme.id))}
    _check_places(contest, replaced, lines)
    grants = sum((services.grant_for(tier, proposal) or 0 for proposal, tier in lines), 0)
    if not confirm_over_pool and services.exceeds_pool(
            contest, sum((award.grant or 0 for award in replaced.values()), 0), grants):
        raise DomainError(_l("With this proposal the grants exceed the funding pool. Tick the "
                             "box to confirm it anyway."), field="confirm_over_pool")
    _decide(actor, award_proposal, State.CONFIRMED, now=now)
    departs = departs_from_ranking(ranking, lines)
    suggestion = ranking.suggestion()
    reasons = {proposal.id: award_proposal.note for proposal, tier in lines
               if departs and getattr(suggestion.get(proposal.id), "id", None) != tier.id}
    services.place_awards(actor, contest, publication, replaced, lines, now, reasons)
    record(actor, "award_proposal.confirmed", contest=contest, target=award_proposal,
           theme=theme.code, awards=[[proposal.id, tier.code] for proposal, tier in lines])
    _tell_chair(award_proposal)
    return award_proposal


def _check_places(contest, replaced, lines):
    """No tier given more awards than its places: overall tiers in the whole contest, per-theme
    tiers in the theme."""
    held = dict(db.session.execute(
        db.select(Award.tier_id, db.func.count(Award.id)).filter_by(contest_id=contest.id)
        .group_by(Award.tier_id)).all())
    for tier in contest.award_tiers:
        proposed = sum(1 for _proposal, line_tier in lines if line_tier.id == tier.id)
        if tier.scope == AwardScope.PER_THEME:
            after = proposed
        else:
            after = held.get(tier.id, 0) - sum(
                1 for award in replaced.values() if award.tier_id == tier.id) + proposed
        if after > tier.count:
            raise DomainError(_l("With this proposal %(tier)s would have %(after)d awards in "
                                 "the contest for %(count)d places. Move an award of another "
                                 "theme first, or return the proposal.", tier=_name(tier),
                                 after=after, count=tier.count))


def send_back(actor, award_proposal, reason, now=None):
    """Return the proposal to its chair with reasons (emailed); they edit and submit again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reasons for returning the proposal."), field="reason")
    _decide(actor, award_proposal, State.RETURNED, reason=reason[:NOTE_MAX], now=now)
    record(actor, "award_proposal.returned", contest=award_proposal.contest,
           target=award_proposal, theme=award_proposal.theme.code, reason=reason)
    _tell_chair(award_proposal)
    return award_proposal


def _tell_chair(award_proposal):
    chair = award_proposal.submitted_by or award_proposal.created_by
    if chair is None or not chair.active:
        return
    contest, theme = award_proposal.contest, award_proposal.theme
    confirmed = award_proposal.state == State.CONFIRMED
    queue_email(chair, _l("Your awards proposal for %(theme)s was confirmed", theme=_name(theme))
                if confirmed else _l("Your awards proposal for %(theme)s was returned",
                                     theme=_name(theme)),
                "award_proposal_decided", user=chair, contest=contest, theme=theme,
                award_proposal=award_proposal, confirmed=confirmed,
                link=external_url("award_proposals.theme", slug=contest.slug,
                                  theme_code=theme.code))
