"""Helping a user locked out of their account: what the account is, and resetting its
two-step login when its owner lost both the phone and the recovery codes."""
from dataclasses import dataclass


from portal.accounts import two_factor
from portal.accounts.sessions import end_all_sessions
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal.models import JudgeMembership, Proposal
from portal.web import external_url


@dataclass
class AccountRoles:
    organizer: bool
    memberships: list  # JudgeMembership rows, with their contest
    proposals: int

    @property
    def applicant(self):
        """Anyone who applied, or any account that is neither organizer nor judge."""
        return bool(self.proposals) or not (self.organizer or self.memberships)


def account_roles(user):
    """The roles of the account: organizer, judge of which contests, applicant (two queries)."""
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(user_id=user.id)
        .options(db.joinedload(JudgeMembership.contest))
        .order_by(JudgeMembership.created_at)).all()
    proposals = db.session.scalar(
        db.select(db.func.count(Proposal.id)).filter_by(applicant_id=user.id))
    return AccountRoles(organizer=bool(user.is_organizer), memberships=list(memberships),
                        proposals=proposals or 0)


def reset_two_factor(actor, user, reason):
    """Turn off the user's two-step login, end every session of theirs, record why, and tell
    them by email. Never the actor's own: a colleague must check who is asking."""
    if user.id == getattr(actor, "id", None):
        raise DomainError(_l("You cannot reset your own two-step login. Turn it off on your "
                             "account page, or ask another organizer."))
    if not two_factor.is_enabled(user):
        raise DomainError(_l("Two-step login is already off for this account."))
    two_factor.disable(user)
    end_all_sessions(user)
    record(actor, "two_factor.reset", target=user, email=user.email, reason=reason.strip())
    queue_email(user, _l("Your two-step login has been reset"), "two_factor_reset", user=user,
                login_url=external_url("accounts.login"),
                setup_url=external_url("two_factor.setup"))
