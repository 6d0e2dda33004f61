"""Issuing, revoking and verifying certificates; verbs take the acting user, add and flush."""
from typing import NamedTuple

from sqlalchemy.orm import selectinload

from portal.audit import record
from portal.certificates import numbers, seal
from portal.errors import DomainError
from portal.exports.sheets import contest_awards, winner_name
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import Award, Certificate, Proposal, utcnow

MAX_HOLDER_LENGTH = 80
MAX_REASON_LENGTH = 500


def _new_certificates(actor, holders):
    """Issue a certificate for each (award, holder) pair (holder None: the winner) in one
    statement; returns their numbers."""
    rows = [{"contest_id": award.contest_id, "proposal_id": award.proposal_id,
             "tier_id": award.tier_id, "award_id": award.id, "holder": holder,
             "issued_at": utcnow(), "issued_by_id": getattr(actor, "id", None)}
            for award, holder in holders]
    _number(rows)
    if rows:
        db.session.execute(db.insert(Certificate), rows)
    return [row["number"] for row in rows]


def _number(rows):
    """Random numbers, checked against the issued ones in one query per batch: with 60 random
    bits a clash is next to impossible, but the unique index would turn one into an error."""
    pending = list(rows)
    while pending:
        for row in pending:
            row["number"] = numbers.new_number()
        drawn = [row["number"] for row in pending]
        taken = set(db.session.scalars(db.select(Certificate.number).filter(
            Certificate.number.in_(drawn))))
        pending = [row for row in pending
                   if row["number"] in taken or drawn.count(row["number"]) > 1]


def _valid_query(contest, *columns):
    """The contest's certificates not revoked, whose award still stands as issued."""
    return (db.select(*columns).join(Award, Award.id == Certificate.award_id)
            .filter(Certificate.contest_id == contest.id, Certificate.revoked_at.is_(None),
                    Award.tier_id == Certificate.tier_id))


def _valid_certificates(contest):
    return db.session.scalars(
        _valid_query(contest, Certificate)
        .options(selectinload(Certificate.proposal), selectinload(Certificate.tier))
        .order_by(Certificate.id)).all()


def issue_certificates(actor, contest, themes=None):
    """Give every award (of these theme ids' proposals only, unless None: a theme chair's) a
    numbered certificate for its winner (once), and return the certificates to print: the
    winners' and the team members', in the order of the award list."""
    awards = contest_awards(contest, themes)
    if not awards:
        raise DomainError(_l("No award has been decided yet: there is no certificate to print."))
    has_winner_certificate = set(db.session.scalars(
        _valid_query(contest, Certificate.award_id).filter(Certificate.holder.is_(None))))
    issued = _new_certificates(actor, [(award, None) for award in awards
                                       if award.id not in has_winner_certificate])
    valid = _valid_certificates(contest)
    if issued:
        record(actor, "certificates.issued", contest=contest, count=len(issued), numbers=issued)
    by_award = {}
    for certificate in valid:
        by_award.setdefault(certificate.award_id, []).append(certificate)
    return [certificate for award in awards
            for certificate in sorted(by_award.get(award.id, []),
                                      key=lambda c: (c.holder is not None, c.id))]


def issue_member_certificates(actor, contest, award_id, names):
    """A certificate for each named team member of an award (names one per line); returns the new
    numbers. A name that already has a valid certificate for this award gets no second one."""
    award = db.session.get(Award, award_id)
    if award is None or award.contest_id != contest.id:
        raise DomainError(_l("Choose one of the contest's awards."), field="award")
    wanted = list(dict.fromkeys(name.strip() for name in names.splitlines() if name.strip()))
    if not wanted:
        raise DomainError(_l("Write at least one name, one per line."), field="names")
    if any(len(name) > MAX_HOLDER_LENGTH for name in wanted):
        raise DomainError(_l("A name may have at most %(max)d characters.",
                             max=MAX_HOLDER_LENGTH), field="names")
    existing = set(db.session.scalars(_valid_query(contest, Certificate.holder).filter(
        Certificate.award_id == award.id)))
    issued = _new_certificates(actor, [(award, name) for name in wanted if name not in existing])
    if issued:
        record(actor, "certificates.issued", contest=contest, target=award.proposal,
               proposal=award.proposal_id, count=len(issued), numbers=issued)
    return issued


def revoke_certificate(actor, certificate, reason):
    """Revoke a certificate for `reason`: its verification page says so from now on."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for revoking the certificate."), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(_l("The reason may have at most %(max)d characters.",
                             max=MAX_REASON_LENGTH), field="reason")
    if certificate.is_revoked:
        raise DomainError(_l("This certificate has already been revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = getattr(actor, "id", None)
    certificate.revocation_reason = reason
    record(actor, "certificate.revoked", contest=certificate.contest, target=certificate,
           proposal=certificate.proposal_id, number=certificate.number, reason=reason)
    db.session.flush()


def replace_seal(actor, contest, stream):
    """Check the uploaded picture and make it the contest's seal."""
    png = seal.checked_seal_image(stream)
    seal.store_seal(contest, png)
    record(actor, "certificates.seal_changed", contest=contest, target=contest,
           bytes=len(png))


def delete_seal(actor, contest):
    seal.remove_seal(contest)
    record(actor, "certificates.seal_removed", contest=contest, target=contest)


def contest_certificates(contest):
    """Every certificate of the contest, newest first, for the organizers' table."""
    return db.session.scalars(
        db.select(Certificate).filter_by(contest_id=contest.id)
        .options(selectinload(Certificate.proposal).selectinload(Proposal.applicant),
                 selectinload(Certificate.tier))
        .order_by(Certificate.id.desc())).all()


def holder_name(certificate):
    """The name printed on a certificate: the team member's, else the winner's."""
    return certificate.holder or winner_name(certificate.proposal)


class Verification(NamedTuple):
    """What the public verification page shows: nothing personal the applicant did not agree
    to publish (the title and organization only with the consent to publish)."""

    number: str
    contest: object
    tier: object
    title: str | None
    organization: str | None
    holder: str | None
    issued_at: object
    revoked_at: object


def masked(name):
    """A team member's name as a verifier may see it: its first character, the rest hidden."""
    return name[:1] + "*" * min(max(len(name) - 1, 1), 3)


def verification(text):
    """The certificate a typed or scanned number names, or None: the same None for a number that
    cannot exist and one that was never issued, so the answer tells nothing about the format."""
    number = numbers.normalized(text)
    if number is None:
        return None
    certificate = db.session.scalar(db.select(Certificate).filter_by(number=number))
    if certificate is None:
        return None
    proposal = certificate.proposal
    published = bool(proposal.publish_consent)
    return Verification(
        number=certificate.number, contest=certificate.contest, tier=certificate.tier,
        title=proposal.title if published else None,
        organization=(proposal.organization or None) if published else None,
        holder=masked(certificate.holder) if certificate.holder else None,
        issued_at=certificate.issued_at, revoked_at=certificate.revoked_at)
