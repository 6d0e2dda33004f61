"""Advancing proposals from one round to the next: the top N overall, per theme, or by hand."""

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import ProposalEvent, ProposalStatus

ADVANCEABLE = (ProposalStatus.SUBMITTED, ProposalStatus.ELIGIBLE)


def next_round(contest, contest_round):
    later = [r for r in contest.rounds if r.position > contest_round.position]
    return later[0] if later else None


def chosen_for_advance(ranked, mode, count=None, proposal_ids=()):
    """The proposal ids to advance from a round's ranking (scoring.RankingRow order)."""
    rows = [row for row in ranked.result.rows if row.rank is not None]
    if mode == "overall":
        return [row.proposal_id for row in rows if row.rank <= count]
    if mode == "per_theme":
        return [row.proposal_id for row in rows
                if row.theme_rank is not None and row.theme_rank <= count]
    wanted = set(proposal_ids)
    return [row.proposal_id for row in ranked.result.rows if row.proposal_id in wanted]


def advance(actor, contest, from_round, proposals):
    """Mark the proposals as advanced to the round after `from_round`; returns how many."""
    target = next_round(contest, from_round)
    if target is None:
        raise DomainError(_l("There is no later round to advance proposals to. Add one in the "
                             "contest setup first."))
    advanced = 0
    for proposal in proposals:
        if proposal.status not in ADVANCEABLE:
            continue
        proposal.events.append(ProposalEvent(actor_id=actor.id, action="advanced",
                                             from_status=proposal.status,
                                             to_status=ProposalStatus.ADVANCED,
                                             note=target.name_zh))
        proposal.status = ProposalStatus.ADVANCED
        advanced += 1
    db.session.flush()
    record(actor, "proposals.advanced", contest=contest, target=target, round=target.code,
           proposals=[proposal.id for proposal in proposals])
    return advanced
