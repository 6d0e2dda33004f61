"""Rights granted per contest and per theme: the theme chairs (主题负责人) of a contest.

A grant names one account, one contest, the permissions (portal.models.Permission) and, for a
theme chair, the themes it is limited to. Every grant and revocation is audited. A chair may
not apply to the contest they chair, as a judge may not (portal.policy.may_apply_to).
"""
from portal.i18n import lazy_gettext as _l
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.models import ContestGrant, Invitation, InvitationRole, Permission, Proposal, \
    ProposalStatus, User, utcnow
from portal.validation import normalize_email


def applies_to(user, contest):
    """Has the account a proposal in the contest (not withdrawn)? Such an applicant may neither
    judge it nor chair a theme of it."""
    return db.session.scalar(db.select(Proposal.id).filter(
        Proposal.contest_id == contest.id, Proposal.applicant_id == user.id,
        Proposal.status != ProposalStatus.WITHDRAWN).limit(1)) is not None


def refuse_applicant_as_chair(user, contest):
    """An applicant of the contest may not chair any of its themes."""
    if applies_to(user, contest):
        raise DomainError(_l("This person has proposals in this contest and cannot chair a "
                             "theme of it."), field="email")


def themes_by_code(contest, codes):
    """The contest's themes with these codes, in the contest's order."""
    wanted = set(codes or ())
    return [theme for theme in contest.themes if theme.code in wanted]


def grant_rights(actor, contest, user, permissions, themes=()):
    """Give `user` these permissions in the contest, limited to `themes` when some are named
    (replacing an earlier grant); audited. Staff organizers need no grant."""
    if user.is_organizer:
        raise DomainError(_l("Organizers already hold every right in every contest."),
                          field="email")
    unknown = set(permissions) - set(Permission.ALL)
    if unknown or not permissions:
        raise DomainError(_l("Choose at least one right."), field="permissions")
    for theme in themes:
        if theme.contest_id != contest.id:
            raise DomainError(_l("The theme %(theme)s is not a theme of this contest.",
                                 theme=theme.code), field="themes")
    refuse_applicant_as_chair(user, contest)
    grant = db.session.scalar(db.select(ContestGrant).filter_by(contest_id=contest.id,
                                                                user_id=user.id))
    if grant is None:
        grant = ContestGrant(contest_id=contest.id, user_id=user.id,
                             created_by_id=getattr(actor, "id", None))
        db.session.add(grant)
    grant.permissions = [code for code in Permission.ALL if code in set(permissions)]
    grant.themes = list(themes)
    grant.whole_contest = not themes
    db.session.flush()
    _forget(user)
    record(actor, "rights.granted", contest=contest, target=grant, user=user.id,
           permissions=grant.permissions, themes=[theme.code for theme in grant.themes])
    return grant


def grant_rights_by_email(actor, contest, email, permissions, whole_contest, theme_codes):
    """The rights form: give the account with this email these permissions over the whole
    contest, or over the themes with these codes (each must be a theme of the contest)."""
    try:
        email = normalize_email(email)
    except ValueError as error:
        raise DomainError(_l("Enter a valid email address."), field="email") from error
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is None:
        raise DomainError(_l("No account has this email address: invite the person as a theme "
                             "chair first."), field="email")
    codes = list(dict.fromkeys(theme_codes or ()))
    if whole_contest and codes:
        raise DomainError(_l("Choose either the whole contest or some of its themes."),
                          field="themes")
    if not whole_contest and not codes:
        raise DomainError(_l("Choose the themes the rights cover, or the whole contest."),
                          field="themes")
    themes = themes_by_code(contest, codes)
    unknown = [code for code in codes if code not in {theme.code for theme in themes}]
    if unknown:
        raise DomainError(_l("The theme %(theme)s is not a theme of this contest.",
                             theme=unknown[0]), field="themes")
    return grant_rights(actor, contest, user, permissions, themes)


def revoke_rights(actor, grant):
    """Take back every right of the grant; audited."""
    contest, user = grant.contest, grant.user
    record(actor, "rights.revoked", contest=contest, target=grant, user=user.id,
           permissions=list(grant.permissions), themes=[theme.code for theme in grant.themes])
    db.session.delete(grant)
    db.session.flush()
    _forget(user)


def _forget(user):
    """Drop what portal.policy remembered of the account's grants for this request."""
    user.__dict__.pop("_portal_grants", None)
    user.__dict__.pop("_portal_chair", None)


def open_invitations(contest, role):
    """The contest's invitations for `role` that can still be accepted or wait to be sent."""
    return db.session.scalars(
        db.select(Invitation).filter(Invitation.contest_id == contest.id,
                                     Invitation.role == role,
                                     Invitation.accepted_at.is_(None),
                                     Invitation.revoked_at.is_(None),
                                     or_(Invitation.expires_at > utcnow(),
                                         Invitation.sent_at.is_(None)))
        .order_by(Invitation.id)).all()


def grants_of(contest):
    """The contest's grants with their accounts and themes, by email."""
    return db.session.scalars(
        db.select(ContestGrant).join(User, User.id == ContestGrant.user_id)
        .filter(ContestGrant.contest_id == contest.id)
        .options(selectinload(ContestGrant.user), selectinload(ContestGrant.themes))
        .order_by(User.email)).all()


def open_chair_invitations(contest):
    """The contest's chair invitations not yet accepted, revoked or expired."""
    return open_invitations(contest, InvitationRole.CHAIR)
