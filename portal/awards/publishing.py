"""Publication verbs: the provisional list (公示), objections and their answers, finalization."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy.orm import selectinload

from portal import policy
from portal.audit import record
from portal.awards.services import (
    contest_awards,
    mark_awarded,
    proposal_by_reference,
    publication_of,
)
from portal.errors import DomainError
from portal.extensions import db
from portal.grants.services import create_grants
from portal.i18n import LazyText, current_locale, lazy_gettext as _l
from portal.judging.services import set_round_closed
from portal.mail import bulk_writer, queue_bulk_email, queue_email
from portal.models import (
    Assignment,
    Contest,
    Objection,
    Proposal,
    ProposalStatus,
    Publication,
    PublicationStage,
    Review,
    Round,
    utcnow,
)
from portal.web import external_url


def _contest_name(contest):
    """The contest's name in whatever language the message is rendered in."""
    return LazyText(lambda: contest.localized("name", current_locale()))


def objections_open(publication, now=None):
    """Objections may be filed while the provisional list's objection period lasts."""
    return (publication is not None and publication.stage == PublicationStage.PROVISIONAL
            and (now or utcnow()) < publication.objections_until)


def may_finalize_now(publication, now=None):
    return (publication is not None and publication.stage == PublicationStage.PROVISIONAL
            and (now or utcnow()) >= publication.objections_until)


def build_snapshot(contest, awards):
    """What the public sees, frozen: tiers, themes and winners (organization and summary only
    with the applicant's consent; never a score or a judge)."""
    winners = []
    for award in awards:
        proposal = award.proposal
        winner = {"tier": award.tier.code, "theme": proposal.theme.code,
                  "reference": proposal.reference, "title": proposal.title}
        if proposal.publish_consent:
            winner.update(organization=proposal.organization, summary=proposal.summary)
        winners.append(winner)
    return {
        "tiers": [{"code": t.code, "name_zh": t.name_zh, "name_en": t.name_en, "scope": t.scope,
                   "count": t.count} for t in contest.award_tiers],
        "themes": [{"code": t.code, "name_zh": t.name_zh, "name_en": t.name_en}
                   for t in contest.themes],
        "winners": winners,
    }


def publish_provisional(actor, contest, now=None):
    """Publish the awards as a provisional list for the contest's objection period, and email
    the applicant of every proposal in competition."""
    now = now or utcnow()
    if publication_of(contest) is not None:
        raise DomainError(_l("The results have already been published."))
    awards = contest_awards(contest)
    if not awards:
        raise DomainError(_l("Allocate the awards before you publish them."))
    publication = Publication(
        contest_id=contest.id, stage=PublicationStage.PROVISIONAL, published_at=now,
        objections_until=now + timedelta(days=contest.objection_days or 0),
        published_by_id=getattr(actor, "id", None), snapshot=build_snapshot(contest, awards))
    db.session.add(publication)
    for award in awards:
        mark_awarded(actor, award.proposal)
    db.session.flush()
    record(actor, "results.published", contest=contest, target=publication,
           stage=publication.stage, objections_until=publication.objections_until.isoformat(),
           winners=len(awards))
    queue_bulk_email(RESULTS_MAIL, contest_id=contest.id, template="results_provisional")
    return publication


def finalize(actor, contest, confirm_unanswered=False, now=None):
    """Make the results final: lock the awards, close every round, create the winners' grants,
    email the applicants.

    Allowed once the objection period is over; unanswered objections need `confirm_unanswered`.
    """
    now = now or utcnow()
    publication = publication_of(contest)
    if publication is None:
        raise DomainError(_l("Publish the provisional list first."))
    if publication.stage == PublicationStage.FINAL:
        raise DomainError(_l("The results are already final."))
    if not may_finalize_now(publication, now):
        raise DomainError(_l("The objection period is not over yet."))
    unanswered = unanswered_objections(contest)
    if unanswered and not confirm_unanswered:
        raise DomainError(_l("Some objections have not been answered. Answer them, or tick the "
                             "box to finalize anyway."), field="confirm_unanswered")
    awards = contest_awards(contest)
    publication.stage = PublicationStage.FINAL
    publication.finalized_at = now
    publication.finalized_by_id = getattr(actor, "id", None)
    publication.snapshot = build_snapshot(contest, awards)
    closed = []
    for contest_round in contest.rounds:
        if contest_round.is_open:
            set_round_closed(actor, contest_round, True, now)
            closed.append(contest_round.code)
    for award in awards:
        mark_awarded(actor, award.proposal)
    # The award is the start: each winner gets a grant to follow (portal.grants).
    grants = create_grants(actor, contest, now)
    db.session.flush()
    record(actor, "results.finalized", contest=contest, target=publication,
           winners=len(awards), rounds_closed=closed,
           unanswered_objections=[objection.id for objection in unanswered],
           grants=len(grants))
    queue_bulk_email(RESULTS_MAIL, contest_id=contest.id, template="results_final")
    return publication


RESULTS_MAIL = "results"
RESULTS_SUBJECTS = {
    "results_provisional": lambda name: _l("Provisional results of %(contest)s", contest=name),
    "results_final": lambda name: _l("Final results of %(contest)s", contest=name),
}


@bulk_writer(RESULTS_MAIL)
def _email_applicants(contest_id, template):
    """One message per applicant, listing what became of each of their proposals (written by a
    job after the publication's commit, from the awards and the publication as they stand)."""
    contest = db.session.get(Contest, contest_id)
    publication, awards = publication_of(contest), contest_awards(contest)
    subject = RESULTS_SUBJECTS[template](_contest_name(contest))
    proposals = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(ProposalStatus.IN_COMPETITION),
                                   Proposal.applicant_id.is_not(None))
        .options(selectinload(Proposal.applicant)).order_by(Proposal.id)).all()
    by_proposal = {award.proposal_id: award for award in awards}
    outcomes = defaultdict(list)
    for proposal in proposals:
        outcomes[proposal.applicant].append((proposal, by_proposal.get(proposal.id)))
    results_url = external_url("publication.results", slug=contest.slug)
    for applicant, items in outcomes.items():
        queue_email(applicant, subject, template, user=applicant, contest=contest,
                    publication=publication, outcomes=items, results_url=results_url,
                    feedback=contest.show_feedback_to_applicants)


def file_objection(contest, name, contact_email, text, reference=None, locale=None, now=None):
    """Anyone may object during the objection period; the answer goes to `contact_email`."""
    now = now or utcnow()
    if not objections_open(publication_of(contest), now):
        raise DomainError(_l("The objection period is over."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write your objection."), field="text")
    proposal = None
    if (reference or "").strip():
        proposal = proposal_by_reference(contest, reference)
        if proposal is None or proposal.status == ProposalStatus.DRAFT:
            raise DomainError(_l("No proposal of this contest has this reference number."),
                              field="reference")
    objection = Objection(contest_id=contest.id, proposal_id=getattr(proposal, "id", None),
                          name=(name or "").strip() or None, contact_email=contact_email,
                          text=text, created_at=now, locale=locale)
    db.session.add(objection)
    db.session.flush()
    record(None, "objection.filed", contest=contest, target=objection,
           proposal=objection.proposal_id)
    return objection


def contest_objections(contest):
    return db.session.scalars(
        db.select(Objection).filter_by(contest_id=contest.id)
        .options(selectinload(Objection.proposal)).order_by(Objection.id)).all()


def unanswered_objections(contest):
    return db.session.scalars(
        db.select(Objection).filter_by(contest_id=contest.id, answered_at=None)
        .order_by(Objection.id)).all()


def answer_objection(actor, contest, objection, answer, now=None):
    """Record the organizers' answer and email it to the objector, in their language."""
    now = now or utcnow()
    if objection.answered_at is not None:
        raise DomainError(_l("This objection has already been answered."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_l("Write the answer."), field="answer")
    objection.answer, objection.answered_at = answer, now
    objection.answered_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(actor, "objection.answered", contest=contest, target=objection)
    queue_email(objection.contact_email,
                _l("Answer to your objection about %(contest)s", contest=_contest_name(contest)),
                "objection_answer", locale=objection.locale, objection=objection,
                contest=contest,
                results_url=external_url("publication.results", slug=contest.slug))
    return objection


def applicant_feedback(user, proposal):
    """The judges' feedback for the applicant, once the results are final and the contest
    shows it: texts only, in a stable order, never a judge's name or score."""
    contest = proposal.contest
    if not (policy.owns_proposal(user, proposal) and contest.show_feedback_to_applicants):
        return []
    publication = publication_of(contest)
    if publication is None or publication.stage != PublicationStage.FINAL:
        return []
    texts = db.session.scalars(
        db.select(Review.feedback).join(Assignment, Review.assignment_id == Assignment.id)
        .join(Round, Assignment.round_id == Round.id)
        .filter(Assignment.proposal_id == proposal.id, Review.submitted_at.is_not(None),
                Review.feedback.is_not(None))
        .order_by(Round.position, Review.id)).all()
    return [text.strip() for text in texts if text and text.strip()]


def published_results(contests):
    """contest id -> its Publication, for the contests that have one (one query)."""
    ids = [contest.id for contest in contests]
    if not ids:
        return {}
    return {publication.contest_id: publication for publication in db.session.scalars(
        db.select(Publication).filter(Publication.contest_id.in_(ids)))}


def results_view(snapshot):
    """The snapshot arranged for the public page: each tier with its winners (grouped by theme
    for per-theme tiers), and each theme with its winners."""
    themes = {theme["code"]: theme for theme in snapshot.get("themes", [])}
    tiers = {tier["code"]: tier for tier in snapshot.get("tiers", [])}
    by_tier, by_theme = [], []
    for tier in snapshot.get("tiers", []):
        winners = [w for w in snapshot.get("winners", []) if w["tier"] == tier["code"]]
        if not winners:
            continue
        groups = []
        if tier.get("scope") == "per_theme":
            for theme in snapshot.get("themes", []):
                in_theme = [w for w in winners if w["theme"] == theme["code"]]
                if in_theme:
                    groups.append((theme, in_theme))
        else:
            groups.append((None, winners))
        by_tier.append((tier, groups))
    order = {tier["code"]: at for at, tier in enumerate(snapshot.get("tiers", []))}
    for theme in snapshot.get("themes", []):
        winners = sorted((w for w in snapshot.get("winners", []) if w["theme"] == theme["code"]),
                         key=lambda w: order.get(w["tier"], len(order)))
        if winners:
            by_theme.append((theme, winners))
    return {"by_tier": by_tier, "by_theme": by_theme, "tiers": tiers, "themes": themes}
