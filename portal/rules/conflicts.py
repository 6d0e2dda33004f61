"""The conflict lookup: one rule for one pair of a judge and a proposal, or a whole contest
(the verbs that declare, add, remove and waive conflicts are portal.judging.conflicts).

The rule: a judge is never assigned a proposal when a conflict is recorded for the pair (the
judge recused, or an organizer added it), or when an automatic one (same organization, same
private email domain, an organization the judge declared; portal.assignment.find_conflicts)
stands and no organizer waived it for the pair.

Access to a proposal already assigned closes only through a conflict recorded for the pair
(`closes_access`). Automatic conflicts depend on what the judge says (a declared organization,
their profile's organization or address): if they closed access at once, a judge could declare
a guess and see from a 404 whether the blind proposal came from that organization. They act
when proposals are assigned and are shown to the organizers, who record the conflict (which
removes the assignment) or waive it; the judge sees the same either way.
"""
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app

from portal import assignment as rules
from portal.assignment import ConflictReason
from portal.assignment.conflicts import KEYS_CACHED, ordered_reasons
from portal.extensions import db
from portal.i18n import join_list, lazy_gettext as _l
from portal.models import Assignment, Conflict, ConflictKind

# Conflict rows about one pair, and the reason each stands for.
RECORDED = {ConflictKind.DECLARED_PROPOSAL: ConflictReason.DECLARED_PROPOSAL,
            ConflictKind.ORGANIZER: ConflictReason.ORGANIZER}

REASON_LABELS = {
    ConflictReason.SAME_ORGANIZATION: _l("same organization"),
    ConflictReason.SAME_EMAIL_DOMAIN: _l("same email domain"),
    ConflictReason.DECLARED_ORGANIZATION: _l("organization declared by the judge"),
    ConflictReason.DECLARED_PROPOSAL: _l("the judge recused"),
    ConflictReason.ORGANIZER: _l("recorded by the organizers"),
}


def reason_labels(reasons):
    return join_list(REASON_LABELS.get(reason, reason) for reason in reasons)


def _public_mail_domains():
    """The public mail providers this site adds to the built-in list (configuration)."""
    return tuple(current_app.config.get("PORTAL_PUBLIC_MAIL_DOMAINS") or ())


def _private_email(email, public_domains):
    """The address when its domain can tie people together, else None."""
    domain = rules.email_domain(email)
    if not domain or _site_public(domain, tuple(public_domains)):
        return None
    return email


@lru_cache(maxsize=KEYS_CACHED)
def _site_public(domain, public_domains):
    """Whether the domain is one of the site's public mail providers, or under one (asked for
    each applicant's address, over far fewer distinct domains)."""
    return any(domain == public or domain.endswith("." + public) for public in public_domains)


def judge_record(user, declared_organizations=(), expertise=(), active=True,
                 public_domains=None):
    public_domains = _public_mail_domains() if public_domains is None else public_domains
    return rules.Judge(id=user.id, expertise=expertise, active=active,
                       email=_private_email(user.email, public_domains),
                       organization=user.organization,
                       declared_organizations=declared_organizations)


def _conflict_records(proposal, public_domains):
    """The proposal as the conflict rules see it: one record per address of the applicant."""
    applicant = proposal.applicant
    organization = proposal.organization or (applicant.organization if applicant else None)
    emails = sorted({_private_email(email, public_domains) for email in (
        applicant.email if applicant else None, proposal.contact_email)} - {None})
    return [rules.Proposal(id=proposal.id, theme="", applicant_email=email,
                           organization=organization) for email in emails or [None]]


@dataclass
class ConflictMap:
    """The conflicts among some proposals and judges of one contest.

    standing: (proposal id, judge id) -> the reasons that stand (ConflictReason order);
    automatic: pair -> automatic reasons found, waived or not; rows: pair -> its Conflict rows.
    """

    standing: dict = field(default_factory=dict)
    automatic: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)

    def reasons(self, proposal_id, judge_id):
        return self.standing.get((proposal_id, judge_id), ())

    def conflicted(self, proposal_id, judge_id):
        return (proposal_id, judge_id) in self.standing

    def waived(self, proposal_id, judge_id):
        return any(row.kind == ConflictKind.WAIVER for row in self.rows.get(
            (proposal_id, judge_id), ()))

    def as_records(self):
        """The standing conflicts as portal.assignment.Conflict records, for the planner."""
        return [rules.Conflict(proposal_id, judge_id, reasons)
                for (proposal_id, judge_id), reasons in sorted(self.standing.items())]


def assess(proposals, users, rows):
    """The ConflictMap of these proposals (applicants loaded) and judges (User rows), given the
    contest's Conflict rows that concern them. No query beyond lazy loads of applicants."""
    declared = {}
    for row in rows:
        if row.kind == ConflictKind.DECLARED_ORGANIZATION and row.organization:
            declared.setdefault(row.judge_id, []).append(row.organization)
    public_domains = _public_mail_domains()   # read once: 10,000 proposals ask for it
    judges = [judge_record(user, declared.get(user.id, ()), public_domains=public_domains)
              for user in users]
    records = [record_ for proposal in proposals
               for record_ in _conflict_records(proposal, public_domains)]
    result = ConflictMap()
    for conflict in rules.find_conflicts(judges, records):
        result.automatic[conflict.proposal_id, conflict.judge_id] = conflict.reasons
    proposal_ids = {proposal.id for proposal in proposals}
    judge_ids = {user.id for user in users}
    for row in rows:
        if row.proposal_id in proposal_ids and row.judge_id in judge_ids:
            result.rows.setdefault((row.proposal_id, row.judge_id), []).append(row)
    for pair in set(result.automatic) | set(result.rows):
        recorded = {RECORDED[row.kind] for row in result.rows.get(pair, ()) if row.kind in RECORDED}
        waived = any(row.kind == ConflictKind.WAIVER for row in result.rows.get(pair, ()))
        reasons = recorded | (set() if waived else set(result.automatic.get(pair, ())))
        if reasons:
            result.standing[pair] = ordered_reasons(reasons)
    return result


def contest_rows(contest_id, judge_id=None):
    query = db.select(Conflict).filter(Conflict.contest_id == contest_id)
    if judge_id is not None:
        query = query.filter(Conflict.judge_id == judge_id)
    return db.session.scalars(query.order_by(Conflict.id)).all()


def closing_conflict(judge_id, proposal_id, contest_id):
    """SQL: whether a conflict recorded for the pair (a recusal, an organizer's) closes the
    judge's access to the proposal. The arguments are values or columns, so that a query over
    many assignments (the judge's workspace) leaves the closed ones out with the same rule."""
    return db.exists().where(Conflict.contest_id == contest_id, Conflict.judge_id == judge_id,
                             Conflict.proposal_id == proposal_id,
                             Conflict.kind.in_(tuple(RECORDED)))


def closes_access(user, proposal):
    """Whether a conflict recorded for the pair closes the judge's access to the proposal
    (closing_conflict). Nothing the judge declares about others does (see the module's
    docstring). One query."""
    return db.session.scalar(db.select(closing_conflict(user.id, proposal.id,
                                                        proposal.contest_id)))


def open_assignment_pairs(contest):
    """The (proposal id, judge id) pairs assigned in the contest's open rounds."""
    return set(db.session.execute(
        db.select(Assignment.proposal_id, Assignment.judge_id).join(Assignment.round)
        .filter(Assignment.round.has(contest_id=contest.id, closed_at=None))).tuples())
