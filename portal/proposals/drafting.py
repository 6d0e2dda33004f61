"""Writing a proposal on a phone: autosave, the profile facts asked in the form, what is still
missing before submission, and whether the form may be saved now. Services add and flush only.
"""

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import EntrantType
from portal.proposals import rules, services

# What the applicant may still do once the form is closed (the deadline rule of the contest).
AFTER_DEADLINE = _l(
    "The submission deadline has passed: this form can no longer be saved, and nothing is saved "
    "automatically any more. The copy this device kept of your text stays, so you can still copy "
    "it. You can still read, print or download your proposal, withdraw a submitted proposal "
    "until judging starts, and correct a proposal returned to you until the date the organizers "
    "gave.")
PROFILE_LABELS = {"profile_entrant_type": _l("Entrant type"),
                  "profile_organization": _l("Organization")}
# The profile's facts and the proposal's fields that ask for them.
PROFILE_CONTACT = {"contact_name": "contact_name", "phone": "contact_phone"}


def accepts_changes(contest, proposal=None, now=None):
    """Whether the form may be saved (and autosaved) now, by the contest's deadline rule
    (portal.proposals.rules): editing the proposal, or before the first save, starting one."""
    if proposal is not None:
        return rules.refusal(rules.EDIT, contest, proposal, now) is None
    return rules.refusal(rules.CREATE, contest, now=now) is None


def write_back_profile(user, facts):
    """Fill and update the applicant's profile with the facts typed in the proposal form, so
    that nothing is asked twice; an empty field never empties the profile."""
    for name, value in facts.items():
        value = (value or "").strip()
        if value:
            setattr(user, name, value)
    db.session.flush()


def autosave(user, contest, proposal, data, profile, expected_version, creation_token,
             now=None):
    """Save what validates of the form, creating the draft on the first save (the form's
    one-time token finds a draft an unanswered save already created). Returns the proposal."""
    if proposal is None:
        proposal = services.proposal_for_token(user, creation_token)
        if proposal is None:
            proposal = services.create_draft(user, contest, data, now=now,
                                             creation_token=creation_token)
            write_back_profile(user, profile)
            return proposal
        expected_version = expected_version or proposal.version
    services.update_proposal(user, proposal, data, expected_version, now=now)
    write_back_profile(user, profile)
    return proposal


def _entrant_type(user, contest):
    return db.session.scalar(db.select(EntrantType).filter_by(
        contest_id=contest.id, code=user.entrant_type_code)) if user.entrant_type_code else None


def organization_types(contest):
    """The codes of the contest's entrant types that need an organization."""
    return [entrant_type.code for entrant_type in contest.entrant_types
            if entrant_type.requires_organization]


def missing_before_submission(user, proposal):
    """Everything submission still needs, as {form field: label}: the proposal's empty fields
    and the profile facts (asked in the same form), each once."""
    missing = {name: label for name, label in services.REQUIRED_FOR_SUBMISSION.items()
               if getattr(proposal, name) in (None, "", [])}
    entrant_type = _entrant_type(user, proposal.contest)
    if entrant_type is None:
        missing["profile_entrant_type"] = PROFILE_LABELS["profile_entrant_type"]
    elif entrant_type.requires_organization and not user.organization:
        missing["profile_organization"] = PROFILE_LABELS["profile_organization"]
    for profile_name, field in PROFILE_CONTACT.items():
        if not getattr(user, profile_name):
            missing.setdefault(field, services.REQUIRED_FOR_SUBMISSION[field])
    return missing
