"""Invitations by email: to judge one contest, or to join the organizers.

The link is signed, expires after `INVITATION_MAX_AGE_DAYS`, works once, and dies when a newer
invitation to the same address (for the same role and contest) replaces it or it is revoked.
"""
from datetime import timedelta

from flask import current_app

from portal.accounts.services import create_user
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l, N_
from portal.mail import queue_email
from portal.models import Invitation, InvitationRole, JudgeMembership, Permission, Theme, User, \
    utcnow
from portal.rights import applies_to, grant_rights, refuse_applicant_as_chair, themes_by_code
from portal.tokens import make_token, read_token
from portal.validation import normalize_email
from portal.web import external_url

PURPOSE = "invitation"
SUBJECTS = {InvitationRole.JUDGE: N_("Invitation to judge: %(contest)s"),
            InvitationRole.CHAIR: N_("Invitation to chair a theme: %(contest)s"),
            InvitationRole.ORGANIZER: N_("Invitation to join the organizers of the portal")}


def membership_of(contest, user):
    return db.session.scalar(
        db.select(JudgeMembership).filter_by(contest_id=contest.id, user_id=user.id))


def refuse_applicant_as_judge(user, contest):
    """A judge of a contest may not also submit to it, nor an applicant judge it."""
    if applies_to(user, contest):
        raise DomainError(_l("This person has proposals in this contest and cannot judge it."),
                          field="email")


def _check_invitee(role, contest, email):
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is None:
        return
    if role == InvitationRole.ORGANIZER:
        if user.is_organizer and user.active:
            raise DomainError(_l("This person is already an organizer."), field="email")
        return
    if role == InvitationRole.CHAIR:
        if user.is_organizer:
            raise DomainError(_l("Organizers already hold every right in every contest."),
                              field="email")
        refuse_applicant_as_chair(user, contest)
        return
    membership = membership_of(contest, user)
    if membership is not None and membership.active:
        raise DomainError(_l("This person is already a judge of this contest."), field="email")
    refuse_applicant_as_judge(user, contest)


def invite(actor, role, email, contest=None, display_name=None, organization=None,
           theme_codes=(), locale=None, now=None, send=True):
    """Create the invitation and email its link; returns (invitation, token). With `send`
    false it waits, unusable, until `send_invitation` (token None)."""
    now = now or utcnow()
    try:
        email = normalize_email(email)
    except ValueError as error:
        raise DomainError(_l("Enter a valid email address."), field="email") from error
    _check_invitee(role, contest, email)
    for earlier in db.session.scalars(db.select(Invitation).filter_by(
            role=role, contest_id=contest.id if contest else None, email=email,
            accepted_at=None, revoked_at=None)):
        earlier.revoked_at = now
    invitation = Invitation(
        role=role, contest=contest, email=email, display_name=display_name or None,
        organization=organization or None, theme_codes=list(theme_codes) or None,
        locale=locale, created_by_id=getattr(actor, "id", None), created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]))
    db.session.add(invitation)
    db.session.flush()
    record(actor, f"{role}.invited", contest=contest, target=invitation, email=email,
           sent=send)
    return invitation, (send_invitation(actor, invitation, now) if send else None)


def send_invitation(actor, invitation, now=None):
    """Email the invitation's link now (its validity starts now); returns the token."""
    now = now or utcnow()
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"])
    token = make_token(PURPOSE, {"invitation": invitation.id})
    _send(invitation, token)
    return token


def send_waiting(actor, contest, now=None):
    """Send the contest's invitations that wait; returns (sent, refused): an invitee who has
    since become a judge or an applicant of the contest is not invited, and the invitation
    is revoked."""
    now = now or utcnow()
    waiting = db.session.scalars(db.select(Invitation).filter(
        Invitation.contest_id == contest.id, Invitation.sent_at.is_(None),
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.id)).all()
    sent = refused = 0
    for invitation in waiting:
        try:
            _send_waiting(actor, invitation, now)
        except DomainError:
            revoke(actor, invitation, now)
            refused += 1
        else:
            sent += 1
    return sent, refused


def _send_waiting(actor, invitation, now=None):
    """A waiting invitation's first sending, checked again: things changed since it was made."""
    _check_invitee(invitation.role, invitation.contest, invitation.email)
    send_invitation(actor, invitation, now)
    record(actor, f"{invitation.role}.invitation_sent", contest=invitation.contest,
           target=invitation, email=invitation.email)


def _send(invitation, token):
    contest_name = invitation.contest.localized("name", invitation.locale or "zh") \
        if invitation.contest else ""
    queue_email(invitation.email, _l(SUBJECTS[invitation.role], contest=contest_name),
                "invitation", locale=invitation.locale, invitation=invitation,
                contest_name=contest_name,
                link=external_url("judging.accept_invitation", token=token),
                days=current_app.config["INVITATION_MAX_AGE_DAYS"])


def resend(actor, invitation):
    """A fresh link (the old one stops working) with the same details; a waiting invitation
    is sent for the first time."""
    if invitation.accepted_at is not None:
        raise DomainError(_l("This invitation has already been accepted."))
    if invitation.sent_at is None:
        _send_waiting(actor, invitation)
        return invitation, None
    return invite(actor, invitation.role, invitation.email, contest=invitation.contest,
                  display_name=invitation.display_name, organization=invitation.organization,
                  theme_codes=invitation.theme_codes or (), locale=invitation.locale)


def revoke(actor, invitation, now=None):
    if invitation.accepted_at is not None:
        raise DomainError(_l("This invitation has already been accepted."))
    invitation.revoked_at = now or utcnow()
    record(actor, f"{invitation.role}.invitation_revoked", contest=invitation.contest,
           target=invitation, email=invitation.email)


def invitation_from_token(token, now=None):
    """The invitation the token names while it can still be used, else None."""
    now = now or utcnow()
    payload = read_token(PURPOSE, token, current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400)
    invitation = db.session.get(Invitation, payload.get("invitation")) if payload else None
    if invitation is None or not invitation.usable_at(now):
        return None
    return invitation


def accept(invitation, user=None, display_name=None, password=None, now=None):
    """Give the invited person the role; creates their account when they have none."""
    now = now or utcnow()
    if user is None:
        user = create_user(invitation.email, password,
                           display_name=display_name or invitation.display_name,
                           locale=invitation.locale)
        user.email_confirmed_at = now  # the emailed link proves the address
        user.organization = invitation.organization
    elif user.email != invitation.email:
        raise DomainError(_l("This invitation was sent to another email address. Log out and "
                             "open the link again."))
    if invitation.role == InvitationRole.ORGANIZER:
        user.is_organizer = True
        user.active = True
        target = user
    elif invitation.role == InvitationRole.CHAIR:
        target = grant_rights(invitation.creator, invitation.contest, user,
                              Permission.THEME_CHAIR,
                              themes_by_code(invitation.contest, invitation.theme_codes))
    else:
        target = _join_jury(invitation, user)
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    db.session.flush()
    record(user, f"{invitation.role}.joined", contest=invitation.contest, target=target)
    return user


def _join_jury(invitation, user):
    contest = invitation.contest
    refuse_applicant_as_judge(user, contest)
    membership = membership_of(contest, user)
    if membership is None:
        membership = JudgeMembership(contest=contest, user=user, active=True)
        db.session.add(membership)
    membership.active = True
    if invitation.theme_codes:
        membership.expertise = db.session.scalars(db.select(Theme).filter(
            Theme.contest_id == contest.id, Theme.code.in_(invitation.theme_codes))).all()
    return membership
