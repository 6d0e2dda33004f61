"""Organizer accounts: the list, and deactivating or reactivating one."""

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import User


def organizers():
    return db.session.scalars(db.select(User).filter_by(is_organizer=True)
                              .order_by(User.active.desc(), User.email)).all()


def set_organizer_active(actor, user, active):
    """Deactivate an organizer account, never the last active one; or reactivate it."""
    if not user.is_organizer:
        raise DomainError(_l("This account is not an organizer."))
    if not active:
        others = db.session.scalar(db.select(db.func.count(User.id)).filter(
            User.is_organizer.is_(True), User.active.is_(True), User.id != user.id))
        if not others:
            raise DomainError(_l("This is the last active organizer account: invite another "
                                 "organizer before deactivating it."))
    user.active = active
    db.session.flush()
    record(actor, "organizer.activated" if active else "organizer.deactivated", target=user,
           organizer=user.id)
