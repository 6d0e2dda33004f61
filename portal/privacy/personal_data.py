"""Personal data rights (PIPL): download everything, erase the account, purge after retention."""
import io
import json
import zipfile
from datetime import timedelta
from functools import partial


from portal.accounts.sessions import end_all_sessions
from portal.audit import record
from portal.database import run_after_commit
from portal.extensions import db
from portal.models import Assignment, Contest, ContestStatus, Proposal, ProposalStatus, Review, \
    utcnow
from portal.proposals.services import delete_proposal
from portal.proposals.storage import delete_stored, stored_path

PROFILE_FIELDS = ("email", "display_name", "locale", "entrant_type_code", "organization",
                  "contact_name", "phone", "created_at", "email_confirmed_at", "consent_at",
                  "consent_version")
PROPOSAL_FIELDS = ("reference", "status", "title", "summary", "need", "beneficiaries",
                   "beneficiary_count", "plan", "budget_total", "outcomes", "innovation", "team",
                   "sustainability", "contact_name", "contact_phone", "contact_email",
                   "organization", "publish_consent", "status_note", "created_at",
                   "submitted_at", "updated_at")
# Cleared when a proposal is kept for the results but its author's data must go.
PERSONAL_PROPOSAL_FIELDS = ("team", "contact_name", "contact_phone", "contact_email")


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def personal_data_archive(user):
    """A ZIP (bytes) with profile.json, proposals.json and every attachment file."""
    proposals = db.session.scalars(db.select(Proposal).filter_by(applicant_id=user.id)
                                   .order_by(Proposal.id)).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        profile = {field: _plain(getattr(user, field)) for field in PROFILE_FIELDS}
        archive.writestr("profile.json", json.dumps(profile, ensure_ascii=False, indent=2))
        archive.writestr("proposals.json", json.dumps(
            [_proposal_record(proposal) for proposal in proposals], ensure_ascii=False, indent=2))
        for proposal in proposals:
            for attachment in proposal.attachments:
                path = stored_path(attachment.stored_name)
                if path.exists():
                    archive.write(path, f"attachments/{proposal.id}/{attachment.id}-"
                                        f"{attachment.original_name}")
    return buffer.getvalue()


def _proposal_record(proposal):
    record_ = {field: _plain(getattr(proposal, field)) for field in PROPOSAL_FIELDS}
    record_.update({
        "contest": proposal.contest.slug,
        "theme": proposal.theme.name_zh,
        "budget_lines": [{"item": line.item, "amount": str(line.amount), "note": line.note}
                         for line in proposal.budget_lines],
        "attachments": [{"name": a.original_name, "size": a.size, "sha256": a.sha256}
                        for a in proposal.attachments],
        "history": [{"at": _plain(event.at), "action": event.action, "note": event.note}
                    for event in proposal.events],
    })
    return record_


def _has_reviews(proposal):
    return db.session.scalar(
        db.select(Review.id).join(Assignment, Review.assignment_id == Assignment.id)
        .filter(Assignment.proposal_id == proposal.id, Review.submitted_at.is_not(None))
        .limit(1)) is not None


def anonymize_proposal(proposal):
    """Keep a judged proposal for the results, without anything that identifies its author."""
    for field in PERSONAL_PROPOSAL_FIELDS:
        setattr(proposal, field, None)
    proposal.applicant_id = None
    for attachment in list(proposal.attachments):
        proposal.attachments.remove(attachment)
        run_after_commit(partial(delete_stored, attachment.stored_name))


def erase_account(user, now=None):
    """Delete the account as PIPL requires; judged proposals stay, anonymized.

    Proposals never judged are removed with their files (submitted ones in a running contest
    are withdrawn first, so the history says so). The user row stays as a neutral label so that
    the audit log keeps its id, with every personal field cleared and no way to log in.
    """
    now = now or utcnow()
    for proposal in db.session.scalars(db.select(Proposal).filter_by(applicant_id=user.id)):
        if _has_reviews(proposal):
            anonymize_proposal(proposal)
        else:
            delete_proposal(proposal)
    record(user, "account.erased", target=user)
    user.email = f"erased-{user.id}@invalid"
    user.display_name = None
    user.organization = user.contact_name = user.phone = user.entrant_type_code = None
    user.password_hash = "!"  # matches no password
    user.totp_secret = user.recovery_codes = None
    user.active = False
    user.erased_at = now
    end_all_sessions(user)   # signed in elsewhere too: refused on the next request
    db.session.flush()


def purge_expired(retention_years, now=None):
    """Anonymize proposals of contests that ended more than `retention_years` ago.

    Returns the number of proposals anonymized. A contest ends at its results date, or at its
    submission deadline when it has none.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=365 * retention_years)
    count = 0
    for contest in db.session.scalars(db.select(Contest)):
        ended = contest.results_at or contest.submission_deadline
        if contest.status_at(now) == ContestStatus.OPEN or ended > cutoff:
            continue
        for proposal in db.session.scalars(db.select(Proposal).filter(
                Proposal.contest_id == contest.id, Proposal.applicant_id.is_not(None))):
            if proposal.status == ProposalStatus.DRAFT:
                delete_proposal(proposal)
            else:
                anonymize_proposal(proposal)
            count += 1
    db.session.flush()
    return count


